/* `window`: the ranks of a node share one MPI_Win_allocate_shared segment holding the node's
 * part of the array (their blocks, in node-rank order). It is filled once, each rank writing
 * its own block (first touch where it is read); every run scans in place, with no copy; node
 * results are combined on the node, then across nodes. The talk's SharedArray.
 *
 * Nodes come from cp_comm_split_nodes, so --emulate-nodes can make one host several nodes.
 * The segment lives in Open MPI's backing directory (/dev/shm unless
 * OMPI_MCA_osc_sm_backing_directory says otherwise); a full tmpfs gives SIGBUS on first touch,
 * not an error at allocation, so its free space is checked first and the strategy is skipped
 * with the reason when the node's part does not fit. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "conpar/array.h"
#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"

struct window_state {
    MPI_Comm node;    /* the ranks sharing the segment */
    MPI_Comm leaders; /* node rank 0 of every node (MPI_COMM_NULL elsewhere) */
    MPI_Win win;
};

/* Node rank 0: CP_ERR_UNAVAILABLE when the backing directory cannot hold `bytes`. */
static enum cp_status check_space(int64_t bytes)
{
    const char *dir = cp_shm_directory();
    struct statvfs fs;
    if (statvfs(dir, &fs) != 0)
        return CP_OK; /* not there: Open MPI falls back to its session directory */
    int64_t free_bytes = (int64_t)fs.f_bavail * (int64_t)fs.f_frsize;
    if (bytes <= free_bytes)
        return CP_OK;
    char host[MPI_MAX_PROCESSOR_NAME] = "?", need_s[32], free_s[32];
    int len;
    MPI_Get_processor_name(host, &len);
    return CP_FAIL(CP_ERR_UNAVAILABLE,
                   "window skipped: %s on node %s has %s (%" PRId64 " bytes) free but the "
                   "node's part of the array needs %s (%" PRId64 " bytes); enlarge it "
                   "(docker run --shm-size, mount -o remount,size=) or use -c distributed",
                   dir, host, cp_format_bytes((double)free_bytes, free_s, sizeof free_s),
                   free_bytes, cp_format_bytes((double)bytes, need_s, sizeof need_s), bytes);
}

/* The node communicators, this rank's offset in the node's segment and the segment's size. */
static enum cp_status split(struct cp_cpu_ctx *ctx, struct window_state *w, int64_t count,
                            int64_t *offset, int64_t *total)
{
    enum cp_status st = cp_comm_split_nodes(ctx->comm, ctx->opt->emulate_nodes, &w->node);
    if (st != CP_OK)
        return st;
    int node_rank = cp_comm_rank(w->node), leader = node_rank == 0;
    *offset = 0;
    CP_MPI_CHECK(MPI_Exscan(&count, offset, 1, MPI_INT64_T, MPI_SUM, w->node));
    if (leader)
        *offset = 0; /* Exscan leaves the first rank's result undefined */
    CP_MPI_CHECK(MPI_Allreduce(&count, total, 1, MPI_INT64_T, MPI_SUM, w->node));
    CP_MPI_CHECK(MPI_Comm_split(ctx->comm, leader ? 0 : MPI_UNDEFINED, cp_comm_rank(ctx->comm),
                                &w->leaders));
    CP_MPI_CHECK(MPI_Allreduce(&leader, &ctx->nodes, 1, MPI_INT, MPI_SUM, ctx->comm));
    return CP_OK;
}

/* Some MPI builds (MPICH with ch4:ucx, for one) give every rank a shared-memory node of its
 * own even when several share a host; a window per rank would then fake the lesson. CP_OK,
 * or CP_ERR_UNAVAILABLE on the ranks that are alone on their node but not on their host.
 * Collective. */
