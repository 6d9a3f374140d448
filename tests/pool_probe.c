/* pool_probe: the process pool (src/pool.c) for real, from a singleton, with what conpar's
 * strategies need on the merged communicator. The pool processes are this binary with the same
 * arguments, so each mode has a parent side and a pool side.
 *
 *   pool_probe check P [--dir D]    start a pool of P; allreduce, nodes, host names, affinity,
 *                                   a shared window, a Scatterv of 24 MB, the maxloc MPI_Op,
 *                                   MPI-IO (a .npy in D); stop; exit 0 (1 on a failed check)
 *   pool_probe idle P S [spin]      the parent computes S seconds alone while the pool waits in
 *                                   cp_comm_idle_barrier (spin: in MPI_Barrier, which polls);
 *                                   each pool process's CPU time from /proc/self/stat; exit 1
 *                                   when one used more than 10% of the wait
 *   pool_probe hold P WHERE         print "ready <parent> <orted> <pool pids>" and wait to be
 *                                   killed: the pool in a blocking MPI_Barrier (barrier), in
 *                                   cp_comm_idle_barrier (idle) or computing (compute);
 *                                   WHERE = start prints "starting <pid>" before the spawn
 *   pool_probe term P               loop on cp_stop_check until SIGTERM/SIGINT, stop, exit 143/130
 *   pool_probe abort P WHO          MPI_Abort(merged, 3) by the parent or a pool process (WHO
 *                                   parent or child) while the others wait
 *   pool_probe nostop P             the parent calls MPI_Finalize without cp_pool_stop
 *   pool_probe fail P [--exe E] [--timeout S]
 *                                   a start expected to fail: print the reason, show that MPI
 *                                   still works alone, exit 2
 *   pool_probe launched [P]         print cp_pool_launched(), the world size, and what a run
 *                                   would do with --processes P
 *   pool_probe time P               start and stop a pool; print start seconds and each
 *                                   process's memory (VmRSS, Pss, threads)
 */
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mpi.h>

#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/gen.h"
#include "conpar/npy.h"
#include "conpar/pool.h"

struct probe {
    const char *mode;
    int processes;
    const char *arg;  /* idle: seconds; hold: where */
    const char *arg2; /* idle: "spin" to wait in MPI_Barrier instead */
    const char *dir;
    const char *exe;
    double timeout;
    MPI_Comm comm; /* the merged communicator, or the singleton's */
    int rank, size;
    int failures; /* this rank's failed checks */
};

static void check(struct probe *p, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void check(struct probe *p, int ok, const char *fmt, ...)
{
    if (ok)
        return;
    p->failures++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pool_probe: rank %d: FAIL: ", p->rank);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Every rank's verdict on one subject: rank 0 prints "ok: <what>" when all passed. */
static int agree(struct probe *p, int before, const char *what)
{
    int mine = p->failures - before, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_SUM, p->comm);
    if (p->rank == 0 && all == 0)
        printf("ok: %s\n", what);
    fflush(stdout);
    return all == 0;
}

static double cpu_seconds_from_proc(void)
{
    FILE *f = fopen("/proc/self/stat", "r");
    if (f == NULL)
        return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long long utime = 0, stime = 0;
    /* after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime(14) stime(15) */
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- check ---- */

static void check_basics(struct probe *p)
{
    int before = p->failures;
    long sum = 0, mine = p->rank;
    int rc = MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, p->comm);
    check(p, rc == MPI_SUCCESS && sum == (long)p->size * (p->size - 1) / 2,
          "allreduce of ranks gave %ld (rc %d)", sum, rc);
    check(p, cp_pool_launched() == 0, "cp_pool_launched() says launched in a pool run");
    char line[64];
    snprintf(line, sizeof line, "allreduce over %d processes", p->size);
    agree(p, before, line);

    before = p->failures;
    MPI_Comm node = MPI_COMM_NULL;
    enum cp_status st = cp_comm_split_nodes(p->comm, 0, &node);
    check(p, st == CP_OK && cp_comm_size(node) == p->size,
          "cp_comm_split_nodes: node of %d, expected %d", st == CP_OK ? cp_comm_size(node) : -1,
          p->size);
    if (node != MPI_COMM_NULL)
        MPI_Comm_free(&node);
    agree(p, before, "cp_comm_split_nodes: one node holds every process");

    before = p->failures;
    char me[MPI_MAX_PROCESSOR_NAME] = "", *names = calloc((size_t)p->size, MPI_MAX_PROCESSOR_NAME);
    int len = 0;
    rc = MPI_Get_processor_name(me, &len);
    if (rc == MPI_SUCCESS && names != NULL)
        rc = MPI_Allgather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME,
                           MPI_CHAR, p->comm);
    for (int r = 0; rc == MPI_SUCCESS && names != NULL && r < p->size; r++)
        check(p, strcmp(names + (size_t)r * MPI_MAX_PROCESSOR_NAME, me) == 0,
              "rank %d runs on %s, not %s", r, names + (size_t)r * MPI_MAX_PROCESSOR_NAME, me);
    check(p, rc == MPI_SUCCESS && names != NULL, "host names not gathered (rc %d)", rc);
    free(names);
    agree(p, before, "MPI_Get_processor_name: the same host everywhere");

    /* bind_to none: every pool process keeps the parent's affinity mask */
    before = p->failures;
    cpu_set_t mask, parent;
    CPU_ZERO(&mask);
    sched_getaffinity(0, sizeof mask, &mask);
    parent = mask;
    MPI_Bcast(&parent, (int)sizeof parent, MPI_BYTE, 0, p->comm);
    check(p, CPU_EQUAL(&mask, &parent), "affinity mask of %d CPUs differs from the parent's %d",
          CPU_COUNT(&mask), CPU_COUNT(&parent));
    agree(p, before, "affinity: every process has the parent's mask");
}

