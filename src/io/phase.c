/* The IO phase runner: the embedded server, every strategy timed, the verdict. */
#include <curl/curl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "conpar/comm.h"
#include "conpar/io.h"
#include "conpar/runner.h"

enum cp_status cp_io_check_url(const char *url)
{
    CURLU *u = curl_url();
    if (u == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "libcurl cannot parse URLs");
    char *scheme = NULL, *host = NULL;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (rc == CURLUE_OK)
        rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    enum cp_status st = CP_OK;
    if (rc != CURLUE_OK)
        st = CP_FAIL(CP_ERR_USAGE, "--url '%s': not a URL (%s)", url, curl_url_strerror(rc));
    else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        st = CP_FAIL(CP_ERR_USAGE, "--url '%s': the scheme must be http or https", url);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return st;
}

/* Where the embedded server listens: loopback on one host; when the ranks span hosts, the
 * address rank 0's host name resolves to, so the other hosts can reach it. */
static void server_address(MPI_Comm comm, char *bind, size_t size)
{
    snprintf(bind, size, "127.0.0.1");
    MPI_Comm node;
    if (cp_comm_split_nodes(comm, 0, &node) != CP_OK)
        return;
    int one_host = cp_comm_size(node) == cp_comm_size(comm);
    MPI_Comm_free(&node);
    char host[256];
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    if (one_host || gethostname(host, sizeof host) != 0 ||
        getaddrinfo(host, NULL, &hints, &res) != 0)
        return;
    getnameinfo(res->ai_addr, res->ai_addrlen, bind, (socklen_t)size, NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(res);
}

/* Rank 0 starts the embedded server (unless --url) and every rank learns the URL. */
static enum cp_status find_server(const struct cp_io_options *opt, MPI_Comm comm,
                                  struct cp_server **server, struct cp_io_report *report)
{
    enum cp_status st = CP_OK;
    char bind[256];
    if (opt->url == NULL)
        server_address(comm, bind, sizeof bind);
    if (cp_comm_rank(comm) == 0) {
        if (opt->url != NULL) {
            snprintf(report->url, sizeof report->url, "%s", opt->url);
        } else {
            struct cp_server_options so = opt->server;
            so.bind = bind;
            so.delay = opt->delay;
            so.workers = opt->server_workers;
            const char *url;
            st = cp_server_start(&so, server, &url);
            if (st == CP_OK)
                snprintf(report->url, sizeof report->url, "%s", url);
        }
    }
    st = cp_comm_agree(comm, st);
    if (st == CP_OK)
        CP_MPI_CHECK(MPI_Bcast(report->url, (int)sizeof report->url, MPI_CHAR, 0, comm));
    report->embedded = opt->url == NULL;
    return st;
}

static double ideal_seconds(const struct cp_io_options *opt, int64_t requests, int concurrency)
{
    int64_t lanes = concurrency;
    if (opt->server_workers > 0 && opt->server_workers < lanes)
        lanes = opt->server_workers;
    return ceil((double)requests / (double)(lanes > 0 ? lanes : 1)) * opt->delay;
}

/* One strategy's run: its requests, all at once or in the strategy's own order. */
struct io_trial {
    const struct cp_io_strategy *s;
    const struct cp_io_ctx *ctx;
    struct cp_io_tally *tally;
};

static enum cp_status io_once(void *arg, double stage_seconds[CP_STAGE_COUNT])
{
    struct io_trial *t = arg;
    (void)stage_seconds;
    return t->s->run(t->ctx, t->tally);
}

/* One strategy, timed once: collective ones on every rank (the slowest rank's time counts),
 * the others on rank 0 while the other ranks sleep. */
static enum cp_status time_strategy(const struct cp_io_strategy *s, struct cp_io_ctx *ctx,
                                    struct cp_io_record *rec)
{
    MPI_Comm comm = ctx->comm;
    int rank = cp_comm_rank(comm), all = (s->needs & CP_IO_ALL_RANKS) != 0;
    if (all) {
        rec->per_rank =
            rank == 0 ? calloc((size_t)cp_comm_size(comm), sizeof *rec->per_rank) : NULL;
        enum cp_status st =
            cp_comm_agree(comm, rank == 0 && rec->per_rank == NULL
                                    ? CP_FAIL(CP_ERR_NOMEM, "cannot allocate per-rank counts")
                                    : CP_OK);
        if (st != CP_OK)
            return st;
        ctx->per_rank = rec->per_rank;
    }
    struct io_trial t = {s, ctx, &rec->tally};
    struct cp_trial trial = {all, 0, 1, io_once, NULL, NULL, &t};
    struct cp_trial_times times;
    enum cp_status st = cp_trial_run(&trial, comm, &times);
    if (st == CP_OK && rank == 0)
        rec->seconds = times.seconds.median;
    free(times.seconds.samples);
    return st;
}

/* Rank 0: the verdict, naming how many failed and why. */
static enum cp_status verdict(const struct cp_io_report *report)
{
    int64_t failed = 0, total = 0, by[CP_IO_NCLASSES] = {0};
    int ran = 0;
    for (int i = 0; i < report->nrecords; i++) {
        const struct cp_io_tally *t = &report->records[i].tally;
        ran += report->records[i].skipped[0] == '\0';
        total += t->requests;
        for (int c = 0; c < CP_IO_NCLASSES; c++) {
            failed += t->failed[c];
            by[c] += t->failed[c];
        }
    }
    if (ran == 0 && report->nrecords > 0)
        return CP_FAIL(CP_ERR_UNAVAILABLE, "no chosen strategy could run: %s",
                       report->records[0].skipped);
    if (failed == 0)
        return CP_OK;
    char why[256] = "";
    size_t used = 0;
    for (int c = 0; c < CP_IO_NCLASSES; c++)
        if (by[c] > 0 && used < sizeof why)
            used += (size_t)snprintf(why + used, sizeof why - used, "%s%s %" PRId64,
                                     used ? ", " : "", cp_io_class_names[c], by[c]);
    return CP_FAIL(CP_ERR_IO_FAILED, "%" PRId64 " of %" PRId64 " requests to %s failed (%s)",
                   failed, total, report->url, why);
}

/* One strategy for R requests: its concurrency (capped by the open files), ideal and run. */
static enum cp_status run_one(const struct cp_io_options *opt, const struct cp_io_strategy *s,
                              int64_t requests, int size, MPI_Comm comm,
                              struct cp_io_report *report, struct cp_io_record *rec)
{
    rec->strategy = s;
    rec->requests = requests;
    rec->ranks = (s->needs & CP_IO_ALL_RANKS) ? size : 1;
    /* one slot per request (more would only sit idle), at most --concurrency or the
     * strategy's own cap */
    int own = (s->needs & CP_IO_OWN_CAP) != 0, given = opt->concurrency > 0 && !own;
    int64_t cap = given ? opt->concurrency : s->default_cap, want = requests;
    if (cap > 0 && cap < want)
        want = cap;
    int c = want < INT_MAX ? (int)want : INT_MAX;
    rec->concurrency_capped = !given && !own && c < requests && c > 1;
    /* every transfer is an open file; the embedded server's connections too */
    int room = (report->open_files - 64) / (report->embedded ? 2 : 1) * rec->ranks;
    if (c > room) {
        c = room > 1 ? room : 1;
        rec->concurrency_capped = 1;
    }
    rec->concurrency = c;
    rec->ideal_seconds = ideal_seconds(opt, requests, c);
    /* a request waits for a server worker behind the others in flight: its latency can
     * reach ceil(min(C, R) / W) x D */
    double in_flight = (double)(c < requests ? c : requests);
    double rounds = opt->server_workers > 0 ? ceil(in_flight / opt->server_workers) : 1.0;
    report->timeout_short |= report->timeout < rounds * opt->delay;
    struct cp_io_ctx ctx = {opt, report->url, requests, c, report->timeout, comm, NULL};
    return time_strategy(s, &ctx, rec);
}

/* The phase's state while its strategies run: each request count runs every strategy. */
struct io_phase {
    const struct cp_io_options *opt;
    struct cp_io_report *report;
};

static enum cp_status io_item(void *self, int i, MPI_Comm comm)
{
    struct io_phase *ph = self;
    const struct cp_io_options *opt = ph->opt;
    struct cp_io_record *rec = &ph->report->records[ph->report->nrecords++];
    const struct cp_io_strategy *s = opt->strategies[i % opt->nstrategies];
    if ((s->needs & CP_IO_ALL_RANKS) && opt->ranks_unavailable != NULL) {
        rec->strategy = s;
        rec->requests = opt->requests[i / opt->nstrategies];
        return CP_FAIL(CP_ERR_UNAVAILABLE, "%s: %s", s->name, opt->ranks_unavailable);
    }
    return run_one(opt, opt->strategies[i % opt->nstrategies], opt->requests[i / opt->nstrategies],
                   cp_comm_size(comm), comm, ph->report, rec);
}

static void io_label(void *self, int i, char *buf, size_t size)
{
    const struct io_phase *ph = self;
    snprintf(buf, size, "%s, %" PRId64 " requests",
             ph->opt->strategies[i % ph->opt->nstrategies]->name,
             ph->opt->requests[i / ph->opt->nstrategies]);
}

static void io_skipped(void *self, int i, const char *why)
{
    struct io_phase *ph = self;
    (void)i;
    struct cp_io_record *rec = &ph->report->records[ph->report->nrecords - 1];
    snprintf(rec->skipped, sizeof rec->skipped, "%s", why);
}

/* a SIGINT or SIGTERM stops the strategy's new requests; its record is dropped */
static void io_dropped(void *self, int i)
{
    struct io_phase *ph = self;
    (void)i;
    struct cp_io_record *rec = &ph->report->records[--ph->report->nrecords];
    free(rec->per_rank);
    memset(rec, 0, sizeof *rec);
}

static enum cp_status io_verdict(void *self)
{
    const struct io_phase *ph = self;
    cp_lessons_io(ph->report, &ph->report->lessons);
    return verdict(ph->report);
}

enum cp_status cp_io_phase_run(const struct cp_io_options *opt, MPI_Comm comm,
                               struct cp_io_report *report)
{
    memset(report, 0, sizeof *report);
    report->options = *opt;
    report->timeout = opt->timeout > 0 ? opt->timeout : fmax(10.0, 5.0 * opt->delay);
    report->open_files = cp_raise_open_files();
    struct cp_server *server = NULL;
    enum cp_status st = find_server(opt, comm, &server, report);
    if (st != CP_OK)
        return st;
    struct io_phase ph = {opt, report};
    struct cp_phase phase = {"IO",           opt->nrequests * opt->nstrategies,
                             io_item,        io_label,
                             io_skipped,     io_dropped,
                             io_verdict,     &ph,
                             opt->on_record, opt->on_record_arg};
    st = cp_phase_run(&phase, comm);
    if (server != NULL)
        cp_server_stop(server, 1.0, &report->server);
    return st;
}

void cp_io_report_free(struct cp_io_report *report)
{
    for (int i = 0; i < report->nrecords; i++) {
        free(report->records[i].per_rank);
        report->records[i].per_rank = NULL;
    }
    report->nrecords = 0;
}
