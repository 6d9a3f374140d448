/* The scaling table of a sweep. */
#include <inttypes.h>
#include <string.h>

#include "conpar/report.h"

/* The point of (strategy, requests) at value v, or NULL. */
static const struct cp_sweep_point *point(const struct cp_sweep *sw, const char *strategy,
                                          int64_t requests, int v)
{
    for (int i = 0; i < sw->npoints; i++)
        if (sw->points[i].value == v && sw->points[i].requests == requests &&
            strcmp(sw->points[i].strategy, strategy) == 0)
            return &sw->points[i];
    return NULL;
}

/* A cell: seconds with the speedup and efficiency over the first value, or for an intensity
 * sweep the data rate against the memory roof measured beside it. */
static void cell_of(const struct cp_sweep *sw, const struct cp_sweep_point *first,
                    const struct cp_sweep_point *q, int v, char *cell, size_t size)
{
    snprintf(cell, size, "-");
    if (q == NULL || q->seconds <= 0)
        return;
    if (strcmp(sw->parameter, "intensity") == 0) {
        snprintf(cell, size, "%.4f %.1f/%.1f GB/s", q->seconds, q->gb_per_s, q->bound_gb_per_s);
        return;
    }
    double speedup = first->seconds / q->seconds;
    double eff = speedup / ((double)sw->values[v] / sw->values[0]);
    snprintf(cell, size, "%.4f %.2fx %.2f", q->seconds, speedup, eff);
}

void cp_report_sweep_table(FILE *out, const struct cp_sweep *sw)
{
    int roofline = strcmp(sw->parameter, "intensity") == 0;
    fprintf(out, "%s over %s:", roofline ? "Roofline" : "Scaling", sw->parameter);
    for (int v = 0; v < sw->nvalues; v++)
        fprintf(out, " %d", sw->values[v]);
    if (roofline)
        fprintf(out, "\n  seconds, GB/s reached / GB/s of the probe passes beside it (the memory "
                     "roof): at low intensity a run meets the roof, at high intensity computing "
                     "holds it below\n\n");
    else
        fprintf(out, "\n  seconds, speedup over %s=%d, efficiency = speedup / (%s / %d)\n\n",
                sw->parameter, sw->values[0], sw->parameter, sw->values[0]);
    fprintf(out, "%-22s", "strategy");
    for (int v = 0; v < sw->nvalues; v++)
        fprintf(out, "  %-24d", sw->values[v]);
    fputc('\n', out);
    for (int i = 0; i < sw->npoints; i++) {
        const struct cp_sweep_point *p = &sw->points[i];
        if (point(sw, p->strategy, p->requests, p->value) != p || p->value != sw->values[0])
            continue; /* one row per (strategy, requests), from its first value */
        char name[64];
        if (p->requests > 0)
            snprintf(name, sizeof name, "%s R=%" PRId64, p->strategy, p->requests);
        else
            snprintf(name, sizeof name, "%s", p->strategy);
        fprintf(out, "%-22s", name);
        for (int v = 0; v < sw->nvalues; v++) {
            const struct cp_sweep_point *q = point(sw, p->strategy, p->requests, sw->values[v]);
            char cell[64];
            cell_of(sw, p, q, v, cell, sizeof cell);
            fprintf(out, "  %-24s", cell);
        }
        fputc('\n', out);
    }
}
