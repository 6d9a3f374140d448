/* `threads`: OpenMP threads over --chunks chunks, SIMD inside each (the talk's
 * ThreadPoolExecutor, without a GIL). */
#include "conpar/cpu.h"

static enum cp_status run(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    cp_scan_timed(ctx, out);
    return CP_OK;
}

const struct cp_cpu_strategy cp_cpu_threads = {
    .name = "threads",
    .talk_analog = "ThreadPoolExecutor, 100 chunks",
    .lesson = "without a GIL threads scale until memory bandwidth runs out",
    .compare = "simd", /* the same SIMD kernel on one thread */
    .needs = CP_NEEDS_ONE_PROCESS | CP_NEEDS_THREADS,
    .run = run,
};
