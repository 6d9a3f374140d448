/* The lessons on synthetic rows: each lesson is shown when its rows prove it and not shown,
 * with a reason and a remedy, when they do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conpar/cpu.h"
#include "conpar/io.h"
#include "conpar/lessons.h"

static struct cp_cpu_report *cpu;
static struct cp_io_report *io;

/* A verified CPU row: `seconds` median, `share` of its read bound reached. */
static struct cp_cpu_record *cpu_row(const char *name, int k, int threads, int ranks,
                                     double seconds, double share)
{
    struct cp_cpu_record *r = &cpu->records[cpu->nrecords++];
    memset(r, 0, sizeof *r);
    r->strategy = cp_cpu_find(name);
    assert_non_null(r->strategy);
    r->intensity = k;
    r->threads = threads;
    r->ranks = ranks;
    r->verified = 1;
    r->seconds.median = seconds;
    r->bound_seconds = seconds * share;
    r->gb_per_s = 8.0 * 100e6 / seconds / 1e9;
    r->nhosts = 1;
    return r;
}

static void cpu_reset(void)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->options.size = 100000000;
}

static const struct cp_lesson *find(const struct cp_lessons *ls, const char *id)
{
    for (int i = 0; i < ls->n; i++)
        if (strcmp(ls->lessons[i].id, id) == 0)
            return &ls->lessons[i];
    fail_msg("no lesson %s", id);
    return NULL;
}

static void assert_shown(const struct cp_lessons *ls, const char *id)
{
    const struct cp_lesson *l = find(ls, id);
    if (!l->shown)
        fail_msg("%s not shown: %s", id, l->remedy);
    assert_string_equal(l->remedy, "");
    assert_true(strlen(l->evidence) > 0);
}

/* Not shown, with a reason that contains `why`. */
static void assert_not_shown(const struct cp_lessons *ls, const char *id, const char *why)
{
    const struct cp_lesson *l = find(ls, id);
    if (l->shown)
        fail_msg("%s shown: %s", id, l->evidence);
    if (strstr(l->remedy, why) == NULL)
        fail_msg("%s: remedy '%s' lacks '%s'", id, l->remedy, why);
}

/* A 2-core run with a pool of 2 processes: memory-bound at intensity 1, compute-bound at 64,
 * where the lock serialises the threads and the processes scale. */
static void full_run(double gil_at_64)
{
    cpu_reset();
    cpu_row("seq", 1, 1, 1, 0.040, 0.55);
    cpu_row("seq", 64, 1, 1, 4.0, 0.01);
    cpu_row("simd", 1, 1, 1, 0.024, 1.0);
    cpu_row("simd", 64, 1, 1, 0.60, 0.04);
    cpu_row("threads", 1, 2, 1, 0.013, 0.95);
    cpu_row("threads", 64, 2, 1, 0.31, 0.04);
    cpu_row("gil", 1, 2, 1, 0.024, 0.5);
    cpu_row("gil", 64, 2, 1, gil_at_64, 0.02);
    struct cp_cpu_record *s = cpu_row("scatter", 1, 1, 2, 0.12, 0.2);
    s->stage_median[CP_STAGE_DISTRIBUTE] = 0.08;
    s->stage_median[CP_STAGE_COMPUTE] = 0.04;
    cpu_row("scatter", 64, 1, 2, 0.40, 0.03);
    cpu_row("window", 1, 1, 2, 0.04, 0.9);
    cpu_row("window", 64, 1, 2, 0.31, 0.04);
    cpu_row("distributed", 1, 1, 2, 0.04, 0.9);
    cpu_row("distributed", 64, 1, 2, 0.31, 0.04);
}

