/* MPI initialisation, checked calls and agreement. */
#include "conpar/comm.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum cp_status cp_mpi_fail(int rc, const char *call, const char *file, int line)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", rc);
    return cp_error_record(CP_ERR_MPI, file, line, "%s failed: %s", call, text);
}

enum cp_status cp_comm_init(int *argc, char ***argv, MPI_Comm *comm)
{
    int provided = MPI_THREAD_SINGLE;
    CP_MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
    /* errors on conpar's calls come back as return codes instead of aborting */
    CP_MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    if (provided < MPI_THREAD_FUNNELED)
        return CP_FAIL(CP_ERR_MPI,
                       "MPI granted thread level %d, below MPI_THREAD_FUNNELED that OpenMP "
                       "threads beside MPI need",
                       provided);
    CP_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, comm));
    CP_MPI_CHECK(MPI_Comm_set_errhandler(*comm, MPI_ERRORS_RETURN));
    return CP_OK;
}

void cp_comm_finalize(MPI_Comm *comm)
{
    if (*comm != MPI_COMM_NULL)
        MPI_Comm_free(comm);
    MPI_Finalize();
}

int cp_comm_rank(MPI_Comm comm)
{
    int rank = 0;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return 0;
    return rank;
}

int cp_comm_size(MPI_Comm comm)
{
    int size = 1;
    if (MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return 1;
    return size;
}

static void agree_or_abort(int rc, MPI_Comm comm)
{
    if (rc == MPI_SUCCESS)
        return;
    cp_mpi_fail(rc, "agreement", __FILE__, __LINE__);
    fprintf(stderr, "conpar: ranks cannot agree: %s\n", cp_error_message());
    MPI_Abort(comm, 1);
}

enum cp_status cp_comm_agree(MPI_Comm comm, enum cp_status local)
{
    int rank = cp_comm_rank(comm);
    /* MINLOC over (ok ? 1 : 0, rank) finds the lowest failing rank */
    int mine[2] = {local == CP_OK ? 1 : 0, rank}, first[2];
    agree_or_abort(MPI_Allreduce(mine, first, 1, MPI_2INT, MPI_MINLOC, comm), comm);
    if (first[0] == 1)
        return CP_OK;
    struct {
        int status;
        char message[1024];
    } what = {(int)local, ""};
    if (rank == first[1])
        snprintf(what.message, sizeof what.message, "%s", cp_error_message());
    agree_or_abort(MPI_Bcast(&what, (int)sizeof what, MPI_BYTE, first[1], comm), comm);
    if (rank != first[1])
        cp_error_set((enum cp_status)what.status, what.message);
    return (enum cp_status)what.status;
}

enum cp_status cp_comm_idle_barrier(MPI_Comm comm)
{
    MPI_Request req;
    int done = 0;
    CP_MPI_CHECK(MPI_Ibarrier(comm, &req));
    CP_MPI_CHECK(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
    while (!done) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
        CP_MPI_CHECK(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
    }
    return CP_OK;
}

enum cp_status cp_comm_split_nodes(MPI_Comm comm, int groups, MPI_Comm *node)
{
    int rank = cp_comm_rank(comm), size = cp_comm_size(comm);
    MPI_Comm part = comm;
    if (groups > 0) {
        /* rank r goes to group floor(r * groups / size): consecutive runs of nearly equal size */
        int color = (int)((long long)rank * groups / size);
        CP_MPI_CHECK(MPI_Comm_split(comm, color, rank, &part));
    }
    int rc = MPI_Comm_split_type(part, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, node);
    if (part != comm)
        MPI_Comm_free(&part);
    if (rc != MPI_SUCCESS)
        return cp_mpi_fail(rc, "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)", __FILE__, __LINE__);
    CP_MPI_CHECK(MPI_Comm_set_errhandler(*node, MPI_ERRORS_RETURN));
    return CP_OK;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

void cp_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cp_stop_signal(void)
{
    return stop_signal;
}

int cp_exit_status(enum cp_status status)
{
    if (status == CP_ERR_INTERRUPTED)
        return 128 + (stop_signal != 0 ? stop_signal : SIGINT);
    return cp_status_exit_code(status);
}

enum cp_status cp_stop_check(MPI_Comm comm)
{
    int mine = stop_signal, any = 0;
    CP_MPI_CHECK(MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, comm));
    if (any == 0)
        return CP_OK;
    return CP_FAIL(CP_ERR_INTERRUPTED,
                   "interrupted by %s: the results so far are kept, marked "
                   "incomplete",
                   any == SIGINT ? "SIGINT" : "SIGTERM");
}
