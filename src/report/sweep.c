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

void cp_report_sweep_table(FILE *out, const struct cp_sweep *sw)
{
    fprintf(out, "Scaling over %s:", sw->parameter);
    for (int v = 0; v < sw->nvalues; v++)
        fprintf(out, " %d", sw->values[v]);
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
            char cell[64] = "-";
            if (q != NULL && q->seconds > 0) {
                double speedup = p->seconds / q->seconds;
                double eff = speedup / ((double)sw->values[v] / sw->values[0]);
                snprintf(cell, sizeof cell, "%.4f %.2fx %.2f", q->seconds, speedup, eff);
            }
            fprintf(out, "  %-24s", cell);
        }
        fputc('\n', out);
    }
}
