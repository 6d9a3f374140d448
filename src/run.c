/* A run of conpar: the command line, the launch checks, the subcommands, and the measuring run
 * (the phases or a sweep, checkpoints, the outputs). */
#include "conpar/run.h"

#include <inttypes.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/doctor.h"
#include "conpar/io.h"
#include "conpar/placement.h"
#include "conpar/pool.h"
#include "conpar/progress.h"
#include "conpar/report.h"

/* One line on rank 0's stderr, `conpar: <what>: <why>`; the exit status for st. */
static int fail(int rank, enum cp_status st)
{
    if (rank == 0) {
        if (st == CP_ERR_MPI || st == CP_ERR_SYSTEM)
            fprintf(stderr, "conpar: %s (at %s)\n", cp_error_message(), cp_error_where());
        else
            fprintf(stderr, "conpar: %s\n", cp_error_message());
    }
    return cp_exit_status(st);
}

/* `conpar generate`: the generated array as a .npy file, written by every rank. */
static enum cp_status generate(const struct cp_options *opt, MPI_Comm comm)
{
    int threads = opt->cpu.threads > 0 ? opt->cpu.threads : omp_get_max_threads();
    double t0 = MPI_Wtime();
    enum cp_status st = cp_npy_write_generated(opt->out_path, comm, opt->cpu.size, opt->cpu.seed,
                                               opt->out_itemsize, threads);
    if (st == CP_OK && cp_comm_rank(comm) == 0)
        printf("conpar: wrote %s: %" PRId64 " %s values from seed %" PRIu64 " in %.3f s\n",
               opt->out_path, opt->cpu.size, opt->out_itemsize == 8 ? "float64" : "float32",
               opt->cpu.seed, MPI_Wtime() - t0);
    return st;
}

/* `conpar serve`: the slow server alone, until SIGINT or SIGTERM. */
static enum cp_status serve(const struct cp_options *opt, MPI_Comm comm)
{
    if (cp_comm_size(comm) > 1)
        return CP_FAIL(CP_ERR_USAGE, "conpar serve runs as one process: start it without mpirun "
                                     "(the IO phase's `ranks` strategy spreads the clients)");
    return cp_server_run(&opt->serve);
}

/* srun without Slurm's PMI for Open MPI starts N copies that each see one rank (P3): they would
 * all run everything alone and fight over the cores. */
static long env_count(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? strtol(v, NULL, 10) : 0;
}

enum cp_status cp_run_check_launch(MPI_Comm comm)
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

/* What one measuring run holds; released in one place (run_free). */
struct run {
    struct cp_options *opt;
    MPI_Comm comm;
    int rank;
    struct cp_env env;
    int have_env;
    struct cp_placement placement;
    int have_placement;
    struct cp_cpu_report cpu;
    struct cp_io_report io;
    int cpu_rows, io_rows;  /* the reports hold rows to show */
    char first_error[1024]; /* the first failure's line */
    struct cp_sweep sweep;
};

static void run_free(struct run *r)
{
    cp_cpu_report_free(&r->cpu);
    cp_io_report_free(&r->io);
    if (r->have_placement)
        cp_placement_free(&r->placement);
    if (r->have_env)
        cp_env_free(&r->env);
    free(r);
}

/* Keep the first failure's line; a later one is printed as it happens. */
static void note_failure(struct run *r, enum cp_status outcome, enum cp_status st)
{
    if (st == CP_OK)
        return;
    if (outcome == CP_OK)
        snprintf(r->first_error, sizeof r->first_error, "%s", cp_error_message());
    else if (r->rank == 0)
        fprintf(stderr, "conpar: %s\n", cp_error_message()); /* the second failure */
}

