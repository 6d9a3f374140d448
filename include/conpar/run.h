/* A run of conpar once MPI is up: the command line, the launch checks, the subcommands, and the
 * measuring run (the phases or a sweep, checkpoints, the table, JSON and CSV). main() only
 * initialises MPI and libcurl, calls cp_run_main and exits with what it returns. */
#ifndef CONPAR_RUN_H
#define CONPAR_RUN_H

#include <mpi.h>

#include "conpar/cli.h"
#include "conpar/pool.h"
#include "conpar/status.h"

/* Parse argv (every rank parses the same, so all reach the same verdict), check the launch,
 * run the subcommand or the measuring run, and print the one failure line on rank 0. Returns
 * the process exit status, the same on every rank: 0, 1, 2, or 128 + the signal for an
 * interrupted run (130, 143). Collective over comm. */
int cp_run_main(int argc, char **argv, MPI_Comm comm);

/* The measuring run for parsed options on comm (a process pool's merged communicator when
 * `pool` was started, which the report then describes; pool may be NULL): outputs checked,
 * environment and placement captured, then the chosen phases (or the sweep), a JSON checkpoint
 * after every strategy, and the table, JSON and CSV on rank 0. argv is recorded as the command
 * line. opt may hold strategies that are not in the registries. Collective; returns the run's
 * agreed status, its message recorded (cp_error_message) but not printed. */
enum cp_status cp_run(struct cp_options *opt, const struct cp_pool *pool, int argc, char **argv,
                      MPI_Comm comm);

/* Several copies each seeing a world of 1 rank (srun without Slurm's PMI, or another MPI's
 * launcher): CP_ERR_USAGE naming the remedy, else CP_OK. Local. */
enum cp_status cp_run_check_launch(MPI_Comm comm);

#endif
