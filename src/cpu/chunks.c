/* The chunked scan shared by `threads`, `gil`, the MPI strategies and the reference, and the
 * timed scan-then-combine steps of the MPI strategies. */
#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"

struct cp_maxloc cp_scan_chunks(const struct cp_cpu_ctx *ctx, int threads, enum cp_kernel_kind kind,
                                omp_lock_t *lock)
{
    struct cp_maxloc best = cp_maxloc_identity();
    const double *data = ctx->data;
    int64_t n = ctx->n, base = ctx->base, chunks = ctx->chunks;
    enum cp_nan_policy nan = ctx->nan;
    enum cp_domain domain = ctx->domain;
    /* static schedule: the same chunk-to-thread map as the parallel generation (first touch) */
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) reduction(cp_max : best) \
    default(none) shared(data, n, base, chunks, nan, kind, domain, lock)
    // clang-format on
    for (int64_t c = 0; c < chunks; c++) {
        struct cp_block b = cp_block_of(n, chunks, c);
        struct cp_maxloc part;
        if (lock != NULL) {
            omp_set_lock(lock);
            part = cp_kernel_run(kind, domain, data + b.start, b.count, base + b.start, nan);
            omp_unset_lock(lock);
        } else {
            part = cp_kernel_run(kind, domain, data + b.start, b.count, base + b.start, nan);
        }
        best = cp_maxloc_combine(best, part);
    }
    return best;
}

struct cp_maxloc cp_scan_timed(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    double t0 = omp_get_wtime();
    struct cp_maxloc r = cp_scan_chunks(ctx, ctx->threads, CP_KERNEL_SIMD, NULL);
    out->stage_seconds[CP_STAGE_COMPUTE] = omp_get_wtime() - t0;
    out->result = r;
    return r;
}

enum cp_status cp_combine_timed(struct cp_maxloc local, MPI_Comm comm, struct cp_cpu_run *out)
{
    double t0 = MPI_Wtime();
    enum cp_status st = cp_maxloc_reduce(&local, comm);
    out->stage_seconds[CP_STAGE_COMBINE] = MPI_Wtime() - t0;
    out->result = local;
    return st;
}

enum cp_status cp_ctx_set_block(struct cp_cpu_ctx *ctx, const double *data, int64_t base,
                                int64_t count, double seconds)
{
    ctx->data = data;
    ctx->n = count;
    ctx->base = base;
    /* the data is ready when the last rank's part is */
    double mine[2] = {seconds, ctx->read_seconds}, slowest[2];
    int rc = MPI_Allreduce(mine, slowest, 2, MPI_DOUBLE, MPI_MAX, ctx->comm);
    ctx->prepare_seconds = slowest[0];
    ctx->read_seconds = slowest[1];
    if (rc != MPI_SUCCESS)
        return cp_mpi_fail(rc, "MPI_Allreduce(set-up seconds)", __FILE__, __LINE__);
    return CP_OK;
}
