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
#include <stddef.h>
#include <stdint.h>

#include "conpar/lessons.h"
#include "conpar/maxloc.h"
#include "conpar/npy.h"
#include "conpar/placement.h"
#include "conpar/runner.h"
#include "conpar/status.h"
#include "conpar/usage.h"

/* What a strategy needs from the launch. */
enum cp_cpu_needs {
    CP_NEEDS_ONE_PROCESS = 1u << 0, /* runs on rank 0 alone, over the whole array held there */
    CP_NEEDS_THREADS = 1u << 1,     /* uses the rank's OpenMP threads */
    CP_NEEDS_WHOLE = 1u << 2,       /* reads rank 0's whole array (one-process and scatter) */
    CP_NEEDS_ALL_RANKS = 1u << 3,   /* every rank takes part: prepare, run and release are
                                       collective over ctx->comm */
};

/* The array and settings a strategy works on. */
struct cp_cpu_ctx {
    const double *data;     /* this process's elements (8-byte slots of `domain`): data[i] is
                               global index base + i */
    enum cp_domain domain;  /* doubles, or int64 keys of an integer .npy file */
    int64_t n;              /* elements in data */
    int64_t base;           /* global index of data[0] */
    int64_t chunks;         /* work units for chunked scans of data */
    int threads;            /* OpenMP threads of this rank */
    int intensity;          /* --intensity: comparisons per element, >= 1 (1: one scan) */
    enum cp_nan_policy nan; /* --nan */
    MPI_Comm comm;          /* conpar's communicator (errors return) */
    const struct cp_cpu_options *opt; /* the whole run's settings (size, seed, plants) */
    const double *whole;    /* rank 0: the whole array for CP_NEEDS_WHOLE strategies, else NULL */
    double prepare_seconds; /* set by prepare: making the strategy's data (slowest rank) */
    int nodes;              /* set by prepare: shared-memory nodes used (window), else 0 */
    double read_seconds;    /* set by prepare: reading --input alone (slowest rank), else 0 */
    char note[128];         /* set by prepare: how the strategy ran ("one MPI_Scatterv") */
    void *state;            /* the strategy's own, from prepare to release */
};

/* One run of a strategy. */
struct cp_cpu_run {
    struct cp_maxloc result; /* the global answer (on rank 0 for CP_NEEDS_ALL_RANKS) */
    double stage_seconds[CP_STAGE_COUNT];
};

struct cp_cpu_strategy {
    const char *name;        /* CLI name, as in --cpu-strategies */
    const char *talk_analog; /* what the talk ran for this lesson */
    const char *lesson;      /* one line: what the timing teaches */
    const char *compare;     /* the strategy its lesson is measured against (NULL: seq) */
    unsigned needs;          /* enum cp_cpu_needs bits */
    /* Optional: set up the strategy's data once before its runs (ctx->data, n, base, state,
     * prepare_seconds). CP_ERR_UNAVAILABLE, agreed by all ranks, skips the strategy with the
     * recorded reason. */
    enum cp_status (*prepare)(struct cp_cpu_ctx *ctx);
    /* Compute the answer into out. Local for CP_NEEDS_ONE_PROCESS strategies. */
    enum cp_status (*run)(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out);
    /* Optional: free what prepare made (also after a failed prepare). */
    void (*release)(struct cp_cpu_ctx *ctx);
};

/* The registry: every strategy in report order. *count receives the number. */
const struct cp_cpu_strategy *const *cp_cpu_registry(int *count);

/* The strategy named `name`, or NULL. */
const struct cp_cpu_strategy *cp_cpu_find(const char *name);

/* Scan ctx's data as ctx->chunks chunks (cp_block_of) on a team of `threads` OpenMP threads
 * (static schedule) with the `kind` kernel of ctx's domain, reducing chunk answers with the
 * combine rule. With `lock` non-NULL each chunk's kernel call holds that lock (the GIL
 * lesson). Local. */
struct cp_maxloc cp_scan_chunks(const struct cp_cpu_ctx *ctx, int threads, enum cp_kernel_kind kind,
                                omp_lock_t *lock);

/* The compute stage of a strategy: cp_scan_chunks of ctx on ctx->threads threads with the SIMD
 * kernel, timed into out (stage and result). Local. */
struct cp_maxloc cp_scan_timed(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out);

/* The combine stage: cp_maxloc_reduce of `local` over comm, timed into out; the answer is in
 * out->result on rank 0. Collective. */
enum cp_status cp_combine_timed(struct cp_maxloc local, MPI_Comm comm, struct cp_cpu_run *out);

