/* The process pool: spawn, merge, watch, stop (see include/conpar/pool.h). */
#include "conpar/pool.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conpar/comm.h"

/* Threads of a pool process once MPI_Init returns: main, Open MPI's progress thread, PMIx's. */
#define THREADS_PER_PROCESS 3

/* How long a started pool may take to stop once every process reached cp_pool_stop. */
#define STOP_SECONDS 30.0

/* ---- processes, as /proc shows them ---- */

/* One process: its pid and its start time (field 22 of /proc/<pid>/stat, clock ticks since
 * boot), so a pid the kernel reused for another process is never taken for it. */
struct proc_id {
    pid_t pid;
    unsigned long long start;
};

/* Read /proc/<pid>/stat: *start, the command name and (when not NULL) *reaped, the minor
 * page faults of the children it has waited for (cminflt: every process that ran adds some);
 * 0 when the process is gone or a zombie, 1 when it runs. */
static int proc_stat(pid_t pid, unsigned long long *start, char *comm, size_t comm_size,
                     unsigned long long *reaped)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields start
     * after the last ')' */
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (open == NULL || close == NULL || close < open || close[1] != ' ')
        return 0;
    if (comm != NULL)
        snprintf(comm, comm_size, "%.*s", (int)(close - open - 1), open + 1);
    char state = close[2];
    if (state == 'Z' || state == 'X')
        return 0;
    /* the state is field 3, cminflt field 11, starttime field 22 */
    char *p = close + 2;
    for (int field = 3; field < 22 && p != NULL; field++) {
        if (field == 11 && reaped != NULL && sscanf(p, "%llu", reaped) != 1)
            return 0;
        p = strchr(p, ' ');
        p = p != NULL ? p + 1 : NULL;
    }
    if (p == NULL || sscanf(p, "%llu", start) != 1)
        return 0;
    return 1;
}

static int proc_read(pid_t pid, unsigned long long *start, char *comm, size_t comm_size)
{
    return proc_stat(pid, start, comm, comm_size, NULL);
}

static int proc_alive(const struct proc_id *p)
{
    unsigned long long start = 0;
    return p->pid > 0 && proc_read(p->pid, &start, NULL, 0) && start == p->start;
}

/* The children of `pid` (every thread's), at most max of them, into out; the count. */
static int proc_children(pid_t pid, pid_t *out, int max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL)
        return 0;
    int n = 0;
    struct dirent *t;
    while (n < max && (t = readdir(tasks)) != NULL) {
        if (t->d_name[0] < '0' || t->d_name[0] > '9')
            continue;
        char file[PATH_MAX];
        snprintf(file, sizeof file, "%s/%s/children", path, t->d_name);
        FILE *f = fopen(file, "r");
        if (f == NULL)
            continue;
        int child;
        while (n < max && fscanf(f, "%d", &child) == 1)
            out[n++] = (pid_t)child;
        fclose(f);
    }
    closedir(tasks);
    return n;
}

/* The orted a singleton's MPI_Init forked (a child of this process named "orted"), or pid 0. */
static struct proc_id find_orted(void)
{
    pid_t kids[64];
    int n = proc_children(getpid(), kids, 64);
    for (int i = 0; i < n; i++) {
        struct proc_id p = {kids[i], 0};
        char comm[64] = "";
        if (proc_read(p.pid, &p.start, comm, sizeof comm) && strcmp(comm, "orted") == 0)
            return p;
    }
    return (struct proc_id){0, 0};
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- the parent's watch over its pool ---- */

enum watch_phase {
    WATCH_OFF,   /* no thread */
    WATCH_START, /* MPI_Comm_spawn .. first barrier: the orted's children, and a deadline */
    WATCH_RUN,   /* the pool's processes (pidfds) and the orted (/proc, each second) */
    WATCH_STOP,  /* every process reached cp_pool_stop: a deadline only */
    WATCH_END    /* the thread is to return */
};

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    int wake[2]; /* the main thread writes a byte when the phase changes */
    enum watch_phase phase;
    double deadline; /* START and STOP: CLOCK_MONOTONIC seconds */
    double timeout;  /* START: the limit, for the message */
    int expected;    /* pool processes being started */
    struct proc_id orted;
    unsigned long long reaped; /* START: the orted's cminflt before the spawn */
    int nprocs;                /* the thread's own: the processes it watches */
    struct proc_id procs[CP_POOL_MAX_PROCESSES];
    int ranks[CP_POOL_MAX_PROCESSES]; /* RUN: rank of procs[i] in the merged communicator */
    int ngiven;                       /* RUN: the pool's processes as they reported (rank r at
                                         given[r - 1]), handed over under the lock */
    struct proc_id given[CP_POOL_MAX_PROCESSES];
    int kill_at_end; /* END: kill the pool processes seen (a start given up on) */
} watch = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = {-1, -1}};

