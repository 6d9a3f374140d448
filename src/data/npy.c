/* .npy: header parser, MPI-IO reader, pread reader, writer. */
#include "conpar/npy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conpar/block.h"
#include "conpar/comm.h"
#include "conpar/gen.h"

#define PIECE_BYTES ((int64_t)1 << 30)    /* largest single MPI-IO call */
#define STAGING_BYTES ((int64_t)64 << 20) /* raw bytes per piece when converting */

static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* ---- header dict ------------------------------------------------------------------- */

struct cursor {
    const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int eat(struct cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes into buf. 0 on success. */
static int read_string(struct cursor *c, char *buf, size_t size)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return -1;
    char quote = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || n + 1 >= size)
            return -1;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return -1;
    c->p++;
    buf[n] = '\0';
    return 0;
}

static int read_word(struct cursor *c, const char *word)
{
    skip_ws(c);
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || strncmp(c->p, word, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

/* A tuple of non-negative integers, "()", "(5,)", "(2, 3)", Python 2's "3L" allowed. */
static int read_shape(struct cursor *c, struct cp_npy *h)
{
    if (!eat(c, '('))
        return -1;
    h->ndim = 0;
    for (;;) {
        skip_ws(c);
        if (eat(c, ')'))
            break;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9' || h->ndim == CP_NPY_MAX_DIMS)
            return -1;
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *c->p - '0', &v))
                return -2;
            c->p++;
        }
        if (c->p < c->end && *c->p == 'L')
            c->p++;
        h->shape[h->ndim++] = v;
        if (eat(c, ','))
            continue;
        if (!eat(c, ')'))
            return -1;
        /* "(5)" is an int in Python, not a tuple */
        if (h->ndim == 1)
            return -1;
        break;
    }
    return 0;
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Map descr ("<f8") to kind, size and byte order. */
static enum cp_status parse_descr(const char *path, const char *descr, struct cp_npy *h)
{
    static const struct {
        char kind;
        const char *name;
    } refused[] = {{'c', "complex"},      {'O', "object"},           {'U', "unicode string"},
                   {'S', "bytes string"}, {'a', "bytes string"},     {'M', "datetime64"},
                   {'m', "timedelta64"},  {'V', "void (structured)"}};
    const char *p = descr;
    char order = '=';
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=')
        order = *p++;
    char kind = *p ? *p++ : '\0';
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (kind == refused[i].kind)
            return CP_FAIL(CP_ERR_INPUT,
                           "%s: dtype '%s' (%s) is not supported: conpar reads "
                           "float16/32/64, int8..64, uint8..64 and bool",
                           path, descr, refused[i].name);
    char *end;
    long size = strtol(p, &end, 10);
    if (*p < '0' || *p > '9' || *end != '\0')
        return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: dtype '%s' is not understood", path,
                       descr);
    static const char *const floats[] = {"float16", "float32", "float64"};
    static const char *const ints[] = {"int8", "int16", "int32", "int64"};
    static const char *const uints[] = {"uint8", "uint16", "uint32", "uint64"};
    int log2 = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
    const char *name = NULL;
    if (kind == 'f' && log2 >= 1) {
        h->kind = CP_KIND_FLOAT;
        name = floats[log2 - 1];
    } else if (kind == 'i' && log2 >= 0) {
        h->kind = CP_KIND_INT;
        name = ints[log2];
    } else if (kind == 'u' && log2 >= 0) {
        h->kind = CP_KIND_UINT;
        name = uints[log2];
    } else if (kind == 'b' && size == 1) {
        h->kind = CP_KIND_BOOL;
        name = "bool";
    }
    if (name == NULL)
        return CP_FAIL(CP_ERR_INPUT,
                       "%s: dtype '%s' is not supported: conpar reads "
                       "float16/32/64, int8..64, uint8..64 and bool",
                       path, descr);
    snprintf(h->dtype, sizeof h->dtype, "%s", name);
    h->itemsize = (int)size;
    int little = host_little_endian();
    h->swap = size > 1 && ((order == '<' && !little) || (order == '>' && little));
    h->domain = h->kind == CP_KIND_FLOAT ? CP_DOMAIN_F64 : CP_DOMAIN_I64;
    return CP_OK;
}

