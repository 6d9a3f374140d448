#!/bin/sh
# A pool process that never calls MPI_Init: MPI_Comm_spawn waits for it forever.
exec sleep 600
