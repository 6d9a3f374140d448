/* The array's values for any slice, and the reference answer made from them. */
#include <math.h>

#include "conpar/block.h"
#include "conpar/cpu.h"
#include "conpar/gen.h"

/* values made at a time by the reference: 32 KiB, in L1/L2 while it is scanned */
#define CP_REFERENCE_PIECE 4096

/* Apply the --plant-* values that fall in [first, first + count). */
static void plant(const struct cp_cpu_options *opt, int64_t first, int64_t count, double *out)
{
    /* 1.0 exceeds every generated value, which lie in [0, 1) */
    if (opt->plant_max >= first && opt->plant_max - first < count)
        out[opt->plant_max - first] = 1.0;
    if (opt->plant_nan >= first && opt->plant_nan - first < count)
        out[opt->plant_nan - first] = NAN;
}

void cp_cpu_fill(const struct cp_cpu_options *opt, int64_t first, int64_t count, int64_t chunks,
                 int threads, double *out)
{
    cp_gen_fill_parallel(opt->seed, first, count, chunks, threads, out);
    plant(opt, first, count, out);
}

enum cp_status cp_cpu_reference(const struct cp_cpu_options *opt, int threads, MPI_Comm comm,
                                struct cp_maxloc *out)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    struct cp_block mine = cp_block_of(opt->size, size, rank);
    int64_t pieces = cp_pieces(mine.count, CP_REFERENCE_PIECE);
    struct cp_maxloc best = cp_maxloc_identity();
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) reduction(cp_max : best) \
    default(none) shared(opt, mine, pieces)
    // clang-format on
    for (int64_t k = 0; k < pieces; k++) {
        double values[CP_REFERENCE_PIECE];
        struct cp_block p = cp_piece_of(mine.count, CP_REFERENCE_PIECE, k);
        int64_t first = mine.start + p.start;
        cp_gen_fill(opt->seed, first, p.count, values);
        plant(opt, first, p.count, values);
        best = cp_maxloc_combine(best, cp_kernel_scalar(values, p.count, first, opt->nan));
    }
    enum cp_status st = cp_maxloc_reduce(&best, comm);
    *out = best;
    return st;
}