static enum cp_status check_shared(const struct cp_cpu_ctx *ctx, const struct window_state *w)
{
    if (ctx->opt->emulate_nodes > 0)
        return CP_OK;
    int alone = cp_comm_size(w->node) == 1, any_alone = 0;
    CP_MPI_CHECK(MPI_Allreduce(&alone, &any_alone, 1, MPI_INT, MPI_MAX, ctx->comm));
    if (!any_alone)
        return CP_OK;
    int size = cp_comm_size(ctx->comm), len = 0;
    char me[MPI_MAX_PROCESSOR_NAME] = "";
    char *names = calloc((size_t)size, MPI_MAX_PROCESSOR_NAME);
    if (names == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "window: cannot allocate the host names");
    int rc = MPI_Get_processor_name(me, &len);
    if (rc == MPI_SUCCESS)
        rc = MPI_Allgather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME,
                           MPI_CHAR, ctx->comm);
    int same = 0;
    for (int r = 0; rc == MPI_SUCCESS && r < size; r++)
        same += strcmp(names + (size_t)r * MPI_MAX_PROCESSOR_NAME, me) == 0;
    free(names);
    if (rc != MPI_SUCCESS)
        return cp_mpi_fail(rc, "MPI_Allgather(host names)", __FILE__, __LINE__);
    if (alone && same > 1)
        return CP_FAIL(CP_ERR_UNAVAILABLE,
                       "window skipped: MPI_COMM_TYPE_SHARED put a rank of host %s in a node of "
                       "its own although %d ranks run there: this MPI build shares no memory "
                       "between them",
                       me, same);
    return CP_OK;
}

static enum cp_status prepare(struct cp_cpu_ctx *ctx)
{
    struct window_state *w = malloc(sizeof *w);
    ctx->state = w;
    if (w == NULL)
        return cp_comm_agree(ctx->comm, CP_FAIL(CP_ERR_NOMEM, "window: out of memory"));
    w->node = w->leaders = MPI_COMM_NULL;
    w->win = MPI_WIN_NULL;
    int rank = cp_comm_rank(ctx->comm), size = cp_comm_size(ctx->comm);
    struct cp_block mine = cp_block_of(ctx->opt->size, size, rank);
    int64_t offset = 0, total = 0;
    enum cp_status st = split(ctx, w, mine.count, &offset, &total);
    if (st != CP_OK)
        return st;
    int leader = cp_comm_rank(w->node) == 0;
    st = check_shared(ctx, w);
    if (st == CP_OK && leader)
        st = check_space(total * (int64_t)sizeof(double));
    st = cp_comm_agree(ctx->comm, st);
    if (st != CP_OK)
        return st;

    /* one segment per node, allocated whole by node rank 0 (the others ask for 0 bytes) */
    double *mine_base = NULL, *segment = NULL;
    MPI_Aint bytes = leader ? (MPI_Aint)total * (MPI_Aint)sizeof(double) : 0, seg_size;
    int disp_unit;
    CP_MPI_CHECK(MPI_Win_allocate_shared(bytes, (int)sizeof(double), MPI_INFO_NULL, w->node,
                                         &mine_base, &w->win));
    CP_MPI_CHECK(MPI_Win_shared_query(w->win, 0, &seg_size, &disp_unit, &segment));
    double *block = segment != NULL ? segment + offset : NULL;
    double t0 = MPI_Wtime();
    st = cp_cpu_fill(ctx->opt, ctx->comm, mine.start, mine.count, ctx->chunks, ctx->threads, block,
                     &ctx->read_seconds);
    if (st != CP_OK)
        return st;
    /* every rank's part is written before anyone may read the segment */
    CP_MPI_CHECK(MPI_Win_fence(0, w->win));
    return cp_ctx_set_block(ctx, block, mine.start, mine.count, MPI_Wtime() - t0);
}

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    const struct window_state *w = ctx->state;
    struct cp_maxloc r = cp_scan_timed(ctx, out);
    double t0 = MPI_Wtime();
    /* within the node, then node leaders to rank 0 (node rank 0 of its node) */
    enum cp_status st = cp_maxloc_reduce(&r, w->node);
    if (st == CP_OK && w->leaders != MPI_COMM_NULL)
        st = cp_maxloc_reduce(&r, w->leaders);
    out->stage_seconds[CP_STAGE_COMBINE] = MPI_Wtime() - t0;
    out->result = r;
    return st;
}

static void release(struct cp_cpu_ctx *ctx)
{
    struct window_state *w = ctx->state;
    if (w != NULL) {
        if (w->win != MPI_WIN_NULL)
            MPI_Win_free(&w->win);
        if (w->leaders != MPI_COMM_NULL)
            MPI_Comm_free(&w->leaders);
        if (w->node != MPI_COMM_NULL)
            MPI_Comm_free(&w->node);
        free(w);
    }
    ctx->state = NULL;
}

const struct cp_cpu_strategy cp_cpu_window = {
    .name = "window",
    .talk_analog = "SharedArray (shm://)",
    .lesson = "shared memory removes the copy: ranks of a node read one array in place",
    .needs = CP_NEEDS_ALL_RANKS | CP_NEEDS_THREADS,
    .prepare = prepare,
    .run = run,
    .release = release,
};
