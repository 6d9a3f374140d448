/* The CPU strategy registry, made from the list in strategies.def. */
#include <stddef.h>
#include <string.h>

#include "conpar/cpu.h"

#define CP_STRATEGY(name) extern const struct cp_cpu_strategy cp_cpu_##name;
#include "strategies.def"
#undef CP_STRATEGY

static const struct cp_cpu_strategy *const registry[] = {
#define CP_STRATEGY(name) &cp_cpu_##name,
#include "strategies.def"
#undef CP_STRATEGY
};

const struct cp_cpu_strategy *const *cp_cpu_registry(int *count)
{
    *count = (int)(sizeof registry / sizeof registry[0]);
    return registry;
}

const struct cp_cpu_strategy *cp_cpu_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
