/* The combine rule and the scalar reference kernel. */
#include "conpar/maxloc.h"

#include <math.h>
#include <string.h>

#ifdef __FINITE_MATH_ONLY__
#if __FINITE_MATH_ONLY__
#error "conpar needs IEEE NaN semantics: do not build with -ffast-math or -ffinite-math-only"
#endif
#endif

struct cp_maxloc cp_maxloc_identity(void)
{
    struct cp_maxloc r = {-INFINITY, CP_INDEX_NONE, 0, 0};
    return r;
}

/* True when a beats b (both comparable). */
static int beats(struct cp_maxloc a, struct cp_maxloc b)
{
    int a_nan = isnan(a.value), b_nan = isnan(b.value);
    if (a_nan != b_nan)
        return a_nan;
    if (!a_nan && a.value != b.value)
        return a.value > b.value;
    if (a.key != b.key)
        return a.key > b.key;
    return a.index < b.index;
}

struct cp_maxloc cp_maxloc_combine(struct cp_maxloc a, struct cp_maxloc b)
{
    struct cp_maxloc r;
    if (b.index == CP_INDEX_NONE)
        r = a;
    else if (a.index == CP_INDEX_NONE)
        r = b;
    else
        r = beats(a, b) ? a : b;
    r.nan_count = a.nan_count + b.nan_count;
    return r;
}

int cp_maxloc_equal(struct cp_maxloc a, struct cp_maxloc b)
{
    return memcmp(&a.value, &b.value, sizeof a.value) == 0 && a.index == b.index &&
           a.nan_count == b.nan_count && a.key == b.key;
}

/* The loop is the element-by-element form of cp_maxloc_combine, kept scalar on purpose:
 * this is the `seq` strategy (Python's builtin max) and the reference for every other.
 * `!(v <= best)` is one compare that is true for a larger value or a NaN, so the common
 * case costs a single predictable branch. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
struct cp_maxloc
cp_kernel_scalar(const double *x, int64_t n, int64_t base, enum cp_nan_policy policy)
{
    struct cp_maxloc r = cp_maxloc_identity();
    int64_t i = 0;
    /* leading NaNs: the first one wins under propagate, all are only counted under skip */
    while (i < n && isnan(x[i])) {
        r.nan_count++;
        if (policy == CP_NAN_PROPAGATE) {
            r.value = x[i];
            r.index = base + i;
            break;
        }
        i++;
    }
    if (i < n && r.index == CP_INDEX_NONE) {
        double best = x[i];
        int64_t best_i = i;
#if defined(__clang__)
#pragma clang loop vectorize(disable) unroll_count(4)
#elif defined(__GNUC__)
#pragma GCC unroll 4
#endif
        for (i = i + 1; i < n; i++) {
            double v = x[i];
            if (!(v <= best)) {
                if (v == v) {
                    best = v;
                    best_i = i;
                } else {
                    r.nan_count++;
                    if (policy == CP_NAN_PROPAGATE) {
                        best = v;
                        best_i = i;
                        break;
                    }
                }
            }
        }
        r.value = best;
        r.index = base + best_i;
    }
    /* after a propagated NaN only the count changes */
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
    for (i = i + 1; i < n; i++)
        r.nan_count += isnan(x[i]);
    return r;
}

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
struct cp_maxloc
cp_kernel_scalar_i64(const int64_t *x, int64_t n, int64_t base)
{
    struct cp_maxloc r = cp_maxloc_identity();
    if (n <= 0)
        return r;
    int64_t best = x[0], best_i = 0;
#if defined(__clang__)
#pragma clang loop vectorize(disable) unroll_count(4)
#elif defined(__GNUC__)
#pragma GCC unroll 4
#endif
    for (int64_t i = 1; i < n; i++)
        if (x[i] > best) {
            best = x[i];
            best_i = i;
        }
    r.value = 0.0;
    r.key = best;
    r.index = base + best_i;
    return r;
}

struct cp_maxloc cp_kernel_run(enum cp_kernel_kind kind, enum cp_domain domain, const void *x,
                               int64_t n, int64_t base, enum cp_nan_policy policy)
{
    if (domain == CP_DOMAIN_I64)
        return kind == CP_KERNEL_SCALAR ? cp_kernel_scalar_i64(x, n, base)
                                        : cp_kernel_simd_i64(x, n, base);
    return kind == CP_KERNEL_SCALAR ? cp_kernel_scalar(x, n, base, policy)
                                    : cp_kernel_simd(x, n, base, policy);
}
