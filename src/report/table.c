/* The human table: the setup first (STREAM's preamble), then one row per strategy. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conpar/array.h"
#include "conpar/progress.h"
#include "conpar/report.h"
#include "fields.h"

#define CELL 64

/* Threads per rank, where each rank runs, and whether the timings can mean anything. */
static void placement(FILE *out, const struct cp_placement *pl)
{
    if (pl == NULL || pl->ranks == NULL)
        return;
    fprintf(out, "  threads     %d per rank on rank 0 (from %s)\n", pl->threads, pl->threads_from);
    /* one line per rank while that stays readable */
    for (int r = 0; r < pl->nranks && r < 16; r++) {
        const struct cp_rank_place *p = &pl->ranks[r];
        fprintf(out, "  rank %-6d %s, node rank %d of %d, %d thread%s, CPUs %s\n", p->rank, p->host,
                p->node_rank, p->node_ranks, p->threads, p->threads == 1 ? "" : "s", p->mask);
    }
    if (pl->nranks > 16)
        fprintf(out, "  ...         %d more ranks in the JSON\n", pl->nranks - 16);
    if (!pl->ok)
        fprintf(out, "  placement   oversubscribed: timings marked ! are not meaningful\n");
}

/* Ranks, hosts and where every rank runs. */
static void hosts(FILE *out, const struct cp_env *env)
{
    fprintf(out, "  ranks       %d on %d host%s:", env->ranks, env->nhosts,
            env->nhosts == 1 ? "" : "s");
    for (int h = 0; h < env->nhosts && h < 8; h++)
        fprintf(out, " %s (%d)", env->hosts[h].name, env->hosts[h].ranks);
    fprintf(out, "%s\n", env->nhosts > 8 ? " ..." : "");
    fprintf(out, "  MPI         %s (MPI %d.%d, thread level %d granted)\n", env->mpi_library,
            env->mpi_version, env->mpi_subversion, env->thread_level);
    placement(out, env->placement);
}

static void preamble(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu)
{
    const struct cp_cpu_options *o = &cpu->options;
    char bytes[32];
    fprintf(out, "conpar %s: CPU phase, max and argmax of %" PRId64 " %s values (%s in memory)\n",
            CONPAR_VERSION, o->size, o->input ? o->npy.dtype : "float64",
            cp_format_bytes((double)o->size * sizeof(double), bytes, sizeof bytes));
    hosts(out, env);
    cp_setup_lines(out, cp_cpu_setup, cp_cpu_nsetup, cpu);
    fputc('\n', out);
}

/* Stages, spread over ranks and set-up of the strategies that use every rank. */
static void details(FILE *out, const struct cp_cpu_report *cpu)
{
    for (int i = 0; i < cpu->nrecords; i++) {
        const struct cp_cpu_record *r = &cpu->records[i];
        if (!(r->strategy->needs & CP_NEEDS_ALL_RANKS) || r->skipped[0] != '\0')
            continue;
        fprintf(out, "  %-11s", r->strategy->name);
        for (int g = 0; g < CP_STAGE_COUNT; g++)
            fprintf(out, "%s %s %.4f s", g ? "," : "", cp_stage_names[g], r->stage_median[g]);
        fprintf(out, "; ranks %.4f/%.4f/%.4f s (min/avg/max)", r->rank_min, r->rank_avg,
                r->rank_max);
        if (r->prepare_seconds > 0)
            fprintf(out, "; set-up %.3f s", r->prepare_seconds);
        if (r->read_seconds > 0)
            fprintf(out, " (read %.3f s, %.2f GB/s)", r->read_seconds,
                    (double)cpu->options.npy.count * cpu->options.npy.itemsize / r->read_seconds /
                        1e9);
        if (r->nodes > 0)
            fprintf(out, "; %d node window%s", r->nodes, r->nodes == 1 ? "" : "s");
        if (r->note[0])
            fprintf(out, "; %s", r->note);
        fputc('\n', out);
    }
}

/* Colour only on a terminal, and never with NO_COLOR set (no-color.org). */
static int use_colour(FILE *out)
{
    const char *no = getenv("NO_COLOR");
    return cp_interactive(fileno(out)) && (no == NULL || no[0] == '\0');
}

