/* conpar: parse options, run the chosen phases, hand the records to the report, exit. */
#include <inttypes.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "conpar/cli.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/placement.h"
#include "conpar/report.h"

/* One line on rank 0's stderr, `conpar: <what>: <why>`. */
static int fail(int rank, enum cp_status st)
{
    if (rank == 0) {
        if (st == CP_ERR_MPI || st == CP_ERR_SYSTEM)
            fprintf(stderr, "conpar: %s (at %s)\n", cp_error_message(), cp_error_where());
        else
            fprintf(stderr, "conpar: %s\n", cp_error_message());
    }
    return cp_status_exit_code(st);
}

/* `conpar generate`: the generated array as a .npy file, written by every rank. */
static int generate(const struct cp_options *opt, MPI_Comm comm)
{
    int rank = cp_comm_rank(comm);
    int threads = opt->cpu.threads > 0 ? opt->cpu.threads : omp_get_max_threads();
    double t0 = MPI_Wtime();
    enum cp_status st = cp_npy_write_generated(opt->out_path, comm, opt->cpu.size, opt->cpu.seed,
                                               opt->out_itemsize, threads);
    if (st != CP_OK)
        return fail(rank, st);
    if (rank == 0)
        printf("conpar: wrote %s: %" PRId64 " %s values from seed %" PRIu64 " in %.3f s\n",
               opt->out_path, opt->cpu.size, opt->out_itemsize == 8 ? "float64" : "float32",
               opt->cpu.seed, MPI_Wtime() - t0);
    return 0;
}

static int run(int argc, char **argv, MPI_Comm comm)
{
    int rank = cp_comm_rank(comm);
    struct cp_options opt;
    cp_options_default(&opt);
    /* every rank parses the same argv, so all reach the same verdict */
    enum cp_status st = cp_cli_parse(argc, argv, &opt);
    if (st != CP_OK)
        return fail(rank, st);
    if (opt.show_help || opt.show_version) {
        if (rank == 0 && opt.show_help)
            cp_cli_help(stdout);
        else if (rank == 0)
            printf("conpar %s\n", CONPAR_VERSION);
        return 0;
    }
    if (opt.command == CP_CMD_GENERATE)
        return generate(&opt, comm);
    if (rank == 0 && opt.json_path != NULL)
        st = cp_report_json_check(opt.json_path);
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return fail(rank, st);

    /* input problems are reported before any warning about the placement */
    st = cp_cpu_resolve(&opt.cpu, comm);
    if (st == CP_OK)
        st = cp_cpu_phase_check(&opt.cpu, comm);
    if (st != CP_OK)
        return fail(rank, st);
    struct cp_env env;
    struct cp_placement placement;
    st = cp_env_capture(comm, argc, argv, &env);
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return fail(rank, st);
    st = cp_comm_agree(comm, cp_placement_capture(comm, opt.cpu.threads, &placement));
    if (st != CP_OK) {
        cp_env_free(&env);
        return fail(rank, st);
    }
    env.placement = &placement;
    for (int i = 0; rank == 0 && i < placement.nwarnings; i++)
        fprintf(stderr, "conpar: warning: %s\n", placement.warnings[i]);

    struct cp_cpu_report report;
    enum cp_status outcome = cp_cpu_phase_run(&opt.cpu, &placement, comm, &report);
    for (int i = 0; rank == 0 && i < report.nrecords; i++)
        if (report.records[i].skipped[0] != '\0')
            fprintf(stderr, "conpar: warning: %s\n", report.records[i].skipped);
    /* a failed verification still shows the measured rows, flagged */
    int have_rows = outcome == CP_OK || (outcome == CP_ERR_VERIFY && report.nrecords > 0);
    if (rank == 0 && have_rows) {
        cp_report_table(stdout, &env, &report);
        fflush(stdout);
        if (opt.json_path != NULL) {
            st = cp_report_json_write(opt.json_path, &env, &report, outcome);
            if (st != CP_OK && outcome == CP_OK)
                outcome = st;
        }
    }
    cp_cpu_report_free(&report);
    cp_placement_free(&placement);
    cp_env_free(&env);
    outcome = cp_comm_agree(comm, outcome);
    return outcome == CP_OK ? 0 : fail(rank, outcome);
}

int main(int argc, char **argv)
{
    MPI_Comm comm = MPI_COMM_NULL;
    enum cp_status st = cp_comm_init(&argc, &argv, &comm);
    if (st != CP_OK) {
        fprintf(stderr, "conpar: %s\n", cp_error_message());
        return cp_status_exit_code(st);
    }
    int code = run(argc, argv, comm);
    cp_comm_finalize(&comm);
    return code;
}
