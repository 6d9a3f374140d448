/* `seq`: one libcurl easy handle, one request after another (the talk's requests.get loop). */
#include "client.h"
#include "conpar/comm.h"

static enum cp_status run(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    struct cp_io_transfer t;
    enum cp_status st = cp_io_transfer_init(&t, ctx);
    if (st != CP_OK)
        return st;
    double cpu0 = cp_io_thread_cpu(), t0 = cp_io_now();
    for (int64_t i = 0; i < ctx->requests && cp_stop_signal() == 0; i++) {
        cp_io_transfer_begin(&t, t0);
        cp_io_transfer_end(&t, ctx->opt, curl_easy_perform(t.easy), out);
        cp_io_progress(ctx, out);
    }
    out->cpu_seconds = cp_io_thread_cpu() - cpu0;
    cp_io_transfer_free(&t);
    return CP_OK;
}

const struct cp_io_strategy cp_io_seq = {
    .name = "seq",
    .talk_analog = "requests.get in a loop",
    .lesson = "one request at a time: the time is the sum of the waits",
    .needs = CP_IO_ONE_PROCESS | CP_IO_OWN_CAP,
    .default_cap = 1,
    .run = run,
};