/* The window strategy's layout: node rank 0 allocates the node's segment, every rank writes
 * its block through MPI_Win_shared_query's pointer, rank 0 reads every block in place, and
 * each rank reads its neighbour's. */
static void check_window(struct probe *p)
{
    int before = p->failures;
    const int64_t per = 1 << 17; /* 1 MiB of doubles per rank */
    MPI_Comm node = MPI_COMM_NULL;
    enum cp_status st = cp_comm_split_nodes(p->comm, 0, &node);
    double *mine = NULL, *segment = NULL;
    MPI_Win win = MPI_WIN_NULL;
    int rc = st == CP_OK ? MPI_SUCCESS : MPI_ERR_OTHER;
    int nrank = st == CP_OK ? cp_comm_rank(node) : 0, nsize = st == CP_OK ? cp_comm_size(node) : 1;
    MPI_Aint bytes = nrank == 0 ? (MPI_Aint)(per * nsize * (int64_t)sizeof(double)) : 0, seg = 0;
    int unit = 0;
    if (rc == MPI_SUCCESS)
        rc = MPI_Win_allocate_shared(bytes, (int)sizeof(double), MPI_INFO_NULL, node, &mine, &win);
    if (rc == MPI_SUCCESS)
        rc = MPI_Win_shared_query(win, 0, &seg, &unit, &segment);
    check(p, rc == MPI_SUCCESS && segment != NULL && seg == (MPI_Aint)(per * nsize * 8),
          "shared window: allocate/query rc %d, segment %p of %ld bytes", rc, (void *)segment,
          (long)seg);
    if (rc == MPI_SUCCESS && segment != NULL) {
        MPI_Win_fence(0, win);
        for (int64_t i = 0; i < per; i++)
            segment[nrank * per + i] = (double)nrank * 1e7 + (double)i;
        MPI_Win_fence(0, win);
        int next = (nrank + 1) % nsize;
        int64_t bad = 0;
        for (int64_t i = 0; i < per; i++)
            bad += segment[next * per + i] != (double)next * 1e7 + (double)i;
        check(p, bad == 0, "shared window: %" PRId64 " of rank %d's values read wrong", bad, next);
        for (int r = 0; nrank == 0 && r < nsize; r++)
            for (int64_t i = 0; i < per; i++)
                if (segment[r * per + i] != (double)r * 1e7 + (double)i) {
                    check(p, 0, "shared window: rank %d's block wrong at %" PRId64, r, i);
                    break;
                }
    }
    if (win != MPI_WIN_NULL)
        MPI_Win_free(&win);
    if (node != MPI_COMM_NULL)
        MPI_Comm_free(&node);
    char line[96];
    snprintf(line, sizeof line, "shared window: %d processes wrote one segment, each read in place",
             nsize);
    agree(p, before, line);
}

