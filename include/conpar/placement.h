/* Placement: where each rank runs, how many OpenMP threads it uses, and whether the timings
 * can mean anything (no rank runs more threads than its CPUs, no node more threads than
 * cores).
 *
 * Threads per rank: --threads when given; else OMP_NUM_THREADS when set; else the CPUs in
 * the rank's affinity mask divided by the ranks of its node whose masks overlap it (so
 * unbound ranks share the node's CPUs instead of each starting one thread per CPU). */
#ifndef CONPAR_PLACEMENT_H
#define CONPAR_PLACEMENT_H

#include <mpi.h>

#include "conpar/status.h"

#define CP_PLACEMENT_MAX_WARNINGS 4

/* One rank, as gathered to rank 0. */
struct cp_rank_place {
    char host[64];
    int rank;
    int node_rank;  /* rank among the ranks sharing its memory */
    int node_ranks; /* ranks on its node */
    int node_cpus;  /* CPUs online on its node */
    int threads;    /* OpenMP threads it uses */
    int mask_cpus;  /* CPUs in its affinity mask */
    char mask[96];  /* those CPUs as a list, "0-3,8" (cut with "..." when long) */
};

struct cp_placement {
    int threads;      /* this rank's OpenMP threads */
    int solo_threads; /* its threads for a strategy it runs alone while the other ranks sleep:
                         chosen as `threads` but with the mask shared by no other rank */
    const char *threads_from; /* where that count came from, for the report */
    struct cp_rank_place me;
    int nranks;
    struct cp_rank_place *ranks; /* rank 0: every rank in rank order; NULL elsewhere */
    int ok;                      /* rank 0: 1 when no warning applies */
    int nwarnings;               /* rank 0 */
    char warnings[CP_PLACEMENT_MAX_WARNINGS][512];
};

/* Work out this rank's threads (`threads_opt` = --threads, 0 when not given) and gather every
 * rank's placement and warnings to rank 0. Collective over comm. Free with
 * cp_placement_free. */
enum cp_status cp_placement_capture(MPI_Comm comm, int threads_opt, struct cp_placement *pl);
void cp_placement_free(struct cp_placement *pl);

/* The CPUs of `set` (a cpu_set_t) as a list "0-3,8" into buf. Local. */
void cp_cpu_list(const void *set, char *buf, size_t size);

#endif