/* Kill what this process started and end it: the one way out of a wait MPI cannot end. */
__attribute__((format(printf, 2, 3), noreturn)) static void watch_fatal(int code, const char *fmt,
                                                                        ...)
{
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    dprintf(STDERR_FILENO, "conpar: process pool: %s\n", line);
    for (int i = 0; i < watch.nprocs; i++)
        if (proc_alive(&watch.procs[i]))
            kill(watch.procs[i].pid, SIGKILL);
    if (watch.orted.pid > 0) {
        /* pool processes it started that were not seen yet */
        pid_t kids[CP_POOL_MAX_PROCESSES];
        int n = proc_children(watch.orted.pid, kids, CP_POOL_MAX_PROCESSES);
        for (int i = 0; i < n; i++)
            kill(kids[i], SIGKILL);
        if (proc_alive(&watch.orted))
            kill(watch.orted.pid, SIGKILL);
    }
    _exit(code);
}

/* START: take in the orted's new children; any of them gone means a pool process ended
 * before joining, which MPI_Comm_spawn never reports. One that ends between two looks (a
 * binary that cannot load its libraries ends within a millisecond) still shows: the orted
 * reaped it, and its page faults joined the orted's cminflt. */
static void watch_start_check(double deadline, double timeout)
{
    unsigned long long start = 0, reaped = 0;
    if (watch.orted.pid > 0 && proc_stat(watch.orted.pid, &start, NULL, 0, &reaped) &&
        start == watch.orted.start && reaped != watch.reaped)
        watch_fatal(cp_status_exit_code(CP_ERR_UNAVAILABLE),
                    "a pool process ended before joining (%d of %d seen started); Open MPI's "
                    "messages above may say why (a process limit, ulimit -u?); run with "
                    "--processes 1 or under mpirun",
                    watch.nprocs, watch.expected);
    if (watch.orted.pid > 0) {
        pid_t kids[CP_POOL_MAX_PROCESSES];
        int n = proc_children(watch.orted.pid, kids, CP_POOL_MAX_PROCESSES);
        for (int i = 0; i < n; i++) {
            int known = 0;
            for (int k = 0; k < watch.nprocs && !known; k++)
                known = watch.procs[k].pid == kids[i];
            struct proc_id p = {kids[i], 0};
            if (!known && watch.nprocs < CP_POOL_MAX_PROCESSES &&
                proc_read(p.pid, &p.start, NULL, 0))
                watch.procs[watch.nprocs++] = p;
        }
        for (int k = 0; k < watch.nprocs; k++)
            if (!proc_alive(&watch.procs[k]))
                watch_fatal(cp_status_exit_code(CP_ERR_UNAVAILABLE),
                            "a pool process (pid %d) ended before joining (%d of %d seen "
                            "started); Open MPI's messages above may say why (a process limit, "
                            "ulimit -u?); run with --processes 1 or under mpirun",
                            (int)watch.procs[k].pid, watch.nprocs, watch.expected);
        if (!proc_alive(&watch.orted))
            watch_fatal(cp_status_exit_code(CP_ERR_UNAVAILABLE),
                        "Open MPI's orted (pid %d) ended while the pool started",
                        (int)watch.orted.pid);
    }
    if (now() > deadline)
        watch_fatal(cp_status_exit_code(CP_ERR_UNAVAILABLE),
                    "%d pool processes did not join within %.0f s (%d seen started); "
                    "MPI_Comm_spawn cannot be interrupted, so conpar ends; run with "
                    "--processes 1 or under mpirun",
                    watch.expected, timeout, watch.nprocs);
}

