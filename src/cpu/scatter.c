/* `scatter`: rank 0 holds the whole array; MPI_Scatterv copies each rank its block (rank 0
 * keeps its own in place); every rank scans its block with its OpenMP threads; one reduction
 * combines. The talk's ProcessPoolExecutor, which pickles every chunk to a worker: the copy is
 * the `distribute` stage.
 *
 * Counts and displacements are ints in MPI 3; when a block or its offset passes
 * --mpi-max-count (default INT_MAX) the blocks go as point-to-point pieces instead. */
#include <stdio.h>
#include <stdlib.h>

#include "conpar/array.h"
#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"

struct scatter_state {
    double *buffer;        /* ranks > 0: where the block arrives */
    int fits;              /* one MPI_Scatterv; else pieces of at most mpi_max_count */
    int *counts, *displs;  /* rank 0, one call: per rank, in elements */
    MPI_Request *requests; /* pieces: one per message this rank sends or receives */
    int64_t nrequests;
};

static enum cp_status plan(struct cp_cpu_ctx *ctx, struct scatter_state *s, int rank, int size)
{
    int64_t n = ctx->opt->size, limit = ctx->opt->mpi_max_count;
    s->fits = cp_scatterv_fits(n, size, limit);
    if (s->fits)
        snprintf(ctx->note, sizeof ctx->note, "one MPI_Scatterv");
    else
        snprintf(ctx->note, sizeof ctx->note,
                 "point-to-point pieces of at most %lld elements (blocks past --mpi-max-count)",
                 (long long)limit);
    if (s->fits) {
        if (rank != 0)
            return CP_OK;
        s->counts = malloc((size_t)size * sizeof *s->counts);
        s->displs = malloc((size_t)size * sizeof *s->displs);
        if (s->counts == NULL || s->displs == NULL)
            return CP_FAIL(CP_ERR_NOMEM, "scatter: cannot allocate counts for %d ranks", size);
        for (int r = 0; r < size; r++) {
            struct cp_block b = cp_block_of(n, size, r);
            s->counts[r] = (int)b.count; /* both <= limit <= INT_MAX: checked by fits */
            s->displs[r] = (int)b.start;
        }
        return CP_OK;
    }
    for (int r = rank == 0 ? 1 : rank; r < (rank == 0 ? size : rank + 1); r++)
        s->nrequests += cp_pieces(cp_block_of(n, size, r).count, limit);
    s->requests = malloc((size_t)(s->nrequests > 0 ? s->nrequests : 1) * sizeof *s->requests);
    if (s->requests == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "scatter: cannot allocate %lld requests",
                       (long long)s->nrequests);
    return CP_OK;
}

static enum cp_status prepare(struct cp_cpu_ctx *ctx)
{
    int rank = cp_comm_rank(ctx->comm), size = cp_comm_size(ctx->comm);
    struct scatter_state *s = calloc(1, sizeof *s);
    ctx->state = s;
    if (s == NULL)
        return cp_comm_agree(ctx->comm, CP_FAIL(CP_ERR_NOMEM, "scatter: out of memory"));
    struct cp_block mine = cp_block_of(ctx->opt->size, size, rank);
    ctx->n = mine.count;
    ctx->base = mine.start;
    enum cp_status st = CP_OK;
    if (rank == 0) {
        ctx->data = ctx->whole + mine.start; /* kept in place */
    } else {
        st = cp_array_alloc(mine.count, &s->buffer);
        if (st == CP_OK)
            /* an all-ones NaN pattern, first-touched by the scan's threads: an element the copy
             * misses shows up as a wrong answer, never as a right one */
            cp_array_touch(s->buffer, mine.count, ctx->chunks, ctx->threads, 0xff);
        ctx->data = s->buffer;
    }
    if (st == CP_OK)
        st = plan(ctx, s, rank, size);
    return cp_comm_agree(ctx->comm, st);
}

/* Every rank's block from rank 0, in one call or in pieces. */
static enum cp_status distribute(const struct cp_cpu_ctx *ctx, struct scatter_state *s)
{
    int rank = cp_comm_rank(ctx->comm), size = cp_comm_size(ctx->comm);
    if (s->fits) {
        void *recv = rank == 0 ? MPI_IN_PLACE : (void *)s->buffer;
        CP_MPI_CHECK(MPI_Scatterv(ctx->whole, s->counts, s->displs, MPI_DOUBLE, recv, (int)ctx->n,
                                  MPI_DOUBLE, 0, ctx->comm));
        return CP_OK;
    }
    int64_t n = ctx->opt->size, limit = ctx->opt->mpi_max_count, k = 0;
    for (int r = rank == 0 ? 1 : rank; r < (rank == 0 ? size : rank + 1); r++) {
        struct cp_block b = cp_block_of(n, size, r);
        for (int64_t j = 0; j < cp_pieces(b.count, limit); j++) {
            struct cp_block p = cp_piece_of(b.count, limit, j);
            /* same source, tag and communicator: pieces arrive in the order posted */
            if (rank == 0)
                CP_MPI_CHECK(MPI_Isend(ctx->whole + b.start + p.start, (int)p.count, MPI_DOUBLE, r,
                                       0, ctx->comm, &s->requests[k++]));
            else
                CP_MPI_CHECK(MPI_Irecv(s->buffer + p.start, (int)p.count, MPI_DOUBLE, 0, 0,
                                       ctx->comm, &s->requests[k++]));
        }
    }
    /* Waitall takes an int count: wait in slices */
    for (int64_t done = 0; done < k; done += 1 << 20) {
        int64_t left = k - done < (1 << 20) ? k - done : (1 << 20);
        CP_MPI_CHECK(MPI_Waitall((int)left, s->requests + done, MPI_STATUSES_IGNORE));
    }
    return CP_OK;
}

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    double t0 = MPI_Wtime();
    enum cp_status st = distribute(ctx, ctx->state);
    out->stage_seconds[CP_STAGE_DISTRIBUTE] = MPI_Wtime() - t0;
    if (st != CP_OK)
        return st;
    return cp_combine_timed(cp_scan_timed(ctx, out), ctx->comm, out);
}

static void release(struct cp_cpu_ctx *ctx)
{
    struct scatter_state *s = ctx->state;
    if (s != NULL) {
        cp_array_free(s->buffer);
        free(s->counts);
        free(s->displs);
        free(s->requests);
        free(s);
    }
    ctx->state = NULL;
}

const struct cp_cpu_strategy cp_cpu_scatter = {
    .name = "scatter",
    .talk_analog = "ProcessPoolExecutor",
    .lesson = "processes escape the GIL but pay to copy the data to them",
    .needs = CP_NEEDS_ALL_RANKS | CP_NEEDS_WHOLE | CP_NEEDS_THREADS,
    .prepare = prepare,
    .run = run,
    .release = release,
};
