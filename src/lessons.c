/* The talk's lessons, judged on a run's own rows. */
#include "conpar/lessons.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conpar/array.h"
#include "conpar/cpu.h"
#include "conpar/io.h"

const struct cp_lesson_limits cp_lesson_limits = {
    .native = 1.5,
    .scale = 0.75,
    .one_core = 1.25,
    .compute_bound = 0.5,
    .at_bound = 0.7,
    .copy_share = 0.2,
    .copy_saving = 1.2,
    .io_floor = 0.95,
    .io_slack = 1.5,
};

static struct cp_lesson *add(struct cp_lessons *out, const char *id, const char *phase,
                             const char *claim)
{
    struct cp_lesson *l = &out->lessons[out->n++];
    memset(l, 0, sizeof *l);
    l->id = id;
    l->phase = phase;
    l->claim = claim;
    return l;
}

static void evidence(struct cp_lesson *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void evidence(struct cp_lesson *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->evidence, sizeof l->evidence, fmt, ap);
    va_end(ap);
}

/* Not shown: why, and what would show it. */
static void remedy(struct cp_lesson *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void remedy(struct cp_lesson *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->remedy, sizeof l->remedy, fmt, ap);
    va_end(ap);
    l->shown = 0;
}

/* ---- CPU ------------------------------------------------------------------------------- */

/* A strategy's complete row at an intensity, or NULL. */
static const struct cp_cpu_record *row(const struct cp_cpu_report *cpu, const char *name, int k)
{
    for (int i = 0; i < cpu->nrecords; i++) {
        const struct cp_cpu_record *r = &cpu->records[i];
        if (strcmp(r->strategy->name, name) == 0 && r->intensity == k && r->skipped[0] == '\0' &&
            r->verified && r->seconds.median > 0)
            return r;
    }
    return NULL;
}

/* The share of its read bound a row reached (1 = at the bound). */
static double share(const struct cp_cpu_record *r)
{
    return r->bound_seconds > 0 ? r->bound_seconds / r->seconds.median : 0;
}

static double faster(const struct cp_cpu_record *r, const struct cp_cpu_record *than)
{
    return than->seconds.median / r->seconds.median;
}

static int lanes(const struct cp_cpu_record *r)
{
    return r->threads * r->ranks;
}

/* The intensities of the run: the lowest (memory-bound when 1) and the highest above 1. */
static void intensities(const struct cp_cpu_report *cpu, int *low, int *high)
{
    *low = 0;
    *high = 0;
    for (int i = 0; i < cpu->nrecords; i++) {
        int k = cpu->records[i].intensity;
        *low = *low == 0 || k < *low ? k : *low;
        *high = k > 1 && k > *high ? k : *high;
    }
}

/* The compute-bound intensity of the run: the highest, when simd there is limited by its
 * computing; 0 (with the reason in l) when there is none. */
static int compute_bound(const struct cp_cpu_report *cpu, struct cp_lesson *l)
{
    int low, high;
    intensities(cpu, &low, &high);
    if (high == 0) {
        remedy(l, "every row here is intensity 1, a memory-bound scan; run with --intensity 1,64");
        return 0;
    }
    const struct cp_cpu_record *simd = row(cpu, "simd", high);
    if (simd == NULL) {
        remedy(l, "simd did not run at intensity %d; run with -c simd,...", high);
        return 0;
    }
    if (share(simd) >= cp_lesson_limits.compute_bound) {
        remedy(l,
               "at intensity %d simd still reaches %.0f%% of the read bound (memory-bound); run "
               "with a higher --intensity, e.g. --intensity 1,%d",
               high, 100 * share(simd), high * 4);
        return 0;
    }
    return high;
}

static const char *one_process_remedy =
    "run without mpirun and with --processes 2 or more, or under mpirun -np 2 or more";

