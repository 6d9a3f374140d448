/* Block decomposition: every element once, in order, balanced, also at 2^33 and 2^40. */
#include <limits.h>
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
        assert_int_equal(b.start, next);
        assert_in_range(b.count, 0, n);
        next += b.count;
        lo = b.count < lo ? b.count : lo;
        hi = b.count > hi ? b.count : hi;
    }
    assert_int_equal(next, n);
    assert_in_range(hi - lo, 0, 1);
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
    assert_int_equal(last.start + last.count, INT64_MAX);
}

/* The pieces of every block cover it once, in order, each fitting an int count. */
static void check_pieces(int64_t n, int64_t parts, int64_t limit)
{
    int64_t total = 0;
    for (int64_t k = 0; k < parts; k++) {
        struct cp_block b = cp_block_of(n, parts, k);
        int64_t np = cp_pieces(b.count, limit), next = 0;
        assert_int_equal(np, (b.count + limit - 1) / limit);
        for (int64_t j = 0; j < np; j++) {
            struct cp_block p = cp_piece_of(b.count, limit, j);
            assert_int_equal(p.start, next);
            assert_in_range(p.count, 1, limit < INT_MAX ? limit : INT_MAX);
            /* the global index of the piece, computed in 64 bits, stays inside the block */
            assert_in_range(b.start + p.start + p.count, b.start + 1, b.start + b.count);
            next += p.count;
        }
        assert_int_equal(next, b.count);
        total += next;
    }
    assert_int_equal(total, n);
}

static void test_pieces(void **state)
{
    (void)state;
    assert_int_equal(cp_pieces(0, 10), 0);
    assert_int_equal(cp_pieces(10, 10), 1);
    assert_int_equal(cp_pieces(11, 10), 2);
    for (int64_t n = 0; n < 40; n++)
        for (int64_t parts = 1; parts < 6; parts++)
            for (int64_t limit = 1; limit < 9; limit++)
                check_pieces(n, parts, limit);
    check_pieces(INT64_C(1) << 33, 3, INT_MAX);
    check_pieces(INT64_C(1) << 33, 1, INT_MAX);
    check_pieces((INT64_C(1) << 40) + 5, 7, INT_MAX);
    check_pieces(INT64_C(1) << 40, 1000, INT_MAX);
}

static void test_scatterv_fits(void **state)
{
    (void)state;
    /* displacements overflow an int before any count does */
    assert_true(cp_scatterv_fits(INT_MAX, 1, INT_MAX));
    assert_true(cp_scatterv_fits(INT64_C(1) << 31, 2, INT_MAX));
    assert_false(cp_scatterv_fits(INT64_C(1) << 32, 2, INT_MAX)); /* count 2^31 */
    assert_false(cp_scatterv_fits(INT64_C(1) << 33, 8, INT_MAX)); /* counts 2^30, last at 7*2^30 */
    assert_false(cp_scatterv_fits(INT64_C(1) << 33, 3, INT_MAX));
    assert_false(cp_scatterv_fits(INT64_C(1) << 40, 1000, INT_MAX));
    assert_true(cp_scatterv_fits(INT64_C(1) << 33, 1, INT64_C(1) << 33));
    assert_true(cp_scatterv_fits(10, 4, 8));  /* blocks 3,3,2,2 start at 0,3,6,8 */
    assert_false(cp_scatterv_fits(10, 4, 7)); /* the last starts at 8 */
    assert_false(cp_scatterv_fits(10, 1, 9)); /* one block of 10 */
    assert_true(cp_scatterv_fits(3, 5, 3));   /* empty trailing blocks start at 3 */
    assert_false(cp_scatterv_fits(3, 5, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cover_small),
        cmocka_unit_test(test_cover_huge),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_scatterv_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
