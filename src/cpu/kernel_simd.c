/* The vectorised max+index kernel and the streaming-read probe. */
#include "conpar/maxloc.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define CP_HAVE_X86 1
#include <immintrin.h>
#else
#define CP_HAVE_X86 0
#endif

/* 2048 doubles = 16 KiB: a block stays in L1 for the rare second look. */
#define CP_SIMD_BLOCK 2048

/* Maximum of the non-NaN elements of x[0..n) (-inf when none) and whether a NaN was seen. */
typedef double (*blockmax_fn)(const double *x, int64_t n, int *has_nan);

static double tail_max(const double *x, int64_t n, double m, int *has_nan)
{
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        if (v != v)
            *has_nan = 1;
        else if (v > m)
            m = v;
    }
    return m;
}

#if CP_HAVE_X86
/* max_pd(a, m) returns m when a is NaN, so NaNs never enter the maximum; an unordered
 * self-compare collects them instead. */
__attribute__((target("avx512f"))) static double blockmax_avx512(const double *x, int64_t n,
                                                                 int *has_nan)
{
    __m512d m0 = _mm512_set1_pd(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    __mmask8 u = 0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512d a = _mm512_loadu_pd(x + i), b = _mm512_loadu_pd(x + i + 8);
        __m512d c = _mm512_loadu_pd(x + i + 16), d = _mm512_loadu_pd(x + i + 24);
        m0 = _mm512_max_pd(a, m0);
        m1 = _mm512_max_pd(b, m1);
        m2 = _mm512_max_pd(c, m2);
        m3 = _mm512_max_pd(d, m3);
        u |= _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(b, b, _CMP_UNORD_Q) |
             _mm512_cmp_pd_mask(c, c, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(d, d, _CMP_UNORD_Q);
    }
    for (; i + 8 <= n; i += 8) {
        __m512d a = _mm512_loadu_pd(x + i);
        m0 = _mm512_max_pd(a, m0);
        u |= _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q);
    }
    m0 = _mm512_max_pd(_mm512_max_pd(m0, m1), _mm512_max_pd(m2, m3));
    *has_nan = u != 0;
    return tail_max(x + i, n - i, _mm512_reduce_max_pd(m0), has_nan);
}

__attribute__((target("avx2"))) static double blockmax_avx2(const double *x, int64_t n,
                                                            int *has_nan)
{
    __m256d m0 = _mm256_set1_pd(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    __m256d u = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);
        __m256d c = _mm256_loadu_pd(x + i + 8), d = _mm256_loadu_pd(x + i + 12);
        m0 = _mm256_max_pd(a, m0);
        m1 = _mm256_max_pd(b, m1);
        m2 = _mm256_max_pd(c, m2);
        m3 = _mm256_max_pd(d, m3);
        u = _mm256_or_pd(u, _mm256_or_pd(_mm256_or_pd(_mm256_cmp_pd(a, a, _CMP_UNORD_Q),
                                                      _mm256_cmp_pd(b, b, _CMP_UNORD_Q)),
                                         _mm256_or_pd(_mm256_cmp_pd(c, c, _CMP_UNORD_Q),
                                                      _mm256_cmp_pd(d, d, _CMP_UNORD_Q))));
    }
    m0 = _mm256_max_pd(_mm256_max_pd(m0, m1), _mm256_max_pd(m2, m3));
    double lanes[4];
    _mm256_storeu_pd(lanes, m0);
    double m = tail_max(lanes, 4, -INFINITY, has_nan);
    *has_nan = _mm256_movemask_pd(u) != 0;
    return tail_max(x + i, n - i, m, has_nan);
}

