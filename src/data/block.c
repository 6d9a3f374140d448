/* Balanced block decomposition and message pieces. */
#include "conpar/block.h"

struct cp_block cp_block_of(int64_t n, int64_t parts, int64_t k)
{
    int64_t base = n / parts;
    int64_t extra = n % parts;
    struct cp_block b;
    /* blocks before k: k of size base, min(k, extra) of them one larger */
    b.start = k * base + (k < extra ? k : extra);
    b.count = base + (k < extra ? 1 : 0);
    return b;
}

int64_t cp_pieces(int64_t count, int64_t limit)
{
    return count / limit + (count % limit != 0);
}

struct cp_block cp_piece_of(int64_t count, int64_t limit, int64_t k)
{
    struct cp_block p;
    p.start = k * limit;
    p.count = count - p.start < limit ? count - p.start : limit;
    return p;
}

int cp_scatterv_fits(int64_t n, int64_t parts, int64_t limit)
{
    /* the first block is the largest and the last starts furthest in */
    struct cp_block first = cp_block_of(n, parts, 0);
    struct cp_block last = cp_block_of(n, parts, parts - 1);
    return first.count <= limit && last.start <= limit;
}