/* RUN: one pool process or the orted ended: every collective would wait for it forever. */
static void watch_run_check(const int *fds)
{
    for (int k = 0; k < watch.nprocs; k++)
        if ((fds[k] >= 0 && poll(&(struct pollfd){fds[k], POLLIN, 0}, 1, 0) > 0) ||
            !proc_alive(&watch.procs[k]))
            watch_fatal(cp_status_exit_code(CP_ERR_MPI),
                        "pool process rank %d (pid %d) ended during the run; the others are "
                        "stopped, the results so far are lost",
                        watch.ranks[k], (int)watch.procs[k].pid);
    if (watch.orted.pid > 0 && !proc_alive(&watch.orted))
        watch_fatal(cp_status_exit_code(CP_ERR_MPI),
                    "Open MPI's orted (pid %d), which runs the pool, ended during the run",
                    (int)watch.orted.pid);
}

static void *watch_main(void *arg)
{
    (void)arg;
    /* signals stay with the main thread (cp_stop_install's handler) */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    int fds[CP_POOL_MAX_PROCESSES]; /* RUN: pidfds of procs[] (-1 where pidfd_open failed) */
    int nfds = 0, pidfds_ok = 1;
    for (;;) {
        pthread_mutex_lock(&watch.lock);
        enum watch_phase phase = watch.phase;
        double deadline = watch.deadline, timeout = watch.timeout;
        int kill_at_end = watch.kill_at_end;
        pthread_mutex_unlock(&watch.lock);
        if (phase == WATCH_END) {
            for (int k = 0; kill_at_end && k < watch.nprocs; k++)
                if (proc_alive(&watch.procs[k]))
                    kill(watch.procs[k].pid, SIGKILL);
            break;
        }
        if (phase == WATCH_RUN && nfds == 0) {
            pthread_mutex_lock(&watch.lock);
            watch.nprocs = watch.ngiven;
            for (int k = 0; k < watch.ngiven; k++) {
                watch.procs[k] = watch.given[k];
                watch.ranks[k] = k + 1;
            }
            pthread_mutex_unlock(&watch.lock);
            /* a pidfd names the process itself; the start time checked after opening it
             * proves it is the pool's and not a reused pid */
            for (int k = 0; k < watch.nprocs; k++) {
                fds[k] = pidfd_open(watch.procs[k].pid, 0);
                pidfds_ok &= fds[k] >= 0;
            }
            nfds = watch.nprocs;
            watch_run_check(fds);
        }
        struct pollfd p[CP_POOL_MAX_PROCESSES + 1];
        p[0] = (struct pollfd){watch.wake[0], POLLIN, 0};
        int n = 1, wait_ms = 100;
        if (phase == WATCH_START) {
            wait_ms = 20; /* a process that fails in MPI_Init lives some 50 ms */
        } else if (phase == WATCH_RUN) {
            for (int k = 0; k < nfds; k++)
                if (fds[k] >= 0)
                    p[n++] = (struct pollfd){fds[k], POLLIN, 0};
            /* a pidfd wakes the thread when its process ends; /proc is read each second for
             * the orted (each 100 ms when a pidfd is missing) */
            wait_ms = pidfds_ok ? 1000 : 100;
        }
        int ready = poll(p, (nfds_t)n, wait_ms);
        if (ready > 0 && (p[0].revents & POLLIN)) {
            char drain[16];
            if (read(watch.wake[0], drain, sizeof drain) < 0 && errno != EAGAIN)
                break;
        }
        if (phase == WATCH_START)
            watch_start_check(deadline, timeout);
        else if (phase == WATCH_RUN)
            watch_run_check(fds);
        else if (phase == WATCH_STOP && now() > deadline)
            watch_fatal(cp_status_exit_code(CP_ERR_MPI),
                        "the pool did not stop within %.0f s of every process reaching the end",
                        STOP_SECONDS);
    }
    for (int k = 0; k < nfds; k++)
        if (fds[k] >= 0)
            close(fds[k]);
    return NULL;
}