/* The header dict: exactly the keys descr, fortran_order and shape, in any order. */
static enum cp_status parse_dict(const char *path, struct cursor *c, struct cp_npy *h)
{
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    char descr[64] = "";
    if (!eat(c, '{'))
        return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: not a dict", path);
    while (!eat(c, '}')) {
        char key[32];
        if (read_string(c, key, sizeof key) != 0 || !eat(c, ':'))
            return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: expected a quoted key and ':'",
                           path);
        int *seen = strcmp(key, "descr") == 0           ? &seen_descr
                    : strcmp(key, "fortran_order") == 0 ? &seen_fortran
                    : strcmp(key, "shape") == 0         ? &seen_shape
                                                        : NULL;
        if (seen == NULL)
            return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: unknown key '%s'", path, key);
        if (*seen)
            return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: key '%s' twice", path, key);
        *seen = 1;
        if (seen == &seen_descr) {
            skip_ws(c);
            if (c->p < c->end && *c->p == '[')
                return CP_FAIL(CP_ERR_INPUT,
                               "%s: structured dtype (a list of fields) is not "
                               "supported",
                               path);
            if (read_string(c, descr, sizeof descr) != 0)
                return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: descr is not a string", path);
        } else if (seen == &seen_fortran) {
            if (read_word(c, "True"))
                h->fortran = 1;
            else if (read_word(c, "False"))
                h->fortran = 0;
            else
                return CP_FAIL(CP_ERR_INPUT,
                               "%s: malformed header: fortran_order is not True "
                               "or False",
                               path);
        } else {
            int rc = read_shape(c, h);
            if (rc == -2)
                return CP_FAIL(CP_ERR_INPUT, "%s: shape has a dimension above 2^63", path);
            if (rc != 0)
                return CP_FAIL(CP_ERR_INPUT,
                               "%s: malformed header: shape is not a tuple of "
                               "non-negative integers",
                               path);
        }
        if (!eat(c, ',')) {
            if (!eat(c, '}'))
                return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: expected ',' or '}'", path);
            break;
        }
    }
    skip_ws(c);
    if (c->p != c->end)
        return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: text after the dict", path);
    if (!seen_descr || !seen_fortran || !seen_shape)
        return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: missing key '%s'", path,
                       !seen_descr     ? "descr"
                       : !seen_fortran ? "fortran_order"
                                       : "shape");
    snprintf(h->descr, sizeof h->descr, "%s", descr);
    return parse_descr(path, descr, h);
}

static enum cp_status check_size(const char *path, struct cp_npy *h, int64_t file_size)
{
    h->count = 1;
    for (int d = 0; d < h->ndim; d++)
        if (__builtin_mul_overflow(h->count, h->shape[d], &h->count))
            return CP_FAIL(CP_ERR_INPUT, "%s: the shape's element count overflows 64 bits", path);
    int64_t bytes;
    if (__builtin_mul_overflow(h->count, (int64_t)h->itemsize, &bytes))
        return CP_FAIL(CP_ERR_INPUT, "%s: the shape's byte count overflows 64 bits", path);
    int64_t have = file_size - h->data_offset;
    if (have < bytes)
        return CP_FAIL(CP_ERR_INPUT,
                       "%s: truncated data: the header promises %" PRId64 " bytes of data but "
                       "the file holds %" PRId64,
                       path, bytes, have);
    if (have > bytes)
        return CP_FAIL(CP_ERR_INPUT,
                       "%s: file size does not match the header: %" PRId64 " bytes of data "
                       "expected, %" PRId64 " found",
                       path, bytes, have);
    if (h->count == 0)
        return CP_FAIL(CP_ERR_INPUT, "%s: zero-size array: no maximum", path);
    return CP_OK;
}

