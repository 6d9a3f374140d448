/* `threads`: a pool of --concurrency threads (default one per request, at most 256), each with
 * its own easy handle, taking the next request number from one counter (the talk's
 * ThreadPoolExecutor; curl's threaded.c pattern: one global init, CURLOPT_NOSIGNAL). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "client.h"
#include "conpar/comm.h"

struct pool {
    const struct cp_io_ctx *ctx;
    atomic_llong next;
    double t0;
    pthread_mutex_t lock;
    struct cp_io_tally *sum;
    enum cp_status status;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    struct cp_io_tally *mine = calloc(1, sizeof *mine);
    struct cp_io_transfer t;
    enum cp_status st = mine != NULL ? cp_io_transfer_init(&t, p->ctx) : CP_ERR_NOMEM;
    double cpu0 = cp_io_thread_cpu();
    for (long long i; st == CP_OK && cp_stop_signal() == 0 &&
                      (i = atomic_fetch_add(&p->next, 1)) < p->ctx->requests;) {
        cp_io_transfer_begin(&t, p->t0);
        cp_io_transfer_end(&t, p->ctx->opt, curl_easy_perform(t.easy), mine);
    }
    if (st == CP_OK) {
        mine->cpu_seconds = cp_io_thread_cpu() - cpu0;
        cp_io_transfer_free(&t);
    }
    pthread_mutex_lock(&p->lock);
    if (mine != NULL)
        cp_io_tally_merge(p->sum, mine);
    if (st != CP_OK && p->status == CP_OK)
        p->status = st;
    pthread_mutex_unlock(&p->lock);
    free(mine);
    return NULL;
}

static enum cp_status run(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    int n = ctx->concurrency > 0 ? ctx->concurrency : 1;
    pthread_t *threads = malloc((size_t)n * sizeof *threads);
    if (threads == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate %d threads", n);
    struct pool p = {.ctx = ctx, .t0 = cp_io_now(), .sum = out, .status = CP_OK};
    atomic_init(&p.next, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024); /* a transfer needs little stack */
    int started = 0;
    for (; started < n; started++)
        if (pthread_create(&threads[started], &attr, worker, &p) != 0)
            break;
    pthread_attr_destroy(&attr);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&p.lock);
    free(threads);
    if (started == 0)
        return CP_FAIL(CP_ERR_SYSTEM, "cannot start threads for the IO pool");
    return p.status;
}

const struct cp_io_strategy cp_io_threads = {
    .name = "threads",
    .talk_analog = "ThreadPoolExecutor",
    .lesson = "threads wait for IO together: the time is the longest wait",
    .needs = CP_IO_ONE_PROCESS,
    .default_cap = 256,
    .run = run,
};
