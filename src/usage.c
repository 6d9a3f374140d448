/* /proc/stat per core, and getrusage. */
#include "conpar/usage.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

void cp_usage_sample(struct cp_usage_sample *s)
{
    memset(s, 0, sizeof *s);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        s->process_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL && s->ncores < CP_USAGE_MAX_CORES) {
        int core;
        unsigned long long v[10] = {0};
        /* cpuN user nice system idle iowait irq softirq steal guest guest_nice; the first
         * line, "cpu  ...", is the sum and is left out */
        if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
            continue;
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &core, &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 5)
            continue;
        unsigned long long total = 0;
        for (int i = 0; i < 8; i++)
            total += v[i];
        s->total[s->ncores] = total;
        s->busy[s->ncores] = total - v[3] - v[4]; /* all but idle and iowait */
        s->ncores++;
    }
    fclose(f);
}

void cp_usage_between(const struct cp_usage_sample *a, const struct cp_usage_sample *b,
                      double *percent, int *ncores)
{
    *ncores = a->ncores < b->ncores ? a->ncores : b->ncores;
    for (int c = 0; c < *ncores; c++) {
        unsigned long long dt = b->total[c] - a->total[c], db = b->busy[c] - a->busy[c];
        percent[c] = dt > 0 ? 100.0 * (double)db / (double)dt : 0.0;
        percent[c] = percent[c] < 0 ? 0 : percent[c] > 100 ? 100 : percent[c];
    }
}