static void watch_set(enum watch_phase phase, double deadline)
{
    pthread_mutex_lock(&watch.lock);
    watch.phase = phase;
    watch.deadline = deadline;
    pthread_mutex_unlock(&watch.lock);
    char b = 1;
    if (write(watch.wake[1], &b, 1) < 0) {
        /* the pipe holds bytes already: the thread wakes anyway */
    }
}

/* End the watch and join its thread (idempotent; also from MPI_Finalize's callback). */
static void watch_end(void)
{
    if (watch.phase == WATCH_OFF)
        return;
    watch_set(WATCH_END, 0);
    pthread_join(watch.thread, NULL);
    close(watch.wake[0]);
    close(watch.wake[1]);
    watch.wake[0] = watch.wake[1] = -1;
    watch.phase = WATCH_OFF;
    watch.nprocs = 0;
}

/* MPI_Finalize deletes MPI_COMM_SELF's attributes first: the orted ends during MPI_Finalize,
 * which the watch must not take for a failure when cp_pool_stop was skipped. */
static int watch_end_at_finalize(MPI_Comm comm, int key, void *value, void *extra)
{
    (void)comm;
    (void)key;
    (void)value;
    (void)extra;
    watch_end();
    return MPI_SUCCESS;
}

static enum cp_status watch_begin(int expected, double timeout)
{
    static int key = MPI_KEYVAL_INVALID;
    if (key == MPI_KEYVAL_INVALID) {
        CP_MPI_CHECK(
            MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, watch_end_at_finalize, &key, NULL));
        CP_MPI_CHECK(MPI_Comm_set_attr(MPI_COMM_SELF, key, NULL));
    }
    if (pipe(watch.wake) != 0)
        return CP_FAIL(CP_ERR_SYSTEM, "process pool: pipe: %s", strerror(errno));
    watch.orted = find_orted();
    unsigned long long start = 0;
    watch.reaped = 0;
    if (watch.orted.pid > 0)
        proc_stat(watch.orted.pid, &start, NULL, 0, &watch.reaped);
    watch.expected = expected;
    watch.timeout = timeout;
    watch.nprocs = 0;
    watch.kill_at_end = 0;
    watch.phase = WATCH_START;
    watch.deadline = now() + timeout;
    int rc = pthread_create(&watch.thread, NULL, watch_main, NULL);
    if (rc != 0) {
        close(watch.wake[0]);
        close(watch.wake[1]);
        watch.phase = WATCH_OFF;
        return CP_FAIL(CP_ERR_UNAVAILABLE, "process pool: cannot start its watch thread: %s",
                       strerror(rc));
    }
    return CP_OK;
}

/* ---- before spawning ---- */

/* The binary to start into path: exe, or this process's own when it is still the file this
 * process runs (not deleted, not replaced by a rebuild). */
static enum cp_status resolve_exe(const char *exe, char *path, size_t size)
{
    if (exe != NULL) {
        snprintf(path, size, "%s", exe);
    } else {
        ssize_t n = readlink("/proc/self/exe", path, size - 1);
        if (n < 0)
            return CP_FAIL(CP_ERR_UNAVAILABLE, "process pool: cannot read /proc/self/exe: %s",
                           strerror(errno));
        path[n] = '\0';
        struct stat mine, file;
        if (stat("/proc/self/exe", &mine) != 0 || stat(path, &file) != 0 ||
            mine.st_dev != file.st_dev || mine.st_ino != file.st_ino)
            return CP_FAIL(CP_ERR_UNAVAILABLE,
                           "process pool: %s is no longer the binary this run started from "
                           "(deleted or rebuilt since)",
                           path);
    }
    if (access(path, X_OK) != 0)
        return CP_FAIL(CP_ERR_UNAVAILABLE, "process pool: cannot run %s: %s", path,
                       strerror(errno));
    return CP_OK;
}

