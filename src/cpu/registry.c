/* The CPU strategy registry: adding a strategy is its file plus one line here. */
#include <stddef.h>
#include <string.h>

#include "conpar/cpu.h"

extern const struct cp_cpu_strategy cp_cpu_seq, cp_cpu_simd, cp_cpu_threads, cp_cpu_gil,
    cp_cpu_scatter, cp_cpu_window, cp_cpu_distributed;

static const struct cp_cpu_strategy *const registry[] = {
    &cp_cpu_seq,     &cp_cpu_simd,   &cp_cpu_threads,     &cp_cpu_gil,
    &cp_cpu_scatter, &cp_cpu_window, &cp_cpu_distributed,
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
