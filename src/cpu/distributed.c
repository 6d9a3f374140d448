/* `distributed`: every rank makes only its own block (nothing ever holds the whole array), scans
 * it with its OpenMP threads, and one reduction combines. The talk's dask.distributed cluster:
 * arrays larger than one node's memory work when spread over nodes. */
#include <stdlib.h>

#include "conpar/array.h"
#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"

static enum cp_status prepare(struct cp_cpu_ctx *ctx)
{
    int rank = cp_comm_rank(ctx->comm), size = cp_comm_size(ctx->comm);
    struct cp_block mine = cp_block_of(ctx->opt->size, size, rank);
    double *block = NULL;
    enum cp_status st = cp_comm_agree(ctx->comm, cp_array_alloc(mine.count, &block));
    ctx->state = block;
    if (st != CP_OK)
        return st;
    double t0 = MPI_Wtime();
    st = cp_cpu_fill(ctx->opt, ctx->comm, mine.start, mine.count, ctx->chunks, ctx->threads, block,
                     &ctx->read_seconds);
    if (st != CP_OK)
        return st;
    return cp_ctx_set_block(ctx, block, mine.start, mine.count, MPI_Wtime() - t0);
}

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    return cp_combine_timed(cp_scan_timed(ctx, out), ctx->comm, out);
}

static void release(struct cp_cpu_ctx *ctx)
{
    cp_array_free(ctx->state);
    ctx->state = NULL;
}

const struct cp_cpu_strategy cp_cpu_distributed = {
    .name = "distributed",
    .talk_analog = "dask.distributed cluster",
    .lesson = "each rank holds only its block: memory-bound problems need a cluster",
    .needs = CP_NEEDS_ALL_RANKS | CP_NEEDS_THREADS,
    .prepare = prepare,
    .run = run,
    .release = release,
};
