/* The CPU phase: strategy descriptors, the registry, and the phase runner.
 *
 * A strategy is a descriptor (name, talk analog, lesson, needs, run function) listed in the
 * registry table (src/cpu/registry.c). It computes the (value, index, nan_count) of the array
 * described by a cp_cpu_ctx and fills a cp_cpu_run; it never parses, prints or exits. The
 * phase runner (src/cpu/phase.c) makes the data, times every strategy, checks every answer
 * against the reference kernel and fills a cp_cpu_report for src/report/ to render. */
#ifndef CONPAR_CPU_H
#define CONPAR_CPU_H

#include <mpi.h>
#include <omp.h>
#include <stdint.h>

#include "conpar/maxloc.h"
#include "conpar/status.h"

/* What a strategy needs from the launch. */
enum cp_cpu_needs {
    CP_NEEDS_ONE_PROCESS = 1u << 0, /* runs on rank 0 over the whole array */
    CP_NEEDS_THREADS = 1u << 1,     /* uses the --threads OpenMP team */
};

/* The array and settings a strategy works on. */
struct cp_cpu_ctx {
    const double *data;     /* this process's elements: data[i] is global index base + i */
    int64_t n;              /* elements in data */
    int64_t base;           /* global index of data[0] */
    int64_t chunks;         /* --chunks: work units for chunked strategies */
    int threads;            /* OpenMP threads for threaded strategies */
    enum cp_nan_policy nan; /* --nan */
    MPI_Comm comm;          /* conpar's communicator (errors return) */
};

/* Stages a strategy may time separately (seconds stay 0 where a stage does not apply). */
enum cp_cpu_stage { CP_STAGE_DISTRIBUTE, CP_STAGE_COMPUTE, CP_STAGE_COMBINE, CP_STAGE_COUNT };

/* One run of a strategy. */
struct cp_cpu_run {
    struct cp_maxloc result;
    double stage_seconds[CP_STAGE_COUNT];
};

struct cp_cpu_strategy {
    const char *name;        /* CLI name, as in --cpu-strategies */
    const char *talk_analog; /* what the talk ran for this lesson */
    const char *lesson;      /* one line: what the timing teaches */
    unsigned needs;          /* enum cp_cpu_needs bits */
    /* Compute the answer for ctx into out. Local for CP_NEEDS_ONE_PROCESS strategies. */
    enum cp_status (*run)(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out);
};

/* The registry: every strategy in report order. *count receives the number. */
const struct cp_cpu_strategy *const *cp_cpu_registry(int *count);

/* The strategy named `name`, or NULL. */
const struct cp_cpu_strategy *cp_cpu_find(const char *name);

/* A local kernel: the answer for x[0..n) holding global indices [base, base + n). */
typedef struct cp_maxloc (*cp_kernel_fn)(const double *x, int64_t n, int64_t base,
                                         enum cp_nan_policy policy);

/* Scan ctx's data as ctx->chunks chunks (cp_block_of) on a team of `threads` OpenMP threads
 * (static schedule), reducing chunk answers with the combine rule. With `lock` non-NULL each
 * chunk's kernel call holds that lock (the GIL lesson). Local. */
struct cp_maxloc cp_scan_chunks(const struct cp_cpu_ctx *ctx, int threads, cp_kernel_fn kernel,
                                omp_lock_t *lock);

#define CP_CPU_MAX_STRATEGIES 16

/* The CPU phase's settings (filled by the command line). */
struct cp_cpu_options {
    int64_t size;  /* --size: elements, >= 1 */
    uint64_t seed; /* --seed */
    enum cp_nan_policy nan;
    int64_t plant_max; /* --plant-max index, or -1 */
    int64_t plant_nan; /* --plant-nan index, or -1 */
    int64_t chunks;    /* --chunks */
    int threads;       /* --threads, 0 = OpenMP's default */
    int warmup;        /* --warmup untimed runs */
    int repeat;        /* --repeat timed runs */
    int nstrategies;
    const struct cp_cpu_strategy *strategies[CP_CPU_MAX_STRATEGIES];
};

/* Timing summary of the timed runs, in seconds. */
struct cp_timing {
    double min, median, max;
    int count;
    double *samples; /* count values in run order; owned by the report */
};

struct cp_cpu_record {
    const struct cp_cpu_strategy *strategy;
    struct cp_maxloc result; /* from the last timed run */
    int verified;            /* every run equal to the reference, bit for bit */
    int threads;             /* threads the strategy used */
    struct cp_timing seconds;
    double stage_median[CP_STAGE_COUNT];
    double gb_per_s; /* bytes scanned / median seconds */
    double speedup;  /* seq median / this median, 0 when seq did not run */
};

struct cp_cpu_report {
    struct cp_cpu_options options;
    int threads_asked; /* --threads, 0 = default */
    int threads_got;   /* team size OpenMP gave */
    const char *simd_isa;
    double setup_seconds;       /* allocation, first touch and generation */
    double generate_seconds;    /* generation alone: a second pass over touched memory */
    double stream_gb_per_s_1;   /* read probe, one thread */
    double stream_gb_per_s_all; /* read probe, threads_got threads */
    struct cp_maxloc reference; /* the reference kernel's answer */
    int64_t expected_index;     /* from --plant-*, or -1 when not known in advance */
    int nrecords;
    struct cp_cpu_record records[CP_CPU_MAX_STRATEGIES];
};

/* Run the CPU phase: allocate and generate the array (rank 0), compute the reference, run
 * every chosen strategy (warm-up and timed runs) and verify each answer. Collective over
 * comm; the report is complete on rank 0. Returns CP_OK, CP_ERR_NOMEM (array too large),
 * CP_ERR_NO_VALUES (all NaN under --nan skip), CP_ERR_VERIFY (a strategy disagreed; the
 * report is still filled) or CP_ERR_MPI. Free with cp_cpu_report_free. */
enum cp_status cp_cpu_phase_run(const struct cp_cpu_options *opt, MPI_Comm comm,
                                struct cp_cpu_report *report);

void cp_cpu_report_free(struct cp_cpu_report *report);

/* min, median (mean of the middle two for an even count) and max of samples[0..count). */
struct cp_timing cp_timing_of(const double *samples, int count);

#endif
