/* The phase runner: a strategy that disagrees with the reference is caught and named, all-NaN
 * data under --nan skip has no answer, and an array that cannot fit is refused before
 * allocating. Runs as one MPI rank. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <mpi.h>

#include "asserts.h"
#include "conpar/cli.h"
#include "conpar/cpu.h"
#include "conpar/placement.h"

/* Scans correctly, then reports the index one too far: the talk's class of silent mistake. */
static enum cp_status run_off_by_one(const struct cp_cpu_ctx *ctx, struct cp_cpu_run *out)
{
    out->result = cp_kernel_simd(ctx->data, ctx->n, ctx->base, ctx->nan);
    out->result.index++;
    return CP_OK;
}

static const struct cp_cpu_strategy off_by_one = {
    .name = "off-by-one",
    .talk_analog = "a chunk function that ignores its argument",
    .lesson = "unverified parallel code is wrong silently",
    .needs = CP_NEEDS_ONE_PROCESS,
    .run = run_off_by_one,
};

static struct cp_placement placement;

static struct cp_options small_run(void)
{
    struct cp_options o;
    cp_options_default(&o);
    o.cpu.size = 100000;
    o.cpu.warmup = 0;
    o.cpu.repeat = 2;
    return o;
}

static void test_disagreement_is_caught(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.nstrategies = 2;
    o.cpu.strategies[0] = cp_cpu_find("seq");
    o.cpu.strategies[1] = &off_by_one;
    struct cp_cpu_report report;
    cp_error_clear();
    assert_int_equal(cp_cpu_phase_run(&o.cpu, &placement, MPI_COMM_WORLD, &report), CP_ERR_VERIFY);
    assert_int_equal(report.nrecords, 2);
    assert_true(report.records[0].verified);
    assert_false(report.records[1].verified);
    assert_int_equal(report.records[1].result.index, report.reference.index + 1);
    assert_string_contains(cp_error_message(), "strategy off-by-one gave");
    assert_int_equal(cp_status_exit_code(CP_ERR_VERIFY), 1);
    cp_cpu_report_free(&report);
}

static void test_all_agree(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.plant_max = 4242;
    struct cp_cpu_report report;
    assert_int_equal(cp_cpu_phase_run(&o.cpu, &placement, MPI_COMM_WORLD, &report), CP_OK);
    assert_int_equal(report.nrecords, o.cpu.nstrategies * o.cpu.nintensities);
    assert_int_equal(report.reference.index, 4242);
    for (int i = 0; i < report.nrecords; i++) {
        assert_true(report.records[i].verified);
        assert_int_equal(report.records[i].seconds.count, 2);
        assert_double_le(report.records[i].seconds.min, report.records[i].seconds.median);
        assert_double_le(report.records[i].seconds.median, report.records[i].seconds.max);
    }
    assert_double_exact(report.records[0].speedup, 1.0);
    cp_cpu_report_free(&report);
}

static void test_all_nan_skip(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.size = 1;
    o.cpu.plant_nan = 0;
    o.cpu.nan = CP_NAN_SKIP;
    struct cp_cpu_report report;
    assert_int_equal(cp_cpu_phase_run(&o.cpu, &placement, MPI_COMM_WORLD, &report),
                     CP_ERR_NO_VALUES);
    assert_string_contains(cp_error_message(), "no comparable values");
    cp_cpu_report_free(&report);
}

static void test_too_large(void **state)
{
    (void)state;
    struct cp_options o = small_run();
    o.cpu.size = INT64_C(1) << 50; /* 8 PiB */
    struct cp_cpu_report report;
    assert_int_equal(cp_cpu_phase_run(&o.cpu, &placement, MPI_COMM_WORLD, &report), CP_ERR_NOMEM);
    assert_string_contains(cp_error_message(), "is available; -c distributed needs");
    assert_int_equal(cp_status_exit_code(CP_ERR_NOMEM), 2);
    cp_cpu_report_free(&report);
}

int main(int argc, char **argv)
{
    int provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return 1;
    if (cp_placement_capture(MPI_COMM_WORLD, 0, &placement) != CP_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disagreement_is_caught),
        cmocka_unit_test(test_all_agree),
        cmocka_unit_test(test_all_nan_skip),
        cmocka_unit_test(test_too_large),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    cp_placement_free(&placement);
    MPI_Finalize();
    return failed;
}
