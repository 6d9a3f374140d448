/* The reduction: (value, index, nan_count) of a float64 array, and the one combine rule.
 *
 * Every code path (the scalar loop, the SIMD kernel, OpenMP's declare reduction, and the MPI
 * operator) reduces with cp_maxloc_combine, so results cannot drift between strategies:
 *   - a record with index CP_INDEX_NONE is the identity (nothing comparable seen);
 *   - a NaN value beats every number; two NaNs keep the smaller index;
 *   - otherwise the larger value wins and equal values keep the smaller index.
 * The NaN policy acts where an element becomes a record: under CP_NAN_PROPAGATE a NaN
 * element is a NaN record (numpy.max/argmax: the first NaN wins); under CP_NAN_SKIP it only
 * counts (numpy.nanmax/nanargmax). The combine itself needs no policy. It is associative and
 * commutative: a total order on (is NaN, value, key, -index). `value` is always the element at
 * `index`, bit for bit (so -0.0 versus 0.0 is decided by the index).
 *
 * Two domains of elements (8 bytes each): CP_DOMAIN_F64 holds doubles (key stays 0), and
 * CP_DOMAIN_I64 holds int64 keys (integers of a .npy file; value stays 0.0, never NaN), so the
 * same combine orders both exactly. */
#ifndef CONPAR_MAXLOC_H
#define CONPAR_MAXLOC_H

#include <stdint.h>

#define CP_INDEX_NONE INT64_MAX

enum cp_nan_policy { CP_NAN_PROPAGATE, CP_NAN_SKIP };

enum cp_domain { CP_DOMAIN_F64, CP_DOMAIN_I64 };

enum cp_kernel_kind { CP_KERNEL_SCALAR, CP_KERNEL_SIMD };

struct cp_maxloc {
    double value;      /* element at index (F64 domain); -inf for the identity */
    int64_t index;     /* global index, CP_INDEX_NONE when nothing comparable was seen */
    int64_t nan_count; /* NaN elements seen, whatever the policy */
    int64_t key;       /* element at index (I64 domain); 0 in the F64 domain */
};

/* The identity: value -inf, index CP_INDEX_NONE, no NaN. */
struct cp_maxloc cp_maxloc_identity(void);

/* The combine rule above. Pure. */
struct cp_maxloc cp_maxloc_combine(struct cp_maxloc a, struct cp_maxloc b);

/* True when a and b have the same value bits, index and nan_count. */
int cp_maxloc_equal(struct cp_maxloc a, struct cp_maxloc b);

/* The reference kernel: one element at a time through the combine rule, scalar, never
 * vectorised. x[0..n) holds global indices [base, base + n). Local, single-threaded. */
struct cp_maxloc cp_kernel_scalar(const double *x, int64_t n, int64_t base,
                                  enum cp_nan_policy policy);

/* The same answer as cp_kernel_scalar, bit for bit, with SIMD instructions (AVX-512, AVX2 or
 * SSE2, chosen at run time) over cache-sized blocks: the block maximum is found with vector
 * max, and only a block that beats the running maximum or holds a NaN is searched again for
 * the exact index. Local, single-threaded. */
struct cp_maxloc cp_kernel_simd(const double *x, int64_t n, int64_t base,
                                enum cp_nan_policy policy);

/* The I64 domain's kernels: the same answers as their F64 siblings for int64 keys (no NaN).
 * Local, single-threaded. */
struct cp_maxloc cp_kernel_scalar_i64(const int64_t *x, int64_t n, int64_t base);
struct cp_maxloc cp_kernel_simd_i64(const int64_t *x, int64_t n, int64_t base);

/* The kernel of `kind` for `domain` over the 8-byte slots x[0..n). Local. */
struct cp_maxloc cp_kernel_run(enum cp_kernel_kind kind, enum cp_domain domain, const void *x,
                               int64_t n, int64_t base, enum cp_nan_policy policy);

/* A pure streaming read of x[0..n) (vector max, no index, NaN ignored): the read-bandwidth
 * bound that a max+index scan can approach. Returns the max so the read cannot be elided. */
double cp_kernel_stream(const double *x, int64_t n);

/* Name of the instruction set cp_kernel_simd uses on this CPU ("avx512f", "avx2", "sse2",
 * "scalar"). */
const char *cp_kernel_simd_isa(void);

#ifdef _OPENMP
// clang-format off
#pragma omp declare reduction(cp_max : struct cp_maxloc : omp_out = cp_maxloc_combine(omp_out, omp_in)) \
    initializer(omp_priv = cp_maxloc_identity())
// clang-format on
#endif

#endif
