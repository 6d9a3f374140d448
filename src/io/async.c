/* `async`: one thread, one curl multi handle; conpar keeps at most --concurrency transfers in
 * flight (default: all requests at once, the talk's asyncio.gather with aiohttp). */
#include "client.h"
#include "conpar/comm.h"

static enum cp_status run(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    struct cp_io_loop loop;
    double cpu0 = cp_io_thread_cpu();
    enum cp_status st = cp_io_loop_init(&loop, ctx, ctx->concurrency, cp_io_now(), out);
    int64_t next = 0;
    while (st == CP_OK && (next < ctx->requests || loop.running > 0)) {
        if (cp_stop_signal() != 0)
            next = ctx->requests; /* start nothing new; let what is in flight end */
        while (st == CP_OK && next < ctx->requests && loop.running < loop.capacity) {
            st = cp_io_loop_add(&loop);
            next++;
        }
        if (st == CP_OK)
            st = cp_io_loop_step(&loop, 1000);
    }
    out->cpu_seconds = cp_io_thread_cpu() - cpu0;
    cp_io_loop_free(&loop);
    return st;
}

const struct cp_io_strategy cp_io_async = {
    .name = "async",
    .talk_analog = "asyncio + aiohttp gather",
    .lesson = "one thread, many requests in flight: waits overlap without threads",
    .needs = CP_IO_ONE_PROCESS,
    .default_cap = 0, /* all at once */
    .run = run,
};
