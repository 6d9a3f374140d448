/* Progress lines on a terminal. */
#include "conpar/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int enabled, shown;
static double last;

static int launched;

void cp_progress_note_launcher(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "SLURM_PROCID"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        launched |= getenv(vars[i]) != NULL;
}

int cp_interactive(int fd)
{
    return !launched && isatty(fd);
}

void cp_progress_enable(int on)
{
    enabled = on;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void cp_progress(int force, const char *fmt, ...)
{
    if (!enabled)
        return;
    double t = now();
    if (!force && t - last < 0.1)
        return;
    last = t;
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* carriage return, the line, then erase what a longer earlier line left */
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    shown = 1;
}

void cp_progress_clear(void)
{
    if (enabled && shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    shown = 0;
}
