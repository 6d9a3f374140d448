/* The run's orchestration (src/run.c) on strategies that are not in the registries: a sweep,
 * a checkpoint after every strategy, a skipped strategy, failed requests and an interruption,
 * each with the status, the exit status and the JSON a user would get. Runs as one MPI rank. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <mpi.h>

#include "conpar/cli.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/io.h"
#include "conpar/run.h"

static char json_path[64];
static char *argv0[] = {"conpar", NULL};

/* What the fake strategies saw. */
static int runs;              /* calls of a fake run */
static int rows_seen[8];      /* CPU rows in the checkpoint when fake strategy k first ran */
static int complete_seen[8];  /* and whether it was marked complete */
static int raise_on_run = -1; /* the run at which a fake strategy raises SIGTERM */

/* The number of rows in `section` of the JSON at json_path, -1 when there is no file. */
static int json_rows(const char *section, int *complete)
{
    json_t *doc = json_load_file(json_path, 0, NULL);
    if (doc == NULL)
        return -1;
    json_t *results = json_object_get(json_object_get(doc, section), "results");
    *complete = json_is_true(json_object_get(doc, "complete"));
    int n = (int)json_array_size(results);
    json_decref(doc);
    return n;
}

static enum cp_status fake_run(int k, const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    if (runs++ == raise_on_run)
        raise(SIGTERM);
    if (k >= 0 && k < 8 && rows_seen[k] == -2)
        rows_seen[k] = json_rows("cpu", &complete_seen[k]);
    out->result = cp_kernel_scalar(ctx->data, ctx->n, ctx->base, ctx->nan);
    return CP_OK;
}

static enum cp_status run_a(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    return fake_run(0, ctx, out);
}

static enum cp_status run_b(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    return fake_run(1, ctx, out);
}

static enum cp_status run_c(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    return fake_run(2, ctx, out);
}

static enum cp_status unavailable(struct cp_cpu_ctx *ctx)
{
    (void)ctx;
    return CP_FAIL(CP_ERR_UNAVAILABLE, "fake-skip: not on this machine");
}

static const struct cp_cpu_strategy fake_a = {"fake-a", "a",   "a", NULL, CP_NEEDS_ONE_PROCESS,
                                              NULL,     run_a, NULL};
static const struct cp_cpu_strategy fake_b = {"fake-b", "b",   "b", NULL, CP_NEEDS_ONE_PROCESS,
                                              NULL,     run_b, NULL};
static const struct cp_cpu_strategy fake_c = {"fake-c", "c",   "c", NULL, CP_NEEDS_ONE_PROCESS,
                                              NULL,     run_c, NULL};
static const struct cp_cpu_strategy fake_skip = {"fake-skip",        "s",         "s",   NULL,
                                                 CP_NEEDS_ALL_RANKS, unavailable, run_a, NULL};

/* Every request answered without a server: the IO phase's bookkeeping alone. */
static enum cp_status io_all_ok(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    for (int64_t r = 0; r < ctx->requests; r++)
        cp_io_tally_add(out, 0.0, 0.001, CP_IO_NCLASSES);
    return CP_OK;
}

/* Every third request fails with a wrong status. */
static enum cp_status io_some_fail(const struct cp_io_ctx *ctx, struct cp_io_tally *out)
{
    for (int64_t r = 0; r < ctx->requests; r++)
        cp_io_tally_add(out, 0.0, 0.001, r % 3 == 2 ? CP_IO_STATUS : CP_IO_NCLASSES);
    return CP_OK;
}

static const struct cp_io_strategy fake_io = {"fake-io",         "io", "io",
                                              CP_IO_ONE_PROCESS, 0,    io_all_ok};
static const struct cp_io_strategy fake_io_fail = {"fake-fail",       "io", "io",
                                                   CP_IO_ONE_PROCESS, 0,    io_some_fail};

static struct cp_options small_run(void)
{
    struct cp_options o;
    cp_options_default(&o);
    o.phases = CP_PHASE_CPU;
    o.quiet = 1;
    o.cpu.size = 10000;
    o.cpu.warmup = 1;
    o.cpu.repeat = 2;
    o.cpu.threads = 1;
    o.json_path = json_path;
    o.io.delay = 0.001;
    o.io.nrequests = 1;
    o.io.requests[0] = 4;
    runs = 0;
    raise_on_run = -1;
    for (int k = 0; k < 8; k++)
        rows_seen[k] = -2;
    unlink(json_path);
    cp_error_clear();
    return o;
}

static json_t *load_json(void)
{
    json_error_t err;
    json_t *doc = json_load_file(json_path, 0, &err);
    if (doc == NULL)
        fail_msg("%s: %s", json_path, err.text);
    return doc;
}

/* After each strategy the JSON holds every complete strategy so far, marked incomplete; at
 * the end it holds them all, marked complete. */
