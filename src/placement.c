/* Placement: threads per rank from the affinity mask, gathered and checked. */
#include "conpar/placement.h"

#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conpar/comm.h"

void cp_cpu_list(const void *set, char *buf, size_t size)
{
    const cpu_set_t *cpus = set;
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, cpus) || (c > 0 && CPU_ISSET(c - 1, cpus)))
            continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, cpus))
            last++;
        char part[32];
        if (last == c)
            snprintf(part, sizeof part, "%s%d", used ? "," : "", c);
        else
            snprintf(part, sizeof part, "%s%d-%d", used ? "," : "", c, last);
        if (used + strlen(part) + 4 >= size) {
            snprintf(buf + used, size - used, ",...");
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s", part);
    }
}

/* The CPUs this rank may run on. With OMP_PROC_BIND or OMP_PLACES set, the OpenMP runtime has
 * already bound the main thread to its first place, so the thread's own mask shows one place;
 * the union of all places is the mask the process started with. */
static int rank_cpus(cpu_set_t *mask)
{
    CPU_ZERO(mask);
    int places = omp_get_num_places();
    if (places <= 0)
        return sched_getaffinity(0, sizeof *mask, mask);
    for (int p = 0; p < places; p++) {
        int n = omp_get_place_num_procs(p);
        int *ids = malloc((size_t)(n > 0 ? n : 1) * sizeof *ids);
        if (ids == NULL)
            return -1;
        omp_get_place_proc_ids(p, ids);
        for (int i = 0; i < n; i++)
            if (ids[i] >= 0 && ids[i] < CPU_SETSIZE)
                CPU_SET(ids[i], mask);
        free(ids);
    }
    return 0;
}

/* The OpenMP team size asking for `threads` really gives (OMP_THREAD_LIMIT may cap it). */
static int team_size(int threads)
{
    int got = 1;
#pragma omp parallel num_threads(threads) default(none) shared(got)
    {
#pragma omp single
        got = omp_get_num_threads();
    }
    return got;
}

