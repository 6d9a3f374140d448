/* The process pool: without a launcher, conpar starts its own MPI processes (MPI_Comm_spawn of
 * its own binary with its own arguments, the ProcessPoolExecutor analog) and merges them with
 * the parent into one intracommunicator, the parent as rank 0. That communicator replaces the
 * singleton's (the MPI_COMM_WORLD duplicate of cp_comm_init) for the whole run: conpar's code
 * names its communicator everywhere and never MPI_COMM_WORLD, which stays each side's own
 * world (the parent alone; the pool processes among themselves).
 *
 * A pool process is the same binary with the same argv: it parses the same options and walks
 * the same code path as a non-root rank under mpirun, with cp_pool_join instead of spawning.
 * In main, after cp_comm_init:
 *     pool process (cp_pool_is_child):  cp_pool_join, right away (it waits for the parent)
 *     parent, no launcher, P > 1:       cp_pool_start(P, NULL, argv + 1, comm, 0, &pool)
 *     both: run on pool.comm (the singleton's comm when there is no pool), then
 *           cp_pool_stop, then cp_comm_finalize.
 * A pool process then ends with status 0 whatever the run's verdict (the parent reports it):
 * the orted prints a "Child job ... returned a non-zero exit code" box for any other status.
 *
 * What Open MPI 4.1 does (and this module relies on), from a singleton on one host:
 *   - MPI_Init of a singleton forks `orted --hnp --set-sid --singleton-died-pipe N`; the spawn
 *     asks it to start the pool (its children, in its own session). When the parent dies the
 *     orted sees the pipe close, ends the pool processes (SIGTERM, then SIGKILL) and exits.
 *   - Parent and pool are two MPI jobs: the shared-memory BTL (vader) connects only processes
 *     of one job, so parent <-> pool messages go over the TCP BTL (loopback traffic through a
 *     real interface: btl_tcp excludes 127.0.0.0/8 by default); pool <-> pool use vader.
 *     MPI_Win_allocate_shared (osc/sm) and MPI_Comm_split_type(SHARED) span both jobs.
 *   - Pool processes sit in the orted's session (setsid) and their own process groups: a
 *     terminal's Ctrl-C reaches the parent alone, and the pool learns of it through the
 *     run's cp_stop_check like non-root ranks under mpirun.
 *   - MPI_Comm_spawn never returns when a spawned process ends before MPI_Init completes (a
 *     process limit, a crash, a missing library), and a collective waiting for a pool process
 *     that died never returns (MPI_Abort in a pool process ends the pool's job only). The
 *     parent therefore watches its pool from a thread: see cp_pool_start. */
#ifndef CONPAR_POOL_H
#define CONPAR_POOL_H

#include <mpi.h>

#include "conpar/status.h"

/* Largest --processes accepted (parent included), and the cap of the default. A pool process
 * costs (measured with conpar's libraries) ~0.1 s of start-up on 2 cores, 3 threads, ~4.5 MB
 * private memory (6.4 MB PSS) before any data; the parent holds a pidfd and a TCP connection
 * per pool process (512 descriptors at this cap, half the usual soft limit). A pool is one
 * host's processes: larger counts belong under mpirun. */
#define CP_POOL_MAX_PROCESSES 256

/* The pool as one process sees it. Zeroed (comm MPI_COMM_NULL) when there is none. */
struct cp_pool {
    int spawned;          /* 1 in the parent of a started pool */
    int child;            /* 1 in a pool process */
    int processes;        /* processes in comm, the parent included; 1 without a pool */
    double start_seconds; /* from before MPI_Comm_spawn until the merged communicator passed one
                             barrier (the parent's clock, broadcast to every process) */
    MPI_Comm comm;        /* parent rank 0, pool processes 1..processes-1 (MPI_ERRORS_RETURN);
                             MPI_COMM_NULL without a pool */
    MPI_Comm inter;       /* the spawn's intercommunicator (MPI_Comm_get_parent's in a child) */
};

/* 1 when this process is a pool process (its MPI_Comm_get_parent is not MPI_COMM_NULL).
 * After MPI_Init. Local. */
