/* Array memory: availability check and aligned allocation. */
#include "conpar/array.h"

#include "conpar/block.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CP_ARRAY_ALIGN ((size_t)2 << 20) /* one transparent huge page */

int64_t cp_mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return -1;
    char line[256];
    int64_t kib = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        long long v;
        if (sscanf(line, "MemAvailable: %lld kB", &v) == 1) {
            kib = v;
            break;
        }
    }
    fclose(f);
    return kib < 0 ? -1 : kib * 1024;
}

const char *cp_format_bytes(double bytes, char *buf, int size)
{
    static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1000.0 && u < 6) {
        bytes /= 1000.0;
        u++;
    }
    snprintf(buf, (size_t)size, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
    return buf;
}

enum cp_status cp_array_check(int64_t count, const char *what)
{
    char need_s[32], have_s[32];
    if (count > INT64_MAX / (int64_t)sizeof(double))
        return CP_FAIL(CP_ERR_NOMEM, "%s: %" PRId64 " float64 values need more than 2^63 bytes",
                       what, count);
    int64_t need = count * (int64_t)sizeof(double);
    int64_t have = cp_mem_available();
    if (have >= 0 && need > have)
        return CP_FAIL(CP_ERR_NOMEM,
                       "%s: needs %s (%" PRId64 " bytes) but %s (%" PRId64
                       " bytes) is available on this node",
                       what, cp_format_bytes((double)need, need_s, sizeof need_s), need,
                       cp_format_bytes((double)have, have_s, sizeof have_s), have);
    return CP_OK;
}

enum cp_status cp_array_alloc(int64_t count, double **out)
{
    size_t bytes = (size_t)(count > 0 ? count : 1) * sizeof(double);
    bytes = (bytes + CP_ARRAY_ALIGN - 1) / CP_ARRAY_ALIGN * CP_ARRAY_ALIGN;
    void *p = aligned_alloc(CP_ARRAY_ALIGN, bytes);
    if (p == NULL)
        return CP_FAIL(CP_ERR_NOMEM, "cannot allocate %zu bytes for the array", bytes);
#ifdef MADV_HUGEPAGE
    /* A hint only: without huge pages the array still works, with more page faults. */
    (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    *out = p;
    return CP_OK;
}

void cp_array_free(double *data)
{
    free(data);
}

const char *cp_shm_directory(void)
{
    const char *dir = getenv("OMPI_MCA_osc_sm_backing_directory");
    return dir != NULL && dir[0] != '\0' ? dir : "/dev/shm";
}

void cp_array_touch(double *x, int64_t n, int64_t chunks, int threads, int byte)
{
    // clang-format off
#pragma omp parallel for schedule(static) num_threads(threads) default(none) \
    shared(x, n, chunks, byte)
    // clang-format on
    for (int64_t c = 0; c < chunks; c++) {
        struct cp_block b = cp_block_of(n, chunks, c);
        memset(x + b.start, byte, (size_t)b.count * sizeof *x);
    }
}
