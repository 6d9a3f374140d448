/* What the IO strategies share: one libcurl transfer with its checks (private to src/io). */
#ifndef CONPAR_IO_CLIENT_H
#define CONPAR_IO_CLIENT_H

#include <curl/curl.h>

#include "conpar/io.h"

/* One transfer slot: an easy handle reused request after request. */
struct cp_io_transfer {
    CURL *easy;
    char body[512]; /* the start of the answer; enough to compare with --expect-body */
    size_t len;
    int overflow; /* the answer was longer than body */
    double started;
    double queued; /* seconds from the strategy's start to this request's start */
};

/* Seconds on a monotonic clock. */
double cp_io_now(void);

/* User + system seconds of the calling thread (not the embedded server's threads). */
double cp_io_thread_cpu(void);

/* An easy handle for ctx's URL: no signals, the timeout, the answer into t->body, and
 * CURLOPT_PRIVATE = t. CP_ERR_SYSTEM when libcurl cannot make one. */
enum cp_status cp_io_transfer_init(struct cp_io_transfer *t, const struct cp_io_ctx *ctx);

/* Before each request: clear the answer and note when it starts (t0 = the strategy's start). */
void cp_io_transfer_begin(struct cp_io_transfer *t, double t0);

/* After each request: classify rc and the answer against the options and account it. */
void cp_io_transfer_end(struct cp_io_transfer *t, const struct cp_io_options *opt, CURLcode rc,
                        struct cp_io_tally *tally);

void cp_io_transfer_free(struct cp_io_transfer *t);

/* Show "k of R requests done" on a terminal (main thread only; rate-limited). */
void cp_io_progress(const struct cp_io_ctx *ctx, const struct cp_io_tally *tally);

#endif

/* The event loop of the async strategies: one curl multi handle with at most `capacity`
 * transfers in flight, each admitted when a slot frees (curl's 10-at-a-time pattern), so
 * libcurl itself never queues (P23). libcurl tells the loop which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to time out (CURLMOPT_TIMERFUNCTION); the loop waits in
 * epoll and hands libcurl only the sockets that are ready (curl_multi_socket_action), so the
 * cost per wake-up does not grow with the transfers in flight. */
struct cp_io_loop {
    CURLM *multi;
    int epfd;
    double deadline; /* when libcurl wants its timeout action, < 0 for none */
    const struct cp_io_ctx *ctx;
    struct cp_io_transfer *slots;
    int *free_slots; /* stack of free slot numbers */
    int nfree, capacity, running;
    double t0; /* the strategy's start, for queue times */
    struct cp_io_tally *tally;
};

enum cp_status cp_io_loop_init(struct cp_io_loop *l, const struct cp_io_ctx *ctx, int capacity,
                               double t0, struct cp_io_tally *tally);

/* Start one request (l->running < l->capacity). */
enum cp_status cp_io_loop_add(struct cp_io_loop *l);

/* Drive the transfers, account the finished ones, then wait for activity at most
 * `timeout_ms` (0: do not wait). */
enum cp_status cp_io_loop_step(struct cp_io_loop *l, int timeout_ms);

void cp_io_loop_free(struct cp_io_loop *l);

/* ctx's requests through one event loop with at most ctx->concurrency in flight, a new one
 * admitted when one finishes (the async strategies' run). */
enum cp_status cp_io_run_async(const struct cp_io_ctx *ctx, struct cp_io_tally *out);