/* The scatter strategy's copy: rank 0's array in blocks to every rank. */
static void check_scatter(struct probe *p)
{
    int before = p->failures;
    const int64_t n = 3000017; /* 24 MB of doubles, uneven blocks */
    double *all = NULL, *mine = NULL;
    int *counts = calloc((size_t)p->size, sizeof *counts);
    int *displs = calloc((size_t)p->size, sizeof *displs);
    struct cp_block b = cp_block_of(n, p->size, p->rank);
    mine = malloc((size_t)(b.count > 0 ? b.count : 1) * sizeof *mine);
    if (p->rank == 0) {
        all = malloc((size_t)n * sizeof *all);
        for (int64_t i = 0; all != NULL && i < n; i++)
            all[i] = cp_gen_value(42, i);
    }
    for (int r = 0; r < p->size && counts != NULL && displs != NULL; r++) {
        struct cp_block rb = cp_block_of(n, p->size, r);
        counts[r] = (int)rb.count;
        displs[r] = (int)rb.start;
    }
    int ok = counts != NULL && displs != NULL && mine != NULL && (p->rank != 0 || all != NULL);
    check(p, ok, "scatter: out of memory");
    int all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, p->comm);
    if (all_ok) {
        double t0 = MPI_Wtime();
        int rc = MPI_Scatterv(all, counts, displs, MPI_DOUBLE, mine, (int)b.count, MPI_DOUBLE, 0,
                              p->comm);
        double t = MPI_Wtime() - t0;
        check(p, rc == MPI_SUCCESS, "MPI_Scatterv rc %d", rc);
        int64_t bad = 0;
        for (int64_t i = 0; rc == MPI_SUCCESS && i < b.count; i++)
            bad += mine[i] != cp_gen_value(42, b.start + i);
        check(p, bad == 0, "scatter: %" PRId64 " of %" PRId64 " values wrong", bad, b.count);
        if (p->rank == 0)
            printf("scatter: %.1f MB to %d processes in %.3f s\n", (double)(n - b.count) * 8 / 1e6,
                   p->size - 1, t);
    }
    free(all);
    free(mine);
    free(counts);
    free(displs);
    agree(p, before, "MPI_Scatterv of 24 MB in uneven blocks");
}

/* The combine rule's MPI_Op (src/cpu/reduce.c): odd ranks hold 5.0, even ranks 3.0, at index
 * 1000 - rank, one NaN counted per rank: the answer is 5.0 at the largest odd rank's index. */
static void check_maxloc(struct probe *p)
{
    int before = p->failures;
    struct cp_maxloc r = {p->rank % 2 ? 5.0 : 3.0, 1000 - p->rank, 1, 0};
    enum cp_status st = cp_maxloc_reduce(&r, p->comm);
    check(p, st == CP_OK, "cp_maxloc_reduce: %s", cp_error_message());
    if (p->rank == 0) {
        int top_odd = p->size % 2 == 0 ? p->size - 1 : p->size - 2;
        struct cp_maxloc want = {p->size > 1 ? 5.0 : 3.0, p->size > 1 ? 1000 - top_odd : 1000,
                                 p->size, 0};
        check(p, cp_maxloc_equal(r, want),
              "maxloc: got %g at %" PRId64 " (nan_count %" PRId64 "), want %g at %" PRId64
              " (%" PRId64 ")",
              r.value, r.index, r.nan_count, want.value, want.index, want.nan_count);
    }
    agree(p, before, "cp_maxloc_reduce: the user-defined MPI_Op across the pool");
}

/* MPI-IO on the merged communicator: conpar's .npy writer, then each rank reads its block. */
static void check_mpiio(struct probe *p)
{
    int before = p->failures;
    char path[4096];
    snprintf(path, sizeof path, "%s/pool_probe.%d.npy", p->dir, p->size);
    const int64_t n = 100003;
    enum cp_status st = cp_npy_write_generated(path, p->comm, n, 7, 8, 1);
    check(p, st == CP_OK, "cp_npy_write_generated: %s", cp_error_message());
    struct cp_npy h;
    if (st == CP_OK)
        st = cp_npy_open(path, p->comm, &h);
    struct cp_block b = cp_block_of(n, p->size, p->rank);
    double *mine = malloc((size_t)(b.count > 0 ? b.count : 1) * sizeof *mine);
    if (st == CP_OK && mine != NULL)
        st = cp_npy_read(&h, p->comm, b.start, b.count, 1, mine);
    check(p, st == CP_OK && mine != NULL, "cp_npy_open/read: %s", cp_error_message());
    int64_t bad = 0;
    for (int64_t i = 0; st == CP_OK && mine != NULL && i < b.count; i++)
        bad += mine[i] != cp_gen_value(7, b.start + i);
    check(p, bad == 0, "MPI-IO: %" PRId64 " values read wrong", bad);
    free(mine);
    MPI_Barrier(p->comm);
    if (p->rank == 0)
        remove(path);
    agree(p, before, "MPI-IO: a .npy written and read collectively");
}

