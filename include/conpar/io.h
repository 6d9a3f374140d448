/* The IO phase: R requests to a slow server by every strategy of the talk, each response
 * checked, failures classified, latency and the client's CPU time recorded.
 *
 * A strategy is a descriptor (name, talk analog, lesson, needs, run) in the registry
 * (src/io/registry.c). It performs the requests of a cp_io_ctx and fills a cp_io_tally; it
 * never parses, prints or exits. The phase runner (src/io/phase.c) starts the embedded server
 * when no --url is given, times every strategy and fills a cp_io_report for src/report/. */
#ifndef CONPAR_IO_H
#define CONPAR_IO_H

#include <mpi.h>
#include <stdint.h>

#include "conpar/lessons.h"
#include "conpar/server.h"
#include "conpar/status.h"

/* Why a request failed. */
enum cp_io_class {
    CP_IO_CONNECT, /* nothing listening, refused, unreachable, cannot resolve */
    CP_IO_TIMEOUT, /* --timeout passed */
    CP_IO_RESET,   /* closed, reset or empty reply */
    CP_IO_STATUS,  /* an HTTP status other than --expect-status */
    CP_IO_BODY,    /* a body other than --expect-body */
    CP_IO_OTHER,   /* any other transfer error */
    CP_IO_NCLASSES
};

extern const char *const cp_io_class_names[CP_IO_NCLASSES];

/* Latency histogram: log-spaced bins from 1 us to 1000 s, about 1% wide. */
#define CP_IO_BINS 2048

/* What one strategy's requests came to. Every field sums (or maxes) over ranks. */
struct cp_io_tally {
    int64_t requests, ok;
    int64_t failed[CP_IO_NCLASSES];
    int64_t bins[CP_IO_BINS]; /* latency: request start to answer checked */
    double latency_max;       /* seconds */
    double queue_sum;         /* seconds requests waited for a slot under the throttle */
    double queue_max;
    double cpu_seconds; /* user + system time of the client's own threads */
};

/* Account one finished request in t: its time waiting for a slot and its latency, both in
 * seconds, and its class (CP_IO_NCLASSES = ok). Local. */
void cp_io_tally_add(struct cp_io_tally *t, double queued, double latency, int failure);

/* Merge b into a. Local. */
void cp_io_tally_merge(struct cp_io_tally *a, const struct cp_io_tally *b);

/* The latency below which a fraction q of the requests finished (upper edge of its bin,
 * never above the maximum). 0 when there were none. */
double cp_io_percentile(const struct cp_io_tally *t, double q);

#define CP_IO_MAX_STRATEGIES 8
#define CP_IO_MAX_COUNTS 4 /* request counts in one run (--requests 10,20) */
#define CP_IO_MAX_RECORDS (CP_IO_MAX_STRATEGIES * CP_IO_MAX_COUNTS)

struct cp_io_options {
    const char *url;                    /* --url, or NULL: the embedded server */
    int64_t requests[CP_IO_MAX_COUNTS]; /* --requests: each count runs every strategy */
    int nrequests;
    int concurrency;                 /* --concurrency, 0 = each strategy's default */
    double delay;                    /* --delay: the server's delay (sets the embedded one) */
    int server_workers;              /* --server-workers: the server's workers, 0 = no limit */
    double timeout;                  /* --timeout per request, 0 = max(10 s, 5 x delay) */
    int expect_status;               /* --expect-status */
    const char *expect_body;         /* --expect-body */
    struct cp_server_options server; /* the embedded server (faults, limits) */
    const char *ranks_unavailable;   /* non-NULL: why the strategies every rank runs are skipped
                                        (the process pool could not start) */
    int nstrategies;
    const struct cp_io_strategy *strategies[CP_IO_MAX_STRATEGIES];
    /* called on rank 0 after each strategy's record is complete (a checkpoint), or NULL */
    void (*on_record)(void *arg);
    void *on_record_arg;
};

/* What a strategy works with. */
struct cp_io_ctx {
    const struct cp_io_options *opt;
    const char *url;
    int64_t requests; /* requests to make (the whole run's, for ranks) */
    int concurrency;  /* transfers in flight at most (the whole run's, for ranks) */
    double timeout;   /* seconds per request */
    MPI_Comm comm;
    int64_t *per_rank; /* CP_IO_ALL_RANKS strategies on rank 0: fill with the requests each rank
                          did (one slot per rank of comm); NULL elsewhere */
};

enum cp_io_needs {
    CP_IO_ONE_PROCESS = 1u << 0, /* runs on rank 0 alone */
    CP_IO_ALL_RANKS = 1u << 1,   /* every rank takes part; run is collective */
    CP_IO_OWN_CAP = 1u << 2,     /* its default_cap is the lesson (one at a time, the throttle):
                                    --concurrency does not apply */
};

struct cp_io_strategy {
    const char *name;
    const char *talk_analog;
    const char *lesson;
    unsigned needs;
    /* without --concurrency: one transfer in flight per request, at most this many (0 = no
     * cap: all requests at once) */
    int default_cap;
    /* Perform ctx's requests into *out (summed on rank 0 for CP_IO_ALL_RANKS; other ranks'
     * *out holds their own share). */
    enum cp_status (*run)(const struct cp_io_ctx *ctx, struct cp_io_tally *out);
};

const struct cp_io_strategy *const *cp_io_registry(int *count);
const struct cp_io_strategy *cp_io_find(const char *name);

/* One strategy's result. */
struct cp_io_record {
    const struct cp_io_strategy *strategy;
    int64_t requests; /* R of this run */
    int ranks;
    int concurrency;
    int concurrency_capped; /* the default was cut to the thread cap or the open-file limit */
    double seconds;         /* wall time, the slowest rank */
    double ideal_seconds;   /* ceil(R / min(C, W)) x D */
    struct cp_io_tally tally;
    int64_t *per_rank; /* ranks strategy: requests done by each rank (rank 0), else NULL */
    char skipped[256]; /* non-empty: the strategy did not run, and why */
};

struct cp_io_report {
    struct cp_io_options options;
    char url[256];
    int embedded;
    double timeout;
    int timeout_short;             /* the timeout is below the ideal time of a strategy */
    int open_files;                /* the soft limit after raising it */
    struct cp_server_stats server; /* the embedded server's counters */
    int nrecords;
    struct cp_io_record records[CP_IO_MAX_RECORDS];
    struct cp_lessons lessons; /* what the records prove (rank 0, once the phase ends) */
};

/* Run the IO phase: start the embedded server on rank 0 unless --url, time every chosen
 * strategy, stop the server. Collective over comm; the report is complete on rank 0.
 * CP_OK, CP_ERR_IO_FAILED (some requests failed; the report is filled), CP_ERR_INPUT (the
 * server cannot start) or CP_ERR_MPI. Free with cp_io_report_free. */
enum cp_status cp_io_phase_run(const struct cp_io_options *opt, MPI_Comm comm,
                               struct cp_io_report *report);

void cp_io_report_free(struct cp_io_report *report);

/* Check --url before any work: an http:// or https:// URL with a host. CP_ERR_USAGE. */
enum cp_status cp_io_check_url(const char *url);

#endif