static void cpu_native(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_native", "cpu",
                              "native code with SIMD beats the scalar loop (numpy.max against "
                              "builtin max())");
    int low, high;
    intensities(cpu, &low, &high);
    int k = high > 0 ? high : low;
    const struct cp_cpu_record *seq = row(cpu, "seq", k), *simd = row(cpu, "simd", k);
    if (seq == NULL || simd == NULL) {
        remedy(l, "seq and simd did not both run; run with -c seq,simd");
        return;
    }
    evidence(l, "intensity %d, one thread each: seq %.4f s, simd %.4f s: simd %.1fx seq", k,
             seq->seconds.median, simd->seconds.median, faster(simd, seq));
    l->shown = faster(simd, seq) >= cp_lesson_limits.native;
    if (!l->shown)
        remedy(l, "simd is less than %.1fx seq here%s", cp_lesson_limits.native,
               k == 1 ? "; at intensity 1 both wait for memory: run with --intensity 1,64" : "");
}

/* threads and simd at the compute-bound intensity, with at least two threads; NULL when the
 * lesson cannot be judged (the reason is in l). */
static int threads_rows(const struct cp_cpu_report *cpu, struct cp_lesson *l, int *k,
                        const struct cp_cpu_record **simd, const struct cp_cpu_record **threads)
{
    *k = compute_bound(cpu, l);
    if (*k == 0)
        return 0;
    *simd = row(cpu, "simd", *k);
    *threads = row(cpu, "threads", *k);
    if (*threads == NULL) {
        remedy(l, "threads did not run at intensity %d; run with -c simd,threads,gil", *k);
        return 0;
    }
    if ((*threads)->threads < 2) {
        remedy(l, "1 thread per process: nothing can run beside it; on 2 or more cores run "
                  "with --threads 2");
        return 0;
    }
    return 1;
}

static void cpu_threads_scale(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_threads_scale", "cpu",
                              "without a lock, threads scale with the cores (compute-bound)");
    int k;
    const struct cp_cpu_record *simd, *threads;
    if (!threads_rows(cpu, l, &k, &simd, &threads))
        return;
    int t = threads->threads;
    double x = faster(threads, simd);
    evidence(l, "intensity %d (compute-bound): threads %.1fx simd on %d threads (%.2f per thread)",
             k, x, t, x / t);
    l->shown = x >= cp_lesson_limits.scale * t;
    if (!l->shown)
        remedy(l,
               "threads gained less than %.2f per thread; the cores may be shared with other "
               "work (see the CPU use bars)",
               cp_lesson_limits.scale);
}

static void cpu_gil(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_gil", "cpu",
                              "one global lock turns the threads back into one core (don't "
                              "forget the GIL)");
    int k;
    const struct cp_cpu_record *simd, *threads;
    if (!threads_rows(cpu, l, &k, &simd, &threads))
        return;
    const struct cp_cpu_record *gil = row(cpu, "gil", k);
    if (gil == NULL) {
        remedy(l, "gil did not run at intensity %d; run with -c simd,threads,gil", k);
        return;
    }
    double g = faster(gil, simd), x = faster(threads, simd);
    evidence(l, "intensity %d (compute-bound), %d threads each: gil %.1fx simd, threads %.1fx simd",
             k, gil->threads, g, x);
    l->shown = g <= cp_lesson_limits.one_core && x >= cp_lesson_limits.scale * threads->threads;
    if (!l->shown && g > cp_lesson_limits.one_core)
        remedy(l, "gil ran more than %.2fx simd: the lock did not serialise the work",
               cp_lesson_limits.one_core);
    else if (!l->shown)
        remedy(l, "threads without the lock did not scale either, so the lock is not shown to "
                  "be the cause; the cores may be shared with other work");
}

static void cpu_memory_wall(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_memory_wall", "cpu",
                              "memory-bound, threads stop at the memory bandwidth, not at the "
                              "cores");
    int low, high;
    intensities(cpu, &low, &high);
    const struct cp_cpu_record *threads = row(cpu, "threads", 1);
    if (low != 1 || threads == NULL) {
        remedy(l, "threads did not run at intensity 1; run with --intensity 1 -c threads");
        return;
    }
    char more[160] = "";
    const struct cp_cpu_record *hot = high > 0 ? row(cpu, "threads", high) : NULL;
    if (hot != NULL)
        snprintf(more, sizeof more, "; at intensity %d the same threads use %.0f%% of it", high,
                 100 * share(hot));
    evidence(l, "intensity 1: threads at %.0f%% of the %d-thread read bound (%.1f GB/s)%s",
             100 * share(threads), threads->threads, threads->gb_per_s, more);
    l->shown = share(threads) >= cp_lesson_limits.at_bound;
    if (!l->shown)
        remedy(l,
               "threads reached less than %.0f%% of the read bound, so memory is not shown to "
               "be the limit; the cores may be shared with other work",
               100 * cp_lesson_limits.at_bound);
}

