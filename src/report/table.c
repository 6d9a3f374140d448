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
    fprintf(out, "  threads     %d per rank on rank 0 (from %s)", pl->threads, pl->threads_from);
    if (pl->solo_threads != pl->threads)
        fprintf(out, "; %d for the strategies rank 0 runs alone", pl->solo_threads);
    fputc('\n', out);
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
    if (env->pool_spawned)
        fprintf(out,
                "  pool        conpar started %d more of itself (MPI_Comm_spawn, the talk's "
                "ProcessPoolExecutor) in %.3f s: %d processes for the strategies every rank "
                "runs\n",
                env->pool_processes - 1, env->pool_start_seconds, env->pool_processes);
    else if (env->pool_unavailable[0] != '\0')
        fprintf(out, "  pool        none: %s\n", env->pool_unavailable);
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

/* What each column means, once, under the table. */
static void cpu_legend(FILE *out)
{
    fprintf(
        out,
        "  the talk ran  what the talk timed in Python for the same lesson (not run here)\n"
        "  intensity     comparisons per element: 1 is one scan, limited by memory; more passes "
        "over cached blocks make it compute-bound\n"
        "  seconds       median of the timed runs (min-max); ! = CPUs were oversubscribed, not "
        "meaningful\n"
        "  bound         a streaming read of the same data on the same threads and ranks, "
        "between the runs: the least time memory allows\n"
        "  x seq, eff.   seq's seconds at the same intensity / these; eff. = x seq / (threads x "
        "ranks)\n"
        "  GB/s          the array's bytes / seconds, and in () the bound's seconds / these\n"
        "  limited by    copying: the copy to the processes took half the time or more; memory: "
        "at %.0f%% of the bound or more; compute: below %.0f%% at intensity above 1\n"
        "  CPU/wall      CPU seconds of every process / wall seconds: busy when at least half "
        "of threads x ranks\n",
        100 * cp_lesson_limits.at_bound, 100 * cp_lesson_limits.compute_bound);
}

static void io_legend(FILE *out)
{
    fprintf(out,
            "  the talk ran  what the talk timed in Python for the same lesson (not run here)\n"
            "  concurrency   requests in flight at most; (cap) = cut to the thread cap or the "
            "open-file limit\n"
            "  ideal         ceil(R / min(concurrency, W)) x D: the least time the server allows; "
            "ideal/s = ideal / seconds\n"
            "  CPU us/req    the client's CPU per request, without the embedded server; CPU/wall: "
            "its CPU / wall, busy from 0.5\n");
}

/* One line per lesson: shown with its numbers, or not shown with the reason and the remedy. */
static void lessons(FILE *out, const char *phase, const struct cp_lessons *ls)
{
    int colour = use_colour(out);
    fprintf(out, "Lessons (%s): each judged on this run's own numbers\n", phase);
    for (int i = 0; i < ls->n; i++) {
        const struct cp_lesson *l = &ls->lessons[i];
        const char *on = !colour ? "" : l->shown ? "\033[32m" : "\033[33m";
        fprintf(out, "  %s%-9s%s  %s", on, l->shown ? "shown" : "NOT SHOWN",
                colour ? "\033[0m" : "", l->claim);
        if (l->shown)
            fprintf(out, ": %s\n", l->evidence);
        else if (l->evidence[0] != '\0')
            fprintf(out, ": %s (seen: %s)\n", l->remedy, l->evidence);
        else
            fprintf(out, ": %s\n", l->remedy);
    }
}

static void cpu_table(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu)
{
    preamble(out, env, cpu);
    render(out, cp_cpu_fields, cp_cpu_nfields, cpu->records, sizeof cpu->records[0], cpu->nrecords);
    cpu_legend(out);
    details(out, cpu);
    usage_bars(out, cpu);
    fputc('\n', out);
    lessons(out, "CPU", &cpu->lessons);
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
    io_legend(out);
    if (io->embedded)
        fprintf(out,
                "  server saw %" PRId64 " requests, answered %" PRId64 ", peak %d in service "
                "and %d waiting, longest wait %.3f s\n",
                io->server.requests, io->server.served, io->server.peak_in_service,
                io->server.peak_waiting, io->server.longest_wait);
    fputc('\n', out);
    lessons(out, "IO", &io->lessons);
}

void cp_report_table(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu,
                     const struct cp_io_report *io)
{
    if (cpu != NULL)
        cpu_table(out, env, cpu);
    if (io != NULL)
        io_table(out, env, io, cpu != NULL);
}
