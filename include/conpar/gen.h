/* The generated array: element i is a pure function of (seed, i).
 *
 * A counter-based generator (SplitMix64's output function applied to a Weyl sequence),
 * so any rank or thread can produce any slice and every decomposition sees the same data:
 *
 *   mix(z)   = z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
 *              z *= 0x94D049BB133111EB; z ^= z >> 31          (all mod 2^64)
 *   key      = mix(seed)
 *   bits(i)  = mix(key + (i + 1) * 0x9E3779B97F4A7C15)        (mod 2^64)
 *   x[i]     = (bits(i) >> 11) * 2^-53                          exact, in [0, 1)
 */
#ifndef CONPAR_GEN_H
#define CONPAR_GEN_H

#include <stdint.h>

/* Element `index` of the array generated from `seed`. Local, pure. */
double cp_gen_value(uint64_t seed, int64_t index);

/* Fill out[0..count) with elements [first, first + count) of the array from `seed`.
 * Single-threaded; vectorised where the CPU allows, with identical results. Local. */
void cp_gen_fill(uint64_t seed, int64_t first, int64_t count, double *out);

/* Fill out[0..count) with elements [first, first + count), in parallel: the range is cut
 * into `chunks` blocks (cp_block_of) handed to `threads` OpenMP threads with a static
 * schedule, the same schedule the chunked scans use, so each thread first-touches the
 * pages it will later read. Local. */
void cp_gen_fill_parallel(uint64_t seed, int64_t first, int64_t count, int64_t chunks, int threads,
                          double *out);

#endif
