/* The array's values for any slice (generated or read from --input), the reference answer
 * made from them, and numpy's C-order tie rule for fortran_order files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conpar/array.h"
#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/cpu.h"
#include "conpar/gen.h"

/* values made at a time by the reference: 32 KiB, in L1/L2 while it is scanned */
#define CP_REFERENCE_PIECE 4096

enum cp_status cp_cpu_resolve(struct cp_cpu_options *opt, MPI_Comm comm)
{
    if (opt->input == NULL)
        return CP_OK;
    enum cp_status st = cp_npy_open(opt->input, comm, &opt->npy);
    if (st == CP_OK)
        opt->size = opt->npy.count;
    return st;
}

enum cp_domain cp_cpu_domain(const struct cp_cpu_options *opt)
{
    return opt->input != NULL ? opt->npy.domain : CP_DOMAIN_F64;
}

static int fortran(const struct cp_cpu_options *opt)
{
    return opt->input != NULL && opt->npy.fortran && opt->npy.ndim > 1;
}

/* Apply the --plant-* values that fall in [first, first + count). */
static void plant(const struct cp_cpu_options *opt, int64_t first, int64_t count, double *out)
{
    /* 1.0 exceeds every generated value, which lie in [0, 1) */
    if (opt->plant_max >= first && opt->plant_max - first < count)
        out[opt->plant_max - first] = 1.0;
    if (opt->plant_nan >= first && opt->plant_nan - first < count)
        out[opt->plant_nan - first] = NAN;
}

enum cp_status cp_cpu_fill(const struct cp_cpu_options *opt, MPI_Comm comm, int64_t first,
                           int64_t count, int64_t chunks, int threads, double *out,
                           double *read_seconds)
{
    if (read_seconds != NULL)
        *read_seconds = 0;
    if (opt->input != NULL) {
        /* first touch by the threads that will scan each chunk, before MPI-IO writes it */
        cp_array_touch(out, count, chunks, threads, 0);
        double t0 = MPI_Wtime();
        enum cp_status st = cp_npy_read(&opt->npy, comm, first, count, threads, out);
        if (read_seconds != NULL)
            *read_seconds = MPI_Wtime() - t0;
        return st;
    }
    cp_gen_fill_parallel(opt->seed, first, count, chunks, threads, out);
    plant(opt, first, count, out);
    return CP_OK;
}

/* Among x[0..n) (file positions from `first`), the element equal to w with the smallest
 * C-order index (numerically equal: -0.0 matches 0.0; a NaN w matches every NaN). */
static struct cp_maxloc first_equal_c(const struct cp_cpu_options *opt, enum cp_domain domain,
                                      const double *x, int64_t n, int64_t first, struct cp_maxloc w)
{
    struct cp_maxloc best = cp_maxloc_identity();
    const int64_t *keys = (const int64_t *)x;
    for (int64_t i = 0; i < n; i++) {
        int match = domain == CP_DOMAIN_I64 ? keys[i] == w.key
                    : isnan(w.value)        ? isnan(x[i])
                                            : x[i] == w.value;
        if (!match)
            continue;
        struct cp_maxloc c = {domain == CP_DOMAIN_I64 ? 0.0 : x[i],
                              cp_npy_c_index(&opt->npy, first + i), 0,
                              domain == CP_DOMAIN_I64 ? keys[i] : 0};
        best = cp_maxloc_combine(best, c);
    }
    return best;
}

/* Rank 0's *r goes to every rank; the C-order-first equal element `local` of each rank is
 * combined into rank 0's *r. Collective. */
static enum cp_status settle_c_order(MPI_Comm comm, struct cp_maxloc *r,
                                     struct cp_maxloc (*local)(const void *arg, struct cp_maxloc w),
                                     const void *arg)
{
    MPI_Datatype type;
    MPI_Op op;
    enum cp_status st = cp_maxloc_mpi(&type, &op);
    if (st != CP_OK)
        return st;
    struct cp_maxloc w = *r;
    CP_MPI_CHECK(MPI_Bcast(&w, 1, type, 0, comm));
    if (w.index == CP_INDEX_NONE)
        return CP_OK;
    struct cp_maxloc best = local(arg, w);
    st = cp_maxloc_reduce(&best, comm);
    if (st == CP_OK && cp_comm_rank(comm) == 0) {
        best.nan_count = r->nan_count;
        *r = best;
    }
    return st;
}

static struct cp_maxloc ctx_first_equal(const void *arg, struct cp_maxloc w)
{
    const struct cp_cpu_ctx *ctx = arg;
    struct cp_maxloc best = cp_maxloc_identity();
    int64_t chunks = ctx->chunks;
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(ctx->threads) reduction(cp_max : best) \
    default(none) shared(ctx, chunks, w)
    // clang-format on
    for (int64_t c = 0; c < chunks; c++) {
        struct cp_block b = cp_block_of(ctx->n, chunks, c);
        best = cp_maxloc_combine(best, first_equal_c(ctx->opt, ctx->domain, ctx->data + b.start,
                                                     b.count, ctx->base + b.start, w));
    }
    return best;
}

enum cp_status cp_cpu_fortran_first(const struct cp_cpu_ctx *ctx, MPI_Comm comm,
                                    struct cp_maxloc *r)
{
    if (!fortran(ctx->opt))
        return CP_OK;
    return settle_c_order(comm, r, ctx_first_equal, ctx);
}

