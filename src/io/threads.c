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
    struct cp_error_carry failed; /* the lowest-numbered worker's failure */
};

struct worker {
    struct pool *pool;
    int index; /* in start order: a failure's place in the carry */
    pthread_t thread;
};

static void *worker_main(void *arg)
{
    const struct worker *w = arg;
    struct pool *p = w->pool;
    struct cp_io_tally *mine = calloc(1, sizeof *mine);
    struct cp_io_transfer t;
    enum cp_status st = mine != NULL ? cp_io_transfer_init(&t, p->ctx)
                                     : CP_FAIL(CP_ERR_NOMEM, "cannot allocate a worker's tally");
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
    /* this thread's record goes to the main thread through the carry */
    cp_error_carry_keep(&p->failed, w->index, st);
    pthread_mutex_lock(&p->lock);
    if (mine != NULL)
        cp_io_tally_merge(p->sum, mine);
    pthread_mutex_unlock(&p->lock);
    free(mine);
    return NULL;
}

static enum cp_status run(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    int n = ctx->concurrency > 0 ? ctx->concurrency : 1;
    struct worker *workers = malloc((size_t)n * sizeof *workers);
    if (workers == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate %d threads", n);
    struct pool p = {.ctx = ctx, .t0 = cp_io_now(), .sum = out};
    cp_error_carry_init(&p.failed);
    atomic_init(&p.next, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024); /* a transfer needs little stack */
    int started = 0;
    for (; started < n; started++) {
        workers[started] = (struct worker){.pool = &p, .index = started};
        if (pthread_create(&workers[started].thread, &attr, worker_main, &workers[started]) != 0)
            break;
    }
    pthread_attr_destroy(&attr);
    for (int i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    pthread_mutex_destroy(&p.lock);
    free(workers);
    if (started == 0)
        return CP_FAIL(CP_ERR_SYSTEM, "cannot start threads for the IO pool");
    /* every worker has ended: the first failure in worker order is recorded here */
    return cp_error_carry_record(&p.failed);
}

const struct cp_io_strategy cp_io_threads = {
    .name = "threads",
    .talk_analog = "ThreadPoolExecutor",
    .lesson = "threads wait for IO together: the time is the longest wait",
    .needs = CP_IO_ONE_PROCESS,
    .default_cap = 256,
    .run = run,
};
