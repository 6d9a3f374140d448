/* The CPU phase runner: data, reference, timed strategies, verification. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conpar/array.h"
#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/gen.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct cp_timing cp_timing_of(const double *samples, int count)
{
    struct cp_timing t = {0, 0, 0, count, NULL};
    if (count <= 0)
        return t;
    double *sorted = malloc((size_t)count * sizeof *sorted);
    if (sorted == NULL)
        return t;
    memcpy(sorted, samples, (size_t)count * sizeof *sorted);
    qsort(sorted, (size_t)count, sizeof *sorted, cmp_double);
    t.min = sorted[0];
    t.max = sorted[count - 1];
    t.median = count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    free(sorted);
    return t;
}

/* The OpenMP team size `threads` really gives. */
static int team_size(int threads)
{
    int got = 1;
#pragma omp parallel num_threads(threads) default(none) shared(got)
    {
#pragma omp single
        got = omp_get_num_threads();
    }
    return got;
}

/* Streaming read of the chunks on `threads` threads: the read-bandwidth bound. */
static double stream_chunks(const struct cp_cpu_ctx *ctx, int threads)
{
    double m = -INFINITY;
    const double *data = ctx->data;
    int64_t n = ctx->n, chunks = ctx->chunks;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(max                       \
                                                                         : m) default(none)        \
    shared(data, n, chunks)
    for (int64_t c = 0; c < chunks; c++) {
        struct cp_block b = cp_block_of(n, chunks, c);
        double part = cp_kernel_stream(data + b.start, b.count);
        m = part > m ? part : m;
    }
    return m;
}

/* Read bandwidth in GB/s for one thread or the whole team: one warm-up pass, then the median
 * of `repeat` passes, the same statistic the strategies report. */
static double stream_probe(const struct cp_cpu_ctx *ctx, int threads, int repeat)
{
    volatile double sink = 0;
    double *samples = malloc((size_t)repeat * sizeof *samples);
    if (samples == NULL)
        return 0;
    for (int r = 0; r < repeat + 1; r++) {
        double t0 = MPI_Wtime();
        sink = threads == 1 ? cp_kernel_stream(ctx->data, ctx->n) : stream_chunks(ctx, threads);
        if (r > 0)
            samples[r - 1] = MPI_Wtime() - t0;
    }
    (void)sink;
    double median = cp_timing_of(samples, repeat).median;
    free(samples);
    return median > 0 ? (double)ctx->n * sizeof(double) / median / 1e9 : 0;
}

static void plant(double *data, const struct cp_cpu_options *opt)
{
    /* 1.0 exceeds every generated value, which lie in [0, 1) */
    if (opt->plant_max >= 0)
        data[opt->plant_max] = 1.0;
    if (opt->plant_nan >= 0)
        data[opt->plant_nan] = NAN;
}

static int64_t expected_index(const struct cp_cpu_options *opt)
{
    if (opt->plant_nan >= 0 && opt->nan == CP_NAN_PROPAGATE)
        return opt->plant_nan;
    return opt->plant_max;
}

static void format_maxloc(struct cp_maxloc r, char *buf, size_t size)
{
    if (r.index == CP_INDEX_NONE)
        snprintf(buf, size, "no comparable value");
    else
        snprintf(buf, size, "value %.17g at index %" PRId64 " (%" PRId64 " NaN)", r.value, r.index,
                 r.nan_count);
}

/* Warm-up and timed runs of one strategy; every run's answer is checked. */
static enum cp_status time_strategy(const struct cp_cpu_strategy *s, const struct cp_cpu_ctx *ctx,
                                    const struct cp_cpu_report *report, struct cp_cpu_record *rec)
{
    const struct cp_cpu_options *opt = &report->options;
    double *samples = malloc((size_t)opt->repeat * sizeof *samples);
    /* stage g of timed run k at stages[g * repeat + k] */
    double *stages = calloc((size_t)opt->repeat * CP_STAGE_COUNT, sizeof *stages);
    if (samples == NULL || stages == NULL) {
        free(samples);
        free(stages);
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate timing samples");
    }
    memset(rec, 0, sizeof *rec);
    rec->strategy = s;
    rec->verified = 1;
    rec->threads = (s->needs & CP_NEEDS_THREADS) ? report->threads_got : 1;
    enum cp_status st = CP_OK;
    for (int r = 0; r < opt->warmup + opt->repeat && st == CP_OK; r++) {
        struct cp_cpu_run run;
        memset(&run, 0, sizeof run);
        double t0 = MPI_Wtime();
        st = s->run(ctx, &run);
        double t = MPI_Wtime() - t0;
        if (st != CP_OK)
            break;
        /* after a wrong answer keep it, so the report shows it */
        if (rec->verified)
            rec->result = run.result;
        if (!cp_maxloc_equal(run.result, report->reference))
            rec->verified = 0;
        if (r >= opt->warmup) {
            int k = r - opt->warmup;
            samples[k] = t;
            for (int g = 0; g < CP_STAGE_COUNT; g++)
                stages[(size_t)g * (size_t)opt->repeat + (size_t)k] = run.stage_seconds[g];
        }
    }
    if (st == CP_OK) {
        rec->seconds = cp_timing_of(samples, opt->repeat);
        rec->seconds.samples = samples; /* the report owns them now */
        samples = NULL;
        for (int g = 0; g < CP_STAGE_COUNT; g++)
            rec->stage_median[g] =
                cp_timing_of(stages + (size_t)g * (size_t)opt->repeat, opt->repeat).median;
        if (rec->seconds.median > 0)
            rec->gb_per_s = (double)ctx->n * sizeof(double) / rec->seconds.median / 1e9;
    }
    free(samples);
    free(stages);
    return st;
}

