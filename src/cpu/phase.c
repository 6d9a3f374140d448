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

/* The intensities a strategy runs at: --intensity, or the one scan. */
static int intensity_count(const struct cp_cpu_options *opt)
{
    return opt->nintensities > 0 ? opt->nintensities : 1;
}

static int intensity_of(const struct cp_cpu_options *opt, int k)
{
    return opt->nintensities > 0 ? (int)opt->intensities[k] : 1;
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
    /* against seq at the same intensity */
    for (int i = 0; i < report->nrecords; i++) {
        struct cp_cpu_record *r = &report->records[i];
        for (int j = 0; j < report->nrecords; j++) {
            const struct cp_cpu_record *seq = &report->records[j];
            if (strcmp(seq->strategy->name, "seq") == 0 && seq->skipped[0] == '\0' &&
                seq->intensity == r->intensity && r->seconds.median > 0)
                r->speedup = seq->seconds.median / r->seconds.median;
        }
    }
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

/* The phase's state while its strategies run. */
struct cpu_phase {
    const struct cp_cpu_options *opt;
    struct cp_cpu_report *report;
    int threads;    /* OpenMP threads of this rank, for the strategies every rank runs */
    int solo;       /* rank 0's threads for the strategies it runs alone */
    int meaningful; /* the placement did not oversubscribe CPUs */
    double *whole;  /* rank 0's whole array while a strategy needs it */
    struct sampler sp;
};

/* One strategy's runs: the context it computes on and the last run's answer. */
struct cpu_trial {
    const struct cp_cpu_strategy *s;
    const struct cp_cpu_ctx *ctx;
    const struct cp_cpu_report *report;
    struct cp_cpu_record *rec;
    struct cp_maxloc last;
};

static enum cp_status cpu_once(void *arg, double stage_seconds[CP_STAGE_COUNT])
{
    struct cpu_trial *c = arg;
    struct cp_cpu_run run;
    memset(&run, 0, sizeof run);
    enum cp_status st = c->s->run(c->ctx, &run);
    /* numpy's tie rule for fortran_order files: part of every strategy's combine */
    double tf = MPI_Wtime();
    if (st == CP_OK)
        st = cp_cpu_fortran_first(c->ctx, collective(c->s) ? c->ctx->comm : MPI_COMM_SELF,
                                  &run.result);
    run.stage_seconds[CP_STAGE_COMBINE] += MPI_Wtime() - tf;
    memcpy(stage_seconds, run.stage_seconds, sizeof run.stage_seconds);
    c->last = run.result;
    return st;
}

/* The bound a run is compared with: a streaming read of the same data, on the same threads
 * and ranks, right beside it. */
static enum cp_status cpu_probe(void *arg)
{
    struct cpu_trial *c = arg;
    volatile double sink = c->rec->threads == 1 ? cp_kernel_stream(c->ctx->data, c->ctx->n)
                                                : stream_chunks(c->ctx, c->rec->threads);
    (void)sink;
    return CP_OK;
}

/* Rank 0: every run's answer must equal the reference, bit for bit; after a wrong answer the
 * record keeps it, so the report shows it. */
static void cpu_accept(void *arg, int timed)
{
    struct cpu_trial *c = arg;
    (void)timed;
    if (c->rec->verified)
        c->rec->result = c->last;
    if (!cp_maxloc_equal(c->last, c->report->reference))
        c->rec->verified = 0;
}

/* The context strategy s computes on: a collective one on this rank's share of the chunks
 * (its data set by prepare), a one-process one on rank 0's whole array. */
static struct cp_cpu_ctx context_of(const struct cpu_phase *ph, const struct cp_cpu_strategy *s,
                                    MPI_Comm comm)
{
    const struct cp_cpu_options *opt = ph->opt;
    struct cp_cpu_ctx ctx = {.domain = cp_cpu_domain(opt),
                             .chunks = opt->chunks,
                             .threads = collective(s) ? ph->threads : ph->solo,
                             .nan = opt->nan,
                             .comm = comm,
                             .opt = opt,
                             .whole = needs_whole(s) ? ph->whole : NULL};
    if (collective(s)) {
        int64_t chunks = cp_block_of(opt->chunks, cp_comm_size(comm), cp_comm_rank(comm)).count;
        ctx.chunks = chunks > 0 ? chunks : 1;
    } else {
        ctx.data = ph->whole;
        ctx.n = opt->size;
    }
    return ctx;
}

/* Rank 0: the record of a trial's times. */
static void record_times(struct cp_cpu_record *rec, const struct cp_trial_times *t, double bytes)
{
    rec->seconds = t->seconds;
    memcpy(rec->stage_median, t->stage_median, sizeof rec->stage_median);
    rec->rank_min = t->rank_min;
    rec->rank_avg = t->rank_avg;
    rec->rank_max = t->seconds.median;
    rec->cpu_seconds = t->cpu_seconds;
    rec->wall_seconds = t->wall_seconds;
    rec->bound_seconds = t->probe.median;
    if (rec->seconds.median > 0)
        rec->gb_per_s = bytes / rec->seconds.median / 1e9;
}

/* Strategy i: rank 0's whole array made or freed around it, a collective strategy's data
 * prepared on every rank, its runs timed and checked, every host's cores sampled. */
static enum cp_status cpu_item(void *self, int i, MPI_Comm comm)
{
    struct cpu_phase *ph = self;
    const struct cp_cpu_options *opt = ph->opt;
    int nk = intensity_count(opt), si = i / nk;
    const struct cp_cpu_strategy *s = opt->strategies[si];
    int rank = cp_comm_rank(comm);
    enum cp_status st = CP_OK;
    if (i % nk == 0)
        st = manage_whole(opt, si, ph->solo, comm, &ph->whole, ph->report);
    if (st != CP_OK)
        return st;
    struct cp_cpu_record *rec = &ph->report->records[ph->report->nrecords++];
    memset(rec, 0, sizeof *rec);
    rec->strategy = s;
    rec->opt = opt;
    rec->meaningful = ph->meaningful;
    rec->verified = 1;
    rec->threads = !(s->needs & CP_NEEDS_THREADS) ? 1 : collective(s) ? ph->threads : ph->solo;
    rec->ranks = collective(s) ? cp_comm_size(comm) : 1;
    rec->intensity = intensity_of(opt, i % nk);
    /* what every host's cores do while it runs: the talk's htop screenshots */
    if (ph->sp.leaders != MPI_COMM_NULL)
        cp_usage_sample(&ph->sp.before);
    if (collective(s) && opt->ranks_unavailable != NULL)
        return CP_FAIL(CP_ERR_UNAVAILABLE, "%s: %s", s->name, opt->ranks_unavailable);
    struct cp_cpu_ctx ctx = context_of(ph, s, comm);
    ctx.intensity = rec->intensity;
    if (collective(s) && s->prepare != NULL)
        st = cp_comm_agree(comm, s->prepare(&ctx));
    rec->prepare_seconds = ctx.prepare_seconds;
    rec->nodes = ctx.nodes;
    rec->read_seconds = ctx.read_seconds;
    snprintf(rec->note, sizeof rec->note, "%s", ctx.note);
    struct cpu_trial c = {s, &ctx, ph->report, rec, cp_maxloc_identity()};
    struct cp_trial trial = {collective(s), opt->warmup, opt->repeat, cpu_once,
                             cpu_accept,    cpu_probe,   &c};
    struct cp_trial_times times;
    if (st == CP_OK)
        st = cp_trial_run(&trial, comm, &times);
    if (collective(s) && s->release != NULL)
        s->release(&ctx);
    if (st == CP_OK && rank == 0)
        record_times(rec, &times, (double)opt->size * sizeof(double));
    if (st == CP_OK)
        st = cp_comm_agree(comm, sampler_collect(&ph->sp, rec, rank));
    return st;
}

static void cpu_label(void *self, int i, char *buf, size_t size)
{
    const struct cpu_phase *ph = self;
    int nk = intensity_count(ph->opt);
    if (nk > 1)
        snprintf(buf, size, "%s, intensity %d", ph->opt->strategies[i / nk]->name,
                 intensity_of(ph->opt, i % nk));
    else
        snprintf(buf, size, "%s", ph->opt->strategies[i]->name);
}

static void cpu_skipped(void *self, int i, const char *why)
{
    struct cpu_phase *ph = self;
    (void)i;
    struct cp_cpu_record *rec = &ph->report->records[ph->report->nrecords - 1];
    snprintf(rec->skipped, sizeof rec->skipped, "%s", why);
}

static void cpu_dropped(void *self, int i)
{
    struct cpu_phase *ph = self;
    (void)i;
    ph->report->nrecords--;
}

static enum cp_status cpu_verdict(void *self)
{
    struct cpu_phase *ph = self;
    fill_speedups(ph->report);
    cp_lessons_cpu(ph->report, &ph->report->lessons);
    /* a verification failure still leaves a full report on rank 0 */
    return verdict(ph->report);
}

/* Every chosen strategy in order; one-process ones on rank 0 while the others sleep. */
static enum cp_status run_strategies(const struct cp_cpu_options *opt, int threads, int solo,
                                     int meaningful, MPI_Comm comm, struct cp_cpu_report *report)
{
    struct cpu_phase ph = {opt, report, threads, solo, meaningful, NULL, {MPI_COMM_NULL, 0, {0}}};
    enum cp_status st = cp_comm_agree(comm, sampler_init(comm, &ph.sp));
    struct cp_phase phase = {"CPU",          opt->nstrategies * intensity_count(opt),
                             cpu_item,       cpu_label,
                             cpu_skipped,    cpu_dropped,
                             cpu_verdict,    &ph,
                             opt->on_record, opt->on_record_arg};
    if (st == CP_OK)
        st = cp_phase_run(&phase, comm);
    cp_array_free(ph.whole);
    if (ph.sp.leaders != MPI_COMM_NULL)
        MPI_Comm_free(&ph.sp.leaders);
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
    report->threads_got = placement->solo_threads;
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

    return run_strategies(opt, threads, placement->solo_threads, placement->ok, comm, report);
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