/* End of a collective prepare: this rank scans `count` elements at `data` holding global
 * indices from `base`; `seconds` (this rank's set-up) becomes ctx->prepare_seconds as the
 * slowest rank's. Collective. */
enum cp_status cp_ctx_set_block(struct cp_cpu_ctx *ctx, const double *data, int64_t base,
                                int64_t count, double seconds);

/* Combine every rank's answer into rank 0's *r (other ranks' *r is left as it was), through
 * one user-defined MPI operator on the combine rule, with a 64-bit index. Collective. */
enum cp_status cp_maxloc_reduce(struct cp_maxloc *r, MPI_Comm comm);

/* The MPI datatype and operator of cp_maxloc_reduce (created once, freed at MPI_Finalize). */
enum cp_status cp_maxloc_mpi(MPI_Datatype *type, MPI_Op *op);

#define CP_CPU_MAX_STRATEGIES 16
#define CP_CPU_MAX_INTENSITIES 16
#define CP_CPU_MAX_RECORDS (CP_CPU_MAX_STRATEGIES * CP_CPU_MAX_INTENSITIES)

/* The CPU phase's settings (filled by the command line). */
struct cp_cpu_options {
    const char *input; /* --input FILE.npy, or NULL for generated values */
    struct cp_npy npy; /* the parsed --input header (cp_cpu_resolve) */
    int64_t size;      /* --size: elements, >= 1 (the file's element count with --input) */
    uint64_t seed;     /* --seed */
    enum cp_nan_policy nan;
    int64_t plant_max;     /* --plant-max index, or -1 */
    int64_t plant_nan;     /* --plant-nan index, or -1 */
    int64_t chunks;        /* --chunks */
    int threads;           /* --threads, 0 = OpenMP's default */
    int warmup;            /* --warmup untimed runs */
    int repeat;            /* --repeat timed runs */
    int64_t mpi_max_count; /* --mpi-max-count: largest count in one MPI call */
    int emulate_nodes;     /* --emulate-nodes: split the ranks into this many nodes, 0 = real */
    const char *ranks_unavailable; /* non-NULL: why the strategies every rank runs are skipped
                                      (the process pool could not start) */
    int nstrategies;
    const struct cp_cpu_strategy *strategies[CP_CPU_MAX_STRATEGIES];
    /* --intensity: each strategy runs once per value, in this order (none given: 1) */
    int nintensities;
    int64_t intensities[CP_CPU_MAX_INTENSITIES];
    /* called on rank 0 after each strategy's record is complete (a checkpoint), or NULL */
    void (*on_record)(void *arg);
    void *on_record_arg;
};

/* Open --input (when given) on every rank and set opt->npy and opt->size from it.
 * Collective; CP_OK or the file's error (exit 2), identical on all ranks. */
enum cp_status cp_cpu_resolve(struct cp_cpu_options *opt, MPI_Comm comm);

/* The element domain of the array opt describes. */
enum cp_domain cp_cpu_domain(const struct cp_cpu_options *opt);

/* Fill out[0..count) with elements [first, first + count) of the array opt describes: the
 * generated values with the --plant-* values applied (`chunks` blocks handed to `threads`
 * threads with the static schedule the scans use, so each thread first-touches the pages it
 * later reads), or the --input file's elements read with MPI-IO into pages first-touched the
 * same way; *read_seconds (when not NULL) gets the time of the read alone (0 when generated).
 * Every rank of comm calls it (collective over comm: MPI_COMM_SELF for one rank's array). */
enum cp_status cp_cpu_fill(const struct cp_cpu_options *opt, MPI_Comm comm, int64_t first,
                           int64_t count, int64_t chunks, int threads, double *out,
                           double *read_seconds);

/* For a fortran_order file, numpy's answer is the first maximum in C order: given the
 * maximum found (on rank 0 of comm), every rank searches ctx's data for elements equal to it
 * and the smallest C-order index wins; *r becomes that element and index (nan_count kept).
 * A no-op for C-order data. Collective over comm (MPI_COMM_SELF for one process). */
enum cp_status cp_cpu_fortran_first(const struct cp_cpu_ctx *ctx, MPI_Comm comm,
                                    struct cp_maxloc *r);

/* The reference answer: the scalar kernel over the array's values made in small pieces, the
 * ranks sharing the work, so no array is held and no strategy's data is trusted. Collective;
 * the answer is on rank 0. */
enum cp_status cp_cpu_reference(const struct cp_cpu_options *opt, int threads, MPI_Comm comm,
                                struct cp_maxloc *out);

