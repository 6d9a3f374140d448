/* `gil`: the chunks and threads of `threads`, but every chunk's work holds one process-wide
 * lock, as Python's GIL makes every thread wait for the interpreter. */
#include "conpar/cpu.h"

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    omp_lock_t gil;
    omp_init_lock(&gil);
    double t0 = omp_get_wtime();
    out->result = cp_scan_chunks(ctx, ctx->threads, CP_KERNEL_SIMD, &gil);
    out->stage_seconds[CP_STAGE_COMPUTE] = omp_get_wtime() - t0;
    omp_destroy_lock(&gil);
    return CP_OK;
}

const struct cp_cpu_strategy cp_cpu_gil = {
    .name = "gil",
    .talk_analog = "threads under the GIL",
    .lesson = "one global lock turns many threads back into one core",
    .compare = "simd", /* the same SIMD kernel on one thread */
    .needs = CP_NEEDS_ONE_PROCESS | CP_NEEDS_THREADS,
    .run = run,
};
