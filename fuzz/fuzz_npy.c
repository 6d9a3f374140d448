/* libFuzzer target: the .npy header parser on arbitrary bytes, as the start of a file of that
 * many bytes. It must accept or refuse with a message, never read outside the input; what it
 * accepts must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conpar/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so ASan sees any read past the end */
    unsigned char *head = malloc(size ? size : 1);
    if (head == NULL)
        return 0;
    memcpy(head, data, size);
    struct cp_npy h;
    if (cp_npy_parse("fuzz.npy", head, size, (int64_t)size, &h) == CP_OK) {
        int64_t count = 1;
        for (int i = 0; i < h.ndim; i++)
            count *= h.shape[i];
        if (h.ndim < 0 || h.ndim > CP_NPY_MAX_DIMS || count != h.count ||
            h.data_offset + h.count * h.itemsize != (int64_t)size || h.data_offset > (int64_t)size)
            abort();
        char where[512];
        if (h.count > 0)
            cp_npy_unravel(&h, h.count - 1, where, sizeof where);
    } else if (cp_error_message()[0] == '\0') {
        abort(); /* a refusal always says why */
    }
    free(head);
    return 0;
}
