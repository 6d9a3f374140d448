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

/* What the phases of one run produced. */
struct results {
    struct cp_cpu_report cpu;
    struct cp_io_report io;
    int cpu_rows, io_rows;  /* the reports hold rows to show */
    char first_error[1024]; /* the first failure's line */
};

/* The phases in order, into *r (zeroed here). */
static enum cp_status run_phases(const struct cp_options *opt, const struct cp_placement *pl,
                                 MPI_Comm comm, struct results *r)
{
    memset(r, 0, sizeof *r);
    struct cp_cpu_report *cpu = &r->cpu;
    struct cp_io_report *io = &r->io;
    int *cpu_rows = &r->cpu_rows, *io_rows = &r->io_rows;
    char *first_error = r->first_error;
    size_t size = sizeof r->first_error;
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
    if (cp_report_json_write(c->path, c->env, cpu, io, NULL, 0, CP_OK) != CP_OK)
        fprintf(stderr, "conpar: warning: checkpoint: %s\n", cp_error_message());
}

/* One phase per value of --sweep; every strategy's time becomes a point. */
static enum cp_status run_sweep(struct cp_options *opt, MPI_Comm comm, struct cp_sweep *sw)
{
    int rank = cp_comm_rank(comm), threads = strcmp(opt->sweep, "threads") == 0;
    memset(sw, 0, sizeof *sw);
    sw->parameter = opt->sweep;
    opt->phases = threads ? CP_PHASE_CPU : CP_PHASE_IO;
    enum cp_status st = CP_OK;
    for (int v = 0; v < opt->nsweep && st == CP_OK; v++) {
        int value = opt->sweep_values[v];
        sw->values[sw->nvalues++] = value;
        struct cp_placement pl;
        opt->cpu.threads = threads ? value : opt->cpu.threads;
        opt->io.concurrency = threads ? opt->io.concurrency : value;
        st = cp_comm_agree(comm, cp_placement_capture(comm, opt->cpu.threads, &pl));
        if (st != CP_OK)
            break;
        struct results *r = malloc(sizeof *r);
        st = cp_comm_agree(comm, r == NULL ? CP_FAIL(CP_ERR_NOMEM, "out of memory") : CP_OK);
        if (st == CP_OK)
            st = run_phases(opt, &pl, comm, r);
        for (int i = 0; st == CP_OK && rank == 0 && i < r->cpu.nrecords; i++)
            sw->points[sw->npoints++] = (struct cp_sweep_point){
                r->cpu.records[i].strategy->name, 0, value, r->cpu.records[i].seconds.median};
        for (int i = 0; st == CP_OK && rank == 0 && i < r->io.nrecords; i++)
            sw->points[sw->npoints++] =
                (struct cp_sweep_point){r->io.records[i].strategy->name, r->io.records[i].requests,
                                        value, r->io.records[i].seconds};
        if (r != NULL) {
            if (st != CP_OK)
                cp_error_set(st, r->first_error);
            cp_cpu_report_free(&r->cpu);
            cp_io_report_free(&r->io);
        }
        free(r);
        cp_placement_free(&pl);
    }
    return st;
}

/* srun without Slurm's PMI for Open MPI starts N copies that each see one rank (P3): they would
 * all run everything alone and fight over the cores. */
static long env_count(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? strtol(v, NULL, 10) : 0;
}

/* Several copies each seeing a world of 1 rank: srun without PMI, or another MPI's launcher
 * (MPICH/Intel MPI hydra sets PMI_SIZE) starting this Open MPI build. */
