/* `ranks`: the requests spread over MPI ranks, each running the async event loop with its share
 * of the concurrency. Rank 0 hands out batches on demand with non-blocking point-to-point
 * messages, progressed by the same loop between short curl polls (MPI only progresses inside
 * MPI calls, P18), so a slow rank simply asks less often. The tallies are combined with
 * non-blocking reductions. Only the main thread of each rank calls MPI. */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "conpar/block.h"
#include "conpar/comm.h"

enum { TAG_ASK = 701, TAG_GIVE = 702 };
#define POLL_MS 1 /* curl waits at most this long while MPI messages may be pending */

/* Rank 0's side of the work queue. */
struct dispatcher {
    int64_t remaining;
    int workers_done; /* ranks told there is nothing left */
    int ask;          /* the posted receive's buffer: how many the asker wants */
    MPI_Request ask_req;
    int64_t (*give)[2]; /* per rank: the reply buffer */
    MPI_Request *give_req;
};

/* A rank's own queue: requests granted and not started yet. */
struct worker {
    int64_t granted; /* started + waiting */
    int64_t waiting;
    int asking, finished;
    int want;
    int64_t reply[2];
    MPI_Request ask_req, reply_req;
};

static int64_t grant(struct dispatcher *d, int64_t want)
{
    if (cp_stop_signal() != 0)
        d->remaining = 0; /* interrupted: hand out nothing more */
    int64_t n = want < d->remaining ? want : d->remaining;
    d->remaining -= n;
    return n;
}

/* Rank 0: answer every ask that has arrived. */
static enum cp_status serve_asks(struct dispatcher *d, MPI_Comm comm)
{
    for (;;) {
        int arrived = 0;
        MPI_Status status;
        CP_MPI_CHECK(MPI_Test(&d->ask_req, &arrived, &status));
        if (!arrived)
            return CP_OK;
        int r = status.MPI_SOURCE;
        /* the previous reply to r was received before r asked again */
        CP_MPI_CHECK(MPI_Wait(&d->give_req[r], MPI_STATUS_IGNORE));
        d->give[r][0] = 0;
        d->give[r][1] = grant(d, d->ask);
        d->workers_done += d->give[r][1] == 0;
        CP_MPI_CHECK(MPI_Isend(d->give[r], 2, MPI_INT64_T, r, TAG_GIVE, comm, &d->give_req[r]));
        CP_MPI_CHECK(MPI_Irecv(&d->ask, 1, MPI_INT, MPI_ANY_SOURCE, TAG_ASK, comm, &d->ask_req));
    }
}

/* Any rank: ask for more when the loop has free slots and nothing is queued. */
static enum cp_status refill(struct worker *w, struct cp_io_loop *l, struct dispatcher *d, int rank,
                             MPI_Comm comm)
{
    int room = l->capacity - l->running - (int)w->waiting;
    if (w->finished || room <= 0)
        return CP_OK;
    if (rank == 0) {
        int64_t n = grant(d, room);
        w->waiting += n;
        w->granted += n;
        w->finished = n == 0;
        return CP_OK;
    }
    if (!w->asking) {
        w->want = room;
        CP_MPI_CHECK(MPI_Irecv(w->reply, 2, MPI_INT64_T, 0, TAG_GIVE, comm, &w->reply_req));
        CP_MPI_CHECK(MPI_Isend(&w->want, 1, MPI_INT, 0, TAG_ASK, comm, &w->ask_req));
        w->asking = 1;
        return CP_OK;
    }
    int done = 0;
    CP_MPI_CHECK(MPI_Test(&w->reply_req, &done, MPI_STATUS_IGNORE));
    if (done) {
        CP_MPI_CHECK(MPI_Wait(&w->ask_req, MPI_STATUS_IGNORE));
        w->asking = 0;
        w->waiting += w->reply[1];
        w->granted += w->reply[1];
        w->finished = w->reply[1] == 0;
    }
    return CP_OK;
}