/* 1 when this process may exceed RLIMIT_NPROC (CAP_SYS_ADMIN or CAP_SYS_RESOURCE). */
static int nproc_exempt(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return 0;
    char line[256];
    unsigned long long caps = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "CapEff: %llx", &caps) == 1)
            break;
    fclose(f);
    return (caps & (1ull << 21)) != 0 || (caps & (1ull << 24)) != 0;
}

/* Threads (tasks) of real user `uid`: what RLIMIT_NPROC counts. */
static long user_tasks(uid_t uid)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return -1;
    long tasks = 0;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[PATH_MAX], line[256];
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        unsigned real = 0;
        long threads = 0;
        int mine = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            if (sscanf(line, "Uid: %u", &real) == 1)
                mine = real == (unsigned)uid;
            else if (sscanf(line, "Threads: %ld", &threads) == 1)
                break;
        }
        fclose(f);
        tasks += mine ? threads : 0;
    }
    closedir(proc);
    return tasks;
}

/* CP_ERR_UNAVAILABLE when `children` more processes would pass ulimit -u: their MPI_Init would
 * fail, and MPI_Comm_spawn never returns then. */
static enum cp_status check_nproc(int children)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NPROC, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || nproc_exempt())
        return CP_OK;
    long used = user_tasks(getuid());
    /* and one more while the orted launches them (measured: 2 pool processes start
     * under ulimit -u 14 with 7 tasks running, not under 13) */
    long need = (long)children * THREADS_PER_PROCESS + 1;
    long limit = rl.rlim_cur > (rlim_t)LONG_MAX ? LONG_MAX : (long)rl.rlim_cur;
    if (used < 0 || used + need <= limit)
        return CP_OK;
    long fit = (limit - used - 1) / THREADS_PER_PROCESS;
    return CP_FAIL(CP_ERR_UNAVAILABLE,
                   "process pool: %d pool processes need %ld tasks (%d threads each, 1 more "
                   "while they start), but ulimit -u (RLIMIT_NPROC) is %ld and user %u runs "
                   "%ld already: raise ulimit -u or use --processes %ld",
                   children, need, THREADS_PER_PROCESS, limit, (unsigned)getuid(), used,
                   fit > 0 ? fit + 1 : 1);
}

/* ---- the pool ---- */

int cp_pool_is_child(void)
{
    MPI_Comm parent = MPI_COMM_NULL;
    return MPI_Comm_get_parent(&parent) == MPI_SUCCESS && parent != MPI_COMM_NULL;
}

int cp_pool_launched(void)
{
    if (cp_pool_is_child())
        return 0;
    int size = 1;
    if (MPI_Comm_size(MPI_COMM_WORLD, &size) == MPI_SUCCESS && size > 1)
        return 1;
    const char *ess = getenv("OMPI_MCA_ess");
    int singleton = ess != NULL && strcmp(ess, "singleton") == 0;
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || (getenv("PMIX_RANK") != NULL && !singleton) ||
           getenv("PMI_RANK") != NULL || getenv("PMI_SIZE") != NULL ||
           getenv("SLURM_STEP_ID") != NULL;
}

int cp_pool_default_processes(void)
{
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0)
        return 1;
    int n = CPU_COUNT(&mask);
    return n < 1 ? 1 : n > CP_POOL_MAX_PROCESSES ? CP_POOL_MAX_PROCESSES : n;
}

/* After the merge, on every process: one barrier (the end of the start), every pool
 * process's pid and start time to the parent's ids (2 per rank; NULL elsewhere), and the
 * parent's figures to all. */