/* The phases in order, into r's reports (emptied first). */
static enum cp_status run_phases(struct run *r, const struct cp_placement *pl)
{
    const struct cp_options *opt = r->opt;
    cp_cpu_report_free(&r->cpu);
    cp_io_report_free(&r->io);
    r->cpu_rows = r->io_rows = 0;
    r->first_error[0] = '\0';
    enum cp_status outcome = CP_OK;
    if (opt->phases & CP_PHASE_CPU) {
        outcome = cp_cpu_phase_run(&opt->cpu, pl, r->comm, &r->cpu);
        for (int i = 0; r->rank == 0 && i < r->cpu.nrecords; i++)
            if (r->cpu.records[i].skipped[0] != '\0')
                fprintf(stderr, "conpar: warning: %s\n", r->cpu.records[i].skipped);
        /* a failed verification or an interruption still shows the measured rows */
        r->cpu_rows =
            outcome == CP_OK ||
            ((outcome == CP_ERR_VERIFY || outcome == CP_ERR_INTERRUPTED) && r->cpu.nrecords > 0);
        note_failure(r, CP_OK, outcome);
        if (outcome != CP_OK && outcome != CP_ERR_VERIFY)
            return outcome;
    }
    if (opt->phases & CP_PHASE_IO) {
        enum cp_status st = cp_io_phase_run(&opt->io, r->comm, &r->io);
        r->io_rows = st == CP_OK || st == CP_ERR_IO_FAILED ||
                     (st == CP_ERR_INTERRUPTED && r->io.nrecords > 0);
        if (r->rank == 0 && r->io_rows && r->io.timeout_short)
            fprintf(stderr,
                    "conpar: warning: --timeout %.3f s is shorter than a request can take "
                    "waiting for the server's workers: expect timeouts\n",
                    r->io.timeout);
        note_failure(r, outcome, st);
        outcome = outcome == CP_OK ? st : outcome;
    }
    return outcome;
}

/* A checkpoint: the JSON so far, marked incomplete. */
static void write_checkpoint(void *arg)
{
    const struct run *r = arg;
    /* a phase that has not started has nothing to show */
    const struct cp_cpu_report *cpu = r->cpu.simd_isa != NULL ? &r->cpu : NULL;
    const struct cp_io_report *io = r->io.nrecords > 0 ? &r->io : NULL;
    if (cp_report_json_write(r->opt->json_path, &r->env, cpu, io, NULL, 0, CP_OK) != CP_OK)
        fprintf(stderr, "conpar: warning: checkpoint: %s\n", cp_error_message());
}

/* One run of the phases per value of --sweep; every strategy's time becomes a point. */
static enum cp_status run_sweep(struct run *r)
{
    struct cp_options *opt = r->opt;
    struct cp_sweep *sw = &r->sweep;
    int threads = strcmp(opt->sweep, "threads") == 0;
    int intensity = strcmp(opt->sweep, "intensity") == 0;
    memset(sw, 0, sizeof *sw);
    sw->parameter = opt->sweep;
    opt->phases = threads || intensity ? CP_PHASE_CPU : CP_PHASE_IO;
    enum cp_status st = CP_OK;
    for (int v = 0; v < opt->nsweep && st == CP_OK; v++) {
        int value = opt->sweep_values[v];
        sw->values[sw->nvalues++] = value;
        opt->cpu.threads = threads ? value : opt->cpu.threads;
        opt->io.concurrency = opt->phases == CP_PHASE_IO ? value : opt->io.concurrency;
        if (intensity) {
            opt->cpu.nintensities = 1;
            opt->cpu.intensities[0] = value;
        }
        struct cp_placement pl;
        st = cp_comm_agree(r->comm, cp_placement_capture(r->comm, opt->cpu.threads, &pl));
        if (st != CP_OK)
            break;
        st = run_phases(r, &pl);
        cp_placement_free(&pl);
        if (st != CP_OK) {
            cp_error_set(st, r->first_error);
            break;
        }
        double bytes = (double)opt->cpu.size * sizeof(double);
        for (int i = 0; r->rank == 0 && i < r->cpu.nrecords; i++) {
            const struct cp_cpu_record *c = &r->cpu.records[i];
            double roof = c->bound_seconds > 0 ? bytes / c->bound_seconds / 1e9 : 0;
            sw->points[sw->npoints++] = (struct cp_sweep_point){
                c->strategy->name, 0, value, c->seconds.median, c->gb_per_s, roof};
        }
        for (int i = 0; r->rank == 0 && i < r->io.nrecords; i++)
            sw->points[sw->npoints++] = (struct cp_sweep_point){r->io.records[i].strategy->name,
                                                                r->io.records[i].requests,
                                                                value,
                                                                r->io.records[i].seconds,
                                                                0,
                                                                0};
    }
    if (st == CP_OK && r->rank == 0) {
        cp_report_sweep_table(stdout, sw);
        if (opt->json_path != NULL)
            st = cp_report_json_write(opt->json_path, &r->env, NULL, NULL, sw, 1, CP_OK);
    }
    return st;
}

