/* conpar doctor: the checks, each with ok / warn / fail and a remedy. */
#include "conpar/doctor.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <time.h>

#include "conpar/array.h"
#include "conpar/comm.h"
#include "conpar/placement.h"
#include "conpar/server.h"

enum verdict { OK, WARN, FAIL };

static int failures;

static void report(enum verdict v, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line: "ok    check: detail". Rank 0 only calls it. */
static void report(enum verdict v, const char *check, const char *fmt, ...)
{
    static const char *const words[] = {"ok  ", "warn", "FAIL"};
    char detail[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s  %-12s %s\n", words[v], check, detail);
    failures += v == FAIL;
}

/* MPI: a non-blocking barrier that must complete within 10 s. */
static enum cp_status check_mpi(MPI_Comm comm)
{
    MPI_Request req;
    int done = 0;
    double t0 = MPI_Wtime();
    CP_MPI_CHECK(MPI_Ibarrier(comm, &req));
    while (!done && MPI_Wtime() - t0 < 10.0) {
        CP_MPI_CHECK(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
        if (!done) {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
    if (cp_comm_rank(comm) == 0) {
        if (done)
            report(OK, "mpi", "%d rank%s answered a barrier in %.3f s", cp_comm_size(comm),
                   cp_comm_size(comm) == 1 ? "" : "s", MPI_Wtime() - t0);
        else
            report(FAIL, "mpi",
                   "a barrier did not finish in 10 s: the ranks cannot reach each other; try "
                   "OMPI_MCA_btl_tcp_if_include=<the hosts' network>, or check the firewall");
    }
    if (!done) {
        fflush(stdout);
        MPI_Abort(comm, 1); /* nothing collective can follow */
    }
    return CP_OK;
}

/* What every rank reports about its host. */
struct host_facts {
    char host[64];
    int node_rank;
    int64_t shm_free;  /* bytes free in Open MPI's shared-memory directory, -1 unknown */
    int64_t mem_avail; /* MemAvailable, -1 unknown */
    long files_soft, files_hard;
};

static void gather_facts(struct host_facts *me, int node_rank)
{
    memset(me, 0, sizeof *me);
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_Get_processor_name(name, &len);
    snprintf(me->host, sizeof me->host, "%.63s", name);
    me->node_rank = node_rank;
    struct statvfs fs;
    me->shm_free =
        statvfs(cp_shm_directory(), &fs) == 0 ? (int64_t)fs.f_bavail * (int64_t)fs.f_frsize : -1;
    me->mem_avail = cp_mem_available();
    me->files_soft = cp_raise_open_files();
    struct rlimit rl;
    me->files_hard = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (long)rl.rlim_max : -1;
}

static void print_host(const struct cp_options *opt, const struct host_facts *f, int ranks_here)
{
    char a[32], b[32];
    int64_t part = opt->cpu.size * (int64_t)sizeof(double);
    if (f->shm_free < 0)
        report(WARN, "shm",
               "%s: /dev/shm is missing: the window strategy uses Open MPI's "
               "session directory instead",
               f->host);
    else
        report(f->shm_free >= part ? OK : WARN, "shm", "%s: %s free for shared-memory windows%s",
               f->host, cp_format_bytes((double)f->shm_free, a, sizeof a),
               f->shm_free >= part ? ""
                                   : "; less than --size needs there (docker run --shm-size, "
                                     "mount -o remount,size=), or use -c distributed");
    if (f->mem_avail >= 0)
        report(f->mem_avail >= part ? OK : WARN, "memory",
               "%s: %s available, --size %" PRId64 " needs %s on rank 0's host%s", f->host,
               cp_format_bytes((double)f->mem_avail, a, sizeof a), opt->cpu.size,
               cp_format_bytes((double)part, b, sizeof b),
               f->mem_avail >= part ? "" : ": choose a smaller --size or -c distributed");
    report(f->files_soft >= 4096 ? OK : WARN, "open files",
           "%s: %ld open files allowed (hard limit %ld, %d rank%s here)%s", f->host, f->files_soft,
           f->files_hard, ranks_here, ranks_here == 1 ? "" : "s",
           f->files_soft >= 4096 ? ""
                                 : ": the IO phase caps its concurrency there; raise "
                                   "`ulimit -Hn` (limits.conf, or LimitNOFILE= under systemd)");
}

static enum cp_status check_hosts(const struct cp_options *opt, MPI_Comm comm)
{
    MPI_Comm node;
    enum cp_status st = cp_comm_split_nodes(comm, 0, &node);
    if (st != CP_OK)
        return st;
    struct host_facts me;
    gather_facts(&me, cp_comm_rank(node));
    MPI_Comm_free(&node);
    int size = cp_comm_size(comm), rank = cp_comm_rank(comm);
    struct host_facts *all = rank == 0 ? calloc((size_t)size, sizeof *all) : NULL;
    st = cp_comm_agree(comm,
                       rank == 0 && all == NULL ? CP_FAIL(CP_ERR_NOMEM, "out of memory") : CP_OK);
    if (st != CP_OK)
        return st;
    CP_MPI_CHECK(MPI_Gather(&me, (int)sizeof me, MPI_BYTE, all, (int)sizeof me, MPI_BYTE, 0, comm));
    for (int r = 0; rank == 0 && r < size; r++) {
        if (all[r].node_rank != 0)
            continue;
        int here = 0;
        for (int q = 0; q < size; q++)
            here += strcmp(all[q].host, all[r].host) == 0;
        print_host(opt, &all[r], here);
    }
    free(all);
    return CP_OK;
}

static size_t keep(char *data, size_t size, size_t n, void *arg)
{
    char *body = arg;
    size_t have = strlen(body), add = size * n;
    if (have + 1 < 256)
        snprintf(body + have, 256 - have, "%.*s", (int)add, data);
    return add;
}

/* One GET to `url`: status and body as the IO phase expects them. */
static void check_url(const struct cp_options *opt, const char *url, const char *what)
{
    CURL *easy = curl_easy_init();
    char body[256] = "";
    long code = 0;
    double t0 = MPI_Wtime();
    CURLcode rc = easy ? CURLE_OK : CURLE_FAILED_INIT;
    if (easy != NULL) {
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
        rc = curl_easy_perform(easy);
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(easy);
    }
    double t = MPI_Wtime() - t0;
    if (rc != CURLE_OK)
        report(FAIL, "server", "%s %s: %s; is it running and reachable from here?", what, url,
               curl_easy_strerror(rc));
    else if (code != opt->io.expect_status || strcmp(body, opt->io.expect_body) != 0)
        report(FAIL, "server",
               "%s %s answered %ld \"%.40s\" where %d \"%s\" is expected "
               "(--expect-status, --expect-body)",
               what, url, code, body, opt->io.expect_status, opt->io.expect_body);
    else
        report(OK, "server", "%s %s answered %ld \"%s\" in %.3f s", what, url, code, body, t);
}

static void check_server(const struct cp_options *opt)
{
    if (opt->io.url != NULL) {
        check_url(opt, opt->io.url, "--url");
        return;
    }
    struct cp_server_options so = opt->io.server;
    so.delay = 0;
    struct cp_server *server;
    const char *url;
    if (cp_server_start(&so, &server, &url) != CP_OK) {
        report(FAIL, "server", "the embedded server cannot start: %s", cp_error_message());
        return;
    }
    check_url(opt, url, "embedded server");
    cp_server_stop(server, 1.0, NULL);
}

int cp_doctor_run(const struct cp_options *opt, MPI_Comm comm)
{
    int rank = cp_comm_rank(comm);
    failures = 0;
    if (rank == 0)
        printf("conpar doctor: can a run work here?\n");
    enum cp_status st = check_mpi(comm);
    struct cp_placement pl;
    if (st == CP_OK)
        st = cp_comm_agree(comm, cp_placement_capture(comm, opt->cpu.threads, &pl));
    if (st == CP_OK && rank == 0) {
        report(OK, "threads", "%d per rank on rank 0 (from %s), CPUs %s", pl.threads,
               pl.threads_from, pl.me.mask);
        for (int w = 0; w < pl.nwarnings; w++)
            report(WARN, "placement", "%s", pl.warnings[w]);
    }
    if (st == CP_OK)
        cp_placement_free(&pl);
    if (st == CP_OK)
        st = check_hosts(opt, comm);
    if (st == CP_OK && rank == 0)
        check_server(opt);
    if (st != CP_OK && rank == 0)
        report(FAIL, "doctor", "%s", cp_error_message());
    int failed = failures > 0 || st != CP_OK;
    MPI_Bcast(&failed, 1, MPI_INT, 0, comm);
    if (rank == 0)
        printf("conpar doctor: %s\n", failed ? "something failed (see FAIL)" : "all set");
    return failed ? 1 : 0;
}
