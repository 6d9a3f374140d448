/* The IO tally: classes counted, latency percentiles within one bin (about 1%), merging. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "asserts.h"
#include "conpar/io.h"

static void test_percentiles(void **state)
{
    (void)state;
    struct cp_io_tally *t = calloc(1, sizeof *t);
    assert_non_null(t);
    /* latencies 1 ms .. 1000 ms, one each */
    for (int i = 1; i <= 1000; i++)
        cp_io_tally_add(t, 0.0, i * 1e-3, CP_IO_NCLASSES);
    assert_int_equal(t->requests, 1000);
    assert_int_equal(t->ok, 1000);
    static const double q[] = {0.5, 0.9, 0.99, 1.0};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        double want = q[i], got = cp_io_percentile(t, q[i]);
        assert_double_le(want * 0.999, got);
        assert_double_le(got, want * 1.011);
    }
    assert_double_exact(cp_io_percentile(t, 1.0), 1.0); /* never above the maximum */
    free(t);
}

static void test_classes_and_merge(void **state)
{
    (void)state;
    struct cp_io_tally *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    cp_io_tally_add(a, 0.5, 2.0, CP_IO_NCLASSES);
    cp_io_tally_add(a, 1.5, 0.001, CP_IO_CONNECT);
    cp_io_tally_add(b, 0.0, 3.0, CP_IO_TIMEOUT);
    cp_io_tally_add(b, 0.0, 1e-9, CP_IO_BODY);  /* below the first bin */
    cp_io_tally_add(b, 0.0, 1e6, CP_IO_STATUS); /* above the last */
    b->cpu_seconds = 0.25;
    cp_io_tally_merge(a, b);
    assert_int_equal(a->requests, 5);
    assert_int_equal(a->ok, 1);
    assert_int_equal(a->failed[CP_IO_CONNECT], 1);
    assert_int_equal(a->failed[CP_IO_TIMEOUT], 1);
    assert_int_equal(a->failed[CP_IO_BODY], 1);
    assert_int_equal(a->failed[CP_IO_STATUS], 1);
    assert_int_equal(a->failed[CP_IO_RESET], 0);
    assert_int_equal(a->failed[CP_IO_OTHER], 0);
    assert_double_exact(a->latency_max, 1e6);
    assert_double_exact(a->queue_max, 1.5);
    assert_double_exact(a->queue_sum, 2.0);
    assert_double_exact(a->cpu_seconds, 0.25);
    int64_t binned = 0;
    for (int i = 0; i < CP_IO_BINS; i++)
        binned += a->bins[i];
    assert_int_equal(binned, 5);
    struct cp_io_tally *empty = calloc(1, sizeof *empty);
    assert_double_exact(cp_io_percentile(empty, 0.5), 0.0);
    free(a);
    free(b);
    free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_classes_and_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
