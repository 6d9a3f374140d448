/* `conpar doctor`: checks that a run can work here and says what to change when not: MPI wiring
 * (a barrier that must finish in seconds), threads against the CPUs each rank may use, shared
 * memory and memory per host, the open-file limit, and the server (--url, or the embedded
 * one). Each check prints ok, warn or fail with a remedy. */
#ifndef CONPAR_DOCTOR_H
#define CONPAR_DOCTOR_H

#include <mpi.h>

#include "conpar/cli.h"

/* Run every check; rank 0 prints. Collective over comm. Returns the exit status: 0 when
 * nothing failed (warnings allowed), 1 otherwise. */
int cp_doctor_run(const struct cp_options *opt, MPI_Comm comm);

#endif
