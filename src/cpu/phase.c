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
#include "conpar/placement.h"
#include "conpar/progress.h"

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

/* Streaming read of the chunks on `threads` threads: the read-bandwidth bound. */
static double stream_chunks(const struct cp_cpu_ctx *ctx, int threads)
{
    double m = -INFINITY;
    const double *data = ctx->data;
    int64_t n = ctx->n, chunks = ctx->chunks;
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) reduction(max : m) default(none) \
    shared(data, n, chunks)
    // clang-format on
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

static int needs_whole(const struct cp_cpu_strategy *s)
{
    return (s->needs & (CP_NEEDS_ONE_PROCESS | CP_NEEDS_WHOLE)) != 0;
}

static int collective(const struct cp_cpu_strategy *s)
{
    return (s->needs & CP_NEEDS_ALL_RANKS) != 0;
}

/* Per-run timing across ranks, reduced to rank 0: the slowest rank defines the run's time
 * (clocks of different nodes are not compared, only durations). */
struct run_times {
    double max[1 + CP_STAGE_COUNT]; /* total, then each stage: the slowest rank */
    double min, sum;                /* total: the fastest rank, and the sum over ranks */
};

static enum cp_status reduce_times(double t, const struct cp_cpu_run *run, MPI_Comm comm,
                                   struct run_times *out)
{
    double mine[1 + CP_STAGE_COUNT] = {t};
    for (int g = 0; g < CP_STAGE_COUNT; g++)
        mine[1 + g] = run->stage_seconds[g];
    memcpy(out->max, mine, sizeof mine);
    out->min = out->sum = t;
    CP_MPI_CHECK(MPI_Reduce(mine, out->max, 1 + CP_STAGE_COUNT, MPI_DOUBLE, MPI_MAX, 0, comm));
    CP_MPI_CHECK(MPI_Reduce(&t, &out->min, 1, MPI_DOUBLE, MPI_MIN, 0, comm));
    CP_MPI_CHECK(MPI_Reduce(&t, &out->sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
    return CP_OK;
}

/* Timed-run samples of one strategy: total, stages, and the fastest and mean rank. */
struct samples {
    int repeat;
    double *total, *stages, *rank_min, *rank_avg; /* stage g of run k at stages[g * repeat + k] */
};

static enum cp_status samples_alloc(struct samples *sm, int repeat)
{
    sm->repeat = repeat;
    sm->total = malloc((size_t)repeat * sizeof(double));
    sm->stages = calloc((size_t)repeat * CP_STAGE_COUNT, sizeof(double));
    sm->rank_min = malloc((size_t)repeat * sizeof(double));
    sm->rank_avg = malloc((size_t)repeat * sizeof(double));
    if (sm->total && sm->stages && sm->rank_min && sm->rank_avg)
        return CP_OK;
    return CP_FAIL(CP_ERR_NOMEM, "cannot allocate timing samples");
}

static void samples_free(struct samples *sm)
{
    free(sm->total);
    free(sm->stages);
    free(sm->rank_min);
    free(sm->rank_avg);
}

static double median_of(const double *v, int n)
{
    return cp_timing_of(v, n).median;
}

/* Fill rec's timings from the samples; rec takes the total samples. */
static void summarise(struct samples *sm, double bytes, struct cp_cpu_record *rec)
{
    rec->seconds = cp_timing_of(sm->total, sm->repeat);
    rec->seconds.samples = sm->total;
    sm->total = NULL;
    for (int g = 0; g < CP_STAGE_COUNT; g++)
        rec->stage_median[g] = median_of(sm->stages + (size_t)g * (size_t)sm->repeat, sm->repeat);
    rec->rank_min = median_of(sm->rank_min, sm->repeat);
    rec->rank_avg = median_of(sm->rank_avg, sm->repeat);
    rec->rank_max = rec->seconds.median;
    if (rec->seconds.median > 0)
        rec->gb_per_s = bytes / rec->seconds.median / 1e9;
}

/* Warm-up and timed runs of one strategy; rank 0 checks every run's answer. For a collective
 * strategy every rank calls this; for a one-process strategy only rank 0. */
static enum cp_status time_strategy(const struct cp_cpu_strategy *s, const struct cp_cpu_ctx *ctx,
                                    const struct cp_cpu_report *report, struct cp_cpu_record *rec)
{
    const struct cp_cpu_options *opt = &report->options;
    int all = collective(s), root = cp_comm_rank(ctx->comm) == 0;
    struct samples sm;
    enum cp_status st = samples_alloc(&sm, opt->repeat);
    if (all)
        st = cp_comm_agree(ctx->comm, st);
    struct cp_usage_sample before, after;
    cp_usage_sample(&before); /* this process's CPU time */
    double wall0 = MPI_Wtime();
    for (int r = 0; r < opt->warmup + opt->repeat && st == CP_OK; r++) {
        struct cp_cpu_run run;
        memset(&run, 0, sizeof run);
        /* start together: each rank's clock starts when every rank is ready, so the time
         * counts the strategy's own waits (a rank waiting for its scattered block) but not
         * the previous run's skew */
        if (all) {
            int rc = MPI_Barrier(ctx->comm);
            if (rc != MPI_SUCCESS) {
                st = cp_mpi_fail(rc, "MPI_Barrier", __FILE__, __LINE__);
                break;
            }
        }
        double t0 = MPI_Wtime();
        st = s->run(ctx, &run);
        /* numpy's tie rule for fortran_order files: part of every strategy's combine */
        double tf = MPI_Wtime();
        if (st == CP_OK)
            st = cp_cpu_fortran_first(ctx, all ? ctx->comm : MPI_COMM_SELF, &run.result);
        run.stage_seconds[CP_STAGE_COMBINE] += MPI_Wtime() - tf;
        double t = MPI_Wtime() - t0;
        /* a SIGINT or SIGTERM ends the strategy between runs */
        if (st == CP_OK && cp_stop_signal() != 0)
            st = CP_FAIL(CP_ERR_INTERRUPTED, "interrupted");
        if (all)
            st = cp_comm_agree(ctx->comm, st);
        struct run_times times = {{t}, t, t};
        for (int g = 0; g < CP_STAGE_COUNT; g++)
            times.max[1 + g] = run.stage_seconds[g];
        if (st == CP_OK && all)
            st = reduce_times(t, &run, ctx->comm, &times);
        if (st != CP_OK || !root)
            continue;
        /* after a wrong answer keep it, so the report shows it */
        if (rec->verified)
            rec->result = run.result;
        if (!cp_maxloc_equal(run.result, report->reference))
            rec->verified = 0;
        if (r >= opt->warmup) {
            int k = r - opt->warmup;
            sm.total[k] = times.max[0];
            sm.rank_min[k] = times.min;
            sm.rank_avg[k] = times.sum / rec->ranks;
            for (int g = 0; g < CP_STAGE_COUNT; g++)
                sm.stages[(size_t)g * (size_t)opt->repeat + (size_t)k] = times.max[1 + g];
        }
    }
    /* the CPU time it took, over every rank */
    cp_usage_sample(&after);
    double used = after.process_cpu - before.process_cpu, used_all = used;
    if (st == CP_OK && all) {
        int rc = MPI_Reduce(&used, &used_all, 1, MPI_DOUBLE, MPI_SUM, 0, ctx->comm);
        if (rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_Reduce(CPU time)", __FILE__, __LINE__);
    }
    if (st == CP_OK && root) {
        rec->cpu_seconds = used_all;
        rec->wall_seconds = MPI_Wtime() - wall0;
    }
    if (st == CP_OK && root)
        summarise(&sm, (double)opt->size * sizeof(double), rec);
    samples_free(&sm);
    return st;
}

/* A collective strategy: prepare on every rank, time, release. */
static enum cp_status run_collective(const struct cp_cpu_strategy *s, struct cp_cpu_ctx *ctx,
                                     const struct cp_cpu_report *report, struct cp_cpu_record *rec)
{
    enum cp_status st = CP_OK;
    if (s->prepare != NULL)
        st = cp_comm_agree(ctx->comm, s->prepare(ctx));
    rec->prepare_seconds = ctx->prepare_seconds;
    rec->nodes = ctx->nodes;
    rec->read_seconds = ctx->read_seconds;
    snprintf(rec->note, sizeof rec->note, "%s", ctx->note);
    if (st == CP_OK)
        st = time_strategy(s, ctx, report, rec);
    if (s->release != NULL)
        s->release(ctx);
    return st;
}

/* Rank 0's whole array: allocated, first-touched and generated with the scans' schedule (or
 * read from --input). */
static enum cp_status make_whole(const struct cp_cpu_options *opt, int threads, double *whole,
                                 struct cp_cpu_report *report)
{
    cp_progress(1, "conpar: CPU: %s %" PRId64 " values on rank 0",
                opt->input ? "reading" : "generating", opt->size);
    double t0 = MPI_Wtime();
    enum cp_status st =
        cp_cpu_fill(opt, MPI_COMM_SELF, 0, opt->size, opt->chunks, threads, whole, NULL);
    report->setup_seconds = MPI_Wtime() - t0;
    /* the same values again into touched pages: what generation costs without page faults
     * (a file is read once) */
    t0 = MPI_Wtime();
    if (st == CP_OK && opt->input == NULL)
        st = cp_cpu_fill(opt, MPI_COMM_SELF, 0, opt->size, opt->chunks, threads, whole, NULL);
    report->generate_seconds = opt->input == NULL ? MPI_Wtime() - t0 : 0;
    if (st != CP_OK)
        return st;
    struct cp_cpu_ctx ctx = {.data = whole, .n = opt->size, .chunks = opt->chunks};
    report->stream_gb_per_s_1 = stream_probe(&ctx, 1, opt->repeat);
    report->stream_gb_per_s_all = stream_probe(&ctx, threads, opt->repeat);
    return CP_OK;
}

static int64_t saturating_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t bytes_of(int64_t count)
{
    return count > INT64_MAX / (int64_t)sizeof(double) ? INT64_MAX
                                                       : count * (int64_t)sizeof(double);
}

/* Rank 0 makes the whole array before the first strategy that needs it and frees it after
 * the last, so strategies listed after those never share the node with it. */
static void whole_span(const struct cp_cpu_options *opt, int *first, int *last)
{
    *first = -1;
    *last = -1;
    for (int i = 0; i < opt->nstrategies; i++)
        if (needs_whole(opt->strategies[i])) {
            *first = *first < 0 ? i : *first;
            *last = i;
        }
}

/* This rank's peak bytes over the chosen strategies in order: rank 0's whole array while it
 * is held, plus the strategy's own block (scatter's rank 0 keeps its block inside the whole
 * array). */
static int64_t rank_need(const struct cp_cpu_options *opt, int rank, int size)
{
    int first, last;
    whole_span(opt, &first, &last);
    int64_t block = bytes_of(cp_block_of(opt->size, size, rank).count), peak = 0;
    for (int i = 0; i < opt->nstrategies; i++) {
        const struct cp_cpu_strategy *s = opt->strategies[i];
        int held = rank == 0 && i >= first && i <= last && first >= 0;
        int64_t own = collective(s) && !(needs_whole(s) && rank == 0) ? block : 0;
        int64_t need = saturating_add(held ? bytes_of(opt->size) : 0, own);
        peak = need > peak ? need : peak;
    }
    return peak;
}

/* Every node checks that its ranks' peak fits its available memory; all ranks agree. */
enum cp_status cp_cpu_phase_check(const struct cp_cpu_options *opt, MPI_Comm comm)
{
    if (opt->size > INT64_MAX / (int64_t)sizeof(double))
        return CP_FAIL(CP_ERR_NOMEM,
                       "--size %" PRId64 ": %" PRId64 " float64 values need more than 2^63 bytes",
                       opt->size, opt->size);
    int rank = cp_comm_rank(comm), size = cp_comm_size(comm);
    MPI_Comm node;
    enum cp_status st = cp_comm_split_nodes(comm, 0, &node);
    if (st != CP_OK)
        return st;
    /* what this node needs, and what the distributed strategy alone would need here */
    int64_t mine[2] = {rank_need(opt, rank, size),
                       bytes_of(cp_block_of(opt->size, size, rank).count)},
            sums[2];
    int rc = MPI_Allreduce(mine, sums, 2, MPI_INT64_T, MPI_SUM, node);
    int node_rank = cp_comm_rank(node), node_ranks = cp_comm_size(node);
    MPI_Comm_free(&node);
    if (rc != MPI_SUCCESS)
        return cp_mpi_fail(rc, "MPI_Allreduce(memory needs)", __FILE__, __LINE__);
    int64_t have = cp_mem_available();
    if (node_rank == 0 && have >= 0 && sums[0] > have) {
        char host[MPI_MAX_PROCESSOR_NAME] = "?", need_s[32], have_s[32], dist_s[32];
        int len;
        MPI_Get_processor_name(host, &len);
        int64_t total = bytes_of(opt->size);
        int64_t nodes = have > 0 ? total / have + (total % have != 0) : 0;
        st = CP_FAIL(CP_ERR_NOMEM,
                     "--size %" PRId64 ": needs %s (%" PRId64 " bytes) on node %s (%d rank%s) "
                     "but %s (%" PRId64 " bytes) is available; -c distributed needs %s here "
                     "and fits on %" PRId64 " or more such nodes",
                     opt->size, cp_format_bytes((double)sums[0], need_s, sizeof need_s), sums[0],
                     host, node_ranks, node_ranks == 1 ? "" : "s",
                     cp_format_bytes((double)have, have_s, sizeof have_s), have,
                     cp_format_bytes((double)sums[1], dist_s, sizeof dist_s), nodes);
    }
    return cp_comm_agree(comm, st);
}

static void fill_speedups(struct cp_cpu_report *report)
{
    double bytes = (double)report->options.size * sizeof(double);
    for (int i = 0; i < report->nrecords; i++) {
        struct cp_cpu_record *r = &report->records[i];
        double gbs = r->threads > 1 || r->ranks > 1 ? report->stream_gb_per_s_all
                                                    : report->stream_gb_per_s_1;
        r->bound_seconds = gbs > 0 ? bytes / (gbs * 1e9) : 0;
    }
    const struct cp_cpu_record *seq = NULL;
    for (int i = 0; i < report->nrecords; i++)
        if (strcmp(report->records[i].strategy->name, "seq") == 0 &&
            report->records[i].skipped[0] == '\0')
            seq = &report->records[i];
    for (int i = 0; seq != NULL && i < report->nrecords; i++)
        if (report->records[i].seconds.median > 0)
            report->records[i].speedup = seq->seconds.median / report->records[i].seconds.median;
}

/* Rank 0: the reference must have an answer, and the planted one when something was planted. */
static enum cp_status check_reference(const struct cp_cpu_options *opt,
                                      const struct cp_cpu_report *report)
{
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
    return CP_OK;
}

/* Rank 0: the phase's verdict from the records. */
static enum cp_status verdict(struct cp_cpu_report *report)
{
    int ran = 0;
    for (int i = 0; i < report->nrecords; i++) {
        const struct cp_cpu_record *r = &report->records[i];
        if (r->skipped[0] != '\0')
            continue;
        ran++;
        if (!r->verified) {
            char got[128], want[128];
            format_maxloc(r->result, got, sizeof got);
            format_maxloc(report->reference, want, sizeof want);
            return CP_FAIL(CP_ERR_VERIFY, "strategy %s gave %s but the reference gave %s",
                           r->strategy->name, got, want);
        }
    }
    if (ran == 0 && report->nrecords > 0)
        return CP_FAIL(CP_ERR_UNAVAILABLE, "no chosen strategy could run: %s",
                       report->records[0].skipped);
    return CP_OK;
}

/* Rank 0's whole array around strategy i: made before the first that needs it, freed after the
 * last. Collective (the allocation is agreed). */
static enum cp_status manage_whole(const struct cp_cpu_options *opt, int i, int threads,
                                   MPI_Comm comm, double **whole, struct cp_cpu_report *report)
{
    int first, last;
    whole_span(opt, &first, &last);
    if (i == last + 1 && *whole != NULL) {
        cp_array_free(*whole);
        *whole = NULL;
    }
    if (i != first)
        return CP_OK;
    enum cp_status st = CP_OK;
    if (cp_comm_rank(comm) == 0)
        st = cp_array_alloc(opt->size, whole);
    st = cp_comm_agree(comm, st);
    if (st == CP_OK && *whole != NULL)
        st = make_whole(opt, threads, *whole, report);
    return cp_comm_agree(comm, st);
}

/* Which hosts' cores are sampled: the first rank of every host, joined in `leaders`. */
struct sampler {
    MPI_Comm leaders; /* MPI_COMM_NULL on the other ranks */
    int nhosts;
    struct cp_usage_sample before;
};

static enum cp_status sampler_init(MPI_Comm comm, struct sampler *sp)
{
    MPI_Comm node;
    sp->leaders = MPI_COMM_NULL;
    enum cp_status st = cp_comm_split_nodes(comm, 0, &node);
    if (st != CP_OK)
        return st;
    int leader = cp_comm_rank(node) == 0;
    MPI_Comm_free(&node);
    CP_MPI_CHECK(
        MPI_Comm_split(comm, leader ? 0 : MPI_UNDEFINED, cp_comm_rank(comm), &sp->leaders));
    CP_MPI_CHECK(MPI_Allreduce(&leader, &sp->nhosts, 1, MPI_INT, MPI_SUM, comm));
    return CP_OK;
}

/* After a strategy: every host's cores since `before`, gathered into rec on rank 0. */
static enum cp_status sampler_collect(struct sampler *sp, struct cp_cpu_record *rec, int rank)
{
    if (sp->leaders == MPI_COMM_NULL)
        return CP_OK;
    struct cp_usage_sample after;
    cp_usage_sample(&after);
    struct cp_host_busy mine;
    memset(&mine, 0, sizeof mine);
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_Get_processor_name(name, &len);
    snprintf(mine.host, sizeof mine.host, "%.63s", name);
    cp_usage_between(&sp->before, &after, mine.percent, &mine.ncores);
    struct cp_host_busy *all = NULL;
    if (rank == 0 && (all = calloc((size_t)sp->nhosts, sizeof *all)) == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate the CPU use of %d hosts", sp->nhosts);
    CP_MPI_CHECK(MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, 0,
                            sp->leaders));
    if (rank == 0) {
        rec->host_busy = all;
        rec->nhosts = sp->nhosts;
    }
    return CP_OK;
}

/* Every chosen strategy in order; one-process ones on rank 0 while the others sleep. */
static enum cp_status run_strategies(const struct cp_cpu_options *opt, int threads, int meaningful,
                                     MPI_Comm comm, struct cp_cpu_report *report)
{
    int rank = cp_comm_rank(comm), size = cp_comm_size(comm);
    double *whole = NULL;
    struct sampler sp;
    enum cp_status st = cp_comm_agree(comm, sampler_init(comm, &sp));
    for (int i = 0; i < opt->nstrategies && st == CP_OK; i++) {
        const struct cp_cpu_strategy *s = opt->strategies[i];
        cp_progress(1, "conpar: CPU: %s (%d of %d)", s->name, i + 1, opt->nstrategies);
        st = cp_stop_check(comm);
        if (st == CP_OK)
            st = manage_whole(opt, i, threads, comm, &whole, report);
        if (st != CP_OK)
            break;
        struct cp_cpu_record *rec = &report->records[report->nrecords++];
        memset(rec, 0, sizeof *rec);
        rec->strategy = s;
        rec->opt = opt;
        rec->meaningful = meaningful;
        /* what every host's cores do while it runs: the talk's htop screenshots */
        if (sp.leaders != MPI_COMM_NULL)
            cp_usage_sample(&sp.before);
        rec->verified = 1;
        rec->threads = (s->needs & CP_NEEDS_THREADS) ? threads : 1;
        rec->ranks = collective(s) ? size : 1;
        if (collective(s)) {
            int64_t chunks = cp_block_of(opt->chunks, size, rank).count;
            struct cp_cpu_ctx ctx = {.domain = cp_cpu_domain(opt),
                                     .chunks = chunks > 0 ? chunks : 1,
                                     .threads = threads,
                                     .nan = opt->nan,
                                     .comm = comm,
                                     .opt = opt,
                                     .whole = needs_whole(s) ? whole : NULL};
            st = run_collective(s, &ctx, report, rec);
        } else {
            if (rank == 0) {
                struct cp_cpu_ctx ctx = {.data = whole,
                                         .domain = cp_cpu_domain(opt),
                                         .n = opt->size,
                                         .chunks = opt->chunks,
                                         .threads = threads,
                                         .nan = opt->nan,
                                         .comm = comm,
                                         .opt = opt,
                                         .whole = whole};
                st = time_strategy(s, &ctx, report, rec);
            }
            /* the other ranks sleep through rank 0's timed work instead of spinning beside it */
            enum cp_status waited = cp_comm_idle_barrier(comm);
            st = cp_comm_agree(comm, st == CP_OK ? waited : st);
        }
        if (st == CP_OK)
            st = cp_comm_agree(comm, sampler_collect(&sp, rec, rank));
        if (st == CP_ERR_UNAVAILABLE) {
            snprintf(rec->skipped, sizeof rec->skipped, "%s", cp_error_message());
            cp_error_clear();
            st = CP_OK;
        }
        if (st == CP_ERR_INTERRUPTED) {
            report->nrecords--; /* only complete strategies stay in the report */
            st = cp_stop_check(comm);
        } else if (st == CP_OK && rank == 0 && opt->on_record != NULL) {
            opt->on_record(opt->on_record_arg);
        }
    }
    cp_array_free(whole);
    if (sp.leaders != MPI_COMM_NULL)
        MPI_Comm_free(&sp.leaders);
    return st;
}

enum cp_status cp_cpu_phase_run(const struct cp_cpu_options *given,
                                const struct cp_placement *placement, MPI_Comm comm,
                                struct cp_cpu_report *report)
{
    int threads = placement->threads;
    memset(report, 0, sizeof *report);
    report->options = *given;
    /* from here on the options as resolved: the file's size and header */
    struct cp_cpu_options *opt = &report->options;
    if (opt->input != NULL && opt->npy.path == NULL) {
        enum cp_status st = cp_cpu_resolve(opt, comm);
        if (st != CP_OK)
            return st;
    }
    report->threads_asked = opt->threads;
    report->threads_got = threads;
    report->simd_isa = cp_kernel_simd_isa();
    report->expected_index = expected_index(opt);
    int rank = cp_comm_rank(comm);

    enum cp_status st = cp_cpu_phase_check(opt, comm);
    if (st != CP_OK)
        return st;
    double t0 = MPI_Wtime();
    st = cp_cpu_reference(opt, threads, comm, &report->reference);
    report->reference_seconds = MPI_Wtime() - t0;
    if (st == CP_OK && rank == 0)
        st = check_reference(opt, report);
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;

    st = run_strategies(opt, threads, placement->ok, comm, report);
    cp_progress_clear();
    if (st == CP_OK && rank == 0) {
        fill_speedups(report);
        /* a verification failure still leaves a full report on rank 0 */
        st = verdict(report);
    }
    return cp_comm_agree(comm, st);
}

void cp_cpu_report_free(struct cp_cpu_report *report)
{
    for (int i = 0; i < report->nrecords; i++) {
        free(report->records[i].seconds.samples);
        report->records[i].seconds.samples = NULL;
        free(report->records[i].host_busy);
        report->records[i].host_busy = NULL;
    }
    report->nrecords = 0;
}
