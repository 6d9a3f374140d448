/* The combine rule, every kernel and every registered strategy against a trivially correct
 * reference on adversarial arrays. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <mpi.h>

#include "conpar/block.h"
#include "conpar/cpu.h"
#include "conpar/gen.h"
#include "conpar/maxloc.h"

/* got is the record want (value bits, index, NaN count, key); both are printed when not */
#define assert_maxloc_equal(got, want) check_maxloc((got), (want), #got, __FILE__, __LINE__)

static void print_maxloc(const char *prefix, struct cp_maxloc r)
{
    print_error("%s(%a, index %lld, nans %lld, key %lld)", prefix, r.value, (long long)r.index,
                (long long)r.nan_count, (long long)r.key);
}

static void check_maxloc(struct cp_maxloc got, struct cp_maxloc want, const char *text,
                         const char *file, int line)
{
    if (cp_maxloc_equal(got, want))
        return;
    print_error("%s\n", text);
    print_maxloc("  is ", got);
    print_maxloc("\n  expected ", want);
    print_error("\n");
    _fail(file, line);
}

static struct cp_maxloc rec(double v, int64_t i, int64_t nans)
{
    struct cp_maxloc r = {v, i, nans, 0};
    return r;
}

/* The obviously correct answer: numpy.argmax / nanargmax semantics, one element at a time. */
static struct cp_maxloc naive(const double *x, int64_t n, enum cp_nan_policy policy)
{
    struct cp_maxloc r = cp_maxloc_identity();
    int have_nan = 0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(x[i])) {
            r.nan_count++;
            if (policy == CP_NAN_PROPAGATE && !have_nan) {
                have_nan = 1;
                r.value = x[i];
                r.index = i;
            }
        } else if (!have_nan && (r.index == CP_INDEX_NONE || x[i] > r.value)) {
            r.value = x[i];
            r.index = i;
        }
    }
    return r;
}

static void test_combine_rule(void **state)
{
    (void)state;
    struct cp_maxloc id = cp_maxloc_identity();
    struct cp_maxloc a = rec(0.5, 3, 1), b = rec(0.7, 9, 2), tie = rec(0.5, 1, 0);
    assert_maxloc_equal(cp_maxloc_combine(a, b), rec(0.7, 9, 3));
    assert_maxloc_equal(cp_maxloc_combine(b, a), rec(0.7, 9, 3));
    /* ties keep the smaller index, either order */
    assert_maxloc_equal(cp_maxloc_combine(a, tie), rec(0.5, 1, 1));
    assert_maxloc_equal(cp_maxloc_combine(tie, a), rec(0.5, 1, 1));
    /* identity on both sides */
    assert_maxloc_equal(cp_maxloc_combine(id, a), a);
    assert_maxloc_equal(cp_maxloc_combine(a, id), a);
    assert_maxloc_equal(cp_maxloc_combine(id, id), id);
    /* -inf elements are real values and beat the identity */
    struct cp_maxloc minf = rec(-INFINITY, 4, 0);
    assert_maxloc_equal(cp_maxloc_combine(id, minf), minf);
    assert_maxloc_equal(cp_maxloc_combine(minf, rec(-INFINITY, 2, 0)), rec(-INFINITY, 2, 0));
    /* +inf beats every number; NaN beats +inf; two NaNs keep the smaller index */
    struct cp_maxloc pinf = rec(INFINITY, 8, 0), nan5 = rec(NAN, 5, 1), nan2 = rec(NAN, 2, 1);
    assert_maxloc_equal(cp_maxloc_combine(b, pinf), rec(INFINITY, 8, 2));
    assert_int_equal(cp_maxloc_combine(pinf, nan5).index, 5);
    assert_int_equal(cp_maxloc_combine(nan5, pinf).index, 5);
    assert_int_equal(cp_maxloc_combine(nan5, nan2).index, 2);
    assert_int_equal(cp_maxloc_combine(nan2, nan5).index, 2);
    assert_int_equal(cp_maxloc_combine(nan2, nan5).nan_count, 2);
    /* -0.0 and 0.0 are equal: the smaller index wins, keeping its own sign */
    struct cp_maxloc mz = cp_maxloc_combine(rec(-0.0, 1, 0), rec(0.0, 6, 0));
    assert_int_equal(mz.index, 1);
    assert_true(signbit(mz.value));
    /* a skip-policy record that saw only NaNs: identity plus a count */
    struct cp_maxloc only_nans = {-INFINITY, CP_INDEX_NONE, 4, 0};
    assert_maxloc_equal(cp_maxloc_combine(only_nans, a), rec(0.5, 3, 5));
}

