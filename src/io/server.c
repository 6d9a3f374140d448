/* The slow server (see server.h): libmicrohttpd with suspended connections and a timer. */
#include "conpar/server.h"
#include "conpar/comm.h"

#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* One request between its arrival and its answer. */
struct pending {
    struct MHD_Connection *conn;
    double arrived, started;
    int code;
    struct pending *next;
};

struct queue {
    struct pending *head, *tail;
    int length;
};

struct cp_server {
    struct cp_server_options opt;
    struct MHD_Daemon *daemon;
    struct MHD_Response *answer; /* the body, queued with the status each request gets */
    struct MHD_Response *failure;
    char url[160];
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t timer;
    int stop_timer;
    int dead;                /* --die-after reached: answer nothing more */
    int quiesced;            /* the listening socket is closed */
    struct queue waiting;    /* for a worker, in arrival order */
    struct queue in_service; /* in start order, which is due order: the delay is the same */
    struct cp_server_stats stats;
};

static void push(struct queue *q, struct pending *p)
{
    p->next = NULL;
    if (q->tail != NULL)
        q->tail->next = p;
    else
        q->head = p;
    q->tail = p;
    q->length++;
}

static struct pending *pop(struct queue *q)
{
    struct pending *p = q->head;
    if (p != NULL) {
        q->head = p->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->length--;
    }
    return p;
}

void cp_server_defaults(struct cp_server_options *o)
{
    memset(o, 0, sizeof *o);
    o->bind = "127.0.0.1";
    o->port = 0;
    o->workers = 10;
    o->delay = 2.0;
    o->body = "Hello World!";
    o->status = 200;
    o->idle_timeout = 30;
    o->header_limit = 8 * 1024; /* gunicorn: 8190 bytes per header field */
    o->connection_limit = 16384;
}

/* Under the lock, once dead: stop listening, and end every request waiting or in service
 * without a reply. */
static void die(struct cp_server *s)
{
    s->quiesced = 1;
    for (struct queue *q = &s->waiting; q != NULL; q = q == &s->waiting ? &s->in_service : NULL)
        for (struct pending *p = q->head; p != NULL; p = p->next) {
            p->code = -1;
            p->started = -1e300; /* due at once */
            s->stats.resets++;
        }
    while (s->waiting.head != NULL)
        push(&s->in_service, pop(&s->waiting));
    pthread_mutex_unlock(&s->lock);
    int fd = MHD_quiesce_daemon(s->daemon);
    if (fd >= 0)
        close(fd);
    pthread_mutex_lock(&s->lock);
}

/* Under the lock: p starts its delay now. */
static void start_service(struct cp_server *s, struct pending *p, double t)
{
    p->started = t;
    if (t - p->arrived > s->stats.longest_wait)
        s->stats.longest_wait = t - p->arrived;
    push(&s->in_service, p);
    if (s->in_service.length > s->stats.peak_in_service)
        s->stats.peak_in_service = s->in_service.length;
}

static int has_worker(const struct cp_server *s)
{
    return s->opt.workers == 0 || s->in_service.length < s->opt.workers;
}