/* One host's cores while a strategy ran (from /proc/stat, sampled by the host's first rank). */
struct cp_host_busy {
    char host[64];
    int ncores;
    double percent[CP_USAGE_MAX_CORES];
};

struct cp_cpu_record {
    const struct cp_cpu_strategy *strategy;
    const struct cp_cpu_options *opt; /* the run's options (the element type for reports) */
    char skipped[256];                /* non-empty: the strategy did not run, and why */
    struct cp_maxloc result;          /* from the last timed run */
    int verified;                     /* every run equal to the reference, bit for bit */
    int ranks;                        /* ranks that took part */
    int threads;                      /* threads per rank the strategy used */
    int intensity;                    /* comparisons per element in this run */
    struct cp_timing seconds;         /* per run: the slowest rank */
    /* medians over the timed runs of the fastest, mean and slowest rank's seconds */
    double rank_min, rank_avg, rank_max;
    double stage_median[CP_STAGE_COUNT]; /* per stage: the slowest rank, median over runs */
    double prepare_seconds;              /* setting up the strategy's data, once */
    int meaningful;                      /* 0 when the placement oversubscribed CPUs while it ran */
    double bound_seconds; /* median of the probe passes beside its runs: a streaming read of the
                             same data on the same threads and ranks, the bound to beat */
    double cpu_seconds;   /* CPU time of every rank's process while it ran (all its runs) */
    double wall_seconds;  /* wall time of all its runs on rank 0 */
    int nhosts;           /* hosts whose cores were sampled (rank 0), 0 if none */
    struct cp_host_busy *host_busy; /* per host: each core's use while it ran; owned here */
    int nodes;                      /* shared-memory nodes (window), else 0 */
    double read_seconds;            /* reading --input in prepare (slowest rank), else 0 */
    char note[128];                 /* how it ran, from prepare ("" when nothing to say) */
    double gb_per_s;                /* bytes scanned / median seconds */
    double speedup; /* seq median / this median at the same intensity, 0 when seq did not run */
};

struct cp_cpu_report {
    struct cp_cpu_options options;
    int threads_asked; /* --threads, 0 = default */
    int threads_got;   /* rank 0's team for the strategies it runs alone */
    const char *simd_isa;
    double reference_seconds;   /* the reference answer, all ranks */
    double setup_seconds;       /* rank 0's whole array: allocation, first touch, generation */
    double generate_seconds;    /* generation alone: a second pass over touched memory */
    double stream_gb_per_s_1;   /* read probe, one thread */
    double stream_gb_per_s_all; /* read probe, threads_got threads */
    struct cp_maxloc reference; /* the reference kernel's answer */
    int64_t expected_index;     /* from --plant-*, or -1 when not known in advance */
    int nrecords;               /* one per strategy and intensity, strategy by strategy */
    struct cp_cpu_record records[CP_CPU_MAX_RECORDS];
    struct cp_lessons lessons; /* what the records prove (rank 0, once the phase ends) */
};

/* Check, before any work, that every node has the memory its ranks need for the chosen
 * strategies (rank 0's whole array while a strategy needs it, each rank's block). Collective;
 * CP_OK or CP_ERR_NOMEM naming the node, the bytes needed and available, and what
 * -c distributed would need. cp_cpu_phase_run checks again. */
enum cp_status cp_cpu_phase_check(const struct cp_cpu_options *opt, MPI_Comm comm);

/* Run the CPU phase: check every node's memory for the chosen strategies, compute the
 * reference, make the whole array on rank 0 when a strategy needs it, run every chosen
 * strategy (warm-up and timed runs, one-process ones on rank 0 while the other ranks sleep)
 * and verify each answer, on the threads `placement` chose for this rank. Collective over comm;
 * the report is complete on rank 0. Returns CP_OK, CP_ERR_NOMEM (a node too small),
 * CP_ERR_NO_VALUES (all NaN under --nan skip), CP_ERR_VERIFY (a strategy disagreed; the
 * report is still filled), CP_ERR_UNAVAILABLE (every chosen strategy was skipped) or
 * CP_ERR_MPI. Free with cp_cpu_report_free. */
enum cp_status cp_cpu_phase_run(const struct cp_cpu_options *opt,
                                const struct cp_placement *placement, MPI_Comm comm,
                                struct cp_cpu_report *report);

void cp_cpu_report_free(struct cp_cpu_report *report);

/* The value of r as numpy prints it in the array's own type ("0.99999", "-3", "True",
 * "18446744073709551615"; "nan", "inf"), "-" when nothing was comparable. */
void cp_cpu_format_value(const struct cp_cpu_options *opt, struct cp_maxloc r, char *buf,
                         size_t size);

#endif
