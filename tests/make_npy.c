/* make_npy OUT DESCR SHAPE ORDER VERSION VALUE...: write a hand-made .npy file for the tests,
 * independently of conpar's writer.
 *   DESCR    numpy dtype string: <f8 >f4 <f2 |b1 <i8 >u2 |u1 ...
 *   SHAPE    comma-separated dimensions ("" for a 0-d array, "5" for (5,))
 *   ORDER    C, or F to store the values (given in C order) in Fortran order
 *   VERSION  1, 2 or 3 (the .npy format version)
 *   VALUE    decimal integers (exact, any width), floats, nan, inf, -inf; 0/1 for bool
 * Values must be exactly representable in the dtype (float16 included). Exit 0 or 2. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t to_half(double v)
{
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    v = fabs(v);
    if (isnan(v))
        return 0x7e00;
    if (isinf(v))
        return sign | 0x7c00;
    if (v == 0)
        return sign;
    int e;
    double m = frexp(v, &e); /* v = m * 2^e, m in [0.5, 1) */
    int exp = e - 1 + 15;
    if (exp <= 0) /* subnormal: v = frac * 2^-24 */
        return sign | (uint16_t)(v * 0x1p24);
    return sign | (uint16_t)(exp << 10) | (uint16_t)((m * 2 - 1) * 1024);
}

static void put(unsigned char *p, uint64_t bits, int size, int big)
{
    for (int i = 0; i < size; i++)
        p[big ? size - 1 - i : i] = (unsigned char)(bits >> (8 * i));
}

static uint64_t encode(const char *text, char kind, int size)
{
    if (kind == 'f') {
        double d = strtod(text, NULL);
        if (size == 8) {
            uint64_t b;
            memcpy(&b, &d, 8);
            return b;
        }
        if (size == 4) {
            float f = (float)d;
            uint32_t b;
            memcpy(&b, &f, 4);
            return b;
        }
        return to_half(d);
    }
    if (kind == 'u')
        return strtoull(text, NULL, 10);
    return (uint64_t)strtoll(text, NULL, 10);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: make_npy OUT DESCR SHAPE ORDER VERSION VALUE...\n");
        return 2;
    }
    const char *descr = argv[2], *shape_text = argv[3];
    int fortran = strcmp(argv[4], "F") == 0, version = atoi(argv[5]);
    int big = descr[0] == '>';
    char kind = descr[1];
    int size = atoi(descr + 2);
    int64_t shape[32];
    int ndim = 0;
    for (const char *p = shape_text; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0))
        shape[ndim++] = strtoll(p, NULL, 10);
    int64_t count = 1;
    for (int d = 0; d < ndim; d++)
        count *= shape[d];
    if (count != argc - 6) {
        fprintf(stderr, "make_npy: shape holds %" PRId64 " values, %d given\n", count, argc - 6);
        return 2;
    }
    char dict[512], shp[256] = "";
    size_t used = 0;
    for (int d = 0; d < ndim; d++)
        used +=
            (size_t)snprintf(shp + used, sizeof shp - used, "%s%" PRId64, d ? ", " : "", shape[d]);
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': (%s%s), }", descr,
             fortran ? "True" : "False", shp, ndim == 1 ? "," : "");
    size_t prefix = version == 1 ? 10 : 12, total = prefix + strlen(dict) + 1;
    total = (total + 63) / 64 * 64;
    unsigned char *head = calloc(1, total);
    memcpy(head, "\x93NUMPY", 6);
    head[6] = (unsigned char)version;
    uint32_t hlen = (uint32_t)(total - prefix);
    put(head + 8, hlen, version == 1 ? 2 : 4, 0);
    memset(head + prefix, ' ', total - prefix);
    memcpy(head + prefix, dict, strlen(dict));
    head[total - 1] = '\n';
    unsigned char *data = calloc((size_t)count + 1, (size_t)size);
    for (int64_t c = 0; c < count; c++) {
        /* value c is given in C order; in Fortran order it is stored at position f */
        int64_t rest = c, idx[32], f = 0;
        for (int d = ndim - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        for (int d = ndim - 1; d >= 0; d--)
            f = f * shape[d] + idx[d];
        int64_t pos = fortran ? f : c;
        put(data + pos * size, encode(argv[6 + c], kind == 'b' ? 'u' : kind, size), size, big);
    }
    FILE *out = fopen(argv[1], "wb");
    if (out == NULL || fwrite(head, 1, total, out) != total ||
        fwrite(data, (size_t)size, (size_t)count, out) != (size_t)count || fclose(out) != 0) {
        fprintf(stderr, "make_npy: cannot write %s\n", argv[1]);
        return 2;
    }
    free(head);
    free(data);
    return 0;
}
