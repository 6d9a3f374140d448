/* MPI set-up and agreement: conpar's communicator, checked MPI calls, and the one collective
 * by which all ranks agree on success before going on. */
#ifndef CONPAR_COMM_H
#define CONPAR_COMM_H

#include <mpi.h>

#include "conpar/status.h"

/* Initialise MPI asking for MPI_THREAD_FUNNELED (only the main thread calls MPI) and check
 * the level granted; duplicate MPI_COMM_WORLD into *comm with MPI_ERRORS_RETURN. Collective
 * over MPI_COMM_WORLD. On failure MPI may be unusable: the caller prints and exits. */
enum cp_status cp_comm_init(int *argc, char ***argv, MPI_Comm *comm);

/* Free the communicator and finalise MPI. Collective. */
void cp_comm_finalize(MPI_Comm *comm);

/* Record a failed MPI call (its text from MPI_Error_string) and return CP_ERR_MPI. */
enum cp_status cp_mpi_fail(int rc, const char *call, const char *file, int line);

/* Evaluate an MPI call; on failure record it and return CP_ERR_MPI from the caller. */
#define CP_MPI_CHECK(call)                                                                         \
    do {                                                                                           \
        int cp_mpi_rc_ = (call);                                                                   \
        if (cp_mpi_rc_ != MPI_SUCCESS)                                                             \
            return cp_mpi_fail(cp_mpi_rc_, #call, __FILE__, __LINE__);                             \
    } while (0)

/* All ranks agree on `local`: when any rank failed, every rank returns the status of the
 * lowest failing rank and holds its error message (cp_error_message), so rank 0 can print
 * the one line. Collective over comm. If the agreement itself cannot be reached, MPI_Abort. */
enum cp_status cp_comm_agree(MPI_Comm comm, enum cp_status local);

/* Wait until every rank of comm arrives, sleeping (1 ms polls of a non-blocking barrier)
 * instead of spinning, so ranks with nothing to do leave the cores to the ones working.
 * Collective. CP_OK or CP_ERR_MPI. */
enum cp_status cp_comm_idle_barrier(MPI_Comm comm);

/* Split comm into nodes: the ranks that share memory (MPI_Comm_split_type, MPI_COMM_TYPE_SHARED),
 * ordered by rank in comm. With groups > 0 the ranks are first cut into `groups` runs of
 * consecutive ranks, so one host can stand in for several nodes in tests. *node gets
 * MPI_ERRORS_RETURN; free it with MPI_Comm_free. Collective over comm. */
enum cp_status cp_comm_split_nodes(MPI_Comm comm, int groups, MPI_Comm *node);

/* Catch SIGINT and SIGTERM (a Ctrl-C, a Slurm time limit): the handler only records the
 * signal, and the phases stop at their next check, keeping what was measured. Local. */
void cp_stop_install(void);

/* The signal caught (SIGINT or SIGTERM), or 0. Async-signal-safe to read. Local. */
int cp_stop_signal(void);

/* The process exit status of a run that ended with `status`: cp_status_exit_code, except that
 * an interrupted run exits 128 + the signal caught (130 for SIGINT, 143 for SIGTERM). The one
 * place the exit status is decided. Local. */
int cp_exit_status(enum cp_status status);

/* All ranks agree whether any caught a signal: CP_OK, or CP_ERR_INTERRUPTED with a message
 * naming the signal on every rank. Collective. */
enum cp_status cp_stop_check(MPI_Comm comm);

/* This process's rank and the size of comm (0 and 1 if MPI fails, after recording). */
int cp_comm_rank(MPI_Comm comm);
int cp_comm_size(MPI_Comm comm);

#endif