/* Sum the tallies on rank 0 with non-blocking reductions, and gather the per-rank counts. */
static enum cp_status combine(const struct cp_io_tally *mine, struct cp_io_tally *out,
                              int64_t granted, int64_t *per_rank, MPI_Comm comm)
{
    enum { NI = 2 + CP_IO_NCLASSES + CP_IO_BINS };
    int64_t *ints = malloc(2 * NI * sizeof *ints);
    if (ints == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate the tally");
    ints[0] = mine->requests;
    ints[1] = mine->ok;
    memcpy(ints + 2, mine->failed, sizeof mine->failed);
    memcpy(ints + 2 + CP_IO_NCLASSES, mine->bins, sizeof mine->bins);
    double maxes[2] = {mine->latency_max, mine->queue_max},
           sums[2] = {mine->queue_sum, mine->cpu_seconds};
    double maxes_all[2] = {0, 0}, sums_all[2] = {0, 0};
    MPI_Request req[4];
    CP_MPI_CHECK(MPI_Ireduce(ints, ints + NI, NI, MPI_INT64_T, MPI_SUM, 0, comm, &req[0]));
    CP_MPI_CHECK(MPI_Ireduce(maxes, maxes_all, 2, MPI_DOUBLE, MPI_MAX, 0, comm, &req[1]));
    CP_MPI_CHECK(MPI_Ireduce(sums, sums_all, 2, MPI_DOUBLE, MPI_SUM, 0, comm, &req[2]));
    CP_MPI_CHECK(MPI_Igather(&granted, 1, MPI_INT64_T, per_rank, 1, MPI_INT64_T, 0, comm, &req[3]));
    CP_MPI_CHECK(MPI_Waitall(4, req, MPI_STATUSES_IGNORE));
    if (cp_comm_rank(comm) == 0) {
        const int64_t *sum = ints + NI;
        out->requests = sum[0];
        out->ok = sum[1];
        memcpy(out->failed, sum + 2, sizeof out->failed);
        memcpy(out->bins, sum + 2 + CP_IO_NCLASSES, sizeof out->bins);
        out->latency_max = maxes_all[0];
        out->queue_max = maxes_all[1];
        out->queue_sum = sums_all[0];
        out->cpu_seconds = sums_all[1];
    }
    free(ints);
    return CP_OK;
}

static enum cp_status event_loop(const struct cp_io_ctx *ctx, struct cp_io_loop *l,
                                 struct worker *w, struct dispatcher *d)
{
    int rank = cp_comm_rank(ctx->comm), size = cp_comm_size(ctx->comm);
    enum cp_status st = CP_OK;
    for (;;) {
        if (rank == 0 && size > 1)
            st = serve_asks(d, ctx->comm);
        if (st == CP_OK)
            st = refill(w, l, d, rank, ctx->comm);
        while (st == CP_OK && w->waiting > 0 && l->running < l->capacity) {
            st = cp_io_loop_add(l);
            w->waiting--;
        }
        int idle = w->finished && w->waiting == 0 && l->running == 0;
        if (st != CP_OK || (idle && (rank != 0 || d->workers_done == size - 1)))
            return st;
        /* short polls while MPI may have something to progress; alone, curl may sleep */
        st = cp_io_loop_step(l, size > 1 ? POLL_MS : 1000);
        if (st == CP_OK && l->running == 0 && !idle) {
            struct timespec pause = {0, 200 * 1000};
            nanosleep(&pause, NULL);
        } else if (st == CP_OK && idle) {
            struct timespec pause = {0, 500 * 1000};
            nanosleep(&pause, NULL);
        }
    }
}

static enum cp_status run(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    int rank = cp_comm_rank(ctx->comm), size = cp_comm_size(ctx->comm);
    /* the concurrency budget split over ranks (rank 0 always has a share) */
    int64_t share = cp_block_of(ctx->concurrency, size, rank).count;
    struct cp_io_tally *mine = calloc(1, sizeof *mine);
    struct dispatcher d = {.remaining = ctx->requests, .ask_req = MPI_REQUEST_NULL};
    /* ranks past the budget (--concurrency below the rank count) take no requests */
    d.workers_done = ctx->concurrency < size ? size - ctx->concurrency : 0;
    struct worker w = {.finished = share == 0};
    struct cp_io_loop loop;
    memset(&loop, 0, sizeof loop);
    loop.epfd = -1; /* freed below even when never set up */
    enum cp_status st = mine != NULL ? CP_OK : CP_FAIL(CP_ERR_NOMEM, "cannot allocate the tally");
    if (st == CP_OK && rank == 0) {
        d.give = calloc((size_t)size, sizeof *d.give);
        d.give_req = malloc((size_t)size * sizeof *d.give_req);
        if (d.give == NULL || d.give_req == NULL)
            st = CP_FAIL(CP_ERR_NOMEM, "cannot allocate the work queue");
        for (int r = 0; st == CP_OK && r < size; r++)
            d.give_req[r] = MPI_REQUEST_NULL;
    }
    double cpu0 = cp_io_thread_cpu();
    if (st == CP_OK)
        st = cp_io_loop_init(&loop, ctx, share > 0 ? (int)share : 1, cp_io_now(), mine);
    st = cp_comm_agree(ctx->comm, st);
    if (st == CP_OK && rank == 0 && size > 1) {
        int rc = MPI_Irecv(&d.ask, 1, MPI_INT, MPI_ANY_SOURCE, TAG_ASK, ctx->comm, &d.ask_req);
        if (rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_Irecv", __FILE__, __LINE__);
    }
    if (st == CP_OK)
        st = event_loop(ctx, &loop, &w, &d);
    if (st == CP_OK && rank == 0) {
        if (size > 1)
            MPI_Cancel(&d.ask_req), MPI_Wait(&d.ask_req, MPI_STATUS_IGNORE);
        for (int r = 0; r < size; r++)
            MPI_Wait(&d.give_req[r], MPI_STATUS_IGNORE);
    }
    if (mine != NULL)
        mine->cpu_seconds = cp_io_thread_cpu() - cpu0;
    st = cp_comm_agree(ctx->comm, st);
    if (st == CP_OK)
        st = combine(mine, out, w.granted, ctx->per_rank, ctx->comm);
    cp_io_loop_free(&loop);
    free(d.give);
    free(d.give_req);
    free(mine);
    return st;
}

const struct cp_io_strategy cp_io_ranks = {
    .name = "ranks",
    .talk_analog = "(beyond the talk) requests over MPI ranks",
    .lesson = "processes on many hosts share the requests; rank 0 hands out work on demand",
    .needs = CP_IO_ALL_RANKS,
    .default_cap = 0, /* all at once, shared among the ranks */
    .run = run,
};