/* ---- the reference ------------------------------------------------------------------ */

struct stream {
    const struct cp_cpu_options *opt;
    struct cp_block mine; /* this rank's file positions */
    int threads;
    int fd;                        /* --input, or -1 */
    struct cp_error_carry *failed; /* the first piece that could not be read */
};

/* Piece k of this rank's block into values (generated, or read with pread). */
static enum cp_status stream_piece(const struct stream *s, int64_t k, double *values,
                                   struct cp_block *p)
{
    *p = cp_piece_of(s->mine.count, CP_REFERENCE_PIECE, k);
    int64_t first = s->mine.start + p->start;
    if (s->fd >= 0)
        return cp_npy_read_local(&s->opt->npy, s->fd, first, p->count, values);
    cp_gen_fill(s->opt->seed, first, p->count, values);
    plant(s->opt, first, p->count, values);
    return CP_OK;
}

/* The scalar kernel over every piece. A piece that cannot be read is skipped; its failure,
 * the lowest piece's when several threads fail, goes to s->failed. */
static struct cp_maxloc stream_max(const struct stream *s)
{
    int64_t pieces = cp_pieces(s->mine.count, CP_REFERENCE_PIECE);
    enum cp_domain domain = cp_cpu_domain(s->opt);
    struct cp_maxloc best = cp_maxloc_identity();
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(s->threads) reduction(cp_max : best) \
    default(none) shared(s, pieces, domain)
    // clang-format on
    for (int64_t k = 0; k < pieces; k++) {
        double values[CP_REFERENCE_PIECE];
        struct cp_block p;
        if (cp_error_carry_keep(s->failed, k, stream_piece(s, k, values, &p)) != CP_OK)
            continue;
        best = cp_maxloc_combine(best, cp_kernel_run(CP_KERNEL_SCALAR, domain, values, p.count,
                                                     s->mine.start + p.start, s->opt->nan));
    }
    return best;
}

/* The C-order-first element equal to w; a piece that cannot be read (the file changed since
 * stream_max) goes to s->failed like there. */
static struct cp_maxloc stream_first_equal(const void *arg, struct cp_maxloc w)
{
    const struct stream *s = arg;
    int64_t pieces = cp_pieces(s->mine.count, CP_REFERENCE_PIECE);
    enum cp_domain domain = cp_cpu_domain(s->opt);
    struct cp_maxloc best = cp_maxloc_identity();
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(s->threads) reduction(cp_max : best) \
    default(none) shared(s, pieces, domain, w)
    // clang-format on
    for (int64_t k = 0; k < pieces; k++) {
        double values[CP_REFERENCE_PIECE];
        struct cp_block p;
        if (cp_error_carry_keep(s->failed, k, stream_piece(s, k, values, &p)) == CP_OK)
            best = cp_maxloc_combine(
                best, first_equal_c(s->opt, domain, values, p.count, s->mine.start + p.start, w));
    }
    return best;
}

enum cp_status cp_cpu_reference(const struct cp_cpu_options *opt, int threads, MPI_Comm comm,
                                struct cp_maxloc *out)
{
    int rank = cp_comm_rank(comm), size = cp_comm_size(comm);
    struct cp_error_carry failed;
    cp_error_carry_init(&failed);
    struct stream s = {opt, cp_block_of(opt->size, size, rank), threads, -1, &failed};
    enum cp_status st = CP_OK;
    if (opt->input != NULL && (s.fd = open(opt->input, O_RDONLY)) < 0)
        st = CP_FAIL(CP_ERR_FILE, "%s: cannot open on rank %d: %s", opt->input, rank,
                     strerror(errno));
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    struct cp_maxloc best = stream_max(&s);
    /* the threads' first failure is recorded here, on the thread that owns the record */
    st = cp_comm_agree(comm, cp_error_carry_record(&failed));
    if (st == CP_OK)
        st = cp_maxloc_reduce(&best, comm);
    if (st == CP_OK && fortran(opt)) {
        st = settle_c_order(comm, &best, stream_first_equal, &s);
        if (st == CP_OK)
            st = cp_error_carry_record(&failed);
        st = cp_comm_agree(comm, st);
    }
    if (s.fd >= 0)
        close(s.fd);
    *out = best;
    return st;
}

void cp_cpu_format_value(const struct cp_cpu_options *opt, struct cp_maxloc r, char *buf,
                         size_t size)
{
    const struct cp_npy *h = &opt->npy;
    if (r.index == CP_INDEX_NONE) {
        snprintf(buf, size, "-");
    } else if (cp_cpu_domain(opt) == CP_DOMAIN_F64) {
        /* enough digits to read back the element in its own type */
        int digits = opt->input == NULL || h->itemsize == 8 ? 17 : h->itemsize == 4 ? 9 : 5;
        snprintf(buf, size, "%.*g", digits, r.value);
    } else if (h->kind == CP_KIND_BOOL) {
        snprintf(buf, size, "%s", r.key ? "True" : "False");
    } else if (h->kind == CP_KIND_UINT && h->itemsize == 8) {
        snprintf(buf, size, "%" PRIu64, (uint64_t)r.key ^ (UINT64_C(1) << 63));
    } else {
        snprintf(buf, size, "%" PRId64, r.key);
    }
}