/* The escape sequence for a cell: a verdict in green or red, a doubtful time in yellow. */
static const char *colour_of(const struct cp_field *f, const void *rec)
{
    static const char *const colours[] = {"", "\033[32m", "\033[1;31m", "\033[33m"};
    return f->state != NULL ? colours[f->state(rec)] : "";
}

/* The rows of `fields` that have a header, aligned, for n records `stride` bytes apart. */
static void render(FILE *out, const struct cp_field *fields, size_t nfields, const void *records,
                   size_t stride, int n)
{
    int width[64] = {0};
    size_t nf = nfields < 64 ? nfields : 64, last = 0;
    char cell[CELL];
    for (size_t f = 0; f < nf; f++) {
        if (fields[f].header == NULL)
            continue;
        last = f;
        width[f] = (int)strlen(fields[f].header);
        for (int i = 0; i < n; i++) {
            fields[f].text((const char *)records + (size_t)i * stride, cell, sizeof cell);
            if ((int)strlen(cell) > width[f])
                width[f] = (int)strlen(cell);
        }
    }
    for (size_t f = 0; f < nf; f++)
        if (fields[f].header != NULL)
            fprintf(out, "%-*s%s", f == last ? 0 : width[f], fields[f].header,
                    f == last ? "\n" : "  ");
    int colour = use_colour(out);
    for (int i = 0; i < n; i++)
        for (size_t f = 0; f < nf; f++) {
            if (fields[f].header == NULL)
                continue;
            const void *rec = (const char *)records + (size_t)i * stride;
            fields[f].text(rec, cell, sizeof cell);
            const char *on = colour ? colour_of(&fields[f], rec) : "";
            fprintf(out, "%s%-*s%s%s", on, f == last ? 0 : width[f], cell, on[0] ? "\033[0m" : "",
                    f == last ? "\n" : "  ");
        }
}

/* One host's cores as bars (up to 8 cores) or one glyph per core. */
static void bars(FILE *out, const struct cp_host_busy *hb)
{
    for (int c = 0; c < hb->ncores; c++) {
        if (hb->ncores > 8) {
            static const char glyphs[] = " .:-=+*#%@";
            fputc(glyphs[(int)(hb->percent[c] / 100.0 * 9.0 + 0.5)], out);
            continue;
        }
        int fill = (int)(hb->percent[c] / 10.0 + 0.5);
        fprintf(out, " cpu%d [%.*s%.*s] %3.0f%%", c, fill, "##########", 10 - fill, "          ",
                hb->percent[c]);
    }
}

/* Every core's use while each strategy ran, per host, as bars (the talk's htop screenshots). */
static void usage_bars(FILE *out, const struct cp_cpu_report *cpu)
{
    int nhosts = 0;
    for (int i = 0; i < cpu->nrecords; i++)
        nhosts = cpu->records[i].nhosts > nhosts ? cpu->records[i].nhosts : nhosts;
    if (nhosts == 0)
        return;
    fprintf(out, "  CPU use per core while each ran (/proc/stat%s):\n",
            nhosts > 1 ? ", per host" : "");
    for (int i = 0; i < cpu->nrecords; i++) {
        const struct cp_cpu_record *r = &cpu->records[i];
        for (int h = 0; h < r->nhosts && r->skipped[0] == '\0'; h++) {
            if (nhosts > 1)
                fprintf(out, "  %-11s %-12.12s", h == 0 ? r->strategy->name : "",
                        r->host_busy[h].host);
            else
                fprintf(out, "  %-11s", r->strategy->name);
            bars(out, &r->host_busy[h]);
            fputc('\n', out);
        }
    }
}