static void test_every_cpu_lesson_shown(void **state)
{
    (void)state;
    full_run(0.60);
    struct cp_lessons ls;
    cp_lessons_cpu(cpu, &ls);
    assert_int_equal(ls.n, 8);
    const char *ids[] = {"cpu_native",    "cpu_gil",       "cpu_threads_scale", "cpu_memory_wall",
                         "cpu_processes", "cpu_copy_cost", "cpu_shared_memory", "cpu_cluster"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_shown(&ls, ids[i]);
    assert_non_null(strstr(find(&ls, "cpu_gil")->evidence, "gil 1.0x simd"));
    assert_non_null(strstr(find(&ls, "cpu_cluster")->evidence, "1/2 of the 800.00 MB"));
}

/* The lock does not serialise (gil as fast as threads): the GIL lesson is not shown. */
static void test_gil_absent(void **state)
{
    (void)state;
    full_run(0.31);
    struct cp_lessons ls;
    cp_lessons_cpu(cpu, &ls);
    assert_not_shown(&ls, "cpu_gil", "the lock did not serialise");
    assert_shown(&ls, "cpu_threads_scale");
}

/* Only the memory-bound scan: the compute-bound lessons say which intensity would show them. */
static void test_memory_bound_only(void **state)
{
    (void)state;
    full_run(0.60);
    int keep = 0;
    for (int i = 0; i < cpu->nrecords; i++)
        if (cpu->records[i].intensity == 1)
            cpu->records[keep++] = cpu->records[i];
    cpu->nrecords = keep;
    struct cp_lessons ls;
    cp_lessons_cpu(cpu, &ls);
    assert_not_shown(&ls, "cpu_gil", "--intensity 1,64");
    assert_not_shown(&ls, "cpu_threads_scale", "--intensity 1,64");
    assert_not_shown(&ls, "cpu_processes", "--intensity 1,64");
    assert_shown(&ls, "cpu_memory_wall");
    assert_shown(&ls, "cpu_copy_cost");
}

/* An intensity that is still memory-bound does not count as compute-bound. */
static void test_high_intensity_still_memory_bound(void **state)
{
    (void)state;
    full_run(0.60);
    for (int i = 0; i < cpu->nrecords; i++)
        if (cpu->records[i].intensity == 64)
            cpu->records[i].bound_seconds = cpu->records[i].seconds.median * 0.8;
    struct cp_lessons ls;
    cp_lessons_cpu(cpu, &ls);
    assert_not_shown(&ls, "cpu_gil", "memory-bound");
    assert_not_shown(&ls, "cpu_processes", "--intensity 1,256");
}

/* One process and one thread: every lesson that needs more says how to get it. */
static void test_one_process_one_thread(void **state)
{
    (void)state;
    full_run(0.60);
    for (int i = 0; i < cpu->nrecords; i++) {
        cpu->records[i].ranks = 1;
        cpu->records[i].threads = 1;
    }
    struct cp_lessons ls;
    cp_lessons_cpu(cpu, &ls);
    assert_not_shown(&ls, "cpu_threads_scale", "--threads 2");
    assert_not_shown(&ls, "cpu_gil", "--threads 2");
    assert_not_shown(&ls, "cpu_processes", "--processes 2");
    assert_not_shown(&ls, "cpu_copy_cost", "--processes 2");
    assert_not_shown(&ls, "cpu_shared_memory", "--processes 2");
    assert_not_shown(&ls, "cpu_cluster", "--processes 2");
    assert_shown(&ls, "cpu_native");
}

/* A wrong or skipped row proves nothing. */
static void test_unverified_rows_prove_nothing(void **state)
{
    (void)state;
    full_run(0.60);
    for (int i = 0; i < cpu->nrecords; i++)
        if (strcmp(cpu->records[i].strategy->name, "simd") == 0)
            cpu->records[i].verified = 0;
    struct cp_lessons ls;
    cp_lessons_cpu(cpu, &ls);
    assert_not_shown(&ls, "cpu_native", "seq and simd did not both run");
    assert_not_shown(&ls, "cpu_gil", "simd did not run");
}

/* An IO row: R requests in `seconds`, C in flight, every answer ok. */
static void io_row(const char *name, int64_t requests, int c, double seconds, double ideal)
{
    struct cp_io_record *r = &io->records[io->nrecords++];
    memset(r, 0, sizeof *r);
    r->strategy = cp_io_find(name);
    assert_non_null(r->strategy);
    r->requests = requests;
    r->concurrency = c;
    r->seconds = seconds;
    r->ideal_seconds = ideal;
    r->tally.requests = requests;
    r->tally.ok = requests;
}

static void io_talk(void)
{
    memset(io, 0, sizeof *io);
    io->options.delay = 0.2;
    io->options.server_workers = 10;
    io_row("seq", 10, 1, 2.006, 2.0);
    io_row("threads", 10, 10, 0.202, 0.2);
    io_row("async", 10, 10, 0.202, 0.2);
    io_row("throttled", 10, 5, 0.403, 0.4);
    io_row("seq", 20, 1, 4.012, 4.0);
    io_row("threads", 20, 20, 0.403, 0.4);
    io_row("async", 20, 20, 0.404, 0.4);
    io_row("throttled", 20, 5, 0.805, 0.8);
}

static void test_every_io_lesson_shown(void **state)
{
    (void)state;
    io_talk();
    struct cp_lessons ls;
    cp_lessons_io(io, &ls);
    assert_int_equal(ls.n, 4);
    assert_shown(&ls, "io_sum_of_waits");
    assert_shown(&ls, "io_overlap");
    assert_shown(&ls, "io_throttle");
    assert_shown(&ls, "io_server_limit");
}

static void test_io_lessons_absent(void **state)
{
    (void)state;
    io_talk();
    io->records[1].seconds = 2.0; /* threads as slow as seq: no overlap */
    io->records[6].requests = 10; /* no unthrottled client above the workers... */
    io->records[5].requests = 10;
    io->records[5].tally.requests = io->records[5].tally.ok = 10;
    io->records[6].tally.requests = io->records[6].tally.ok = 10;
    struct cp_lessons ls;
    cp_lessons_io(io, &ls);
    assert_not_shown(&ls, "io_overlap", "not within");
    assert_not_shown(&ls, "io_server_limit", "--requests 10,20");
    io->options.server_workers = 0;
    cp_lessons_io(io, &ls);
    assert_not_shown(&ls, "io_server_limit", "--server-workers 10");
    io->options.delay = 0;
    cp_lessons_io(io, &ls);
    assert_not_shown(&ls, "io_sum_of_waits", "--delay 200ms");
}

/* The throttle no lower than the server's workers shows nothing of its own. */
static void test_throttle_at_the_server_limit(void **state)
{
    (void)state;
    io_talk();
    io->options.server_workers = 5;
    struct cp_lessons ls;
    cp_lessons_io(io, &ls);
    assert_not_shown(&ls, "io_throttle", "not below the server's 5 workers");
}

int main(void)
{
    cpu = calloc(1, sizeof *cpu);
    io = calloc(1, sizeof *io);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cpu_lesson_shown),
        cmocka_unit_test(test_gil_absent),
        cmocka_unit_test(test_memory_bound_only),
        cmocka_unit_test(test_high_intensity_still_memory_bound),
        cmocka_unit_test(test_one_process_one_thread),
        cmocka_unit_test(test_unverified_rows_prove_nothing),
        cmocka_unit_test(test_every_io_lesson_shown),
        cmocka_unit_test(test_io_lessons_absent),
        cmocka_unit_test(test_throttle_at_the_server_limit),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(cpu);
    free(io);
    return failed;
}
