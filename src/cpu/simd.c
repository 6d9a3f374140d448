/* `simd`: one thread, vectorised kernel (the talk's numpy.max). */
#include "conpar/cpu.h"

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    double t0 = omp_get_wtime();
    out->result =
        cp_kernel_run(CP_KERNEL_SIMD, ctx->domain, ctx->data, ctx->n, ctx->base, ctx->nan);
    out->stage_seconds[CP_STAGE_COMPUTE] = omp_get_wtime() - t0;
    return CP_OK;
}

const struct cp_cpu_strategy cp_cpu_simd = {
    .name = "simd",
    .talk_analog = "numpy.max",
    .lesson = "native code and SIMD beat everything on one core",
    .needs = CP_NEEDS_ONE_PROCESS,
    .run = run,
};
