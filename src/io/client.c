/* One libcurl transfer, its checks and the tally. */
#include "client.h"

#include <inttypes.h>

#include "conpar/comm.h"
#include "conpar/progress.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

const char *const cp_io_class_names[CP_IO_NCLASSES] = {"connect", "timeout", "reset",
                                                       "status",  "body",    "other"};

#define BIN_LOW 1e-6 /* the first bin's lower edge, seconds */
/* bins are BIN_RATIO wide: 2048 of them span 1 us to 1000 s */
static double bin_ratio(void)
{
    return pow(1e9, 1.0 / CP_IO_BINS);
}

static int bin_of(double seconds)
{
    if (seconds <= BIN_LOW)
        return 0;
    int b = (int)(log(seconds / BIN_LOW) / log(bin_ratio()));
    return b < 0 ? 0 : b >= CP_IO_BINS ? CP_IO_BINS - 1 : b;
}

void cp_io_tally_add(struct cp_io_tally *t, double queued, double latency, int failure)
{
    t->requests++;
    if (failure >= CP_IO_NCLASSES)
        t->ok++;
    else
        t->failed[failure]++;
    t->bins[bin_of(latency)]++;
    t->latency_max = latency > t->latency_max ? latency : t->latency_max;
    t->queue_sum += queued;
    t->queue_max = queued > t->queue_max ? queued : t->queue_max;
}

void cp_io_tally_merge(struct cp_io_tally *a, const struct cp_io_tally *b)
{
    a->requests += b->requests;
    a->ok += b->ok;
    for (int c = 0; c < CP_IO_NCLASSES; c++)
        a->failed[c] += b->failed[c];
    for (int i = 0; i < CP_IO_BINS; i++)
        a->bins[i] += b->bins[i];
    a->latency_max = b->latency_max > a->latency_max ? b->latency_max : a->latency_max;
    a->queue_sum += b->queue_sum;
    a->queue_max = b->queue_max > a->queue_max ? b->queue_max : a->queue_max;
    a->cpu_seconds += b->cpu_seconds;
}

double cp_io_percentile(const struct cp_io_tally *t, double q)
{
    if (t->requests == 0)
        return 0;
    int64_t want = (int64_t)ceil(q * (double)t->requests), seen = 0;
    for (int i = 0; i < CP_IO_BINS; i++) {
        seen += t->bins[i];
        if (seen >= want && seen > 0) {
            double edge = BIN_LOW * pow(bin_ratio(), i + 1);
            return edge < t->latency_max ? edge : t->latency_max;
        }
    }
    return t->latency_max;
}

double cp_io_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cp_io_thread_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct cp_io_transfer *t = arg;
    size_t bytes = size * n, room = sizeof t->body - t->len;
    size_t keep = bytes < room ? bytes : room;
    memcpy(t->body + t->len, data, keep);
    t->len += keep;
    t->overflow |= keep < bytes;
    return bytes;
}

enum cp_status cp_io_transfer_init(struct cp_io_transfer *t, const struct cp_io_ctx *ctx)
{
    memset(t, 0, sizeof *t);
    t->easy = curl_easy_init();
    if (t->easy == NULL)
        return CP_FAIL(CP_ERR_SYSTEM, "libcurl cannot create a transfer");
    long ms = (long)(ctx->timeout * 1000.0 + 0.5);
    CURLcode rc = curl_easy_setopt(t->easy, CURLOPT_URL, ctx->url);
    /* threads: no alarm()/siglongjmp from the resolver (P25) */
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, ms);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, ms);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_data);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "conpar/" CONPAR_VERSION);
    /* every request opens its own connection, like requests.get: the same work for every
     * strategy, and no search of a connection cache holding thousands (O(n) per transfer) */
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_FRESH_CONNECT, 1L);
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_FORBID_REUSE, 1L);
    /* a small receive buffer: libcurl allocates one per transfer (16 KiB by default), and
     * thousands in flight would spend their time in page faults */
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_BUFFERSIZE, 4096L);
    /* one write per request: Nagle never holds it, so spare the setsockopt */
    rc = rc ? rc : curl_easy_setopt(t->easy, CURLOPT_TCP_NODELAY, 0L);
    if (rc != CURLE_OK) {
        curl_easy_cleanup(t->easy);
        t->easy = NULL;
        return CP_FAIL(CP_ERR_SYSTEM, "libcurl: %s", curl_easy_strerror(rc));
    }
    return CP_OK;
}

void cp_io_transfer_begin(struct cp_io_transfer *t, double t0)
{
    t->len = 0;
    t->overflow = 0;
    t->started = cp_io_now();
    t->queued = t->started - t0;
}

static int classify(const struct cp_io_transfer *t, const struct cp_io_options *opt, CURLcode rc)
{
    switch (rc) {
    case CURLE_OK: {
        long code = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code != opt->expect_status)
            return CP_IO_STATUS;
        size_t want = strlen(opt->expect_body);
        if (t->overflow || t->len != want || memcmp(t->body, opt->expect_body, want) != 0)
            return CP_IO_BODY;
        return CP_IO_NCLASSES;
    }
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return CP_IO_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return CP_IO_TIMEOUT;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return CP_IO_RESET;
    default:
        return CP_IO_OTHER;
    }
}