static int mode_check(struct probe *p)
{
    check_basics(p);
    check_window(p);
    check_scatter(p);
    check_maxloc(p);
    check_mpiio(p);
    int all = 0;
    MPI_Allreduce(&p->failures, &all, 1, MPI_INT, MPI_SUM, p->comm);
    return all == 0 ? 0 : 1;
}

/* ---- idle, hold, term ---- */

static double busy(double seconds)
{
    double t0 = MPI_Wtime(), x = 0;
    while (MPI_Wtime() - t0 < seconds)
        for (int i = 0; i < 100000; i++)
            x += sqrt((double)i);
    return x;
}

static int mode_idle(struct probe *p)
{
    double seconds = atof(p->arg);
    MPI_Barrier(p->comm);
    double cpu0 = cpu_seconds_from_proc(), t0 = MPI_Wtime();
    if (p->rank == 0)
        printf("parent computes %.1f s alone (%.3g)\n", seconds, busy(seconds));
    enum cp_status st = CP_OK;
    if (p->arg2 != NULL && strcmp(p->arg2, "spin") == 0)
        st = MPI_Barrier(p->comm) == MPI_SUCCESS ? CP_OK : CP_ERR_MPI;
    else
        st = cp_comm_idle_barrier(p->comm);
    double mine[2] = {MPI_Wtime() - t0, cpu_seconds_from_proc() - cpu0};
    double *all = p->rank == 0 ? malloc((size_t)p->size * sizeof mine) : NULL;
    MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, p->comm);
    int bad = st != CP_OK;
    for (int r = 1; p->rank == 0 && all != NULL && r < p->size; r++) {
        double wall = all[2 * r], cpu = all[2 * r + 1];
        printf("rank %d waited %.2f s using %.3f s of CPU (%.1f%%)\n", r, wall, cpu,
               100 * cpu / wall);
        bad += cpu > 0.10 * wall || cpu < 0;
    }
    free(all);
    MPI_Bcast(&bad, 1, MPI_INT, 0, p->comm);
    if (p->rank == 0)
        printf(bad ? "FAIL: a pool process used CPU while waiting\n"
                   : "ok: the pool waits without spinning\n");
    return bad ? 1 : 0;
}

static int mode_hold(struct probe *p, const struct cp_pool *pool)
{
    if (p->rank == 0) {
        printf("ready %d", (int)getpid());
        unsigned long long *ids = malloc((size_t)p->size * sizeof *ids);
        unsigned long long me = (unsigned long long)getpid();
        MPI_Gather(&me, 1, MPI_UNSIGNED_LONG_LONG, ids, 1, MPI_UNSIGNED_LONG_LONG, 0, p->comm);
        for (int r = 1; ids != NULL && r < p->size; r++)
            printf(" %llu", ids[r]);
        printf("\n");
        fflush(stdout);
        free(ids);
        (void)pool;
        for (;;)
            pause(); /* until killed */
    }
    unsigned long long me = (unsigned long long)getpid();
    MPI_Gather(&me, 1, MPI_UNSIGNED_LONG_LONG, NULL, 1, MPI_UNSIGNED_LONG_LONG, 0, p->comm);
    if (strcmp(p->arg, "barrier") == 0)
        MPI_Barrier(p->comm);
    else if (strcmp(p->arg, "compute") == 0)
        busy(1e9);
    else
        cp_comm_idle_barrier(p->comm);
    return 0;
}

static int mode_term(struct probe *p)
{
    if (p->rank == 0) {
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
    }
    enum cp_status st = CP_OK;
    while (st == CP_OK) {
        struct timespec pause = {0, 50000000};
        nanosleep(&pause, NULL);
        st = cp_stop_check(p->comm);
    }
    if (p->rank == 0)
        printf("%s: %s\n", st == CP_ERR_INTERRUPTED ? "stopped" : "FAIL", cp_error_message());
    return st == CP_ERR_INTERRUPTED ? 128 + cp_stop_signal() : 1;
}