static double blockmax_sse2(const double *x, int64_t n, int *has_nan)
{
    __m128d m0 = _mm_set1_pd(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    __m128d u = _mm_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128d a = _mm_loadu_pd(x + i), b = _mm_loadu_pd(x + i + 2);
        __m128d c = _mm_loadu_pd(x + i + 4), d = _mm_loadu_pd(x + i + 6);
        m0 = _mm_max_pd(a, m0);
        m1 = _mm_max_pd(b, m1);
        m2 = _mm_max_pd(c, m2);
        m3 = _mm_max_pd(d, m3);
        u = _mm_or_pd(u, _mm_or_pd(_mm_or_pd(_mm_cmpunord_pd(a, a), _mm_cmpunord_pd(b, b)),
                                   _mm_or_pd(_mm_cmpunord_pd(c, c), _mm_cmpunord_pd(d, d))));
    }
    m0 = _mm_max_pd(_mm_max_pd(m0, m1), _mm_max_pd(m2, m3));
    double lanes[2];
    _mm_storeu_pd(lanes, m0);
    double m = tail_max(lanes, 2, -INFINITY, has_nan);
    *has_nan = _mm_movemask_pd(u) != 0;
    return tail_max(x + i, n - i, m, has_nan);
}
#else
static double blockmax_generic(const double *x, int64_t n, int *has_nan)
{
    double m0 = -INFINITY, m1 = -INFINITY, m2 = -INFINITY, m3 = -INFINITY;
    int nan = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        /* v > m is false for NaN, so NaN never becomes a maximum */
        m0 = x[i] > m0 ? x[i] : m0;
        m1 = x[i + 1] > m1 ? x[i + 1] : m1;
        m2 = x[i + 2] > m2 ? x[i + 2] : m2;
        m3 = x[i + 3] > m3 ? x[i + 3] : m3;
        nan |= (x[i] != x[i]) | (x[i + 1] != x[i + 1]) | (x[i + 2] != x[i + 2]) |
               (x[i + 3] != x[i + 3]);
    }
    m0 = m0 > m1 ? m0 : m1;
    m2 = m2 > m3 ? m2 : m3;
    m0 = m0 > m2 ? m0 : m2;
    *has_nan = nan;
    return tail_max(x + i, n - i, m0, has_nan);
}
#endif

static blockmax_fn pick_blockmax(const char **isa)
{
#if CP_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        *isa = "avx512f";
        return blockmax_avx512;
    }
    if (__builtin_cpu_supports("avx2")) {
        *isa = "avx2";
        return blockmax_avx2;
    }
    *isa = "sse2";
    return blockmax_sse2;
#else
    *isa = "scalar";
    return blockmax_generic;
#endif
}

const char *cp_kernel_simd_isa(void)
{
    const char *isa;
    (void)pick_blockmax(&isa);
    return isa;
}

/* First j in x[0..n) with x[j] == m (m is known to occur). */
static int64_t first_equal(const double *x, int64_t n, double m)
{
    int64_t j = 0;
    while (j < n && x[j] != m)
        j++;
    return j;
}

struct cp_maxloc cp_kernel_simd(const double *x, int64_t n, int64_t base, enum cp_nan_policy policy)
{
    const char *isa;
    blockmax_fn blockmax = pick_blockmax(&isa);
    struct cp_maxloc best = cp_maxloc_identity();
    for (int64_t s = 0; s < n; s += CP_SIMD_BLOCK) {
        int64_t len = n - s < CP_SIMD_BLOCK ? n - s : CP_SIMD_BLOCK;
        int has_nan = 0;
        double m = blockmax(x + s, len, &has_nan);
        if (has_nan) {
            /* rare: the reference kernel settles NaN order and counts exactly */
            best = cp_maxloc_combine(best, cp_kernel_scalar(x + s, len, base + s, policy));
        } else if (m > best.value || (best.index == CP_INDEX_NONE && m == best.value)) {
            /* blocks arrive in index order, so only a strictly larger block maximum moves
             * the answer (ties keep the earlier index); a NaN best is never beaten */
            int64_t j = first_equal(x + s, len, m);
            best.value = x[s + j];
            best.index = base + s + j;
        }
    }
    return best;
}

double cp_kernel_stream(const double *x, int64_t n)
{
    const char *isa;
    int has_nan = 0;
    return pick_blockmax(&isa)(x, n, &has_nan);
}

/* The largest of x[0..n) (n >= 1): a plain reduction the compiler vectorises (vpmaxsq with
 * AVX-512, compare and blend with AVX2). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#endif
static int64_t
blockmax_i64(const int64_t *x, int64_t n)
{
    int64_t m = INT64_MIN;
#pragma omp simd reduction(max : m)
    for (int64_t i = 0; i < n; i++)
        m = x[i] > m ? x[i] : m;
    return m;
}

struct cp_maxloc cp_kernel_simd_i64(const int64_t *x, int64_t n, int64_t base)
{
    struct cp_maxloc best = cp_maxloc_identity();
    for (int64_t s = 0; s < n; s += CP_SIMD_BLOCK) {
        int64_t len = n - s < CP_SIMD_BLOCK ? n - s : CP_SIMD_BLOCK;
        int64_t m = blockmax_i64(x + s, len);
        /* blocks arrive in index order: only a strictly larger maximum moves the answer */
        if (best.index == CP_INDEX_NONE || m > best.key) {
            int64_t j = 0;
            while (x[s + j] != m)
                j++;
            best.value = 0.0;
            best.key = m;
            best.index = base + s + j;
        }
    }
    return best;
}
