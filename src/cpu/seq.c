/* `seq`: one thread, the plain scalar loop (the talk's builtin max()). */
#include "conpar/cpu.h"

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    double t0 = omp_get_wtime();
    out->result =
        cp_kernel_run(CP_KERNEL_SCALAR, ctx->domain, ctx->data, ctx->n, ctx->base, ctx->nan);
    out->stage_seconds[CP_STAGE_COMPUTE] = omp_get_wtime() - t0;
    return CP_OK;
}

const struct cp_cpu_strategy cp_cpu_seq = {
    .name = "seq",
    .talk_analog = "builtin max()",
    .lesson = "the baseline: one core, one element at a time",
    .needs = CP_NEEDS_ONE_PROCESS,
    .run = run,
};
