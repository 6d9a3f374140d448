/* Error records and the carry: each thread records into its own record, and of failures met
 * on many threads at once the one with the lowest index reaches the main thread, whatever
 * order the threads finish in. No MPI. */
#include <omp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "asserts.h"
#include "conpar/status.h"

#define TEAM 4

/* The team really has TEAM threads (the spin waits below need every one of them). */
static int team_of(int want)
{
    int got = 0;
#pragma omp parallel num_threads(want) default(none) shared(got)
    {
#pragma omp single
        got = omp_get_num_threads();
    }
    return got;
}

static void setup_team(void)
{
    omp_set_dynamic(0);
    assert_int_equal(team_of(TEAM), TEAM);
}

static void test_threads_keep_their_own_record(void **state)
{
    (void)state;
    setup_team();
    cp_error_clear();
    CP_FAIL(CP_ERR_INPUT, "the main thread's failure");
    char got[TEAM][64] = {""};
    enum cp_status status[TEAM] = {CP_OK};
    /* every thread but the main one records many failures at once: no race, and each reads
     * back only its own */
#pragma omp parallel num_threads(TEAM) default(none) shared(got, status)
    {
        int t = omp_get_thread_num();
        if (t != 0) {
            for (int i = 0; i < 1000; i++)
                CP_FAIL(CP_ERR_SYSTEM, "thread %d, failure %d", t, i);
            snprintf(got[t], sizeof got[t], "%s", cp_error_message());
            status[t] = cp_error_status();
        }
    }
    for (int t = 1; t < TEAM; t++) {
        char want[64];
        snprintf(want, sizeof want, "thread %d, failure 999", t);
        assert_string_equal(got[t], want);
        assert_int_equal(status[t], CP_ERR_SYSTEM);
    }
    assert_int_equal(cp_error_status(), CP_ERR_INPUT);
    assert_string_equal(cp_error_message(), "the main thread's failure");
}

/* Every thread of the team fails (thread t with index t) and keeps its failure when its turn
 * in `order` comes: the first to keep is not the lowest index, nor is the last. */
static void test_lowest_index_wins(void **state)
{
    (void)state;
    setup_team();
    static const int order[TEAM] = {2, 0, 3, 1};
    static const enum cp_status status[TEAM] = {CP_ERR_INPUT, CP_ERR_FILE, CP_ERR_SYSTEM,
                                                CP_ERR_NOMEM};
    struct cp_error_carry carry;
    cp_error_carry_init(&carry);
    atomic_int turn;
    atomic_init(&turn, 0);
    enum cp_status kept[TEAM], left[TEAM];
#pragma omp parallel num_threads(TEAM) default(none) shared(carry, turn, order, status, kept, left)
    {
        int t = omp_get_thread_num();
        enum cp_status st = CP_FAIL(status[t], "thread %d cannot go on", t);
        while (order[atomic_load(&turn)] != t)
            ;
        kept[t] = cp_error_carry_keep(&carry, t, st);
        left[t] = cp_error_status(); /* the record left the thread with the carry */
        atomic_fetch_add(&turn, 1);
    }
    for (int t = 0; t < TEAM; t++) {
        assert_int_equal(kept[t], status[t]);
        assert_int_equal(left[t], CP_OK);
    }
    cp_error_set(CP_ERR_USAGE, "an earlier failure");
    assert_int_equal(cp_error_carry_record(&carry), CP_ERR_INPUT);
    assert_int_equal(cp_error_status(), CP_ERR_INPUT);
    assert_string_equal(cp_error_message(), "thread 0 cannot go on");
    assert_string_contains(cp_error_where(), "test_status.c:");
    assert_int_equal(carry.index, 0);
}