/* The phases once, then the table, the JSON and the CSV on rank 0 (also after a failed
 * verification or an interruption, with what was measured). */
static enum cp_status run_once(struct run *r)
{
    const struct cp_options *opt = r->opt;
    /* the JSON is rewritten after every strategy, marked incomplete until the end */
    if (opt->json_path != NULL) {
        r->opt->cpu.on_record = r->opt->io.on_record = write_checkpoint;
        r->opt->cpu.on_record_arg = r->opt->io.on_record_arg = r;
    }
    enum cp_status outcome = run_phases(r, &r->placement);
    if (outcome != CP_OK)
        cp_error_set(outcome, r->first_error);
    int interrupted = outcome == CP_ERR_INTERRUPTED;
    if (r->rank != 0 || !(r->cpu_rows || r->io_rows || interrupted))
        return outcome;
    const struct cp_cpu_report *c = r->cpu_rows ? &r->cpu : NULL;
    const struct cp_io_report *i = r->io_rows ? &r->io : NULL;
    if (c != NULL || i != NULL)
        cp_report_table(stdout, &r->env, c, i);
    fflush(stdout);
    enum cp_status st = CP_OK;
    if (opt->json_path != NULL)
        st = cp_report_json_write(opt->json_path, &r->env, c, i, NULL, !interrupted, outcome);
    if (st == CP_OK && opt->csv_path != NULL)
        st = cp_report_csv_write(opt->csv_path, c, i);
    if (st == CP_OK)
        return outcome;
    if (outcome == CP_OK)
        return st;
    fprintf(stderr, "conpar: %s\n", cp_error_message()); /* the output's failure, then the run's */
    cp_error_set(outcome, r->first_error);
    return outcome;
}

/* The process pool as the report shows it. */
static void describe_pool(struct cp_env *env, const struct cp_options *opt,
                          const struct cp_pool *pool)
{
    env->pool_spawned = pool != NULL && (pool->spawned || pool->child);
    env->pool_processes = env->pool_spawned ? pool->processes : 1;
    env->pool_start_seconds = env->pool_spawned ? pool->start_seconds : 0;
    if (opt->cpu.ranks_unavailable != NULL)
        snprintf(env->pool_unavailable, sizeof env->pool_unavailable, "%s",
                 opt->cpu.ranks_unavailable);
}

/* Before any work: the outputs can be written, the CPU phase's input is sound, and the
 * environment and placement are known. */
static enum cp_status set_up(struct run *r, const struct cp_pool *pool, int argc, char **argv)
{
    struct cp_options *opt = r->opt;
    enum cp_status st = CP_OK;
    if (r->rank == 0 && opt->json_path != NULL)
        st = cp_report_json_check(opt->json_path, "--json");
    if (st == CP_OK && r->rank == 0 && opt->csv_path != NULL)
        st = cp_report_json_check(opt->csv_path, "--csv");
    st = cp_comm_agree(r->comm, st);
    /* the answer's problems are reported before the placement's warnings */
    if (st == CP_OK && (opt->phases & CP_PHASE_CPU))
        st = cp_cpu_resolve(&opt->cpu, r->comm);
    if (st == CP_OK && (opt->phases & CP_PHASE_CPU))
        st = cp_cpu_phase_check(&opt->cpu, r->comm);
    if (st != CP_OK)
        return st;
    st = cp_comm_agree(r->comm, cp_env_capture(r->comm, argc, argv, &r->env));
    r->have_env = st == CP_OK;
    if (st != CP_OK)
        return st;
    describe_pool(&r->env, opt, pool);
    st = cp_comm_agree(r->comm, cp_placement_capture(r->comm, opt->cpu.threads, &r->placement));
    r->have_placement = st == CP_OK;
    if (st != CP_OK)
        return st;
    r->env.placement = &r->placement;
    for (int i = 0; r->rank == 0 && i < r->placement.nwarnings; i++)
        fprintf(stderr, "conpar: warning: %s\n", r->placement.warnings[i]);
    return CP_OK;
}