enum cp_status cp_npy_parse(const char *path, const unsigned char *head, size_t len,
                            int64_t file_size, struct cp_npy *out)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    if (len < sizeof magic || memcmp(head, magic, sizeof magic) != 0)
        return CP_FAIL(CP_ERR_INPUT, "%s: not an .npy file (no \\x93NUMPY magic)", path);
    if (len < 10)
        return CP_FAIL(CP_ERR_INPUT, "%s: truncated header (%zu bytes)", path, len);
    out->major = head[6];
    out->minor = head[7];
    if (out->major < 1 || out->major > 3 || out->minor != 0)
        return CP_FAIL(CP_ERR_INPUT,
                       "%s: unsupported .npy version %d.%d (conpar reads 1.0, 2.0 and 3.0)", path,
                       out->major, out->minor);
    size_t prefix = out->major == 1 ? 10 : 12;
    if (len < prefix)
        return CP_FAIL(CP_ERR_INPUT, "%s: truncated header (%zu bytes)", path, len);
    uint32_t hlen = (uint32_t)head[8] | (uint32_t)head[9] << 8;
    if (out->major > 1)
        hlen |= (uint32_t)head[10] << 16 | (uint32_t)head[11] << 24;
    out->data_offset = (int64_t)prefix + hlen;
    if (out->data_offset > file_size)
        return CP_FAIL(CP_ERR_INPUT,
                       "%s: header length %" PRIu32 " runs past the end of the file (%" PRId64
                       " bytes)",
                       path, hlen, file_size);
    if (hlen > CP_NPY_MAX_HEADER || prefix + hlen > len)
        return CP_FAIL(CP_ERR_INPUT, "%s: header length %" PRIu32 " is above conpar's limit of %d",
                       path, hlen, CP_NPY_MAX_HEADER);
    const char *text = (const char *)head + prefix;
    if (memchr(text, '\0', hlen) != NULL)
        return CP_FAIL(CP_ERR_INPUT, "%s: malformed header: a NUL byte in the dict", path);
    struct cursor c = {text, text + hlen};
    enum cp_status st = parse_dict(path, &c, out);
    if (st != CP_OK)
        return st;
    return check_size(path, out, file_size);
}

/* ---- opening ----------------------------------------------------------------------- */

/* Rank 0: read the start of the file and parse it. */
static enum cp_status open_local(const char *path, struct cp_npy *out)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return CP_FAIL(CP_ERR_FILE, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
        int err = S_ISDIR(sb.st_mode) ? EISDIR : errno;
        close(fd);
        return CP_FAIL(CP_ERR_FILE, "%s: cannot read: %s", path, strerror(err));
    }
    size_t want = 12 + CP_NPY_MAX_HEADER;
    if ((int64_t)want > (int64_t)sb.st_size)
        want = (size_t)sb.st_size;
    unsigned char *head = malloc(want > 0 ? want : 1);
    if (head == NULL) {
        close(fd);
        return CP_FAIL(CP_ERR_NOMEM, "%s: cannot allocate the header buffer", path);
    }
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, head + got, want - got, (off_t)got);
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            free(head);
            close(fd);
            return CP_FAIL(CP_ERR_FILE, "%s: cannot read: %s", path, strerror(err));
        }
        got += (size_t)n;
    }
    close(fd);
    enum cp_status st = cp_npy_parse(path, head, got, (int64_t)sb.st_size, out);
    free(head);
    return st;
}

enum cp_status cp_npy_open(const char *path, MPI_Comm comm, struct cp_npy *out)
{
    enum cp_status st = CP_OK;
    if (cp_comm_rank(comm) == 0)
        st = open_local(path, out);
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    CP_MPI_CHECK(MPI_Bcast(out, (int)sizeof *out, MPI_BYTE, 0, comm));
    out->path = path;
    return CP_OK;
}

/* ---- conversion -------------------------------------------------------------------- */

static double half_to_double(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0)
        v = (double)frac * 0x1p-24; /* subnormal */
    else if (exp == 31)
        v = frac ? (double)NAN : (double)INFINITY;
    else
        v = (double)(frac | 0x400) * ((double)(1u << exp) * 0x1p-25);
    return sign ? -v : v;
}

/* Raw element i of src (size s, swapped when asked) as 64 bits, zero-extended. */
static uint64_t raw_at(const unsigned char *src, int s, int swap, int64_t i)
{
    const unsigned char *p = src + (size_t)i * (size_t)s;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    switch (s) {
    case 1:
        memcpy(&u8, p, 1);
        return u8;
    case 2:
        memcpy(&u16, p, 2);
        return swap ? __builtin_bswap16(u16) : u16;
    case 4:
        memcpy(&u32, p, 4);
        return swap ? __builtin_bswap32(u32) : u32;
    default:
        memcpy(&u64, p, 8);
        return swap ? __builtin_bswap64(u64) : u64;
    }
}

