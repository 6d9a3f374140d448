/* Environment capture: hosts, MPI, OpenMP, CPU, compiler, command line. */
#include <curl/curl.h>
#include <microhttpd.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conpar/comm.h"
#include "conpar/report.h"

static void read_cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += 2;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, size, "%s", colon);
            break;
        }
    }
    fclose(f);
}

static void join_args(int argc, char **argv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "", argv[i]);
}

/* Distinct hosts of names[0..n) in first-seen order, with rank counts. */
static enum cp_status count_hosts(const char *names, int n, struct cp_env *env)
{
    env->hosts = calloc((size_t)n, sizeof *env->hosts);
    if (env->hosts == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate the host list");
    for (int r = 0; r < n; r++) {
        const char *name = names + (size_t)r * MPI_MAX_PROCESSOR_NAME;
        int h = 0;
        while (h < env->nhosts && strcmp(env->hosts[h].name, name) != 0)
            h++;
        if (h == env->nhosts) {
            snprintf(env->hosts[h].name, sizeof env->hosts[h].name, "%s", name);
            env->nhosts++;
        }
        env->hosts[h].ranks++;
    }
    return CP_OK;
}

enum cp_status cp_env_capture(MPI_Comm comm, int argc, char **argv, struct cp_env *env)
{
    memset(env, 0, sizeof *env);
    int rank = cp_comm_rank(comm);
    env->ranks = cp_comm_size(comm);

    char me[MPI_MAX_PROCESSOR_NAME] = "";
    int len = 0;
    CP_MPI_CHECK(MPI_Get_processor_name(me, &len));
    char *names = NULL;
    enum cp_status st = CP_OK;
    if (rank == 0) {
        names = calloc((size_t)env->ranks, MPI_MAX_PROCESSOR_NAME);
        if (names == NULL)
            st = CP_FAIL(CP_ERR_NOMEM, "cannot allocate the host list");
    }
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    CP_MPI_CHECK(MPI_Gather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME,
                            MPI_CHAR, 0, comm));
    if (rank == 0)
        st = count_hosts(names, env->ranks, env);
    else
        st = count_hosts(me, 1, env);
    free(names);
    if (st != CP_OK)
        return st;

    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    CP_MPI_CHECK(MPI_Get_library_version(lib, &len));
    lib[strcspn(lib, "\n,")] = '\0';
    snprintf(env->mpi_library, sizeof env->mpi_library, "%s", lib);
    CP_MPI_CHECK(MPI_Get_version(&env->mpi_version, &env->mpi_subversion));
    CP_MPI_CHECK(MPI_Query_thread(&env->thread_level));

    snprintf(env->openmp_version, sizeof env->openmp_version, "%d", _OPENMP);
    env->omp_max_threads = omp_get_max_threads();
    const char *omp = getenv("OMP_NUM_THREADS");
    snprintf(env->omp_num_threads, sizeof env->omp_num_threads, "%s", omp ? omp : "");
    read_cpu_model(env->cpu_model, sizeof env->cpu_model);
#if defined(__clang__)
    snprintf(env->compiler, sizeof env->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(env->compiler, sizeof env->compiler, "gcc %s", __VERSION__);
#else
    snprintf(env->compiler, sizeof env->compiler, "unknown");
#endif
    join_args(argc, argv, env->command_line, sizeof env->command_line);
    snprintf(env->compile_flags, sizeof env->compile_flags, "%s", CONPAR_BUILD_FLAGS);
    snprintf(env->libcurl, sizeof env->libcurl, "%s", curl_version_info(CURLVERSION_NOW)->version);
    snprintf(env->libmicrohttpd, sizeof env->libmicrohttpd, "%s", MHD_get_version());
    return CP_OK;
}

void cp_env_free(struct cp_env *env)
{
    free(env->hosts);
    env->hosts = NULL;
    env->nhosts = 0;
}