static void test_combine_associative(void **state)
{
    (void)state;
    struct cp_maxloc v[] = {rec(0.5, 3, 0),       rec(0.5, 1, 0),      rec(NAN, 7, 1),
                            rec(NAN, 4, 1),       rec(INFINITY, 9, 0), rec(-INFINITY, 0, 0),
                            cp_maxloc_identity(), rec(-0.0, 2, 0),     rec(0.0, 5, 0)};
    size_t n = sizeof v / sizeof v[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            assert_maxloc_equal(cp_maxloc_combine(v[i], v[j]), cp_maxloc_combine(v[j], v[i]));
            for (size_t k = 0; k < n; k++)
                assert_maxloc_equal(cp_maxloc_combine(cp_maxloc_combine(v[i], v[j]), v[k]),
                                    cp_maxloc_combine(v[i], cp_maxloc_combine(v[j], v[k])));
        }
}

/* ---- adversarial arrays ------------------------------------------------------------ */

enum pattern {
    P_RANDOM,
    P_MAX_FIRST,
    P_MAX_LAST,
    P_MAX_AT_BOUNDARIES, /* equal maxima at every chunk and SIMD block boundary */
    P_NAN_FIRST,
    P_NAN_LAST,
    P_NANS_SCATTERED,
    P_ALL_NAN,
    P_ALL_MINUS_INF,
    P_ALL_EQUAL,
    P_PLUS_INF_AND_NAN,
    P_SIGNED_ZEROS,
    P_COUNT
};

static void make(enum pattern p, double *x, int64_t n)
{
    cp_gen_fill(11, 0, n, x);
    switch (p) {
    case P_RANDOM:
        break;
    case P_MAX_FIRST:
        x[0] = 2.0;
        break;
    case P_MAX_LAST:
        x[n - 1] = 2.0;
        break;
    case P_MAX_AT_BOUNDARIES:
        for (int64_t parts = 1; parts <= 100; parts++)
            for (int64_t k = 0; k < parts; k++) {
                struct cp_block b = cp_block_of(n, parts, k);
                if (b.count > 0 && (parts == 3 || parts == 7 || parts == 100)) {
                    x[b.start] = 2.0;
                    x[b.start + b.count - 1] = 2.0;
                }
            }
        for (int64_t i = 2047; i < n; i += 2048)
            x[i] = 2.0;
        break;
    case P_NAN_FIRST:
        x[0] = NAN;
        break;
    case P_NAN_LAST:
        x[n - 1] = NAN;
        break;
    case P_NANS_SCATTERED:
        for (int64_t i = n / 3; i < n; i += 1 + n / 5)
            x[i] = NAN;
        x[n / 2] = 3.0;
        break;
    case P_ALL_NAN:
        for (int64_t i = 0; i < n; i++)
            x[i] = NAN;
        break;
    case P_ALL_MINUS_INF:
        for (int64_t i = 0; i < n; i++)
            x[i] = -INFINITY;
        break;
    case P_ALL_EQUAL:
        for (int64_t i = 0; i < n; i++)
            x[i] = 0.25;
        break;
    case P_PLUS_INF_AND_NAN:
        x[n / 2] = INFINITY;
        x[n - 1] = NAN;
        break;
    case P_SIGNED_ZEROS:
        for (int64_t i = 0; i < n; i++)
            x[i] = (i % 3 == 1) ? 0.0 : -0.0;
        break;
    case P_COUNT:
        break;
    }
}

static const int64_t lengths[] = {1, 2, 3, 7, 8, 9, 63, 64, 65, 2048, 2049, 1000003};
#define NLENGTHS (sizeof lengths / sizeof lengths[0])

static void expect_same(struct cp_maxloc got, struct cp_maxloc want, const char *what,
                        enum pattern p, int64_t n, int policy)
{
    if (!cp_maxloc_equal(got, want)) {
        fprintf(
            stderr, "%s: pattern %d n %lld policy %d: got (%a, %lld, %lld) want (%a, %lld, %lld)\n",
            what, (int)p, (long long)n, policy, got.value, (long long)got.index,
            (long long)got.nan_count, want.value, (long long)want.index, (long long)want.nan_count);
        fail();
    }
}

/* Call check() for every length, pattern and NaN policy, with the naive answer. */
typedef void (*case_fn)(const double *x, int64_t n, enum pattern p, enum cp_nan_policy pol,
                        struct cp_maxloc want);

static void for_each_case(case_fn check)
{
    double *x = malloc(1000003 * sizeof *x);
    assert_non_null(x);
    for (size_t l = 0; l < NLENGTHS; l++)
        for (int p = 0; p < P_COUNT; p++)
            for (int pol = 0; pol < 2; pol++) {
                int64_t n = lengths[l];
                make((enum pattern)p, x, n);
                check(x, n, (enum pattern)p, (enum cp_nan_policy)pol,
                      naive(x, n, (enum cp_nan_policy)pol));
            }
    free(x);
}

static void check_kernels(const double *x, int64_t n, enum pattern p, enum cp_nan_policy pol,
                          struct cp_maxloc want)
{
    expect_same(cp_kernel_scalar(x, n, 0, pol), want, "scalar", p, n, (int)pol);
    expect_same(cp_kernel_simd(x, n, 0, pol), want, "simd", p, n, (int)pol);
    /* a base offset shifts the index only */
    struct cp_maxloc shifted = want;
    if (shifted.index != CP_INDEX_NONE)
        shifted.index += 1000;
    expect_same(cp_kernel_simd(x, n, 1000, pol), shifted, "simd+base", p, n, (int)pol);
}

