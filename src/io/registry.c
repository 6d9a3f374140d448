/* The IO strategy registry, made from the list in strategies.def. */
#include <stddef.h>
#include <string.h>

#include "conpar/io.h"

#define CP_STRATEGY(name) extern const struct cp_io_strategy cp_io_##name;
#include "strategies.def"
#undef CP_STRATEGY

static const struct cp_io_strategy *const registry[] = {
#define CP_STRATEGY(name) &cp_io_##name,
#include "strategies.def"
#undef CP_STRATEGY
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