static enum cp_status settle(struct cp_pool *pool, double t0, unsigned long long *ids)
{
    CP_MPI_CHECK(MPI_Barrier(pool->comm));
    double figures[2] = {MPI_Wtime() - t0, (double)cp_comm_size(pool->comm)};
    unsigned long long me[2] = {(unsigned long long)getpid(), 0};
    if (!proc_read(getpid(), &me[1], NULL, 0))
        me[1] = 0;
    CP_MPI_CHECK(
        MPI_Gather(me, 2, MPI_UNSIGNED_LONG_LONG, ids, 2, MPI_UNSIGNED_LONG_LONG, 0, pool->comm));
    CP_MPI_CHECK(MPI_Bcast(figures, 2, MPI_DOUBLE, 0, pool->comm));
    pool->start_seconds = figures[0];
    pool->processes = (int)figures[1];
    return CP_OK;
}

static enum cp_status merge(MPI_Comm inter, int high, struct cp_pool *pool)
{
    CP_MPI_CHECK(MPI_Comm_set_errhandler(inter, MPI_ERRORS_RETURN));
    CP_MPI_CHECK(MPI_Intercomm_merge(inter, high, &pool->comm));
    CP_MPI_CHECK(MPI_Comm_set_errhandler(pool->comm, MPI_ERRORS_RETURN));
    return CP_OK;
}

/* The spawn's failure as one line, with what usually causes it. */
static enum cp_status spawn_failed(int rc)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0, cls = MPI_ERR_OTHER;
    MPI_Error_string(rc, text, &len);
    MPI_Error_class(rc, &cls);
    if (cls == MPI_ERR_SPAWN)
        return CP_FAIL(CP_ERR_UNAVAILABLE,
                       "process pool: Open MPI did not start the pool processes (%s); its "
                       "messages above say why",
                       text);
    return CP_FAIL(CP_ERR_UNAVAILABLE,
                   "process pool: MPI_Comm_spawn failed (%s): the parent and the pool "
                   "processes found no transport between them (Open MPI's shared-memory BTL "
                   "joins one job only; its TCP BTL skips loopback: on a host with no other "
                   "interface set OMPI_MCA_btl_tcp_if_include=lo)",
                   text);
}

static enum cp_status spawn(int children, const char *path, char **args, MPI_Comm comm,
                            MPI_Comm *inter)
{
    char host[MPI_MAX_PROCESSOR_NAME] = "";
    int len = 0;
    CP_MPI_CHECK(MPI_Get_processor_name(host, &len));
    MPI_Info info;
    CP_MPI_CHECK(MPI_Info_create(&info));
    /* this host only (a Slurm allocation may hold others); more processes than slots (a
     * singleton's host has one per core, the parent holding one); each keeps the parent's
     * whole mask, as conpar's placement expects of unbound ranks. (Open MPI 4.1.4's orted
     * crashes on the info key ompi_stdin_target "none".) */
    int rc = MPI_Info_set(info, "host", host);
    if (rc == MPI_SUCCESS)
        rc = MPI_Info_set(info, "map_by", ":OVERSUBSCRIBE");
    if (rc == MPI_SUCCESS)
        rc = MPI_Info_set(info, "bind_to", "none");
    if (rc != MPI_SUCCESS) {
        MPI_Info_free(&info);
        return cp_mpi_fail(rc, "MPI_Info_set(spawn)", __FILE__, __LINE__);
    }
    int *codes = malloc((size_t)children * sizeof *codes);
    if (codes != NULL)
        rc = MPI_Comm_spawn(path, args, children, info, 0, comm, inter, codes);
    free(codes);
    MPI_Info_free(&info);
    if (codes == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "process pool: out of memory");
    if (rc != MPI_SUCCESS) {
        *inter = MPI_COMM_NULL;
        return spawn_failed(rc);
    }
    return CP_OK;
}