void cp_io_transfer_end(struct cp_io_transfer *t, const struct cp_io_options *opt, CURLcode rc,
                        struct cp_io_tally *tally)
{
    cp_io_tally_add(tally, t->queued, cp_io_now() - t->started, classify(t, opt, rc));
}

void cp_io_progress(const struct cp_io_ctx *ctx, const struct cp_io_tally *tally)
{
    cp_progress(0, "conpar: IO: %" PRId64 " of %" PRId64 " requests done", tally->requests,
                ctx->requests);
}

void cp_io_transfer_free(struct cp_io_transfer *t)
{
    if (t->easy != NULL)
        curl_easy_cleanup(t->easy);
    t->easy = NULL;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *socketp)
{
    (void)easy;
    struct cp_io_loop *l = arg;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        curl_multi_assign(l->multi, fd, NULL);
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = fd;
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    /* socketp is non-NULL once the socket is in the epoll set: one syscall per change */
    epoll_ctl(l->epfd, socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (socketp == NULL)
        curl_multi_assign(l->multi, fd, l);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *arg)
{
    (void)multi;
    struct cp_io_loop *l = arg;
    l->deadline = timeout_ms < 0 ? -1.0 : cp_io_now() + (double)timeout_ms * 1e-3;
    return 0;
}

enum cp_status cp_io_loop_init(struct cp_io_loop *l, const struct cp_io_ctx *ctx, int capacity,
                               double t0, struct cp_io_tally *tally)
{
    memset(l, 0, sizeof *l);
    l->ctx = ctx;
    l->capacity = capacity > 0 ? capacity : 1;
    l->t0 = t0;
    l->tally = tally;
    l->deadline = -1.0;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->multi = curl_multi_init();
    l->slots = calloc((size_t)l->capacity, sizeof *l->slots);
    l->free_slots = malloc((size_t)l->capacity * sizeof *l->free_slots);
    if (l->epfd < 0 || l->multi == NULL || l->slots == NULL || l->free_slots == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot set up %d transfers", l->capacity);
    curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
    curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
    for (int i = l->capacity - 1; i >= 0; i--)
        l->free_slots[l->nfree++] = i;
    return CP_OK;
}

enum cp_status cp_io_loop_add(struct cp_io_loop *l)
{
    struct cp_io_transfer *t = &l->slots[l->free_slots[--l->nfree]];
    if (t->easy == NULL) {
        enum cp_status st = cp_io_transfer_init(t, l->ctx);
        if (st != CP_OK)
            return st;
    }
    cp_io_transfer_begin(t, l->t0);
    CURLMcode mc = curl_multi_add_handle(l->multi, t->easy);
    if (mc != CURLM_OK)
        return CP_FAIL(CP_ERR_SYSTEM, "libcurl: %s", curl_multi_strerror(mc));
    l->running++;
    return CP_OK;
}

/* Account the transfers libcurl has finished and free their slots. */
static void collect(struct cp_io_loop *l)
{
    int left = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(l->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct cp_io_transfer *t = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        cp_io_transfer_end(t, l->ctx->opt, msg->data.result, l->tally);
        cp_io_progress(l->ctx, l->tally);
        curl_multi_remove_handle(l->multi, t->easy);
        l->free_slots[l->nfree++] = (int)(t - l->slots);
        l->running--;
    }
}

enum cp_status cp_io_loop_step(struct cp_io_loop *l, int timeout_ms)
{
    int still = 0, wait = l->running > 0 ? timeout_ms : 0;
    if (l->deadline >= 0) {
        int until = (int)ceil((l->deadline - cp_io_now()) * 1e3);
        wait = until < 0 ? 0 : until < wait ? until : wait;
    }
    struct epoll_event ev[512];
    int n = epoll_wait(l->epfd, ev, 512, wait);
    if (n < 0 && errno != EINTR)
        return CP_FAIL(CP_ERR_SYSTEM, "epoll_wait: %s", strerror(errno));
    CURLMcode mc = CURLM_OK;
    for (int i = 0; i < n && mc == CURLM_OK; i++) {
        int mask = ((ev[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                   ((ev[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                   ((ev[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
        mc = curl_multi_socket_action(l->multi, ev[i].data.fd, mask, &still);
    }
    if (mc == CURLM_OK && l->deadline >= 0 && cp_io_now() >= l->deadline) {
        l->deadline = -1.0; /* the action may set a new one */
        mc = curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    }
    if (mc != CURLM_OK)
        return CP_FAIL(CP_ERR_SYSTEM, "libcurl: %s", curl_multi_strerror(mc));
    collect(l);
    return CP_OK;
}

void cp_io_loop_free(struct cp_io_loop *l)
{
    for (int i = 0; l->slots != NULL && i < l->capacity; i++) {
        if (l->slots[i].easy != NULL && l->multi != NULL)
            curl_multi_remove_handle(l->multi, l->slots[i].easy);
        cp_io_transfer_free(&l->slots[i]);
    }
    if (l->multi != NULL)
        curl_multi_cleanup(l->multi);
    if (l->epfd >= 0)
        close(l->epfd);
    free(l->slots);
    free(l->free_slots);
    memset(l, 0, sizeof *l);
}

enum cp_status cp_io_run_async(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
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
