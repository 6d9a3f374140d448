/* conpar: MPI and libcurl up, the run (src/run.c), everything down, exit. */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>

#include "conpar/comm.h"
#include "conpar/progress.h"
#include "conpar/run.h"

int main(int argc, char **argv)
{
    MPI_Comm comm = MPI_COMM_NULL;
    cp_progress_note_launcher(); /* before MPI_Init, which sets the launcher's variables */
    enum cp_status st = cp_comm_init(&argc, &argv, &comm);
    if (st != CP_OK) {
        fprintf(stderr, "conpar: %s\n", cp_error_message());
        return cp_status_exit_code(st);
    }
    /* once, before any thread: libcurl's global state (curl's threaded.c) */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "conpar: libcurl cannot initialise\n");
        cp_comm_finalize(&comm);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error to count, not a death */
    int code = cp_run_main(argc, argv, comm);
    curl_global_cleanup();
    cp_comm_finalize(&comm);
    return code;
}
