/* conpar: parse options, run the chosen phases, hand the records to the report, exit. */
#include <curl/curl.h>
#include <inttypes.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conpar/cli.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/doctor.h"
#include "conpar/io.h"
#include "conpar/placement.h"
#include "conpar/progress.h"
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

/* `conpar serve`: the slow server alone, until SIGINT or SIGTERM. */
static int serve(const struct cp_options *opt, MPI_Comm comm)
{
    int rank = cp_comm_rank(comm);
    enum cp_status st = CP_OK;
    if (cp_comm_size(comm) > 1)
        st = CP_FAIL(CP_ERR_USAGE, "conpar serve runs as one process: start it without mpirun "
                                   "(the IO phase's `ranks` strategy spreads the clients)");
    if (st == CP_OK)
        st = cp_server_run(&opt->serve);
    return st == CP_OK ? 0 : fail(rank, st);
}

/* The CPU phase: the answer's problems are reported before the placement's warnings. */
static enum cp_status check_cpu_input(struct cp_options *opt, MPI_Comm comm)
{
    if (!(opt->phases & CP_PHASE_CPU))
        return CP_OK;
    enum cp_status st = cp_cpu_resolve(&opt->cpu, comm);
    if (st == CP_OK)
        st = cp_cpu_phase_check(&opt->cpu, comm);
    return st;
}

/* The phases in order; *cpu_ok / *io_ok say whether their reports hold rows to show. The
 * first failure's line is kept in first_error. */
static enum cp_status run_phases(const struct cp_options *opt, const struct cp_placement *pl,
                                 MPI_Comm comm, struct cp_cpu_report *cpu, int *cpu_rows,
                                 struct cp_io_report *io, int *io_rows, char *first_error,
                                 size_t size)
{
    int rank = cp_comm_rank(comm);
    enum cp_status outcome = CP_OK;
    if (opt->phases & CP_PHASE_CPU) {
        outcome = cp_cpu_phase_run(&opt->cpu, pl, comm, cpu);
        for (int i = 0; rank == 0 && i < cpu->nrecords; i++)
            if (cpu->records[i].skipped[0] != '\0')
                fprintf(stderr, "conpar: warning: %s\n", cpu->records[i].skipped);
        /* a failed verification or an interruption still shows the measured rows */
        *cpu_rows =
            outcome == CP_OK ||
            ((outcome == CP_ERR_VERIFY || outcome == CP_ERR_INTERRUPTED) && cpu->nrecords > 0);
        if (outcome != CP_OK)
            snprintf(first_error, size, "%s", cp_error_message());
        if (outcome != CP_OK && outcome != CP_ERR_VERIFY)
            return outcome;
    }
    if (opt->phases & CP_PHASE_IO) {
        enum cp_status st = cp_io_phase_run(&opt->io, comm, io);
        *io_rows =
            st == CP_OK || st == CP_ERR_IO_FAILED || (st == CP_ERR_INTERRUPTED && io->nrecords > 0);
        if (rank == 0 && *io_rows && io->timeout_short)
            fprintf(stderr,
                    "conpar: warning: --timeout %.3f s is shorter than a request can take "
                    "waiting for the server's workers: expect timeouts\n",
                    io->timeout);
        if (outcome == CP_OK) {
            outcome = st;
            if (st != CP_OK)
                snprintf(first_error, size, "%s", cp_error_message());
        } else if (st != CP_OK && rank == 0) {
            fprintf(stderr, "conpar: %s\n", cp_error_message()); /* the second failure */
        }
    }
    return outcome;
}

/* What a checkpoint writes: the JSON so far, marked incomplete. */
struct checkpoint {
    const char *path;
    const struct cp_env *env;
    const struct cp_cpu_report *cpu;
    const struct cp_io_report *io;
};

static void write_checkpoint(void *arg)
{
    const struct checkpoint *c = arg;
    /* a phase that has not started has nothing to show */
    const struct cp_cpu_report *cpu = c->cpu->simd_isa != NULL ? c->cpu : NULL;
    const struct cp_io_report *io = c->io->nrecords > 0 ? c->io : NULL;
    if (cp_report_json_write(c->path, c->env, cpu, io, 0, CP_OK) != CP_OK)
        fprintf(stderr, "conpar: warning: checkpoint: %s\n", cp_error_message());
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
    if (opt.command == CP_CMD_SERVE)
        return serve(&opt, comm);
    if (opt.command == CP_CMD_DOCTOR)
        return cp_doctor_run(&opt, comm);
    cp_stop_install();
    cp_progress_enable(rank == 0 && !opt.quiet && isatty(STDERR_FILENO));
    if (rank == 0 && opt.json_path != NULL)
        st = cp_report_json_check(opt.json_path, "--json");
    if (st == CP_OK && rank == 0 && opt.csv_path != NULL)
        st = cp_report_json_check(opt.csv_path, "--csv");
    st = cp_comm_agree(comm, st);
    if (st == CP_OK)
        st = check_cpu_input(&opt, comm);
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

    struct cp_cpu_report cpu;
    struct cp_io_report io;
    memset(&cpu, 0, sizeof cpu);
    memset(&io, 0, sizeof io);
    int cpu_rows = 0, io_rows = 0;
    char first_error[1024] = "";
    /* the JSON is rewritten after every strategy, marked incomplete until the end */
    struct checkpoint cp = {opt.json_path, &env, &cpu, &io};
    if (opt.json_path != NULL) {
        opt.cpu.on_record = opt.io.on_record = write_checkpoint;
        opt.cpu.on_record_arg = opt.io.on_record_arg = &cp;
    }
    enum cp_status outcome = run_phases(&opt, &placement, comm, &cpu, &cpu_rows, &io, &io_rows,
                                        first_error, sizeof first_error);
    if (outcome != CP_OK)
        cp_error_set(outcome, first_error);
    int interrupted = outcome == CP_ERR_INTERRUPTED;
    if (rank == 0 && (cpu_rows || io_rows || interrupted)) {
        const struct cp_cpu_report *c = cpu_rows ? &cpu : NULL;
        const struct cp_io_report *i = io_rows ? &io : NULL;
        if (cpu_rows || io_rows)
            cp_report_table(stdout, &env, c, i);
        fflush(stdout);
        st = opt.json_path != NULL
                 ? cp_report_json_write(opt.json_path, &env, c, i, !interrupted, outcome)
                 : CP_OK;
        if (st == CP_OK && opt.csv_path != NULL)
            st = cp_report_csv_write(opt.csv_path, c, i);
        if (st != CP_OK && outcome == CP_OK) {
            outcome = st;
        } else if (st != CP_OK) {
            fprintf(stderr, "conpar: %s\n", cp_error_message());
            cp_error_set(outcome, first_error);
        }
    }
    cp_cpu_report_free(&cpu);
    cp_io_report_free(&io);
    cp_placement_free(&placement);
    cp_env_free(&env);
    outcome = cp_comm_agree(comm, outcome);
    if (outcome == CP_ERR_INTERRUPTED) {
        fail(rank, outcome);
        return 128 + (cp_stop_signal() != 0 ? cp_stop_signal() : SIGINT); /* 130 or 143 */
    }
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
    /* once, before any thread: libcurl's global state (curl's threaded.c) */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "conpar: libcurl cannot initialise\n");
        cp_comm_finalize(&comm);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error to count, not a death */
    int code = run(argc, argv, comm);
    curl_global_cleanup();
    cp_comm_finalize(&comm);
    return code;
}