enum cp_status cp_run(struct cp_options *opt, const struct cp_pool *pool, int argc, char **argv,
                      MPI_Comm comm)
{
    struct run *r = calloc(1, sizeof *r); /* the reports are large: on the heap */
    enum cp_status st =
        cp_comm_agree(comm, r == NULL ? CP_FAIL(CP_ERR_NOMEM, "out of memory") : CP_OK);
    if (st != CP_OK)
        return st;
    r->opt = opt;
    r->comm = comm;
    r->rank = cp_comm_rank(comm);
    st = set_up(r, pool, argc, argv);
    if (st == CP_OK)
        st = opt->sweep != NULL ? run_sweep(r) : run_once(r);
    run_free(r);
    return cp_comm_agree(comm, st);
}

/* Whether the chosen strategies include one that every rank runs. */
static int needs_ranks(const struct cp_options *opt)
{
    for (int i = 0; (opt->phases & CP_PHASE_CPU) && i < opt->cpu.nstrategies; i++)
        if (opt->cpu.strategies[i]->needs & CP_NEEDS_ALL_RANKS)
            return 1;
    for (int i = 0; (opt->phases & CP_PHASE_IO) && i < opt->io.nstrategies; i++)
        if (opt->io.strategies[i]->needs & CP_IO_ALL_RANKS)
            return 1;
    return 0;
}

/* Without a launcher, the process pool of a run whose strategies need ranks: --processes in
 * total (default the CPUs of the affinity mask). A pool that cannot start leaves the reason in
 * `why`, and the strategies every rank runs are skipped with it. Local to the parent. */
static enum cp_status start_pool(const struct cp_options *opt, char **argv, MPI_Comm comm,
                                 struct cp_pool *pool, char *why, size_t size)
{
    int launched = cp_pool_launched();
    if (opt->processes > 0 && launched)
        return CP_FAIL(CP_ERR_USAGE,
                       "--processes %d: a launcher (mpirun, mpiexec or srun) started conpar, and "
                       "its %d rank%s are the processes; leave --processes out",
                       opt->processes, cp_comm_size(comm), cp_comm_size(comm) == 1 ? "" : "s");
    int p = opt->processes > 0 ? opt->processes : cp_pool_default_processes();
    if (launched || p <= 1 || !needs_ranks(opt))
        return CP_OK;
    enum cp_status st = cp_pool_start(p, NULL, argv + 1, comm, 0, pool);
    if (st == CP_ERR_UNAVAILABLE) {
        snprintf(why, size, "the process pool could not start: %s", cp_error_message());
        cp_error_clear();
        return CP_OK;
    }
    return st;
}

/* The measuring run, on a process pool when one starts (in a pool process: on the pool it
 * joined). A pool process ends with 0 whatever the verdict: the parent reports it. */
static int measure(struct cp_options *opt, int argc, char **argv, MPI_Comm comm)
{
    int rank = cp_comm_rank(comm), child = cp_pool_is_child();
    struct cp_pool pool;
    memset(&pool, 0, sizeof pool);
    pool.processes = 1;
    pool.comm = MPI_COMM_NULL;
    char why[384] = "";
    enum cp_status st =
        child ? cp_pool_join(&pool) : start_pool(opt, argv, comm, &pool, why, sizeof why);
    if (st != CP_OK)
        return child ? 0 : fail(rank, st);
    if (why[0] != '\0')
        opt->cpu.ranks_unavailable = opt->io.ranks_unavailable = why;
    MPI_Comm run_comm = pool.comm != MPI_COMM_NULL ? pool.comm : comm;
    cp_stop_install();
    cp_progress_enable(cp_comm_rank(run_comm) == 0 && !opt->quiet && cp_interactive(STDERR_FILENO));
    st = cp_run(opt, &pool, argc, argv, run_comm);
    int code = st == CP_OK || child ? 0 : fail(rank, st);
    cp_pool_stop(&pool);
    return code;
}

int cp_run_main(int argc, char **argv, MPI_Comm comm)
{
    int rank = cp_comm_rank(comm);
    struct cp_options opt;
    cp_options_default(&opt);
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
    st = cp_pool_is_child() ? CP_OK : cp_run_check_launch(comm);
    if (st != CP_OK)
        return fail(rank, st);
    if (opt.command == CP_CMD_GENERATE)
        st = generate(&opt, comm);
    else if (opt.command == CP_CMD_SERVE)
        st = serve(&opt, comm);
    else if (opt.command == CP_CMD_DOCTOR)
        return cp_doctor_run(&opt, comm);
    if (opt.command != CP_CMD_RUN)
        return st == CP_OK ? 0 : fail(rank, st);
    return measure(&opt, argc, argv, comm);
}
