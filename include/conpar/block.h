/* Block decomposition: splitting n elements into `parts` contiguous blocks, and splitting one
 * message into pieces that fit MPI's int counts.
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

/* Large counts. Open MPI 4.1 has no MPI-4 large-count calls, so every count and displacement
 * of one call must fit an int. A message of `count` elements (>= 0) goes as pieces of at
 * most `limit` elements (1 <= limit <= INT_MAX): all full except the last. */

/* Number of pieces (0 for an empty message). */
int64_t cp_pieces(int64_t count, int64_t limit);

/* Piece k (0 <= k < cp_pieces): its offset in the message and its element count. */
struct cp_block cp_piece_of(int64_t count, int64_t limit, int64_t k);

/* 1 when one MPI_Scatterv can move n elements split into `parts` blocks: every block's
 * count and displacement (in elements) is at most `limit`; 0 when the message must go in
 * pieces. */
int cp_scatterv_fits(int64_t n, int64_t parts, int64_t limit);

#endif