/* One element into its 8-byte slot. */
static void convert_one(const struct cp_npy *h, uint64_t raw, unsigned char *slot)
{
    int s = h->itemsize;
    if (h->kind == CP_KIND_FLOAT) {
        double d;
        if (s == 8) {
            memcpy(&d, &raw, 8);
        } else if (s == 4) {
            uint32_t bits = (uint32_t)raw;
            float f;
            memcpy(&f, &bits, 4);
            d = f;
        } else {
            d = half_to_double((uint16_t)raw);
        }
        memcpy(slot, &d, 8);
        return;
    }
    int64_t v;
    if (h->kind == CP_KIND_BOOL)
        v = raw != 0;
    else if (h->kind == CP_KIND_UINT)
        v = (int64_t)(s == 8 ? raw ^ (UINT64_C(1) << 63) : raw);
    else if (s == 8)
        v = (int64_t)raw;
    else /* sign-extend from s bytes */
        v = (int64_t)(raw << (64 - 8 * s)) >> (64 - 8 * s);
    memcpy(slot, &v, 8);
}

static void convert(const struct cp_npy *h, const unsigned char *src, int64_t n, void *dst,
                    int threads)
{
    unsigned char *out = dst;
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) default(none) \
    shared(h, src, n, out)
    // clang-format on
    for (int64_t i = 0; i < n; i++)
        convert_one(h, raw_at(src, h->itemsize, h->swap, i), out + (size_t)i * 8);
}

/* Native float64 and int64 land in their slots as they are read. */
static int direct(const struct cp_npy *h)
{
    return h->itemsize == 8 && !h->swap && h->kind != CP_KIND_UINT;
}

/* ---- reading ----------------------------------------------------------------------- */

static enum cp_status read_pieces(const struct cp_npy *h, MPI_Comm comm, MPI_File fh, int64_t first,
                                  int64_t count, int threads, void *out, unsigned char *staging)
{
    int64_t per = (direct(h) ? PIECE_BYTES : STAGING_BYTES) / h->itemsize;
    int64_t mine = cp_pieces(count, per), all = 0;
    CP_MPI_CHECK(MPI_Allreduce(&mine, &all, 1, MPI_INT64_T, MPI_MAX, comm));
    enum cp_status st = CP_OK;
    /* every rank makes `all` collective calls, with nothing to read past its own pieces */
    for (int64_t k = 0; k < all; k++) {
        struct cp_block p = k < mine ? cp_piece_of(count, per, k) : (struct cp_block){0, 0};
        unsigned char *dst = direct(h) ? (unsigned char *)out + (size_t)p.start * 8 : staging;
        MPI_Offset at = (MPI_Offset)(h->data_offset + (first + p.start) * h->itemsize);
        int bytes = (int)(p.count * h->itemsize);
        MPI_Status status;
        int rc = MPI_File_read_at_all(fh, at, dst, bytes, MPI_BYTE, &status);
        int got = 0;
        if (rc == MPI_SUCCESS)
            rc = MPI_Get_count(&status, MPI_BYTE, &got);
        if (st == CP_OK && rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_File_read_at_all", __FILE__, __LINE__);
        else if (st == CP_OK && got != bytes)
            st = CP_FAIL(CP_ERR_FILE,
                         "%s: short read: %d of %d bytes at offset %lld (did the "
                         "file change?)",
                         h->path, got, bytes, (long long)at);
        if (st == CP_OK && !direct(h))
            convert(h, staging, p.count, (unsigned char *)out + (size_t)p.start * 8, threads);
    }
    return st;
}

enum cp_status cp_npy_read(const struct cp_npy *h, MPI_Comm comm, int64_t first, int64_t count,
                           int threads, void *out)
{
    MPI_File fh;
    int rc = MPI_File_open(comm, h->path, MPI_MODE_RDONLY, MPI_INFO_NULL, &fh);
    enum cp_status st = CP_OK;
    if (rc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, text, &len);
        st = CP_FAIL(CP_ERR_FILE, "%s: MPI_File_open failed: %s", h->path, text);
    }
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    unsigned char *staging = NULL;
    if (!direct(h) && (staging = malloc((size_t)STAGING_BYTES)) == NULL)
        st = CP_FAIL(CP_ERR_NOMEM, "%s: cannot allocate the staging buffer", h->path);
    st = cp_comm_agree(comm, st);
    if (st == CP_OK)
        st = read_pieces(h, comm, fh, first, count, threads, out, staging);
    free(staging);
    MPI_File_close(&fh);
    return cp_comm_agree(comm, st);
}

