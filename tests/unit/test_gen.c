/* The generator against values computed from the README's formula by an independent
 * implementation, and the independence of slices, threads and chunking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asserts.h"

#include "conpar/gen.h"

static void test_reference_values(void **state)
{
    (void)state;
    /* from the formula in the README, evaluated with arbitrary-precision integers */
    static const struct {
        uint64_t seed;
        int64_t index;
        double value;
    } ref[] = {
        {42, 0, 0x1.31367e26140c7p-1},
        {42, 1, 0x1.486da5f92b86cp-3},
        {42, 2, 0x1.54c85f31d00d8p-3},
        {42, 999999, 0x1.9527770d2def6p-1},
        {42, INT64_C(1099511627776), 0x1.5be05f4aa9ca6p-1},
        {0, 0, 0x1.c4415072f63b9p-1},
        {UINT64_MAX, 12345, 0x1.c946bbc1041e0p-1},
        {42, INT64_MAX - 1, 0x1.55650e6f59bd4p-2},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        assert_double_exact(cp_gen_value(ref[i].seed, ref[i].index), ref[i].value);
        double one;
        cp_gen_fill(ref[i].seed, ref[i].index, 1, &one);
        assert_double_exact(one, ref[i].value);
    }
}

static void test_range(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    cp_gen_fill(7, 0, N, x);
    for (int i = 0; i < N; i++) {
        assert_double_le(0.0, x[i]);
        assert_double_lt(x[i], 1.0);
    }
    free(x);
}

static void test_slices_match_whole(void **state)
{
    (void)state;
    enum { N = 10007 };
    double *whole = malloc(N * sizeof *whole), *part = malloc(N * sizeof *part);
    assert_non_null(whole);
    assert_non_null(part);
    cp_gen_fill(42, 0, N, whole);
    static const int64_t cuts[][2] = {{0, 1}, {1, 2}, {3, 64}, {65, 9000}, {5000, N}, {N - 1, N}};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        int64_t a = cuts[c][0], b = cuts[c][1];
        cp_gen_fill(42, a, b - a, part);
        assert_memory_equal(part, whole + a, (size_t)(b - a) * sizeof(double));
        for (int64_t i = a; i < b; i++)
            assert_double_exact(cp_gen_value(42, i), whole[i]);
    }
    free(whole);
    free(part);
}

static void test_parallel_fill_matches(void **state)
{
    (void)state;
    enum { N = 100003 };
    double *ref = malloc(N * sizeof *ref), *par = malloc(N * sizeof *par);
    assert_non_null(ref);
    assert_non_null(par);
    cp_gen_fill(42, 1000, N, ref);
    static const int64_t chunks[] = {1, 2, 3, 7, 100, 200000};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        memset(par, 0, N * sizeof *par);
        cp_gen_fill_parallel(42, 1000, N, chunks[c], 2, par);
        assert_memory_equal(par, ref, N * sizeof *ref);
    }
    free(ref);
    free(par);
}

static void test_seeds_differ(void **state)
{
    (void)state;
    assert_double_differ(cp_gen_value(1, 0), cp_gen_value(2, 0));
    assert_double_differ(cp_gen_value(42, 0), cp_gen_value(42, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_values),   cmocka_unit_test(test_range),
        cmocka_unit_test(test_slices_match_whole), cmocka_unit_test(test_parallel_fill_matches),
        cmocka_unit_test(test_seeds_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
