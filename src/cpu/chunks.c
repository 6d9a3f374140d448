/* The chunked scan shared by `threads`, `gil` and the reference. */
#include "conpar/block.h"
#include "conpar/cpu.h"

struct cp_maxloc cp_scan_chunks(const struct cp_cpu_ctx *ctx, int threads, cp_kernel_fn kernel,
                                omp_lock_t *lock)
{
    struct cp_maxloc best = cp_maxloc_identity();
    const double *data = ctx->data;
    int64_t n = ctx->n, base = ctx->base, chunks = ctx->chunks;
    enum cp_nan_policy nan = ctx->nan;
    /* static schedule: the same chunk-to-thread map as the parallel generation (first touch) */
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) reduction(cp_max : best) \
    default(none) shared(data, n, base, chunks, nan, kernel, lock)
    // clang-format on
    for (int64_t c = 0; c < chunks; c++) {
        struct cp_block b = cp_block_of(n, chunks, c);
        struct cp_maxloc part;
        if (lock != NULL) {
            omp_set_lock(lock);
            part = kernel(data + b.start, b.count, base + b.start, nan);
            omp_unset_lock(lock);
        } else {
            part = kernel(data + b.start, b.count, base + b.start, nan);
        }
        best = cp_maxloc_combine(best, part);
    }
    return best;
}