enum cp_status cp_npy_read_local(const struct cp_npy *h, int fd, int64_t first, int64_t count,
                                 void *out)
{
    /* raw bytes at the end of out, converted forward: slot i never overwrites raw i + 1 */
    size_t raw_bytes = (size_t)count * (size_t)h->itemsize;
    unsigned char *raw = (unsigned char *)out + (size_t)count * 8 - raw_bytes;
    off_t at = (off_t)(h->data_offset + first * h->itemsize);
    size_t got = 0;
    while (got < raw_bytes) {
        ssize_t n = pread(fd, raw + got, raw_bytes - got, at + (off_t)got);
        if (n <= 0)
            return CP_FAIL(CP_ERR_FILE,
                           "%s: cannot read elements [%" PRId64 ", %" PRId64 ") at byte %lld: %s",
                           h->path, first, first + count, (long long)at,
                           n < 0 ? strerror(errno) : "unexpected end of file");
        got += (size_t)n;
    }
    if (direct(h))
        return CP_OK;
    for (int64_t i = 0; i < count; i++)
        convert_one(h, raw_at(raw, h->itemsize, h->swap, i), (unsigned char *)out + (size_t)i * 8);
    return CP_OK;
}

int64_t cp_npy_c_index(const struct cp_npy *h, int64_t pos)
{
    if (!h->fortran || h->ndim < 2)
        return pos;
    /* Fortran order: axis 0 varies fastest in the file */
    int64_t idx[CP_NPY_MAX_DIMS];
    for (int d = 0; d < h->ndim; d++) {
        idx[d] = pos % h->shape[d];
        pos /= h->shape[d];
    }
    int64_t c = 0;
    for (int d = 0; d < h->ndim; d++)
        c = c * h->shape[d] + idx[d];
    return c;
}

int cp_npy_unravel_index(const struct cp_npy *h, int64_t index, int64_t idx[CP_NPY_MAX_DIMS])
{
    for (int d = h->ndim - 1; d >= 0; d--) {
        idx[d] = index % h->shape[d];
        index /= h->shape[d];
    }
    return h->ndim;
}

void cp_npy_unravel(const struct cp_npy *h, int64_t index, char *buf, size_t size)
{
    int64_t idx[CP_NPY_MAX_DIMS];
    cp_npy_unravel_index(h, index, idx);
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < h->ndim && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64, d ? ", " : "", idx[d]);
    if (used < size)
        snprintf(buf + used, size - used, "%s)", h->ndim == 1 ? "," : "");
}

/* ---- writing ----------------------------------------------------------------------- */

/* Version 1.0 header for shape (size,), padded with spaces so the data starts on a multiple
 * of 64 bytes, ending in a newline. Returns its length. */
static size_t make_header(int64_t size, int itemsize, unsigned char *buf, size_t cap)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<f%d', 'fortran_order': False, 'shape': (%" PRId64 ",), }",
                     itemsize, size);
    size_t total = 10 + (size_t)n + 1;
    total = (total + 63) / 64 * 64;
    if (total > cap)
        return 0;
    memcpy(buf, magic, sizeof magic);
    buf[6] = 1;
    buf[7] = 0;
    uint16_t hlen = (uint16_t)(total - 10);
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memset(buf + 10, ' ', total - 10);
    memcpy(buf + 10, dict, (size_t)n);
    buf[total - 1] = '\n';
    return total;
}

