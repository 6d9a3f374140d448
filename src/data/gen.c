/* Counter-based generator (see gen.h for the exact formula). */
#include "conpar/gen.h"

#include "conpar/block.h"

#define CP_GEN_WEYL 0x9E3779B97F4A7C15u

static inline uint64_t mix64(uint64_t z)
{
    z ^= z >> 30;
    z *= 0xBF58476D1CE4E5B9u;
    z ^= z >> 27;
    z *= 0x94D049BB133111EBu;
    z ^= z >> 31;
    return z;
}

/* bits >> 11 < 2^53 is exactly representable, and the scaling by 2^-53 is exact. */
static inline double to_unit(uint64_t bits)
{
    return (double)(int64_t)(bits >> 11) * 0x1.0p-53;
}

double cp_gen_value(uint64_t seed, int64_t index)
{
    return to_unit(mix64(mix64(seed) + ((uint64_t)index + 1u) * CP_GEN_WEYL));
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/* 64-bit multiplies vectorise only with AVX-512DQ; keep a baseline clone for other CPUs. */
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#endif
void cp_gen_fill(uint64_t seed, int64_t first, int64_t count, double *out)
{
    uint64_t z0 = mix64(seed) + ((uint64_t)first + 1u) * CP_GEN_WEYL;
    for (int64_t i = 0; i < count; i++)
        out[i] = to_unit(mix64(z0 + (uint64_t)i * CP_GEN_WEYL));
}

void cp_gen_fill_parallel(uint64_t seed, int64_t first, int64_t count, int64_t chunks, int threads,
                          double *out)
{
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) default(none) \
    shared(seed, first, count, chunks, out)
    // clang-format on
    for (int64_t c = 0; c < chunks; c++) {
        struct cp_block b = cp_block_of(count, chunks, c);
        cp_gen_fill(seed, first + b.start, b.count, out + b.start);
    }
}
