/* The runner both phases share: timed runs of a strategy, and the loop over a phase's items. */
#include "conpar/runner.h"

#include <stdlib.h>
#include <string.h>

#include "conpar/comm.h"
#include "conpar/progress.h"
#include "conpar/usage.h"

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

/* One run's times across ranks: the slowest rank defines the run (clocks of different nodes
 * are never compared, only durations). */
struct run_times {
    double max[1 + CP_STAGE_COUNT]; /* the total, then each stage: the slowest rank */
    double min, sum;                /* the total: the fastest rank, and the sum over ranks */
};

static enum cp_status reduce_times(double t, const double *stages, int collective, MPI_Comm comm,
                                   struct run_times *out)
{
    double mine[1 + CP_STAGE_COUNT] = {t};
    memcpy(mine + 1, stages, CP_STAGE_COUNT * sizeof *stages);
    memcpy(out->max, mine, sizeof mine);
    out->min = out->sum = t;
    if (!collective)
        return CP_OK;
    CP_MPI_CHECK(MPI_Reduce(mine, out->max, 1 + CP_STAGE_COUNT, MPI_DOUBLE, MPI_MAX, 0, comm));
    CP_MPI_CHECK(MPI_Reduce(&t, &out->min, 1, MPI_DOUBLE, MPI_MIN, 0, comm));
    CP_MPI_CHECK(MPI_Reduce(&t, &out->sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
    return CP_OK;
}

/* The timed runs' samples: the total, each stage, and the fastest and mean rank. */
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

static void samples_keep(struct samples *sm, int k, const struct run_times *rt, int ranks)
{
    sm->total[k] = rt->max[0];
    sm->rank_min[k] = rt->min;
    sm->rank_avg[k] = rt->sum / ranks;
    for (int g = 0; g < CP_STAGE_COUNT; g++)
        sm->stages[(size_t)g * (size_t)sm->repeat + (size_t)k] = rt->max[1 + g];
}

static double median_of(const double *v, int n)
{
    return cp_timing_of(v, n).median;
}

/* The summary of the samples; out takes the total samples. */
static void summarise(struct samples *sm, struct cp_trial_times *out)
{
    out->seconds = cp_timing_of(sm->total, sm->repeat);
    out->seconds.samples = sm->total;
    sm->total = NULL;
    for (int g = 0; g < CP_STAGE_COUNT; g++)
        out->stage_median[g] = median_of(sm->stages + (size_t)g * (size_t)sm->repeat, sm->repeat);
    out->rank_min = median_of(sm->rank_min, sm->repeat);
    out->rank_avg = median_of(sm->rank_avg, sm->repeat);
}

/* What the probe passes took on this rank, kept out of the runs' CPU and wall time. */
struct probe_cost {
    double cpu, wall;
};

/* One probe pass, timed as the slowest rank (on rank 0). */
static enum cp_status probe_pass(const struct cp_trial *t, MPI_Comm comm, double *seconds,
                                 struct probe_cost *cost)
{
    if (t->collective)
        CP_MPI_CHECK(MPI_Barrier(comm));
    struct cp_usage_sample u0, u1;
    cp_usage_sample(&u0);
    double t0 = MPI_Wtime();
    enum cp_status st = t->probe(t->arg);
    double took = MPI_Wtime() - t0;
    cp_usage_sample(&u1);
    cost->cpu += u1.process_cpu - u0.process_cpu;
    cost->wall += took;
    if (t->collective)
        st = cp_comm_agree(comm, st);
    *seconds = took;
    if (st == CP_OK && t->collective)
        CP_MPI_CHECK(MPI_Reduce(&took, seconds, 1, MPI_DOUBLE, MPI_MAX, 0, comm));
    return st;
}

/* The runs on the ranks taking part (every rank, or rank 0 alone). */
static enum cp_status timed_runs(const struct cp_trial *t, MPI_Comm comm,
                                 struct cp_trial_times *out)
{
    int all = t->collective, root = cp_comm_rank(comm) == 0;
    int ranks = all ? cp_comm_size(comm) : 1;
    struct samples sm;
    enum cp_status st = samples_alloc(&sm, t->repeat);
    double *probes = calloc((size_t)t->repeat + 1, sizeof *probes);
    int nprobes = 0;
    struct probe_cost cost = {0, 0};
    if (st == CP_OK && probes == NULL)
        st = CP_FAIL(CP_ERR_NOMEM, "cannot allocate probe samples");
    if (all)
        st = cp_comm_agree(comm, st);
    struct cp_usage_sample before, after;
    cp_usage_sample(&before); /* this process's CPU time */
    double wall0 = MPI_Wtime();
    for (int r = 0; r < t->warmup + t->repeat && st == CP_OK; r++) {
        double stages[CP_STAGE_COUNT] = {0};
        if (t->probe != NULL && r >= t->warmup) {
            st = probe_pass(t, comm, &probes[nprobes++], &cost);
            if (st != CP_OK)
                break;
        }
        /* start together: each rank's clock starts when every rank is ready, so the time
         * counts the strategy's own waits (a rank waiting for its scattered block) but not
         * the previous run's skew */
        if (all) {
            int rc = MPI_Barrier(comm);
            if (rc != MPI_SUCCESS) {
                st = cp_mpi_fail(rc, "MPI_Barrier", __FILE__, __LINE__);
                break;
            }
        }
        double t0 = MPI_Wtime();
        st = t->once(t->arg, stages);
        double took = MPI_Wtime() - t0;
        /* a SIGINT or SIGTERM ends the trial between runs */
        if (st == CP_OK && cp_stop_signal() != 0)
            st = CP_FAIL(CP_ERR_INTERRUPTED, "interrupted");
        if (all)
            st = cp_comm_agree(comm, st);
        struct run_times rt;
        if (st == CP_OK)
            st = reduce_times(took, stages, all, comm, &rt);
        if (st != CP_OK || !root)
            continue;
        if (t->accept != NULL)
            t->accept(t->arg, r >= t->warmup);
        if (r >= t->warmup)
            samples_keep(&sm, r - t->warmup, &rt, ranks);
    }
    cp_usage_sample(&after);
    /* the CPU and wall time it took (over every rank taking part), without the probe passes */
    double wall = MPI_Wtime() - wall0 - cost.wall;
    double used = after.process_cpu - before.process_cpu - cost.cpu, used_all = used;
    if (st == CP_OK && t->probe != NULL)
        st = probe_pass(t, comm, &probes[nprobes++], &cost);
    if (st == CP_OK && all) {
        int rc = MPI_Reduce(&used, &used_all, 1, MPI_DOUBLE, MPI_SUM, 0, comm);
        if (rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_Reduce(CPU time)", __FILE__, __LINE__);
    }
    if (st == CP_OK && root) {
        out->cpu_seconds = used_all;
        out->wall_seconds = wall;
        summarise(&sm, out);
        out->probe = cp_timing_of(probes, nprobes);
    }
    free(probes);
    samples_free(&sm);
    return st;
}

enum cp_status cp_trial_run(const struct cp_trial *t, MPI_Comm comm, struct cp_trial_times *out)
{
    memset(out, 0, sizeof *out);
    if (t->collective)
        return timed_runs(t, comm, out);
    enum cp_status st = CP_OK;
    if (cp_comm_rank(comm) == 0)
        st = timed_runs(t, comm, out);
    /* the other ranks sleep through rank 0's timed work instead of spinning beside it */
    enum cp_status waited = cp_comm_idle_barrier(comm);
    return cp_comm_agree(comm, st == CP_OK ? waited : st);
}

enum cp_status cp_phase_run(const struct cp_phase *p, MPI_Comm comm)
{
    int root = cp_comm_rank(comm) == 0;
    enum cp_status st = CP_OK;
    for (int i = 0; i < p->nitems && st == CP_OK; i++) {
        char label[128];
        p->label(p->self, i, label, sizeof label);
        cp_progress(1, "conpar: %s: %s (%d of %d)", p->name, label, i + 1, p->nitems);
        st = cp_stop_check(comm);
        if (st != CP_OK)
            break;
        st = p->item(p->self, i, comm);
        if (st == CP_ERR_UNAVAILABLE) {
            p->skipped(p->self, i, cp_error_message());
            cp_error_clear();
            st = CP_OK;
        }
        if (st == CP_ERR_INTERRUPTED) {
            p->dropped(p->self, i); /* only complete records stay */
            st = cp_stop_check(comm);
        } else if (st == CP_OK && root && p->on_record != NULL) {
            p->on_record(p->on_record_arg);
        }
    }
    cp_progress_clear();
    if (st == CP_OK && root)
        st = p->verdict(p->self);
    if (st == CP_ERR_INTERRUPTED)
        return st; /* every rank holds the same message already */
    return cp_comm_agree(comm, st);
}