static void test_checkpoint_after_each_strategy(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.nstrategies = 3;
    o.cpu.strategies[0] = &fake_a;
    o.cpu.strategies[1] = &fake_b;
    o.cpu.strategies[2] = &fake_c;
    assert_int_equal(cp_run(&o, NULL, 1, argv0, MPI_COMM_WORLD), CP_OK);
    assert_int_equal(runs, 3 * (1 + 2));
    assert_int_equal(rows_seen[0], -1); /* no checkpoint before the first strategy ends */
    assert_int_equal(rows_seen[1], 1);
    assert_int_equal(rows_seen[2], 2);
    assert_false(complete_seen[1]);
    assert_false(complete_seen[2]);
    json_t *doc = load_json();
    assert_true(json_is_true(json_object_get(doc, "complete")));
    assert_int_equal(json_integer_value(json_object_get(doc, "exit_status")), 0);
    json_t *results = json_object_get(json_object_get(doc, "cpu"), "results");
    assert_int_equal(json_array_size(results), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(results, 2), "strategy")),
                        "fake-c");
    assert_true(json_is_true(json_object_get(json_array_get(results, 2), "verified")));
    json_decref(doc);
}

/* --sweep threads=1,2 over a strategy the registry does not know: one point per value. */
static void test_sweep_over_a_fake_strategy(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.nstrategies = 1;
    o.cpu.strategies[0] = &fake_a;
    o.sweep = "threads";
    o.nsweep = 2;
    o.sweep_values[0] = 1;
    o.sweep_values[1] = 2;
    assert_int_equal(cp_run(&o, NULL, 1, argv0, MPI_COMM_WORLD), CP_OK);
    assert_int_equal(runs, 2 * (1 + 2));
    json_t *doc = load_json();
    json_t *points = json_object_get(json_object_get(doc, "sweep"), "points");
    assert_int_equal(json_array_size(points), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *p = json_array_get(points, i);
        assert_string_equal(json_string_value(json_object_get(p, "strategy")), "fake-a");
        assert_int_equal(json_integer_value(json_object_get(p, "value")), (json_int_t)i + 1);
        assert_true(json_real_value(json_object_get(p, "seconds")) > 0);
    }
    json_decref(doc);
}

/* A strategy unavailable here is skipped with its reason; when every chosen strategy is
 * skipped the run is refused (exit 2). */
static void test_skips(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.nstrategies = 2;
    o.cpu.strategies[0] = &fake_skip;
    o.cpu.strategies[1] = &fake_a;
    assert_int_equal(cp_run(&o, NULL, 1, argv0, MPI_COMM_WORLD), CP_OK);
    json_t *doc = load_json();
    json_t *first = json_array_get(json_object_get(json_object_get(doc, "cpu"), "results"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "skipped")),
                        "fake-skip: not on this machine");
    json_decref(doc);

    o = small_run();
    o.cpu.nstrategies = 1;
    o.cpu.strategies[0] = &fake_skip;
    enum cp_status st = cp_run(&o, NULL, 1, argv0, MPI_COMM_WORLD);
    assert_int_equal(st, CP_ERR_UNAVAILABLE);
    assert_int_equal(cp_exit_status(st), 2);
    assert_non_null(strstr(cp_error_message(), "no chosen strategy could run"));
}

/* Both phases, with failed requests: the report is written, the status says requests failed
 * (exit 1), and the first failure's line names how many and why. */
static void test_failed_requests(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.phases = CP_PHASE_CPU | CP_PHASE_IO;
    o.cpu.nstrategies = 1;
    o.cpu.strategies[0] = &fake_a;
    o.io.nstrategies = 2;
    o.io.strategies[0] = &fake_io;
    o.io.strategies[1] = &fake_io_fail;
    enum cp_status st = cp_run(&o, NULL, 1, argv0, MPI_COMM_WORLD);
    assert_int_equal(st, CP_ERR_IO_FAILED);
    assert_int_equal(cp_exit_status(st), 1);
    assert_non_null(strstr(cp_error_message(), "1 of 8 requests"));
    assert_non_null(strstr(cp_error_message(), "status 1"));
    json_t *doc = load_json();
    assert_true(json_is_true(json_object_get(doc, "complete")));
    assert_int_equal(json_integer_value(json_object_get(doc, "exit_status")), 1);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "io"), "results")), 2);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "cpu"), "results")), 1);
    json_decref(doc);
}

/* SIGTERM during the second strategy: the first stays, the second goes, exit 143, the JSON
 * is marked incomplete. */
static void test_interrupted(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.nstrategies = 3;
    o.cpu.strategies[0] = &fake_a;
    o.cpu.strategies[1] = &fake_b;
    o.cpu.strategies[2] = &fake_c;
    raise_on_run = 4; /* the second run of fake-b */
    cp_stop_install();
    enum cp_status st = cp_run(&o, NULL, 1, argv0, MPI_COMM_WORLD);
    assert_int_equal(st, CP_ERR_INTERRUPTED);
    assert_int_equal(cp_exit_status(st), 143);
    assert_int_equal(runs, 5);
    json_t *doc = load_json();
    assert_false(json_is_true(json_object_get(doc, "complete")));
    assert_int_equal(json_integer_value(json_object_get(doc, "exit_status")), 143);
    json_t *results = json_object_get(json_object_get(doc, "cpu"), "results");
    assert_int_equal(json_array_size(results), 1);
    json_decref(doc);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    snprintf(json_path, sizeof json_path, "/tmp/conpar-test-run.%ld.json", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoint_after_each_strategy),
        cmocka_unit_test(test_sweep_over_a_fake_strategy),
        cmocka_unit_test(test_skips),
        cmocka_unit_test(test_failed_requests),
        cmocka_unit_test(test_interrupted), /* last: the signal stays caught */
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(json_path);
    MPI_Finalize();
    return failed;
}
