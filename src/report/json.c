/* The JSON document, written through jansson and renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#include "conpar/comm.h"
#include "conpar/report.h"
#include "fields.h"

static void temp_name(const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s.tmp.%ld", path, (long)getpid());
}

enum cp_status cp_report_json_check(const char *path, const char *flag)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return CP_FAIL(CP_ERR_FILE, "%s '%s': is a directory", flag, path);
    char tmp[4096];
    temp_name(path, tmp, sizeof tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return CP_FAIL(CP_ERR_FILE, "%s '%s': cannot create a file there: %s", flag, path,
                       strerror(errno));
    close(fd);
    if (unlink(tmp) != 0)
        return CP_FAIL(CP_ERR_FILE, "%s '%s': cannot remove the test file '%s': %s", flag, path,
                       tmp, strerror(errno));
    return CP_OK;
}

static const char *thread_level_name(int level)
{
    switch (level) {
    case MPI_THREAD_SINGLE:
        return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
        return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
        return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE:
        return "MPI_THREAD_MULTIPLE";
    default:
        return "unknown";
    }
}

/* Per rank: where it ran and on how many threads; and the warnings. */
static void add_placement(json_t *o, const struct cp_placement *pl)
{
    if (pl == NULL || pl->ranks == NULL)
        return;
    json_t *threads = json_array(), *ranks = json_array(), *warnings = json_array();
    for (int r = 0; r < pl->nranks; r++) {
        const struct cp_rank_place *p = &pl->ranks[r];
        json_array_append_new(threads, json_integer(p->threads));
        json_array_append_new(ranks,
                              json_pack("{s:i, s:s, s:i, s:i, s:i, s:i, s:s, s:i}", "rank", p->rank,
                                        "host", p->host, "node_rank", p->node_rank, "node_ranks",
                                        p->node_ranks, "threads", p->threads, "mask_cpus",
                                        p->mask_cpus, "mask", p->mask, "node_cpus", p->node_cpus));
    }
    for (int w = 0; w < pl->nwarnings; w++)
        json_array_append_new(warnings, json_string(pl->warnings[w]));
    json_object_set_new(o, "threads", threads);
    json_object_set_new(o, "threads_from", json_string(pl->threads_from));
    json_object_set_new(o, "placement", ranks);
    json_object_set_new(o, "placement_ok", json_boolean(pl->ok));
    json_object_set_new(o, "warnings", warnings);
}

static json_t *environment(const struct cp_env *env)
{
    json_t *hosts = json_array();
    json_t *per_host = json_array();
    for (int h = 0; h < env->nhosts; h++) {
        json_array_append_new(hosts, json_string(env->hosts[h].name));
        json_array_append_new(per_host, json_integer(env->hosts[h].ranks));
    }
    char mpi_version[16];
    snprintf(mpi_version, sizeof mpi_version, "%d.%d", env->mpi_version, env->mpi_subversion);
    json_t *o = json_pack(
        "{s:o, s:i, s:o, s:s, s:s, s:i, s:s, s:s, s:i, s:s?, s:s, s:s, s:s}", "hosts", hosts,
        "ranks", env->ranks, "ranks_per_host", per_host, "mpi_library", env->mpi_library,
        "mpi_version", mpi_version, "mpi_thread_level", env->thread_level, "mpi_thread_level_name",
        thread_level_name(env->thread_level), "openmp_version", env->openmp_version,
        "omp_max_threads", env->omp_max_threads, "omp_num_threads",
        env->omp_num_threads[0] ? env->omp_num_threads : NULL, "cpu_model", env->cpu_model,
        "compiler", env->compiler, "command_line", env->command_line);
    add_placement(o, env->placement);
    json_object_set_new(o, "compile_flags", json_string(env->compile_flags));
    json_object_set_new(o, "conpar_version", json_string(CONPAR_VERSION));
    /* the OpenMP and Slurm settings this rank 0 ran under, as they were given */
    json_t *omp = json_object(), *slurm = json_object();
    for (char **e = environ; *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL || eq - *e >= 128)
            continue;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
        if (strncmp(name, "OMP_", 4) == 0 || strncmp(name, "GOMP_", 5) == 0)
            json_object_set_new(omp, name, json_string(eq + 1));
        else if (strncmp(name, "SLURM_", 6) == 0)
            json_object_set_new(slurm, name, json_string(eq + 1));
    }
    json_object_set_new(o, "omp_variables", omp);
    json_object_set_new(o, "slurm", json_object_size(slurm) > 0 ? slurm : json_null());
    if (json_object_size(slurm) == 0)
        json_decref(slurm);
    json_object_set_new(o, "libcurl", json_string(env->libcurl));
    json_object_set_new(o, "libmicrohttpd", json_string(env->libmicrohttpd));
    json_object_set_new(
        o, "process_pool",
        json_pack("{s:b, s:i, s:o, s:s?}", "spawned", env->pool_spawned, "processes",
                  env->pool_processes > 0 ? env->pool_processes : 1, "start_seconds",
                  env->pool_spawned ? json_real(env->pool_start_seconds) : json_null(),
                  "unavailable", env->pool_unavailable[0] ? env->pool_unavailable : NULL));
    return o;
}

