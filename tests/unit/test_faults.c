/* Failures met off the main thread reach the error record as one line, the first in index
 * order: the reference's read of a file that shrank after it was opened (every OpenMP thread
 * fails at once), and an IO thread pool whose every worker cannot set up its transfer. Runs
 * as one MPI rank. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <mpi.h>

#include "conpar/cli.h"
#include "conpar/cpu.h"
#include "conpar/io.h"

#define ELEMENTS 100000 /* 25 of the reference's 4096-element pieces */
#define KEPT 5000       /* elements left after the file shrinks: piece 1 is the first short */

static char dir[] = "/tmp/conpar-faults-XXXXXX";
static char path[64];

static void test_reference_read_fails(void **state)
{
    (void)state;
    assert_int_equal(cp_npy_write_generated(path, MPI_COMM_WORLD, ELEMENTS, 7, 8, 2), CP_OK);
    struct cp_options o;
    cp_options_default(&o);
    o.cpu.input = path;
    assert_int_equal(cp_cpu_resolve(&o.cpu, MPI_COMM_WORLD), CP_OK);
    assert_int_equal(o.cpu.size, ELEMENTS);
    struct cp_maxloc intact;
    assert_int_equal(cp_cpu_reference(&o.cpu, 4, MPI_COMM_WORLD, &intact), CP_OK);
    assert_in_range(intact.index, 0, ELEMENTS - 1);

    /* the file shrinks after the header was checked: every piece from 1 on ends early */
    int64_t offset = o.cpu.npy.data_offset;
    assert_int_equal(truncate(path, (off_t)(offset + KEPT * 8)), 0);
    char want[256];
    snprintf(want, sizeof want,
             "%s: cannot read elements [4096, 8192) at byte %lld: unexpected end of file", path,
             (long long)(offset + 4096 * 8));
    static const int threads[] = {1, 2, 4, 7};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        cp_error_set(CP_ERR_USAGE, "an earlier failure");
        struct cp_maxloc best;
        assert_int_equal(cp_cpu_reference(&o.cpu, threads[i], MPI_COMM_WORLD, &best), CP_ERR_FILE);
        assert_int_equal(cp_error_status(), CP_ERR_FILE);
        assert_string_equal(cp_error_message(), want);
    }
    unlink(path);
}

static void test_io_pool_fails(void **state)
{
    (void)state;
    const struct cp_io_strategy *threads = cp_io_find("threads");
    assert_non_null(threads);
    /* longer than libcurl accepts (CURL_MAX_INPUT_LENGTH, 8,000,000 bytes): every worker's
     * curl_easy_setopt(CURLOPT_URL) fails, all at once */
    size_t n = 8000001;
    char *url = malloc(n + 1);
    assert_non_null(url);
    memset(url, 'a', n);
    memcpy(url, "http://127.0.0.1/", 17);
    url[n] = '\0';
    struct cp_io_options opt;
    memset(&opt, 0, sizeof opt);
    opt.expect_status = 200;
    opt.expect_body = "Hello World!";
    struct cp_io_ctx ctx = {&opt, url, 64, 16, 1.0, MPI_COMM_WORLD, NULL};
    struct cp_io_tally *tally = calloc(1, sizeof *tally);
    assert_non_null(tally);
    char want[256];
    snprintf(want, sizeof want, "libcurl: %s", curl_easy_strerror(CURLE_BAD_FUNCTION_ARGUMENT));
    for (int rep = 0; rep < 5; rep++) {
        cp_error_set(CP_ERR_USAGE, "an earlier failure");
        assert_int_equal(threads->run(&ctx, tally), CP_ERR_SYSTEM);
        assert_int_equal(cp_error_status(), CP_ERR_SYSTEM);
        assert_string_equal(cp_error_message(), want);
        assert_int_equal(tally->requests, 0);
    }
    free(tally);
    free(url);
}

int main(int argc, char **argv)
{
    int provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof path, "%s/shrinks.npy", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_read_fails),
        cmocka_unit_test(test_io_pool_fails),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    rmdir(dir);
    curl_global_cleanup();
    MPI_Finalize();
    return failed;
}
