/* The human table: the setup first (STREAM's preamble), then one row per strategy. */
#include <inttypes.h>
#include <string.h>

#include "conpar/array.h"
#include "conpar/report.h"
#include "fields.h"

#define CELL 64

static void preamble(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu)
{
    const struct cp_cpu_options *o = &cpu->options;
    char bytes[32];
    fprintf(out, "conpar %s: CPU phase, max and argmax of %" PRId64 " float64 values (%s)\n",
            CONPAR_VERSION, o->size,
            cp_format_bytes((double)o->size * sizeof(double), bytes, sizeof bytes));
    fprintf(out,
            "  data        generated, seed %" PRIu64 " (element i depends only on seed and i)\n",
            o->seed);
    if (o->plant_max >= 0 || o->plant_nan >= 0) {
        fprintf(out, "  planted    ");
        if (o->plant_max >= 0)
            fprintf(out, " 1.0 at %" PRId64, o->plant_max);
        if (o->plant_nan >= 0)
            fprintf(out, "%s NaN at %" PRId64, o->plant_max >= 0 ? "," : "", o->plant_nan);
        fputc('\n', out);
    }
    fprintf(out, "  nan         %s\n",
            o->nan == CP_NAN_PROPAGATE ? "propagate (like numpy.max: the first NaN wins)"
                                       : "skip (like numpy.nanmax)");
    fprintf(out, "  ranks       %d on %d host%s:", env->ranks, env->nhosts,
            env->nhosts == 1 ? "" : "s");
    for (int h = 0; h < env->nhosts && h < 8; h++)
        fprintf(out, " %s (%d)", env->hosts[h].name, env->hosts[h].ranks);
    fprintf(out, "%s\n", env->nhosts > 8 ? " ..." : "");
    fprintf(out, "  threads     %d got", cpu->threads_got);
    if (cpu->threads_asked > 0)
        fprintf(out, ", %d asked (--threads)\n", cpu->threads_asked);
    else
        fprintf(out, " (OpenMP default%s%s)\n", env->omp_num_threads[0] ? ", OMP_NUM_THREADS=" : "",
                env->omp_num_threads);
    fprintf(out, "  chunks      %" PRId64 " for threads and gil; SIMD kernel %s\n", o->chunks,
            cpu->simd_isa);
    fprintf(out, "  timing      %d warm-up + %d timed runs per strategy\n", o->warmup, o->repeat);
    fprintf(out,
            "  setup       %.3f s to allocate, first-touch and generate; generation alone %.3f s "
            "(%.0f M values/s)\n",
            cpu->setup_seconds, cpu->generate_seconds,
            cpu->generate_seconds > 0 ? (double)o->size / cpu->generate_seconds / 1e6 : 0.0);
    fprintf(
        out,
        "  read bound  %.2f GB/s on 1 thread, %.2f GB/s on %d threads (streaming probe, median)\n",
        cpu->stream_gb_per_s_1, cpu->stream_gb_per_s_all, cpu->threads_got);
    fputc('\n', out);
}

void cp_report_table(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu)
{
    preamble(out, env, cpu);
    int width[32] = {0};
    size_t nf = cp_cpu_nfields < 32 ? cp_cpu_nfields : 32;
    char cell[CELL];
    for (size_t f = 0; f < nf; f++) {
        if (cp_cpu_fields[f].header == NULL)
            continue;
        width[f] = (int)strlen(cp_cpu_fields[f].header);
        for (int i = 0; i < cpu->nrecords; i++) {
            cp_cpu_fields[f].text(&cpu->records[i], cell, sizeof cell);
            if ((int)strlen(cell) > width[f])
                width[f] = (int)strlen(cell);
        }
    }
    size_t last = 0;
    for (size_t f = 0; f < nf; f++)
        if (cp_cpu_fields[f].header != NULL)
            last = f;
    for (size_t f = 0; f < nf; f++)
        if (cp_cpu_fields[f].header != NULL)
            fprintf(out, "%-*s%s", f == last ? 0 : width[f], cp_cpu_fields[f].header,
                    f == last ? "\n" : "  ");
    for (int i = 0; i < cpu->nrecords; i++)
        for (size_t f = 0; f < nf; f++) {
            if (cp_cpu_fields[f].header == NULL)
                continue;
            cp_cpu_fields[f].text(&cpu->records[i], cell, sizeof cell);
            fprintf(out, "%-*s%s", f == last ? 0 : width[f], cell, f == last ? "\n" : "  ");
        }
    fputc('\n', out);
    for (int i = 0; i < cpu->nrecords; i++)
        fprintf(out, "  %-8s %s\n", cpu->records[i].strategy->name,
                cpu->records[i].strategy->lesson);
}