static void cpu_table(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu)
{
    preamble(out, env, cpu);
    render(out, cp_cpu_fields, cp_cpu_nfields, cpu->records, sizeof cpu->records[0], cpu->nrecords);
    details(out, cpu);
    usage_bars(out, cpu);
    fputc('\n', out);
    fprintf(out, "Lessons (CPU):\n");
    for (int i = 0; i < cpu->nrecords; i++) {
        const struct cp_cpu_record *r = &cpu->records[i];
        fprintf(out, "  %-11s ", r->strategy->name);
        const char *base = r->strategy->compare ? r->strategy->compare : "seq";
        const struct cp_cpu_record *b = NULL;
        for (int j = 0; j < cpu->nrecords; j++)
            if (strcmp(cpu->records[j].strategy->name, base) == 0 &&
                cpu->records[j].skipped[0] == '\0' && cpu->records[j].seconds.median > 0)
                b = &cpu->records[j];
        if (r->skipped[0] != '\0')
            fprintf(out, "skipped");
        else if (b != NULL && b != r && r->seconds.median > 0)
            fprintf(out, "%.1fx %s", b->seconds.median / r->seconds.median, base);
        else
            fprintf(out, "%.4f s", r->seconds.median);
        if (r->skipped[0] == '\0' && cpu->stream_gb_per_s_all > 0 && r->gb_per_s > 0)
            fprintf(out, ", %.0f%% of the %d-thread read bound",
                    100.0 * r->gb_per_s /
                        (r->threads > 1 || r->ranks > 1 ? cpu->stream_gb_per_s_all
                                                        : cpu->stream_gb_per_s_1),
                    r->threads > 1 || r->ranks > 1 ? cpu->threads_got : 1);
        fprintf(out, " - %s\n", r->strategy->lesson);
    }
}

static void io_table(FILE *out, const struct cp_env *env, const struct cp_io_report *io,
                     int after_cpu)
{
    const struct cp_io_options *o = &io->options;
    if (!after_cpu) {
        fprintf(out, "conpar %s\n", CONPAR_VERSION);
        hosts(out, env);
    }
    fprintf(out, "%sIO phase: ", after_cpu ? "\n" : "");
    for (int k = 0; k < o->nrequests; k++)
        fprintf(out, "%s%" PRId64,
                k == 0                  ? ""
                : k == o->nrequests - 1 ? " and "
                                        : ", ",
                o->requests[k]);
    fprintf(out, " requests per strategy to %s\n", io->url);
    cp_setup_lines(out, cp_io_setup, cp_io_nsetup, io);
    fputc('\n', out);
    render(out, cp_io_fields, cp_io_nfields, io->records, sizeof io->records[0], io->nrecords);
    if (io->embedded)
        fprintf(out,
                "  server saw %" PRId64 " requests, answered %" PRId64 ", peak %d in service "
                "and %d waiting, longest wait %.3f s\n",
                io->server.requests, io->server.served, io->server.peak_in_service,
                io->server.peak_waiting, io->server.longest_wait);
    fputc('\n', out);
    fprintf(out, "Lessons (IO):\n");
    /* one line per strategy: its time for each request count, against seq's and the ideal */
    for (int i = 0; i < io->nrecords; i++) {
        const struct cp_io_record *r = &io->records[i], *seq = NULL;
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = io->records[j].strategy != r->strategy;
        if (!first)
            continue;
        fprintf(out, "  %-11s", r->strategy->name);
        for (int j = i; j < io->nrecords; j++) {
            const struct cp_io_record *q = &io->records[j];
            if (q->strategy != r->strategy)
                continue;
            seq = NULL;
            for (int k = 0; k < io->nrecords; k++)
                if (io->records[k].requests == q->requests &&
                    strcmp(io->records[k].strategy->name, "seq") == 0)
                    seq = &io->records[k];
            fprintf(out, " %" PRId64 " requests %.3f s (ideal %.3f s", q->requests, q->seconds,
                    q->ideal_seconds);
            if (seq != NULL && seq != q && q->seconds > 0)
                fprintf(out, ", %.1fx seq", seq->seconds / q->seconds);
            fprintf(out, ");");
        }
        fprintf(out, " %s\n", r->strategy->lesson);
    }
}

void cp_report_table(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu,
                     const struct cp_io_report *io)
{
    if (cpu != NULL)
        cpu_table(out, env, cpu);
    if (io != NULL)
        io_table(out, env, io, cpu != NULL);
}
