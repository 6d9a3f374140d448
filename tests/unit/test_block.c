/* Block decomposition: every element once, in order, balanced, also at 2^33 and 2^40. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conpar/block.h"

static void check_cover(int64_t n, int64_t parts)
{
    int64_t next = 0, lo = INT64_MAX, hi = 0;
    for (int64_t k = 0; k < parts; k++) {
        struct cp_block b = cp_block_of(n, parts, k);
        assert_true(b.start == next);
        assert_true(b.count >= 0);
        next += b.count;
        lo = b.count < lo ? b.count : lo;
        hi = b.count > hi ? b.count : hi;
    }
    assert_true(next == n);
    assert_true(hi - lo <= 1);
}

static void test_cover_small(void **state)
{
    (void)state;
    for (int64_t n = 0; n < 70; n++)
        for (int64_t parts = 1; parts < 12; parts++)
            check_cover(n, parts);
    check_cover(1000003, 100);
    check_cover(3, 100); /* more parts than elements: trailing blocks are empty */
}

static void test_cover_huge(void **state)
{
    (void)state;
    check_cover(INT64_C(1) << 33, 3);
    check_cover((INT64_C(1) << 40) + 7, 1000);
    check_cover(INT64_MAX, 7);
    struct cp_block last = cp_block_of(INT64_MAX, 7, 6);
    assert_true(last.start + last.count == INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cover_small),
        cmocka_unit_test(test_cover_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