/* The process strategies need more than one process. */
static int processes(const struct cp_cpu_record *r, struct cp_lesson *l)
{
    if (r->ranks >= 2)
        return 1;
    remedy(l, "%s ran on 1 process, so nothing was split between processes; %s", r->strategy->name,
           one_process_remedy);
    return 0;
}

static void cpu_processes(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_processes", "cpu",
                              "processes scale where one interpreter cannot (multiprocessing is "
                              "your friend; compute-bound)");
    int k = compute_bound(cpu, l);
    if (k == 0)
        return;
    const struct cp_cpu_record *simd = row(cpu, "simd", k), *p = row(cpu, "window", k);
    p = p != NULL ? p : row(cpu, "scatter", k);
    if (p == NULL) {
        remedy(l, "neither window nor scatter ran at intensity %d; run with -c simd,window", k);
        return;
    }
    if (!processes(p, l))
        return;
    double x = faster(p, simd);
    evidence(l,
             "intensity %d (compute-bound): %s on %d processes x %d thread%s: %.1fx simd (%.2f "
             "per core)",
             k, p->strategy->name, p->ranks, p->threads, p->threads == 1 ? "" : "s", x,
             x / lanes(p));
    l->shown = x >= cp_lesson_limits.scale * lanes(p);
    if (!l->shown)
        remedy(l,
               "the processes gained less than %.2f per core; the cores may be shared with "
               "other work",
               cp_lesson_limits.scale);
}

static void cpu_copy_cost(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_copy_cost", "cpu",
                              "processes pay to copy the data to them (the process pool pickling "
                              "chunks)");
    const struct cp_cpu_record *scatter = row(cpu, "scatter", 1);
    if (scatter == NULL) {
        remedy(l, "scatter did not run at intensity 1; run with --intensity 1 -c scatter");
        return;
    }
    if (!processes(scatter, l))
        return;
    double copy = scatter->stage_median[CP_STAGE_DISTRIBUTE], t = scatter->seconds.median;
    char bytes[32];
    double sent =
        (double)cpu->options.size * sizeof(double) * (scatter->ranks - 1) / scatter->ranks;
    evidence(l,
             "intensity 1: scatter copied %s to %d other process%s in %.4f s, %.0f%% of its %.4f "
             "s; the scan itself took %.4f s",
             cp_format_bytes(sent, bytes, sizeof bytes), scatter->ranks - 1,
             scatter->ranks == 2 ? "" : "es", copy, 100 * copy / t, t,
             scatter->stage_median[CP_STAGE_COMPUTE]);
    l->shown = copy >= cp_lesson_limits.copy_share * t;
    if (!l->shown)
        remedy(l, "the copy took less than %.0f%% of scatter's time",
               100 * cp_lesson_limits.copy_share);
}

static void cpu_shared_memory(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_shared_memory", "cpu",
                              "shared memory removes the copy (SharedArray): the processes of a "
                              "node read one array in place");
    const struct cp_cpu_record *scatter = row(cpu, "scatter", 1), *window = row(cpu, "window", 1);
    if (scatter == NULL || window == NULL) {
        remedy(l, "scatter and window did not both run at intensity 1; run with --intensity 1 "
                  "-c scatter,window");
        return;
    }
    if (!processes(window, l))
        return;
    double x = faster(window, scatter);
    evidence(l,
             "intensity 1, %d processes: window %.4f s with no copy, scatter %.4f s: window "
             "%.1fx scatter",
             window->ranks, window->seconds.median, scatter->seconds.median, x);
    l->shown = x >= cp_lesson_limits.copy_saving;
    if (!l->shown)
        remedy(l, "window was less than %.1fx faster than scatter", cp_lesson_limits.copy_saving);
}