/* MPI_Abort on the merged communicator (cp_comm_agree's way out) from the parent or from
 * the last pool process, the others waiting in cp_comm_idle_barrier. */
static int mode_abort(struct probe *p)
{
    int who = strcmp(p->arg, "parent") == 0 ? 0 : p->size - 1;
    if (p->rank == 0) {
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
    }
    if (p->rank == who) {
        sleep(1);
        MPI_Abort(p->comm, 3);
    }
    cp_comm_idle_barrier(p->comm);
    return 1;
}

/* The parent finalises without cp_pool_stop while the pool waits in cp_comm_idle_barrier: a
 * run that forgets to stop its pool must still end, with nothing left. */
static int mode_nostop(struct probe *p, MPI_Comm *own)
{
    if (p->rank == 0) {
        printf("finalizing without cp_pool_stop\n");
        fflush(stdout);
        curl_global_cleanup();
        cp_comm_finalize(own);
        exit(0);
    }
    cp_comm_idle_barrier(p->comm);
    return 1;
}

/* ---- memory and start time ---- */

/* VmRSS, Pss, private (Private_Clean + Private_Dirty) kB and threads of process `pid`. */
static void memory(int pid, long out[4])
{
    char line[256], path[64];
    long clean = 0, dirty = 0;
    out[0] = out[1] = out[2] = out[3] = 0;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        sscanf(line, "VmRSS: %ld", &out[0]);
        sscanf(line, "Threads: %ld", &out[3]);
    }
    if (f != NULL)
        fclose(f);
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        sscanf(line, "Pss: %ld", &out[1]);
        sscanf(line, "Private_Clean: %ld", &clean);
        sscanf(line, "Private_Dirty: %ld", &dirty);
    }
    if (f != NULL)
        fclose(f);
    out[2] = clean + dirty;
}

/* The orted a singleton forked at MPI_Init: a child of the main thread named orted. */
static int find_orted(void)
{
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
    FILE *f = fopen(path, "r");
    int pid = 0, found = 0;
    while (f != NULL && !found && fscanf(f, "%d", &pid) == 1) {
        snprintf(path, sizeof path, "/proc/%d/comm", pid);
        FILE *c = fopen(path, "r");
        found = c != NULL && fgets(comm, sizeof comm, c) != NULL && strcmp(comm, "orted\n") == 0;
        if (c != NULL)
            fclose(c);
    }
    if (f != NULL)
        fclose(f);
    return found ? pid : 0;
}

static int mode_time(struct probe *p, const struct cp_pool *pool)
{
    long mine[4];
    memory((int)getpid(), mine);
    long *all = p->rank == 0 ? malloc((size_t)p->size * sizeof mine) : NULL;
    MPI_Gather(mine, 4, MPI_LONG, all, 4, MPI_LONG, 0, p->comm);
    if (p->rank == 0 && all != NULL) {
        printf("start_seconds %.4f processes %d\n", pool->start_seconds, pool->processes);
        for (int r = 0; r < p->size; r++)
            printf("rank %d rss_kb %ld pss_kb %ld private_kb %ld threads %ld\n", r, all[4 * r],
                   all[4 * r + 1], all[4 * r + 2], all[4 * r + 3]);
        int orted = find_orted();
        if (orted > 0) {
            memory(orted, mine);
            printf("orted rss_kb %ld pss_kb %ld private_kb %ld threads %ld\n", mine[0], mine[1],
                   mine[2], mine[3]);
        }
    }
    free(all);
    return 0;
}

/* ---- launched ---- */

static int mode_launched(struct probe *p)
{
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    int launched = cp_pool_launched();
    printf("rank %d: launched %d world %d default_processes %d\n", p->rank, launched, world,
           cp_pool_default_processes());
    if (launched && p->processes > 0 && p->rank == 0)
        printf("conpar: --processes %d: a launcher started this run: it uses the %d ranks "
               "started (no --processes under mpirun or srun)\n",
               p->processes, world);
    return 0;
}