/* A loop with many failing iterations on a dynamic schedule: iteration 999 is the first. */
static void test_parallel_for(void **state)
{
    (void)state;
    setup_team();
    for (int rep = 0; rep < 20; rep++) {
        struct cp_error_carry carry;
        cp_error_carry_init(&carry);
        int64_t n = 20000;
        // clang-format off
#pragma omp parallel for schedule(dynamic, 7) num_threads(TEAM) default(none) shared(carry, n)
        // clang-format on
        for (int64_t i = 0; i < n; i++) {
            enum cp_status st = CP_OK;
            if (i % 1000 == 999)
                st = CP_FAIL(CP_ERR_FILE, "item %lld cannot be read", (long long)i);
            cp_error_carry_keep(&carry, i, st);
        }
        cp_error_clear();
        assert_int_equal(cp_error_carry_record(&carry), CP_ERR_FILE);
        assert_string_equal(cp_error_message(), "item 999 cannot be read");
        assert_int_equal(carry.index, 999);
    }
}

static void test_nothing_failed(void **state)
{
    (void)state;
    setup_team();
    struct cp_error_carry carry;
    cp_error_carry_init(&carry);
#pragma omp parallel for num_threads(TEAM) default(none) shared(carry)
    for (int i = 0; i < 100; i++)
        cp_error_carry_keep(&carry, i, CP_OK);
    cp_error_set(CP_ERR_USAGE, "an earlier failure");
    assert_int_equal(cp_error_carry_record(&carry), CP_OK);
    assert_int_equal(cp_error_status(), CP_ERR_USAGE);
    assert_string_equal(cp_error_message(), "an earlier failure");
}

/* A status returned without a recorded detail gets the generic message, not a stale one. */
static void test_failure_without_detail(void **state)
{
    (void)state;
    setup_team();
    struct cp_error_carry carry;
    cp_error_carry_init(&carry);
#pragma omp parallel num_threads(TEAM) default(none) shared(carry)
    {
        int t = omp_get_thread_num();
        CP_FAIL(CP_ERR_FILE, "an old failure of thread %d", t);
        cp_error_clear();
        cp_error_carry_keep(&carry, t, CP_ERR_NOMEM);
    }
    assert_int_equal(cp_error_carry_record(&carry), CP_ERR_NOMEM);
    assert_string_equal(cp_error_message(), "not enough memory");
    assert_string_equal(cp_error_where(), "");
}

/* Worker threads (as the IO pool's) failing at the same moment: worker 0 is recorded. */
#define WORKERS 8

struct worker {
    int index;
    pthread_barrier_t *together;
    struct cp_error_carry *carry;
};

static void *worker_main(void *arg)
{
    const struct worker *w = arg;
    pthread_barrier_wait(w->together);
    enum cp_status st = CP_FAIL(CP_ERR_SYSTEM, "worker %d cannot start", w->index);
    cp_error_carry_keep(w->carry, w->index, st);
    return NULL;
}

static void test_worker_threads(void **state)
{
    (void)state;
    for (int rep = 0; rep < 10; rep++) {
        struct cp_error_carry carry;
        cp_error_carry_init(&carry);
        pthread_barrier_t together;
        assert_int_equal(pthread_barrier_init(&together, NULL, WORKERS), 0);
        pthread_t threads[WORKERS];
        struct worker workers[WORKERS];
        /* started last to first, so worker 0 is the last to start */
        for (int i = WORKERS - 1; i >= 0; i--) {
            workers[i] = (struct worker){i, &together, &carry};
            assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
        }
        for (int i = 0; i < WORKERS; i++)
            assert_int_equal(pthread_join(threads[i], NULL), 0);
        pthread_barrier_destroy(&together);
        assert_int_equal(cp_error_carry_record(&carry), CP_ERR_SYSTEM);
        assert_string_equal(cp_error_message(), "worker 0 cannot start");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_keep_their_own_record),
        cmocka_unit_test(test_lowest_index_wins),
        cmocka_unit_test(test_parallel_for),
        cmocka_unit_test(test_nothing_failed),
        cmocka_unit_test(test_failure_without_detail),
        cmocka_unit_test(test_worker_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