static enum cp_status check_launch(MPI_Comm comm)
{
    if (cp_comm_size(comm) != 1)
        return CP_OK;
    long n = env_count("SLURM_STEP_NUM_TASKS");
    if (n == 0)
        n = env_count("SLURM_NTASKS");
    if (getenv("SLURM_PROCID") != NULL && n > 1)
        return CP_FAIL(CP_ERR_USAGE,
                       "srun started %ld tasks but MPI sees only 1 rank in each: Open MPI did not "
                       "get Slurm's process management; use `srun --mpi=pmix` (see `srun "
                       "--mpi=list`), or mpirun inside the allocation",
                       n);
    n = env_count("PMI_SIZE");
    if (n > 1)
        return CP_FAIL(CP_ERR_USAGE,
                       "a launcher started %ld copies (PMI_SIZE=%ld) but MPI sees only 1 rank in "
                       "each: it is not this Open MPI's; start conpar with Open MPI's mpirun "
                       "(`mpirun -np N conpar`), or `srun --mpi=pmix` under Slurm",
                       n, n);
    return CP_OK;
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
    if (opt.show_help || opt.show_version || opt.list_strategies) {
        if (rank == 0 && opt.show_help)
            cp_cli_help(stdout, opt.command);
        else if (rank == 0 && opt.list_strategies)
            cp_cli_list_strategies(stdout, opt.list_strategies);
        else if (rank == 0)
            printf("conpar %s\n", CONPAR_VERSION);
        return 0;
    }
    /* a launch mistake is reported by every copy: each believes it is rank 0 */
    st = check_launch(comm);
    if (st != CP_OK)
        return fail(rank, st);
    if (opt.command == CP_CMD_GENERATE)
        return generate(&opt, comm);
    if (opt.command == CP_CMD_SERVE)
        return serve(&opt, comm);
    if (opt.command == CP_CMD_DOCTOR)
        return cp_doctor_run(&opt, comm);
    cp_stop_install();
    cp_progress_enable(rank == 0 && !opt.quiet && cp_interactive(STDERR_FILENO));
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

    if (opt.sweep != NULL) {
        struct cp_sweep *sw = malloc(sizeof *sw);
        st = cp_comm_agree(comm, sw == NULL ? CP_FAIL(CP_ERR_NOMEM, "out of memory") : CP_OK);
        if (st == CP_OK)
            st = run_sweep(&opt, comm, sw);
        if (rank == 0 && st == CP_OK) {
            cp_report_sweep_table(stdout, sw);
            if (opt.json_path != NULL)
                st = cp_report_json_write(opt.json_path, &env, NULL, NULL, sw, 1, CP_OK);
        }
        free(sw);
        cp_placement_free(&placement);
        cp_env_free(&env);
        st = cp_comm_agree(comm, st);
        return st == CP_OK ? 0 : fail(rank, st);
    }
    struct results *r = calloc(1, sizeof *r); /* the reports are large: on the heap */
    st = cp_comm_agree(comm, r == NULL ? CP_FAIL(CP_ERR_NOMEM, "out of memory") : CP_OK);
    if (st != CP_OK) {
        cp_placement_free(&placement);
        cp_env_free(&env);
        return fail(rank, st);
    }
    /* the JSON is rewritten after every strategy, marked incomplete until the end */
    struct checkpoint cp = {opt.json_path, &env, &r->cpu, &r->io};
    if (opt.json_path != NULL) {
        opt.cpu.on_record = opt.io.on_record = write_checkpoint;
        opt.cpu.on_record_arg = opt.io.on_record_arg = &cp;
    }
    enum cp_status outcome = run_phases(&opt, &placement, comm, r);
    if (outcome != CP_OK)
        cp_error_set(outcome, r->first_error);
    int interrupted = outcome == CP_ERR_INTERRUPTED;
    if (rank == 0 && (r->cpu_rows || r->io_rows || interrupted)) {
        const struct cp_cpu_report *c = r->cpu_rows ? &r->cpu : NULL;
        const struct cp_io_report *i = r->io_rows ? &r->io : NULL;
        if (c != NULL || i != NULL)
            cp_report_table(stdout, &env, c, i);
        fflush(stdout);
        st = opt.json_path != NULL
                 ? cp_report_json_write(opt.json_path, &env, c, i, NULL, !interrupted, outcome)
                 : CP_OK;
        if (st == CP_OK && opt.csv_path != NULL)
            st = cp_report_csv_write(opt.csv_path, c, i);
        if (st != CP_OK && outcome == CP_OK) {
            outcome = st;
        } else if (st != CP_OK) {
            fprintf(stderr, "conpar: %s\n", cp_error_message());
            cp_error_set(outcome, r->first_error);
        }
    }
    cp_cpu_report_free(&r->cpu);
    cp_io_report_free(&r->io);
    free(r);
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
    int code = run(argc, argv, comm);
    curl_global_cleanup();
    cp_comm_finalize(&comm);
    return code;
}
