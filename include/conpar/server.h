/* The slow server: the talk's flask app behind `gunicorn -w 10`, in libmicrohttpd.
 *
 * Every GET is answered `body` after `delay` seconds. At most `workers` requests are in
 * service at once; the rest wait in arrival order, as gunicorn's sync workers make them wait
 * (workers = 0: no limit). A request in service or waiting is a suspended connection and its
 * delay a timer, not a thread, so 10,000 slow requests can be in flight. One epoll thread
 * serves the connections and one timer thread ends the delays. Fault injection: every
 * response with `status`, every `fail_every`-th request answered 500, every `reset_every`-th
 * connection closed without a reply, and death after `die_after` answers. */
#ifndef CONPAR_SERVER_H
#define CONPAR_SERVER_H

#include <stdint.h>

#include "conpar/status.h"

struct cp_server_options {
    const char *bind;     /* address to listen on (numeric or a host name) */
    int port;             /* 0 = any free port */
    int workers;          /* requests in service at once, 0 = no limit */
    double delay;         /* seconds before each answer */
    const char *body;     /* the answer */
    int status;           /* the answer's HTTP status */
    int64_t fail_every;   /* 0, or every Nth request answers 500 */
    int64_t reset_every;  /* 0, or every Nth request is closed without a reply */
    int64_t die_after;    /* 0, or after answering N requests the server dies as if killed:
                           * it stops listening and closes every connection without a reply */
    int keep_alive;       /* allow keep-alive (default: Connection: close) */
    int idle_timeout;     /* seconds an idle connection may stay open */
    int header_limit;     /* bytes of request headers (and the connection's buffers) */
    int connection_limit; /* connections at once */
};

struct cp_server_stats {
    int64_t requests;    /* requests received */
    int64_t served;      /* answers sent after the delay */
    int64_t failed;      /* of those, answered 500 by --fail-every */
    int64_t resets;      /* connections closed without a reply (after death too) */
    int peak_in_service; /* most requests in service at once */
    int peak_waiting;    /* most requests waiting for a worker */
    double longest_wait; /* seconds the longest wait for a worker took */
};

struct cp_server; /* opaque */

void cp_server_defaults(struct cp_server_options *o);

/* Start serving: the listening socket is bound before this returns, so clients may connect at
 * once. *url gets "http://ADDRESS:PORT/" (static storage of the server). CP_ERR_INPUT for an
 * address that cannot be bound (in use, not local), with the reason. Local. */
enum cp_status cp_server_start(const struct cp_server_options *o, struct cp_server **out,
                               const char **url);

/* A snapshot of the counters. Thread-safe. */
struct cp_server_stats cp_server_stats(struct cp_server *s);

/* Stop accepting, let what is in flight finish for at most `drain` seconds, stop and free.
 * *stats (when not NULL) gets the final counters. */
void cp_server_stop(struct cp_server *s, double drain, struct cp_server_stats *stats);

/* Raise the open-file soft limit to the hard limit (every connection, server or client side,
 * is one) and return the soft limit in effect. Local. */
int cp_raise_open_files(void);

/* `conpar serve`: start, print the URL, serve until SIGINT or SIGTERM, drain, print the
 * counters. Returns CP_OK or the start error. */
enum cp_status cp_server_run(const struct cp_server_options *o);

#endif
