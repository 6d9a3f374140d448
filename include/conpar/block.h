/* Block decomposition: splitting n elements into `parts` contiguous blocks.
 *
 * The first n mod parts blocks get one extra element, so block sizes differ by at most one
 * and the blocks cover [0, n) exactly once, in order. All arithmetic is 64-bit; it never
 * overflows for n < 2^63 and parts < 2^31. Pure functions, local. */
#ifndef CONPAR_BLOCK_H
#define CONPAR_BLOCK_H

#include <stdint.h>

struct cp_block {
    int64_t start; /* first global index of the block */
    int64_t count; /* number of elements (0 when parts > n and the block is past the end) */
};

/* Block `k` (0 <= k < parts) of n elements split into `parts` blocks. */
struct cp_block cp_block_of(int64_t n, int64_t parts, int64_t k);

#endif