static struct MHD_Response *response_for(const struct cp_server *s, int code)
{
    return code == MHD_HTTP_INTERNAL_SERVER_ERROR && s->opt.status != code ? s->failure : s->answer;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **req_cls)
{
    struct cp_server *s = cls;
    (void)url;
    (void)version;
    (void)upload_data;
    struct pending *p = *req_cls;
    if (p != NULL && p->code < 0) /* resumed by the server's death */
        return MHD_NO;
    if (p != NULL) /* resumed: the delay is over */
        return MHD_queue_response(conn, (unsigned)p->code, response_for(s, p->code));
    if (*upload_size != 0) {
        *upload_size = 0;
        return MHD_YES;
    }
    (void)method;
    pthread_mutex_lock(&s->lock);
    int64_t n = ++s->stats.requests;
    int reset = s->dead || (s->opt.reset_every > 0 && n % s->opt.reset_every == 0);
    int code = s->opt.fail_every > 0 && n % s->opt.fail_every == 0 ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                                                   : s->opt.status;
    s->stats.resets += reset;
    /* without a delay the answer goes at once, unless the server may die: then the timer
     * thread sends it, so it can stop listening before the last answer leaves */
    int at_once = s->opt.delay <= 0 && s->opt.die_after == 0;
    if (!reset && at_once) {
        s->stats.served++;
        s->stats.failed += code == MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    pthread_mutex_unlock(&s->lock);
    if (reset)
        return MHD_NO; /* MHD closes the connection without a reply */
    if (at_once)
        return MHD_queue_response(conn, (unsigned)code, response_for(s, code));
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return MHD_NO;
    p->conn = conn;
    p->code = code;
    p->arrived = cp_io_now();
    *req_cls = p;
    MHD_suspend_connection(conn);
    pthread_mutex_lock(&s->lock);
    if (has_worker(s)) {
        start_service(s, p, p->arrived);
    } else {
        push(&s->waiting, p);
        if (s->waiting.length > s->stats.peak_waiting)
            s->stats.peak_waiting = s->waiting.length;
    }
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    free(*req_cls);
    *req_cls = NULL;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    /* MHD reports client mistakes (bad requests, closed sockets) here; the counters and the
     * clients' own checks tell what matters, so the server stays quiet */
    (void)cls;
    (void)fmt;
    (void)ap;
}

/* The timer: ends delays in due order and hands freed workers to waiting requests. */
static void *timer_main(void *arg)
{
    struct cp_server *s = arg;
    struct MHD_Connection *ready[256];
    pthread_mutex_lock(&s->lock);
    for (;;) {
        double t = cp_io_now();
        int nready = 0;
        while (nready < 256 && s->in_service.head != NULL &&
               s->in_service.head->started + s->opt.delay <= t) {
            struct pending *p = pop(&s->in_service);
            if (s->dead && p->code >= 0) { /* died within this batch */
                p->code = -1;
                s->stats.resets++;
            }
            if (p->code >= 0) {
                s->stats.served++;
                s->stats.failed += p->code == MHD_HTTP_INTERNAL_SERVER_ERROR;
                if (s->opt.die_after > 0 && s->stats.served >= s->opt.die_after)
                    s->dead = 1;
            }
            ready[nready++] = p->conn; /* p belongs to MHD again once resumed */
        }
        while (s->waiting.head != NULL && has_worker(s))
            start_service(s, pop(&s->waiting), t);
        /* --die-after reached by an answer of this batch (every answer goes through here when
         * the server may die): stop listening before that answer leaves, so the client's next
         * connection is refused, not accepted and cut */
        if (s->dead && !s->quiesced)
            die(s);
        if (nready > 0) {
            /* resume outside the lock: MHD's thread takes it in on_request */
            pthread_mutex_unlock(&s->lock);
            for (int i = 0; i < nready; i++)
                MHD_resume_connection(ready[i]);
            pthread_mutex_lock(&s->lock);
            continue;
        }
        if (s->stop_timer)
            break;
        if (s->in_service.head == NULL) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        double due = s->in_service.head->started + s->opt.delay;
        struct timespec until = {(time_t)due, (long)((due - (double)(time_t)due) * 1e9)};
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* The listening socket, bound and listening, or CP_ERR_INPUT with the reason. */
static enum cp_status listen_on(const struct cp_server_options *o, int *fd_out, char *url,
                                size_t url_size)
{
    char port[16];
    snprintf(port, sizeof port, "%d", o->port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(o->bind, port, &hints, &res);
    if (rc != 0)
        return CP_FAIL(CP_ERR_INPUT, "--bind '%s': cannot resolve: %s", o->bind, gai_strerror(rc));
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    enum cp_status st = CP_OK;
    if (fd < 0) {
        st = CP_FAIL(CP_ERR_SYSTEM, "socket: %s", strerror(errno));
    } else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
               bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        st = errno == EADDRINUSE
                 ? CP_FAIL(CP_ERR_INPUT, "--port %d: address %s:%d is already in use", o->port,
                           o->bind, o->port)
                 : CP_FAIL(CP_ERR_INPUT, "--bind '%s' --port %d: cannot bind: %s", o->bind, o->port,
                           strerror(errno));
    } else if (listen(fd, 4096) != 0) {
        st = CP_FAIL(CP_ERR_SYSTEM, "listen: %s", strerror(errno));
    }
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    char host[INET6_ADDRSTRLEN] = "";
    if (st == CP_OK && getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        int bound;
        if (addr.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
            inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
            bound = ntohs(a->sin6_port);
            snprintf(url, url_size, "http://[%s]:%d/", host, bound);
        } else {
            struct sockaddr_in *a = (struct sockaddr_in *)&addr;
            inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
            bound = ntohs(a->sin_port);
            snprintf(url, url_size, "http://%s:%d/", host, bound);
        }
    }
    freeaddrinfo(res);
    if (st != CP_OK && fd >= 0)
        close(fd);
    *fd_out = st == CP_OK ? fd : -1;
    return st;
}

int cp_raise_open_files(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > INT32_MAX ? INT32_MAX : (int)rl.rlim_cur;
}

static struct MHD_Response *make_response(const struct cp_server_options *o, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
                                                             MHD_RESPMEM_PERSISTENT);
    if (r != NULL) {
        MHD_add_response_header(r, "Content-Type", "text/plain");
        MHD_add_response_header(r, "Server", "conpar");
        if (!o->keep_alive)
            MHD_add_response_header(r, "Connection", "close");
    }
    return r;
}

static void free_server(struct cp_server *s)
{
    if (s->answer != NULL)
        MHD_destroy_response(s->answer);
    if (s->failure != NULL)
        MHD_destroy_response(s->failure);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}

enum cp_status cp_server_start(const struct cp_server_options *o, struct cp_server **out,
                               const char **url)
{
    struct cp_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate the server");
    s->opt = *o;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->lock, NULL);
    int files = cp_raise_open_files();
    /* keep a few descriptors for the process itself */
    if (s->opt.connection_limit > files - 64)
        s->opt.connection_limit = files - 64 > 16 ? files - 64 : 16;
    int fd;
    enum cp_status st = listen_on(o, &fd, s->url, sizeof s->url);
    if (st != CP_OK) {
        free_server(s);
        return st;
    }
    s->answer = make_response(o, o->body);
    s->failure = make_response(o, "Internal Server Error");
    if (s->answer == NULL || s->failure == NULL) {
        close(fd);
        free_server(s);
        return CP_FAIL(CP_ERR_NOMEM, "cannot create the server's responses");
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
        on_request, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->opt.connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->header_limit, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_error, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        close(fd);
        free_server(s);
        return CP_FAIL(CP_ERR_SYSTEM, "libmicrohttpd could not start on %s", s->url);
    }
    if (pthread_create(&s->timer, NULL, timer_main, s) != 0) {
        MHD_stop_daemon(s->daemon);
        free_server(s);
        return CP_FAIL(CP_ERR_SYSTEM, "cannot start the server's timer thread");
    }
    *out = s;
    *url = s->url;
    return CP_OK;
}

struct cp_server_stats cp_server_stats(struct cp_server *s)
{
    pthread_mutex_lock(&s->lock);
    struct cp_server_stats st = s->stats;
    pthread_mutex_unlock(&s->lock);
    return st;
}

void cp_server_stop(struct cp_server *s, double drain, struct cp_server_stats *stats)
{
    /* no new connections; what is in flight may finish */
    int fd = MHD_quiesce_daemon(s->daemon);
    if (fd >= 0)
        close(fd);
    double until = cp_io_now() + drain;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int busy = s->in_service.length + s->waiting.length;
        pthread_mutex_unlock(&s->lock);
        if (busy == 0 || cp_io_now() >= until)
            break;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    /* past the drain: end the delays now (503), so no connection stays suspended */
    pthread_mutex_lock(&s->lock);
    for (struct queue *q = &s->waiting; q != NULL; q = q == &s->waiting ? &s->in_service : NULL)
        for (struct pending *p = q->head; p != NULL; p = p->next) {
            if (p->code >= 0)
                p->code = MHD_HTTP_SERVICE_UNAVAILABLE;
            p->started = -1e300; /* due at once */
        }
    while (s->waiting.head != NULL)
        push(&s->in_service, pop(&s->waiting));
    s->stop_timer = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->timer, NULL);
    if (s->stats.served > 0 || s->stats.requests > 0) {
        struct timespec pause = {0, 50 * 1000 * 1000}; /* let MHD send what was resumed */
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(s->daemon);
    if (stats != NULL)
        *stats = s->stats;
    free_server(s);
}

enum cp_status cp_server_run(const struct cp_server_options *o)
{
    /* a handler, not sigwait: MPI_Init has started threads of its own that do not block the
     * signals, and whichever thread a SIGTERM reaches must only note it */
    cp_stop_install();
    signal(SIGPIPE, SIG_IGN);
    struct cp_server *s;
    const char *url;
    enum cp_status st = cp_server_start(o, &s, &url);
    if (st != CP_OK)
        return st;
    char workers[32];
    snprintf(workers, sizeof workers, "%d", o->workers);
    printf("conpar serve: %s (%s workers, delay %.3f s, at most %d connections)\n", url,
           o->workers > 0 ? workers : "unlimited", o->delay, s->opt.connection_limit);
    fflush(stdout);
    while (cp_stop_signal() == 0) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    int sig = cp_stop_signal();
    double drain = o->delay + 5.0;
    fprintf(stderr, "conpar serve: %s: finishing what is in flight (at most %.1f s)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", drain);
    struct cp_server_stats stats;
    cp_server_stop(s, drain, &stats);
    printf("conpar serve: %" PRId64 " requests, %" PRId64 " answered (%" PRId64
           " with 500), %" PRId64 " reset; peak in service %d, peak waiting %d, longest wait "
           "%.3f s\n",
           stats.requests, stats.served, stats.failed, stats.resets, stats.peak_in_service,
           stats.peak_waiting, stats.longest_wait);
    fflush(stdout);
    return CP_OK;
}