static void test_kernels(void **state)
{
    (void)state;
    for_each_case(check_kernels);
}

static void test_empty(void **state)
{
    (void)state;
    double x = 1.0;
    assert_maxloc_equal(cp_kernel_scalar(&x, 0, 0, CP_NAN_PROPAGATE), cp_maxloc_identity());
    assert_maxloc_equal(cp_kernel_simd(&x, 0, 0, CP_NAN_PROPAGATE), cp_maxloc_identity());
}

/* Every one-process strategy, with 1, 2 and 3 threads and several chunk counts. They make no
 * MPI calls, so MPI stays uninitialised here (the MPI strategies run under mpiexec in the
 * run tests). */
static void check_strategies(const double *x, int64_t n, enum pattern p, enum cp_nan_policy pol,
                             struct cp_maxloc want)
{
    static const int64_t chunks[] = {1, 3, 100, 5000};
    int count;
    const struct cp_cpu_strategy *const *all = cp_cpu_registry(&count);
    for (int s = 0; s < count; s++)
        for (int t = 1; t <= 3 && (all[s]->needs & CP_NEEDS_ONE_PROCESS); t++)
            for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
                struct cp_cpu_ctx ctx = {.data = x,
                                         .n = n,
                                         .chunks = chunks[c],
                                         .threads = t,
                                         .nan = pol,
                                         .comm = MPI_COMM_NULL};
                struct cp_cpu_run run;
                memset(&run, 0, sizeof run);
                assert_int_equal(all[s]->run(&ctx, &run), CP_OK);
                expect_same(run.result, want, all[s]->name, p, n, (int)pol);
            }
}

static void test_strategies(void **state)
{
    (void)state;
    int count;
    (void)cp_cpu_registry(&count);
    assert_in_range(count, 4, INT_MAX);
    for_each_case(check_strategies);
}

static void test_registry(void **state)
{
    (void)state;
    int count;
    const struct cp_cpu_strategy *const *all = cp_cpu_registry(&count);
    for (int i = 0; i < count; i++) {
        assert_non_null(all[i]->talk_analog);
        assert_non_null(all[i]->lesson);
        assert_ptr_equal(cp_cpu_find(all[i]->name), all[i]);
    }
    assert_null(cp_cpu_find("nope"));
}

/* The I64 domain: scalar and SIMD kernels against a naive loop, over lengths around the SIMD
 * block, extreme keys and ties; the combine orders keys, then indices. */
static void test_kernels_i64(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1, 2, 7, 2047, 2048, 2049, 4096 + 3, 100003};
    int64_t *x = malloc(100003 * sizeof *x);
    assert_non_null(x);
    uint64_t z = 12345;
    for (size_t l = 0; l < sizeof sizes / sizeof sizes[0]; l++)
        for (int pattern = 0; pattern < 4; pattern++) {
            int64_t n = sizes[l];
            for (int64_t i = 0; i < n; i++) {
                z = z * 6364136223846793005u + 1442695040888963407u;
                x[i] = pattern == 0   ? (int64_t)z         /* full range */
                       : pattern == 1 ? (int64_t)(z >> 60) /* many ties */
                       : pattern == 2 ? INT64_MIN          /* all the minimum */
                                      : (i == n - 1 ? INT64_MAX : -(int64_t)i); /* max last */
            }
            int64_t best = x[0], at = 0;
            for (int64_t i = 1; i < n; i++)
                if (x[i] > best) {
                    best = x[i];
                    at = i;
                }
            struct cp_maxloc want = {0.0, 7 + at, 0, best};
            assert_maxloc_equal(cp_kernel_scalar_i64(x, n, 7), want);
            assert_maxloc_equal(cp_kernel_simd_i64(x, n, 7), want);
            assert_maxloc_equal(
                cp_kernel_run(CP_KERNEL_SIMD, CP_DOMAIN_I64, x, n, 7, CP_NAN_PROPAGATE), want);
        }
    free(x);
    struct cp_maxloc a = {0.0, 5, 0, INT64_C(4611686018427387905)}; /* 2^62 + 1 */
    struct cp_maxloc b = {0.0, 1, 0, INT64_C(4611686018427387904)}; /* 2^62, earlier */
    assert_int_equal(cp_maxloc_combine(a, b).index, 5);
    assert_int_equal(cp_maxloc_combine(b, a).index, 5);
    b.key = a.key;
    assert_int_equal(cp_maxloc_combine(a, b).index, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine_rule), cmocka_unit_test(test_combine_associative),
        cmocka_unit_test(test_kernels),      cmocka_unit_test(test_empty),
        cmocka_unit_test(test_strategies),   cmocka_unit_test(test_registry),
        cmocka_unit_test(test_kernels_i64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