/* Generated values [first, first + count) as little-endian float64 or float32 bytes. */
static void generate_bytes(uint64_t seed, int64_t first, int64_t count, int itemsize, int threads,
                           double *values, unsigned char *out)
{
    cp_gen_fill_parallel(seed, first, count, threads, threads, values);
    int swap = !host_little_endian();
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) default(none) \
    shared(count, itemsize, values, out, swap)
    // clang-format on
    for (int64_t i = 0; i < count; i++) {
        if (itemsize == 8) {
            uint64_t b;
            memcpy(&b, &values[i], 8);
            b = swap ? __builtin_bswap64(b) : b;
            memcpy(out + (size_t)i * 8, &b, 8);
        } else {
            float f = (float)values[i];
            uint32_t b;
            memcpy(&b, &f, 4);
            b = swap ? __builtin_bswap32(b) : b;
            memcpy(out + (size_t)i * 4, &b, 4);
        }
    }
}

static enum cp_status write_blocks(MPI_File fh, MPI_Comm comm, int64_t offset, int64_t size,
                                   uint64_t seed, int itemsize, int threads)
{
    int rank = cp_comm_rank(comm), nranks = cp_comm_size(comm);
    struct cp_block mine = cp_block_of(size, nranks, rank);
    int64_t per = STAGING_BYTES / itemsize;
    int64_t pieces = cp_pieces(mine.count, per), all = 0;
    CP_MPI_CHECK(MPI_Allreduce(&pieces, &all, 1, MPI_INT64_T, MPI_MAX, comm));
    double *values = malloc((size_t)per * sizeof *values);
    unsigned char *bytes = malloc((size_t)STAGING_BYTES);
    enum cp_status st = values && bytes ? CP_OK : CP_FAIL(CP_ERR_NOMEM, "cannot allocate buffers");
    st = cp_comm_agree(comm, st);
    for (int64_t k = 0; k < all && st == CP_OK; k++) {
        struct cp_block p = k < pieces ? cp_piece_of(mine.count, per, k) : (struct cp_block){0, 0};
        generate_bytes(seed, mine.start + p.start, p.count, itemsize, threads, values, bytes);
        MPI_Offset at = (MPI_Offset)(offset + (mine.start + p.start) * itemsize);
        MPI_Status status;
        int rc = MPI_File_write_at_all(fh, at, bytes, (int)(p.count * itemsize), MPI_BYTE, &status);
        if (rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_File_write_at_all", __FILE__, __LINE__);
        st = cp_comm_agree(comm, st);
    }
    free(values);
    free(bytes);
    return st;
}

enum cp_status cp_npy_write_generated(const char *path, MPI_Comm comm, int64_t size, uint64_t seed,
                                      int itemsize, int threads)
{
    unsigned char header[256];
    size_t hlen = make_header(size, itemsize, header, sizeof header);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* everything goes to path.tmp, renamed over path once complete */
    MPI_File fh;
    int rc = MPI_File_open(comm, tmp, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    enum cp_status st = CP_OK;
    if (rc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, text, &len);
        st = CP_FAIL(CP_ERR_FILE, "--out '%s': cannot create '%s': %s", path, tmp, text);
    }
    st = cp_comm_agree(comm, st);
    if (st != CP_OK)
        return st;
    rc = MPI_File_set_size(fh, (MPI_Offset)(hlen + (size_t)size * (size_t)itemsize));
    if (rc != MPI_SUCCESS)
        st = cp_mpi_fail(rc, "MPI_File_set_size", __FILE__, __LINE__);
    if (st == CP_OK && cp_comm_rank(comm) == 0) {
        MPI_Status status;
        rc = MPI_File_write_at(fh, 0, header, (int)hlen, MPI_BYTE, &status);
        if (rc != MPI_SUCCESS)
            st = cp_mpi_fail(rc, "MPI_File_write_at(header)", __FILE__, __LINE__);
    }
    st = cp_comm_agree(comm, st);
    if (st == CP_OK)
        st = write_blocks(fh, comm, (int64_t)hlen, size, seed, itemsize, threads);
    rc = MPI_File_close(&fh);
    if (st == CP_OK && rc != MPI_SUCCESS)
        st = cp_mpi_fail(rc, "MPI_File_close", __FILE__, __LINE__);
    st = cp_comm_agree(comm, st);
    if (cp_comm_rank(comm) == 0) {
        if (st == CP_OK && rename(tmp, path) != 0)
            st = CP_FAIL(CP_ERR_FILE, "--out '%s': cannot rename '%s' into place: %s", path, tmp,
                         strerror(errno));
        if (st != CP_OK)
            unlink(tmp);
    }
    return cp_comm_agree(comm, st);
}