int cp_pool_is_child(void);

/* 1 when a launcher started this process: mpirun/mpiexec (of any -np), srun with PMI/PMIx, or
 * another MPI's launcher (PMI_RANK); 0 for a singleton and for a pool process. A singleton's
 * MPI_Init sets PMIX_RANK itself, so the test is: MPI_COMM_WORLD larger than 1, or
 * OMPI_COMM_WORLD_SIZE set, or PMIX_RANK set by other than Open MPI's singleton
 * (OMPI_MCA_ess=singleton), or PMI_RANK/PMI_SIZE, or a Slurm step (SLURM_STEP_ID). After
 * MPI_Init. Local. */
int cp_pool_launched(void);

/* The default --processes: the CPUs in this process's affinity mask (sched_getaffinity), at
 * most CP_POOL_MAX_PROCESSES; 1 when the mask cannot be read. Local. */
int cp_pool_default_processes(void);

/* Start a pool of `processes` processes in total (the parent included) from the singleton's
 * communicator `comm` (size 1, MPI_ERRORS_RETURN; collective over it, root 0) and fill *pool.
 * processes <= 1 starts nothing (pool->processes 1, comm MPI_COMM_NULL, CP_OK).
 *
 * `exe` is the binary to start, NULL for this process's own (/proc/self/exe, refused when
 * the file was deleted or replaced since this process started); `args` its arguments without
 * the program name, NULL-terminated (main's argv + 1), or NULL. The pool is placed on this
 * host (info "host"), oversubscribed when needed (map_by :OVERSUBSCRIBE), unbound (bind_to
 * none: each process keeps the parent's affinity mask). Pool processes get the parent's
 * environment as it was at MPI_Init (the orted's copy): set variables before MPI_Init.
 *
 * Before spawning it refuses what would only fail later: a missing or non-executable binary,
 * and fewer free tasks under RLIMIT_NPROC (ulimit -u; root and CAP_SYS_RESOURCE are exempt)
 * than the pool needs. Those and the spawn errors Open MPI returns (spawn disabled, no
 * transport between parent and pool) give CP_ERR_UNAVAILABLE with a one-line reason, within
 * a second; MPI stays usable on `comm`, so the run goes on without the pool.
 *
 * Never a hang: a thread of the parent watches the pool. While the pool starts it watches
 * the orted's children; when one ends before joining, or the pool has not joined within
 * `timeout` seconds (<= 0: 30 s + 1 s per pool process), MPI_Comm_spawn cannot return, so the
 * thread kills the pool processes and the orted, prints `conpar: process pool: <why>` and
 * ends the process with exit status 2 (a death is seen within ~20 ms, also of a process that
 * lived less: the orted's cminflt grows when it reaps one). Once started it watches every
 * pool process (pidfds) and the orted; when one ends before cp_pool_stop, every collective
 * would wait forever, so it kills the rest and ends the process with exit status 1 after one
 * line. These two exits are the module's MPI_Abort: the only way out of a wait MPI cannot
 * end. (A JSON checkpoint written by rename stays whole.)
 *
 * Free with cp_pool_stop. Local to the parent (the pool processes call cp_pool_join). */
enum cp_status cp_pool_start(int processes, const char *exe, char **args, MPI_Comm comm,
                             double timeout, struct cp_pool *pool);

/* In a pool process: merge with the parent (as rank 1..P-1) and fill *pool as cp_pool_start
 * does in the parent (same processes and start_seconds). CP_ERR_MPI when the merge fails
 * (the parent is gone). Pairs with the parent's cp_pool_start. */
enum cp_status cp_pool_join(struct cp_pool *pool);

/* End the pool: one barrier (every process has left the run), then free the merged
 * communicator and disconnect the intercommunicator, so MPI_Finalize then ends both jobs
 * without waiting. The parent's watch ends here (also at MPI_Finalize, if stop was never
 * called). Collective over pool->comm; a no-op without a pool. *pool is zeroed. */
enum cp_status cp_pool_stop(struct cp_pool *pool);

#endif