static json_t *cpu_section(const struct cp_cpu_report *cpu)
{
    json_t *results = json_array();
    for (int i = 0; i < cpu->nrecords; i++)
        json_array_append_new(results,
                              cp_field_row(cp_cpu_fields, cp_cpu_nfields, &cpu->records[i]));
    json_t *section = cp_setup_object(cp_cpu_setup, cp_cpu_nsetup, cpu);
    json_object_set_new(section, "results", results);
    return section;
}

static json_t *sweep_section(const struct cp_sweep *sw)
{
    json_t *values = json_array(), *points = json_array();
    for (int v = 0; v < sw->nvalues; v++)
        json_array_append_new(values, json_integer(sw->values[v]));
    for (int i = 0; i < sw->npoints; i++) {
        const struct cp_sweep_point *p = &sw->points[i];
        json_t *o = json_pack("{s:s, s:i, s:f}", "strategy", p->strategy, "value", p->value,
                              "seconds", p->seconds);
        json_object_set_new(o, "requests",
                            p->requests > 0 ? json_integer(p->requests) : json_null());
        json_object_set_new(o, "gb_per_s", p->gb_per_s > 0 ? json_real(p->gb_per_s) : json_null());
        json_object_set_new(o, "bound_gb_per_s",
                            p->bound_gb_per_s > 0 ? json_real(p->bound_gb_per_s) : json_null());
        json_array_append_new(points, o);
    }
    return json_pack("{s:s, s:o, s:o}", "parameter", sw->parameter, "values", values, "points",
                     points);
}

static json_t *io_section(const struct cp_io_report *io)
{
    json_t *results = json_array();
    for (int i = 0; i < io->nrecords; i++)
        json_array_append_new(results, cp_field_row(cp_io_fields, cp_io_nfields, &io->records[i]));
    json_t *section = cp_setup_object(cp_io_setup, cp_io_nsetup, io);
    json_object_set_new(section, "results", results);
    if (io->embedded)
        json_object_set_new(
            section, "server",
            json_pack("{s:I, s:I, s:I, s:I, s:i, s:i, s:f}", "requests",
                      (json_int_t)io->server.requests, "served", (json_int_t)io->server.served,
                      "failed", (json_int_t)io->server.failed, "resets",
                      (json_int_t)io->server.resets, "peak_in_service", io->server.peak_in_service,
                      "peak_waiting", io->server.peak_waiting, "longest_wait_s",
                      io->server.longest_wait));
    return section;
}

static void add_lessons(json_t *a, const struct cp_lessons *ls)
{
    for (int i = 0; i < ls->n; i++) {
        const struct cp_lesson *l = &ls->lessons[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?}", "id", l->id, "phase",
                                           l->phase, "claim", l->claim, "shown", l->shown,
                                           "evidence", l->evidence[0] ? l->evidence : NULL,
                                           "remedy", l->shown ? NULL : l->remedy));
    }
}

enum cp_status cp_report_json_write(const char *path, const struct cp_env *env,
                                    const struct cp_cpu_report *cpu, const struct cp_io_report *io,
                                    const struct cp_sweep *sweep, int complete,
                                    enum cp_status outcome)
{
    json_t *doc =
        json_pack("{s:s, s:s, s:b, s:i, s:o, s:o}", "schema", "conpar/1", "version", CONPAR_VERSION,
                  "complete", complete, "exit_status", cp_exit_status(outcome), "environment",
                  environment(env), "cpu", cpu != NULL ? cpu_section(cpu) : json_null());
    if (doc == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "--json '%s': cannot build the document", path);
    json_object_set_new(doc, "io", io != NULL ? io_section(io) : json_null());
    json_t *lessons = json_array();
    if (cpu != NULL)
        add_lessons(lessons, &cpu->lessons);
    if (io != NULL)
        add_lessons(lessons, &io->lessons);
    json_object_set_new(doc, "lessons", lessons);
    if (sweep != NULL)
        json_object_set_new(doc, "sweep", sweep_section(sweep));
    json_object_set_new(doc, "error",
                        outcome == CP_OK ? json_null() : json_string(cp_error_message()));
    char tmp[4096];
    temp_name(path, tmp, sizeof tmp);
    int rc = json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(doc);
    if (rc != 0) {
        int err = errno;
        unlink(tmp);
        return CP_FAIL(CP_ERR_FILE, "--json '%s': cannot write: %s", path, strerror(err));
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return CP_FAIL(CP_ERR_FILE, "--json '%s': cannot rename into place: %s", path,
                       strerror(err));
    }
    return CP_OK;
}
