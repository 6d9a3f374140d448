/* Reports: the environment of a run, the human table and the JSON document.
 * Every per-strategy field is defined once (src/report/fields.c) and rendered by the table
 * and the JSON writer alike. Rendering happens on rank 0 only. */
#ifndef CONPAR_REPORT_H
#define CONPAR_REPORT_H

#include <mpi.h>
#include <stdio.h>

#include "conpar/cli.h"
#include "conpar/cpu.h"
#include "conpar/io.h"
#include "conpar/placement.h"
#include "conpar/status.h"

struct cp_host {
    char name[MPI_MAX_PROCESSOR_NAME];
    int ranks;
};

struct cp_env {
    int ranks;
    int nhosts;
    struct cp_host *hosts; /* distinct hosts in rank order, with their rank counts */
    char mpi_library[256]; /* first line of MPI_Get_library_version */
    int mpi_version, mpi_subversion;
    int thread_level; /* MPI_Query_thread */
    char openmp_version[16];
    int omp_max_threads;
    char omp_num_threads[64]; /* OMP_NUM_THREADS, "" when unset */
    char cpu_model[128];
    char compiler[128];
    char command_line[4096];
    char compile_flags[512];              /* the build type and C flags conpar was built with */
    char libcurl[64];                     /* curl_version_info */
    char libmicrohttpd[32];               /* MHD_get_version */
    const struct cp_placement *placement; /* set by the caller after capture, or NULL */
    /* the process pool conpar started itself (set by the caller): spawned, with its processes
     * (parent included) and its start time; pool_unavailable says why it could not start */
    int pool_spawned, pool_processes;
    double pool_start_seconds;
    char pool_unavailable[256];
};

/* A sweep (--sweep threads=1,2,4, intensity=1,2,4,...,256 or concurrency=1,10,100): the chosen
 * strategies run once per value; every point keeps the strategy's median (CPU) or wall (IO)
 * seconds, and for the CPU its data rate and its bound's. */
#define CP_SWEEP_MAX_POINTS (CP_SWEEP_MAX_VALUES * CP_IO_MAX_RECORDS)

struct cp_sweep_point {
    const char *strategy;
    int64_t requests; /* IO: the request count, CPU: 0 */
    int value;        /* the swept parameter's value */
    double seconds;
    double gb_per_s;       /* CPU: the array's bytes / seconds, 0 for IO */
    double bound_gb_per_s; /* CPU: the same for its probe passes (the memory roof), 0 for IO */
};

struct cp_sweep {
    const char *parameter; /* "threads", "intensity" or "concurrency" */
    int nvalues;
    int values[CP_SWEEP_MAX_VALUES];
    int npoints;
    struct cp_sweep_point points[CP_SWEEP_MAX_POINTS];
};

/* The scaling table: per strategy (and request count) the seconds at every value, the speedup
 * over its first value and the efficiency (speedup / (value / first value)). */
void cp_report_sweep_table(FILE *out, const struct cp_sweep *sweep);

/* Describe this run. Collective over comm (host names are gathered to rank 0; other ranks
 * get only their own). Free with cp_env_free. */
enum cp_status cp_env_capture(MPI_Comm comm, int argc, char **argv, struct cp_env *env);
void cp_env_free(struct cp_env *env);

/* The human table: per phase that ran (cpu or io may be NULL) the setup and one row per
 * strategy. */
void cp_report_table(FILE *out, const struct cp_env *env, const struct cp_cpu_report *cpu,
                     const struct cp_io_report *io);

/* Check before running that FILE (given as `flag`, "--json" or "--csv") can be written: its
 * directory accepts a new file and FILE is not a directory. CP_OK or CP_ERR_FILE naming the
 * flag, the path and the reason. Local. */
enum cp_status cp_report_json_check(const char *path, const char *flag);

/* Write the JSON document (fields in README) to path through a temporary file renamed over
 * it, so readers never see a half-written file. `complete` is 0 for a checkpoint written while
 * the run goes on, or for an interrupted run; `outcome` is the run's status. Local. */
enum cp_status cp_report_json_write(const char *path, const struct cp_env *env,
                                    const struct cp_cpu_report *cpu, const struct cp_io_report *io,
                                    const struct cp_sweep *sweep, int complete,
                                    enum cp_status outcome);

/* Write one CSV row per strategy of both phases (cpu or io may be NULL), the columns being
 * the JSON rows' fields, nested objects as "key.sub"; through a temporary file renamed over
 * path. Local. */
enum cp_status cp_report_csv_write(const char *path, const struct cp_cpu_report *cpu,
                                   const struct cp_io_report *io);

#endif
