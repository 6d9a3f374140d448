/* Balanced block decomposition. */
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