enum cp_status cp_pool_start(int processes, const char *exe, char **args, MPI_Comm comm,
                             double timeout, struct cp_pool *pool)
{
    memset(pool, 0, sizeof *pool);
    pool->comm = pool->inter = MPI_COMM_NULL;
    pool->processes = 1;
    if (processes <= 1)
        return CP_OK;
    if (processes > CP_POOL_MAX_PROCESSES)
        return CP_FAIL(CP_ERR_USAGE, "--processes %d: at most %d", processes,
                       CP_POOL_MAX_PROCESSES);
    if (cp_comm_size(comm) != 1)
        return CP_FAIL(CP_ERR_USAGE, "process pool: started from %d processes, not one",
                       cp_comm_size(comm));
    int children = processes - 1;
    char path[PATH_MAX];
    enum cp_status st = resolve_exe(exe, path, sizeof path);
    if (st == CP_OK)
        st = check_nproc(children);
    if (st != CP_OK)
        return st;
    if (timeout <= 0)
        timeout = 30.0 + children;
    st = watch_begin(children, timeout);
    if (st != CP_OK)
        return st;
    double t0 = MPI_Wtime();
    st = spawn(children, path, args, comm, &pool->inter);
    if (st == CP_OK)
        st = merge(pool->inter, 0, pool);
    unsigned long long *ids = NULL;
    if (st == CP_OK) {
        ids = malloc((size_t)processes * 2 * sizeof *ids);
        st = ids != NULL ? settle(pool, t0, ids) : CP_FAIL(CP_ERR_NOMEM, "out of memory");
    }
    if (st != CP_OK) {
        /* an error MPI returned (a hang never gets here): the pool processes that started
         * would wait for a merge that never comes */
        pthread_mutex_lock(&watch.lock);
        watch.kill_at_end = 1;
        pthread_mutex_unlock(&watch.lock);
        watch_end();
        free(ids);
        if (pool->comm != MPI_COMM_NULL)
            MPI_Comm_free(&pool->comm);
        if (pool->inter != MPI_COMM_NULL)
            MPI_Comm_free(&pool->inter);
        pool->processes = 1;
        return st;
    }
    pthread_mutex_lock(&watch.lock);
    watch.ngiven = children;
    for (int r = 1; r < processes; r++)
        watch.given[r - 1] = (struct proc_id){(pid_t)ids[2 * r], ids[2 * r + 1]};
    pthread_mutex_unlock(&watch.lock);
    free(ids);
    watch_set(WATCH_RUN, 0);
    pool->spawned = 1;
    return CP_OK;
}

enum cp_status cp_pool_join(struct cp_pool *pool)
{
    memset(pool, 0, sizeof *pool);
    pool->comm = pool->inter = MPI_COMM_NULL;
    pool->processes = 1;
    CP_MPI_CHECK(MPI_Comm_get_parent(&pool->inter));
    if (pool->inter == MPI_COMM_NULL)
        return CP_FAIL(CP_ERR_USAGE, "process pool: this process was not started by a pool");
    pool->child = 1;
    enum cp_status st = merge(pool->inter, 1, pool);
    if (st == CP_OK)
        st = settle(pool, MPI_Wtime(), NULL);
    return st;
}

enum cp_status cp_pool_stop(struct cp_pool *pool)
{
    enum cp_status st = CP_OK;
    if (pool->comm != MPI_COMM_NULL) {
        /* every process is here, so the ends that follow are expected ones */
        int rc = MPI_Barrier(pool->comm);
        if (rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_Barrier(pool stop)", __FILE__, __LINE__);
        if (pool->spawned)
            watch_set(WATCH_STOP, now() + STOP_SECONDS);
        MPI_Comm_free(&pool->comm);
    }
    if (pool->inter != MPI_COMM_NULL) {
        int rc = MPI_Comm_disconnect(&pool->inter);
        if (rc != MPI_SUCCESS && st == CP_OK)
            st = cp_mpi_fail(rc, "MPI_Comm_disconnect(pool)", __FILE__, __LINE__);
    }
    if (pool->spawned)
        watch_end();
    memset(pool, 0, sizeof *pool);
    pool->comm = pool->inter = MPI_COMM_NULL;
    pool->processes = 1;
    return st;
}