/* Ranks of `node` whose masks overlap `mine` (this rank included). */
static enum cp_status count_sharers(MPI_Comm node, const cpu_set_t *mine, int *sharers)
{
    int n = cp_comm_size(node);
    cpu_set_t *all = malloc((size_t)n * sizeof *all);
    if (all == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate the node's affinity masks");
    int rc =
        MPI_Allgather(mine, (int)sizeof *mine, MPI_BYTE, all, (int)sizeof *mine, MPI_BYTE, node);
    if (rc != MPI_SUCCESS) {
        free(all);
        return cp_mpi_fail(rc, "MPI_Allgather(affinity masks)", __FILE__, __LINE__);
    }
    *sharers = 0;
    for (int r = 0; r < n; r++) {
        cpu_set_t both;
        CPU_AND(&both, &all[r], mine);
        *sharers += CPU_COUNT(&both) > 0;
    }
    free(all);
    return CP_OK;
}

static void choose_threads(int threads_opt, int mask_cpus, int sharers, struct cp_placement *pl)
{
    const char *omp = getenv("OMP_NUM_THREADS");
    int want;
    if (threads_opt > 0) {
        want = threads_opt;
        pl->threads_from = "--threads";
    } else if (omp != NULL && omp[0] != '\0') {
        want = omp_get_max_threads();
        pl->threads_from = "OMP_NUM_THREADS";
    } else {
        want = mask_cpus / (sharers > 0 ? sharers : 1);
        want = want > 0 ? want : 1;
        pl->threads_from = sharers > 1 ? "CPUs in the affinity mask / ranks sharing it"
                                       : "CPUs in the affinity mask";
    }
    pl->threads = team_size(want);
}

/* Rank 0: the warnings that apply, at most one line per kind. */
static void find_warnings(struct cp_placement *pl)
{
    int over_mask = 0, first_mask = -1, over_node = 0, first_node = -1, nodes = 0;
    for (int r = 0; r < pl->nranks; r++) {
        const struct cp_rank_place *p = &pl->ranks[r];
        if (p->threads > p->mask_cpus && over_mask++ == 0)
            first_mask = r;
        if (p->node_rank != 0)
            continue;
        nodes++;
        /* the node's threads: every rank on it reports its own count */
        long threads = 0;
        for (int q = 0; q < pl->nranks; q++)
            if (strcmp(pl->ranks[q].host, p->host) == 0)
                threads += pl->ranks[q].threads;
        if (threads > p->node_cpus && over_node++ == 0)
            first_node = r;
    }
    if (over_mask > 0) {
        const struct cp_rank_place *p = &pl->ranks[first_mask];
        snprintf(pl->warnings[pl->nwarnings++], sizeof pl->warnings[0],
                 "%d of %d ranks run more threads than CPUs in their affinity mask (rank %d on "
                 "%s: %d threads on CPUs %s); set OMP_NUM_THREADS or bind with --map-by "
                 "ppr:N:node:pe=T",
                 over_mask, pl->nranks, p->rank, p->host, p->threads, p->mask);
    }
    if (over_node > 0) {
        const struct cp_rank_place *p = &pl->ranks[first_node];
        snprintf(pl->warnings[pl->nwarnings++], sizeof pl->warnings[0],
                 "%d of %d node%s oversubscribed (%s: %d rank%s x %d thread%s on %d CPUs); "
                 "timings there are not meaningful",
                 over_node, nodes, nodes == 1 ? " is" : "s are", p->host, p->node_ranks,
                 p->node_ranks == 1 ? "" : "s", p->threads, p->threads == 1 ? "" : "s",
                 p->node_cpus);
    }
    pl->ok = pl->nwarnings == 0;
}

enum cp_status cp_placement_capture(MPI_Comm comm, int threads_opt, struct cp_placement *pl)
{
    memset(pl, 0, sizeof *pl);
    int rank = cp_comm_rank(comm);
    pl->nranks = cp_comm_size(comm);
    cpu_set_t mask;
    if (rank_cpus(&mask) != 0)
        return CP_FAIL(CP_ERR_SYSTEM, "cannot read the affinity mask (sched_getaffinity)");

    MPI_Comm node;
    enum cp_status st = cp_comm_split_nodes(comm, 0, &node);
    if (st != CP_OK)
        return st;
    int sharers = 1;
    st = count_sharers(node, &mask, &sharers);
    struct cp_rank_place *me = &pl->me;
    me->rank = rank;
    me->node_rank = cp_comm_rank(node);
    me->node_ranks = cp_comm_size(node);
    MPI_Comm_free(&node);
    if (st != CP_OK)
        return st;
    char host[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    CP_MPI_CHECK(MPI_Get_processor_name(host, &len));
    snprintf(me->host, sizeof me->host, "%.63s", host);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    me->node_cpus = online > 0 ? (int)online : CPU_COUNT(&mask);
    me->mask_cpus = CPU_COUNT(&mask);
    cp_cpu_list(&mask, me->mask, sizeof me->mask);
    struct cp_placement alone = *pl;
    choose_threads(threads_opt, me->mask_cpus, 1, &alone);
    pl->solo_threads = alone.threads;
    choose_threads(threads_opt, me->mask_cpus, sharers, pl);
    me->threads = pl->threads;

    if (rank == 0) {
        pl->ranks = calloc((size_t)pl->nranks, sizeof *pl->ranks);
        if (pl->ranks == NULL)
            st = CP_FAIL(CP_ERR_NOMEM, "cannot allocate the placement of %d ranks", pl->nranks);
    }
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    CP_MPI_CHECK(
        MPI_Gather(me, (int)sizeof *me, MPI_BYTE, pl->ranks, (int)sizeof *me, MPI_BYTE, 0, comm));
    if (rank == 0)
        find_warnings(pl);
    return CP_OK;
}

void cp_placement_free(struct cp_placement *pl)
{
    free(pl->ranks);
    pl->ranks = NULL;
}