static int parse(int argc, char **argv, struct probe *p)
{
    memset(p, 0, sizeof *p);
    p->dir = "/tmp";
    if (argc < 2)
        return -1;
    p->mode = argv[1];
    int i = 2;
    if (i < argc && argv[i][0] != '-')
        p->processes = atoi(argv[i++]);
    if (i < argc && argv[i][0] != '-')
        p->arg = argv[i++];
    if (i < argc && argv[i][0] != '-')
        p->arg2 = argv[i++];
    for (; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0)
            p->dir = argv[i + 1];
        else if (strcmp(argv[i], "--exe") == 0)
            p->exe = argv[i + 1];
        else if (strcmp(argv[i], "--timeout") == 0)
            p->timeout = atof(argv[i + 1]);
        else
            return -1;
    }
    if ((strcmp(p->mode, "idle") == 0 || strcmp(p->mode, "hold") == 0 ||
         strcmp(p->mode, "abort") == 0) &&
        p->arg == NULL)
        return -1;
    return i == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct probe p;
    if (parse(argc, argv, &p) != 0) {
        fprintf(stderr, "usage: pool_probe check|idle|hold|term|fail|launched|time P [ARG...] "
                        "[--dir D] [--exe E] [--timeout S]\n");
        return 2;
    }
    MPI_Comm own = MPI_COMM_NULL;
    enum cp_status st = cp_comm_init(&argc, &argv, &own);
    if (st != CP_OK) {
        fprintf(stderr, "pool_probe: %s\n", cp_error_message());
        return 1;
    }
    if (strcmp(p.mode, "launched") == 0) {
        p.comm = own;
        p.rank = cp_comm_rank(own);
        int code = mode_launched(&p);
        cp_comm_finalize(&own);
        return code;
    }
    /* as conpar's main does: a pool process loads and initialises what conpar's would */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "pool_probe: libcurl cannot initialise\n");
        cp_comm_finalize(&own);
        return 1;
    }
    cp_stop_install();
    if (strcmp(p.mode, "hold") == 0 && strcmp(p.arg, "start") == 0 && !cp_pool_is_child()) {
        printf("starting %d\n", (int)getpid());
        fflush(stdout);
    }
    struct cp_pool pool;
    if (cp_pool_is_child())
        st = cp_pool_join(&pool);
    else
        st = cp_pool_start(p.processes, p.exe, argv + 1, own, p.timeout, &pool);
    if (strcmp(p.mode, "fail") == 0 || st != CP_OK) {
        /* the failure is one line, and the singleton's MPI still works alone */
        int code = st == CP_OK ? 1 : cp_status_exit_code(st);
        if (st != CP_OK)
            fprintf(stderr, "conpar: %s\n", cp_error_message());
        else
            fprintf(stderr, "pool_probe: FAIL: the pool started\n");
        p.comm = own;
        p.rank = 0;
        p.size = 1;
        check_window(&p);
        check_maxloc(&p);
        if (p.failures > 0)
            code = 1;
        cp_pool_stop(&pool);
        curl_global_cleanup();
        cp_comm_finalize(&own);
        return code;
    }
    p.comm = pool.comm != MPI_COMM_NULL ? pool.comm : own;
    p.rank = cp_comm_rank(p.comm);
    p.size = cp_comm_size(p.comm);
    if (p.rank == 0 && strcmp(p.mode, "time") != 0)
        printf("pool: spawned %d processes %d start_seconds %.3f\n", pool.spawned, pool.processes,
               pool.start_seconds);
    int code = 2;
    if (strcmp(p.mode, "check") == 0)
        code = mode_check(&p);
    else if (strcmp(p.mode, "idle") == 0)
        code = mode_idle(&p);
    else if (strcmp(p.mode, "hold") == 0)
        code = mode_hold(&p, &pool);
    else if (strcmp(p.mode, "term") == 0)
        code = mode_term(&p);
    else if (strcmp(p.mode, "time") == 0)
        code = mode_time(&p, &pool);
    else if (strcmp(p.mode, "abort") == 0)
        code = mode_abort(&p);
    else if (strcmp(p.mode, "nostop") == 0)
        code = mode_nostop(&p, &own);
    int child = pool.child;
    st = cp_pool_stop(&pool);
    if (st != CP_OK) {
        fprintf(stderr, "pool_probe: rank %d: %s\n", p.rank, cp_error_message());
        code = 1;
    }
    curl_global_cleanup();
    cp_comm_finalize(&own);
    /* the parent reports for the pool; a pool process ending non-zero makes the orted print
     * "Child job 2 terminated normally, but 1 process returned a non-zero exit code" */
    return child && st == CP_OK ? 0 : code;
}