static void cpu_cluster(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "cpu_cluster", "cpu",
                              "for memory-bound problems, a cluster: each process holds only its "
                              "block (dask.distributed)");
    const struct cp_cpu_record *d = NULL;
    for (int i = 0; i < cpu->nrecords && d == NULL; i++)
        if (strcmp(cpu->records[i].strategy->name, "distributed") == 0)
            d = row(cpu, "distributed", cpu->records[i].intensity);
    if (d == NULL) {
        remedy(l, "distributed did not run; run with -c distributed");
        return;
    }
    if (!processes(d, l))
        return;
    double whole = (double)cpu->options.size * sizeof(double);
    int64_t per = cpu->options.size / d->ranks + (cpu->options.size % d->ranks != 0);
    int nodes = d->nhosts > 0 ? d->nhosts : 1;
    char all[32], one[32], node[32];
    evidence(l,
             "each of %d processes held at most %s, 1/%d of the %s array; %d node%s held %s "
             "each: more nodes hold arrays no one node could",
             d->ranks, cp_format_bytes((double)per * sizeof(double), one, sizeof one), d->ranks,
             cp_format_bytes(whole, all, sizeof all), nodes, nodes == 1 ? "" : "s",
             cp_format_bytes(whole / nodes, node, sizeof node));
    l->shown = 1;
}

void cp_lessons_cpu(const struct cp_cpu_report *cpu, struct cp_lessons *out)
{
    out->n = 0;
    cpu_native(cpu, out);
    cpu_gil(cpu, out);
    cpu_threads_scale(cpu, out);
    cpu_memory_wall(cpu, out);
    cpu_processes(cpu, out);
    cpu_copy_cost(cpu, out);
    cpu_shared_memory(cpu, out);
    cpu_cluster(cpu, out);
}

/* ---- IO -------------------------------------------------------------------------------- */

/* A time between io_floor and io_slack times its ideal. */
static int near_ideal(const struct cp_io_record *r)
{
    return r->ideal_seconds > 0 && r->seconds >= cp_lesson_limits.io_floor * r->ideal_seconds &&
           r->seconds <= cp_lesson_limits.io_slack * r->ideal_seconds;
}

static int all_ok(const struct cp_io_record *r)
{
    return r->tally.ok == r->requests && r->requests > 0;
}

/* "10 requests 2.006 s (10 delays)" for every complete row of a strategy; the count of rows, and
 * whether every one was near its ideal. */
static int rows_of(const struct cp_io_report *io, const char *name, char *buf, size_t size,
                   int *near)
{
    int n = 0;
    size_t used = 0;
    *near = 1;
    buf[0] = '\0';
    for (int i = 0; i < io->nrecords; i++) {
        const struct cp_io_record *r = &io->records[i];
        if (strcmp(r->strategy->name, name) != 0 || !all_ok(r))
            continue;
        double delays = io->options.delay > 0 ? r->seconds / io->options.delay : 0;
        if (used < size)
            used += (size_t)snprintf(buf + used, size - used,
                                     "%s%" PRId64 " requests %.3f s = %.1f delays (ideal %.0f)",
                                     n ? ", " : "", r->requests, r->seconds, delays,
                                     r->ideal_seconds / io->options.delay);
        *near &= near_ideal(r);
        n++;
    }
    return n;
}

static int no_delay(const struct cp_io_report *io, struct cp_lesson *l)
{
    if (io->options.delay > 0)
        return 0;
    remedy(l, "--delay 0: there is no wait to show; run with --delay 200ms");
    return 1;
}

static void io_sum_of_waits(const struct cp_io_report *io, struct cp_lessons *out)
{
    struct cp_lesson *l =
        add(out, "io_sum_of_waits", "io", "one request at a time takes the sum of the waits");
    if (no_delay(io, l))
        return;
    int near;
    if (rows_of(io, "seq", l->evidence, sizeof l->evidence, &near) == 0) {
        remedy(l, "seq did not answer every request; run with --io-strategies seq");
        return;
    }
    l->shown = near;
    if (!near)
        remedy(l, "seq was not within %.2f-%.1fx of R x D", cp_lesson_limits.io_floor,
               cp_lesson_limits.io_slack);
}

