/* The IO strategy registry: adding a strategy is its file plus one line here. */
#include <stddef.h>
#include <string.h>

#include "conpar/io.h"

extern const struct cp_io_strategy cp_io_seq, cp_io_threads, cp_io_async, cp_io_ranks;

static const struct cp_io_strategy *const registry[] = {
    &cp_io_seq,
    &cp_io_threads,
    &cp_io_async,
    &cp_io_ranks,
};

const struct cp_io_strategy *const *cp_io_registry(int *count)
{
    *count = (int)(sizeof registry / sizeof registry[0]);
    return registry;
}

const struct cp_io_strategy *cp_io_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