static void fill_speedups(struct cp_cpu_report *report)
{
    const struct cp_cpu_record *seq = NULL;
    for (int i = 0; i < report->nrecords; i++)
        if (strcmp(report->records[i].strategy->name, "seq") == 0)
            seq = &report->records[i];
    for (int i = 0; seq != NULL && i < report->nrecords; i++)
        if (report->records[i].seconds.median > 0)
            report->records[i].speedup = seq->seconds.median / report->records[i].seconds.median;
}

/* Rank 0's part: everything runs on the whole array in this process. */
static enum cp_status run_local(const struct cp_cpu_options *opt, MPI_Comm comm, double *data,
                                struct cp_cpu_report *report)
{
    int threads = report->threads_got;
    struct cp_cpu_ctx ctx = {data, opt->size, 0, opt->chunks, threads, opt->nan, comm};

    double t0 = MPI_Wtime();
    omp_set_num_threads(threads);
    cp_gen_fill_parallel(opt->seed, 0, opt->size, opt->chunks, data);
    report->setup_seconds = MPI_Wtime() - t0;
    /* the same values again into touched pages: what generation costs without page faults */
    t0 = MPI_Wtime();
    cp_gen_fill_parallel(opt->seed, 0, opt->size, opt->chunks, data);
    report->generate_seconds = MPI_Wtime() - t0;
    plant(data, opt);

    report->reference = cp_scan_chunks(&ctx, threads, cp_kernel_scalar, NULL);
    report->expected_index = expected_index(opt);
    if (report->reference.index == CP_INDEX_NONE)
        return CP_FAIL(CP_ERR_NO_VALUES,
                       "no comparable values: all %" PRId64 " values are NaN and --nan skip "
                       "ignores NaN",
                       opt->size);
    if (report->expected_index >= 0 && report->reference.index != report->expected_index)
        return CP_FAIL(CP_ERR_VERIFY,
                       "the reference kernel found index %" PRId64 " but the planted value is "
                       "at %" PRId64,
                       report->reference.index, report->expected_index);

    report->stream_gb_per_s_1 = stream_probe(&ctx, 1, opt->repeat);
    report->stream_gb_per_s_all = stream_probe(&ctx, threads, opt->repeat);

    for (int i = 0; i < opt->nstrategies; i++) {
        enum cp_status st =
            time_strategy(opt->strategies[i], &ctx, report, &report->records[report->nrecords]);
        if (st != CP_OK)
            return st;
        report->nrecords++;
    }
    fill_speedups(report);
    /* every row stays in the report; the first strategy that disagreed is named */
    for (int i = 0; i < report->nrecords; i++)
        if (!report->records[i].verified) {
            char got[128], want[128];
            format_maxloc(report->records[i].result, got, sizeof got);
            format_maxloc(report->reference, want, sizeof want);
            return CP_FAIL(CP_ERR_VERIFY, "strategy %s gave %s but the reference gave %s",
                           report->records[i].strategy->name, got, want);
        }
    return CP_OK;
}

enum cp_status cp_cpu_phase_run(const struct cp_cpu_options *opt, MPI_Comm comm,
                                struct cp_cpu_report *report)
{
    memset(report, 0, sizeof *report);
    report->options = *opt;
    report->threads_asked = opt->threads;
    report->threads_got = team_size(opt->threads > 0 ? opt->threads : omp_get_max_threads());
    report->simd_isa = cp_kernel_simd_isa();
    report->expected_index = -1;
    int rank = cp_comm_rank(comm);

    /* the one-process strategies hold the whole array on rank 0 */
    enum cp_status st = CP_OK;
    double *data = NULL;
    if (rank == 0) {
        char what[64];
        snprintf(what, sizeof what, "--size %" PRId64, opt->size);
        st = cp_array_check(opt->size, what);
        if (st == CP_OK)
            st = cp_array_alloc(opt->size, &data);
    }
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    if (rank == 0)
        st = run_local(opt, comm, data, report);
    cp_array_free(data);
    /* the other ranks sleep through rank 0's timed work instead of spinning beside it */
    enum cp_status waited = cp_comm_idle_barrier(comm);
    if (st == CP_OK)
        st = waited;
    /* a verification failure still leaves a full report on rank 0 */
    return cp_comm_agree(comm, st);
}

void cp_cpu_report_free(struct cp_cpu_report *report)
{
    for (int i = 0; i < report->nrecords; i++) {
        free(report->records[i].seconds.samples);
        report->records[i].seconds.samples = NULL;
    }
    report->nrecords = 0;
}
