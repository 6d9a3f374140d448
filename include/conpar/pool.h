/* The process pool: without a launcher, conpar starts its own MPI processes (MPI_Comm_spawn of
 * its own binary with its own arguments, the ProcessPoolExecutor analog) and merges them with
 * the parent into one intracommunicator, the parent as rank 0. That communicator replaces the
 * singleton's (the MPI_COMM_WORLD duplicate of cp_comm_init) for the whole run: conpar's code
 * names its communicator everywhere and never MPI_COMM_WORLD, which stays each side's own
 * world (the parent alone; the pool processes among themselves).
 *
 * A pool process is the same binary with the same argv: it parses the same options and walks
 * the same code path as a non-root rank under mpirun, with cp_pool_join instead of spawning.
 * Every process of the pool calls cp_pool_stop, then cp_comm_finalize.
 *
 * What Open MPI 4.1 does (and this module relies on), from a singleton on one host:
 *   - MPI_Init of a singleton forks `orted --hnp --set-sid --singleton-died-pipe N`; the spawn
 *     asks it to start the pool (its children, in its own session). When the parent dies the
 *     orted sees the pipe close, ends the pool processes (SIGTERM, then SIGKILL) and exits.
 *   - Parent and pool are two MPI jobs: the shared-memory BTL (vader) connects only processes
 *     of one job, so parent <-> pool messages go over the TCP BTL (loopback traffic through a
 *     real interface: btl_tcp excludes 127.0.0.0/8 by default); pool <-> pool use vader.
 *     MPI_Win_allocate_shared (osc/sm) and MPI_Comm_split_type(SHARED) span both jobs.
 *   - MPI_Comm_spawn never returns when a spawned process ends before MPI_Init completes (a
 *     process limit, a crash, a missing library), and a collective waiting for a pool process
 *     that died never returns. The parent therefore watches its pool from a thread: see
 *     cp_pool_start. */
#ifndef CONPAR_POOL_H
#define CONPAR_POOL_H

#include <mpi.h>

#include "conpar/status.h"

/* Largest --processes accepted (parent included). Each pool process costs its own MPI
 * start-up, about 3 threads and ~15 MB of private memory before any data, and one TCP
 * connection to the parent per peer it talks to; past this the pool is no longer a pool of
 * one host's CPUs. */
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
 * none: each process keeps the parent's affinity mask). Pool processes get
 * the parent's environment as it was at MPI_Init (the orted's copy).
 *
 * Before spawning it refuses what would only fail later: a missing or non-executable binary,
 * and fewer free processes under RLIMIT_NPROC (ulimit -u, not enforced for root) than the
 * pool needs. Those and spawn errors Open MPI returns (spawn disabled, unreachable peers)
 * give CP_ERR_UNAVAILABLE with the reason, within seconds; MPI stays usable on `comm`.
 *
 * Never a hang: a thread of the parent watches the pool. While the pool starts it watches
 * the orted's children; when one ends before joining, or the pool has not joined within
 * `timeout` seconds (<= 0: 30 s + 1 s per pool process), MPI_Comm_spawn cannot return, so the
 * thread kills the pool processes and the orted, prints `conpar: process pool: <why>` and
 * ends the process with exit status 2. Once started it watches every pool process and the
 * orted (pidfds); when one ends before cp_pool_stop, every collective would wait forever, so
 * it kills the rest and ends the process with exit status 1 after one line. These two exits
 * are the module's MPI_Abort: the only way out of a wait MPI cannot end.
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