static void io_overlap(const struct cp_io_report *io, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "io_overlap", "io",
                              "threads and an event loop overlap the waits: many requests take "
                              "about one wait");
    if (no_delay(io, l))
        return;
    char t[180], a[180];
    int nt, na, near_t, near_a;
    nt = rows_of(io, "threads", t, sizeof t, &near_t);
    na = rows_of(io, "async", a, sizeof a, &near_a);
    if (nt == 0 && na == 0) {
        remedy(l, "neither threads nor async answered every request; run with --io-strategies "
                  "threads,async");
        return;
    }
    evidence(l, "%s%s%s%s%s", nt ? "threads: " : "", nt ? t : "", nt && na ? "; " : "",
             na ? "async: " : "", na ? a : "");
    l->shown = (nt == 0 || near_t) && (na == 0 || near_a);
    if (!l->shown)
        remedy(l, "a time was not within %.2f-%.1fx of its ideal", cp_lesson_limits.io_floor,
               cp_lesson_limits.io_slack);
}

static void io_throttle(const struct cp_io_report *io, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "io_throttle", "io",
                              "a client throttled to C takes ceil(R / C) waits: it is not healthy "
                              "to count on the server");
    if (no_delay(io, l))
        return;
    const struct cp_io_record *first = NULL;
    for (int i = 0; i < io->nrecords && first == NULL; i++)
        if (strcmp(io->records[i].strategy->name, "throttled") == 0 && all_ok(&io->records[i]))
            first = &io->records[i];
    if (first == NULL) {
        remedy(l, "throttled did not answer every request; run with --io-strategies throttled");
        return;
    }
    char rows[300];
    int near;
    rows_of(io, "throttled", rows, sizeof rows, &near);
    int w = io->options.server_workers;
    char takes[32] = "any number of requests";
    if (w > 0)
        snprintf(takes, sizeof takes, "%d", w);
    evidence(l, "throttled to %d (the server takes %s at once): %s", first->concurrency, takes,
             rows);
    l->shown = near && (w == 0 || first->concurrency < w);
    if (!l->shown && near)
        remedy(l,
               "the throttle (%d) is not below the server's %d workers, so the server limits "
               "it too; run with --server-workers 10",
               first->concurrency, w);
    else if (!l->shown)
        remedy(l, "a time was not within %.2f-%.1fx of ceil(R / C) x D", cp_lesson_limits.io_floor,
               cp_lesson_limits.io_slack);
}

static void io_server_limit(const struct cp_io_report *io, struct cp_lessons *out)
{
    struct cp_lesson *l = add(out, "io_server_limit", "io",
                              "the server's workers limit everyone: more requests than workers "
                              "take more than one wait");
    if (no_delay(io, l))
        return;
    int w = io->options.server_workers;
    if (w == 0) {
        remedy(l, "the server has no worker limit; run with --server-workers 10");
        return;
    }
    /* an unthrottled client (concurrency >= R) with more requests than workers */
    const struct cp_io_record *r = NULL;
    for (int i = 0; i < io->nrecords && r == NULL; i++) {
        const struct cp_io_record *q = &io->records[i];
        if (q->requests > w && q->concurrency >= q->requests && all_ok(q))
            r = q;
    }
    if (r == NULL) {
        remedy(l,
               "no unthrottled client sent more than the %d workers take; run with "
               "--requests 10,20",
               w);
        return;
    }
    double waits = ceil((double)r->requests / w);
    evidence(l, "%s: %" PRId64 " requests on %d workers %.3f s = %.1f delays (at least %.0f)",
             r->strategy->name, r->requests, w, r->seconds, r->seconds / io->options.delay, waits);
    l->shown = near_ideal(r);
    if (!l->shown)
        remedy(l, "the time was not within %.2f-%.1fx of ceil(R / W) x D",
               cp_lesson_limits.io_floor, cp_lesson_limits.io_slack);
}

void cp_lessons_io(const struct cp_io_report *io, struct cp_lessons *out)
{
    out->n = 0;
    io_sum_of_waits(io, out);
    io_overlap(io, out);
    io_throttle(io, out);
    io_server_limit(io, out);
}
