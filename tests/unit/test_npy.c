/* The .npy header parser: valid variants numpy (and its older versions) write, and malformed
 * files, each refused with a message naming the problem. Pure: no file, no MPI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asserts.h"
#include "conpar/npy.h"

static unsigned char buf[1 << 17];

/* A file of `version` with header text `dict` and `data` bytes after it; returns the bytes
 * of the head given to the parser (*file_size gets the whole file's size). */
static size_t make(int version, const char *dict, int64_t data, int64_t *file_size)
{
    size_t prefix = version == 1 ? 10 : 12, n = strlen(dict);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)version;
    buf[7] = 0;
    buf[8] = (unsigned char)(n & 0xff);
    buf[9] = (unsigned char)((n >> 8) & 0xff);
    if (version > 1) {
        buf[10] = (unsigned char)((n >> 16) & 0xff);
        buf[11] = (unsigned char)((n >> 24) & 0xff);
    }
    memcpy(buf + prefix, dict, n);
    *file_size = (int64_t)(prefix + n) + data;
    return prefix + n;
}

static struct cp_npy parse_ok(int version, const char *dict, int64_t data)
{
    int64_t size;
    size_t len = make(version, dict, data, &size);
    struct cp_npy h;
    enum cp_status st = cp_npy_parse("t.npy", buf, len, size, &h);
    if (st != CP_OK)
        fail_msg("valid header refused: %s\n  %s", dict, cp_error_message());
    return h;
}

static void test_valid(void **state)
{
    (void)state;
    static const struct {
        int version;
        const char *dict;
        int64_t data;
        const char *dtype;
        int64_t count;
        int ndim, fortran, swap;
    } cases[] = {
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }\n", 40, "float64", 5, 1, 0,
         0},
        {2, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }\n", 40, "float64", 5, 1, 0,
         0},
        {3, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }\n", 40, "float64", 5, 1, 0,
         0},
        {1, "{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}", 24, "float32", 6, 2, 0, 0},
        {1, "{'fortran_order': True, 'shape': (2, 3), 'descr': '<i2'}", 12, "int16", 6, 2, 1, 0},
        {1, "{'descr':'<f8','fortran_order':False,'shape':(1,)}", 8, "float64", 1, 1, 0, 0},
        {1, "  {  'descr' :  '<f8' ,\n 'fortran_order' : False ,\t'shape' : ( 3 , ) ,  }  \n", 24,
         "float64", 3, 1, 0, 0},
        {1, "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2,)}", 16, "float64", 2, 1,
         0, 0},
        {1,
         "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }                         "
         "                                                   \n",
         16, "float64", 2, 1, 0, 0},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8, "float64", 1, 0, 0, 0},
        {1, "{'descr': '<u4', 'fortran_order': False, 'shape': (2, 3, 4), }", 96, "uint32", 24, 3,
         0, 0},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3L, 2L), }", 48, "int64", 6, 2, 0,
         0},
        {1, "{'descr': '>i4', 'fortran_order': False, 'shape': (4,), }", 16, "int32", 4, 1, 0, 1},
        {1, "{'descr': '|b1', 'fortran_order': False, 'shape': (7,), }", 7, "bool", 7, 1, 0, 0},
        {1, "{'descr': '|u1', 'fortran_order': False, 'shape': (7,), }", 7, "uint8", 7, 1, 0, 0},
        {1, "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", 8, "float32", 2, 1, 0, 0},
        {1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", 4, "float16", 2, 1, 0, 0},
        {1, "{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", 16, "uint64", 2, 1, 0, 0},
        {1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", 3, "int8", 3, 1, 0, 0},
        {1, "{'descr': '>f8', 'fortran_order': True, 'shape': (1, 1, 1, 1), }", 8, "float64", 1, 4,
         1, 1},
        {1, "{'descr': '<i1', 'fortran_order': False, 'shape': (2,), }\r\n", 2, "int8", 2, 1, 0, 0},
        {1, "{'descr': 'f8', 'fortran_order': False, 'shape': (2,), }", 16, "float64", 2, 1, 0, 0},
        {2, "{'descr': '>u2', 'fortran_order': True, 'shape': (2, 2), }", 8, "uint16", 4, 2, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cp_npy h = parse_ok(cases[i].version, cases[i].dict, cases[i].data);
        assert_string_equal(h.dtype, cases[i].dtype);
        assert_int_equal(h.count, cases[i].count);
        assert_int_equal(h.ndim, cases[i].ndim);
        assert_int_equal(h.fortran, cases[i].fortran);
        assert_int_equal(h.swap, cases[i].swap);
        assert_int_equal(h.major, cases[i].version);
    }
    struct cp_npy h = parse_ok(1, "{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", 16);
    assert_int_equal(h.domain, CP_DOMAIN_I64);
    static const char f2[] = "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }";
    h = parse_ok(1, f2, 4);
    assert_int_equal(h.domain, CP_DOMAIN_F64);
    assert_int_equal(h.data_offset, 10 + (int64_t)strlen(f2));
}

static void refused(int version, const char *dict, int64_t data, const char *why)
{
    int64_t size;
    size_t len = make(version, dict, data, &size);
    struct cp_npy h;
    enum cp_status st = cp_npy_parse("t.npy", buf, len, size, &h);
    if (st != CP_ERR_INPUT)
        fail_msg("malformed header accepted: %s", dict);
    if (strstr(cp_error_message(), why) == NULL || strstr(cp_error_message(), "t.npy: ") == NULL)
        fail_msg("%s: message '%s' lacks '%s'", dict, cp_error_message(), why);
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *dict;
        int64_t data;
        const char *why;
    } cases[] = {
        {"[1, 2]", 0, "not a dict"},
        {"{'descr': '<f8', 'fortran_order': False}", 8, "missing key 'shape'"},
        {"{'descr': '<f8', 'shape': (1,)}", 8, "missing key 'fortran_order'"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'foo': 1}", 8,
         "unknown key 'foo'"},
        {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", 8,
         "key 'descr' twice"},
        {"{'descr': 5, 'fortran_order': False, 'shape': (1,)}", 8, "descr is not a string"},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", 8, "structured dtype"},
        {"{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", 16, "(complex)"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", 8, "(object)"},
        {"{'descr': '<U5', 'fortran_order': False, 'shape': (1,)}", 20, "(unicode string)"},
        {"{'descr': '|S3', 'fortran_order': False, 'shape': (1,)}", 3, "(bytes string)"},
        {"{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,)}", 8, "(datetime64)"},
        {"{'descr': '<m8[s]', 'fortran_order': False, 'shape': (1,)}", 8, "(timedelta64)"},
        {"{'descr': '|V8', 'fortran_order': False, 'shape': (1,)}", 8, "(void"},
        {"{'descr': '<f16', 'fortran_order': False, 'shape': (1,)}", 16, "is not supported"},
        {"{'descr': '<i3', 'fortran_order': False, 'shape': (1,)}", 3, "is not supported"},
        {"{'descr': '<f8x', 'fortran_order': False, 'shape': (1,)}", 8, "is not understood"},
        {"{'descr': '<f8', 'fortran_order': yes, 'shape': (1,)}", 8, "not True or False"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': 5}", 8, "not a tuple"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (5)}", 40, "not a tuple"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", 8, "not a tuple"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 1099511627776)}", 8,
         "overflows 64 bits"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", 8,
         "above 2^63"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,)}", 8,
         "byte count overflows"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", 32, "does not match"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", 16, "truncated data"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (0,)}", 0, "zero-size array"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0, 3)}", 0, "zero-size array"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", 8, "text after the dict"},
        {"{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}", 8, "malformed header"},
        {"{'descr': '<f\\x38', 'fortran_order': False, 'shape': (1,)}", 8, "descr is not"},
        {"{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}", 8, "expected ',' or '}'"},
        {"{descr: '<f8', 'fortran_order': False, 'shape': (1,)}", 8, "expected a quoted key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused(1, cases[i].dict, cases[i].data, cases[i].why);
}

/* Damage outside the dict: magic, version, lengths, NUL bytes. */
static void test_damaged(void **state)
{
    (void)state;
    static const char dict[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}";
    int64_t size;
    struct cp_npy h;
    size_t len = make(1, dict, 8, &size);
    buf[1] = 'X';
    assert_int_equal(cp_npy_parse("t.npy", buf, len, size, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "not an .npy file");
    len = make(1, dict, 8, &size);
    assert_int_equal(cp_npy_parse("t.npy", buf, 8, 8, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "truncated header");
    assert_int_equal(cp_npy_parse("t.npy", buf, 3, 3, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "not an .npy file");
    len = make(1, dict, 8, &size);
    buf[6] = 4;
    assert_int_equal(cp_npy_parse("t.npy", buf, len, size, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "unsupported .npy version 4.0");
    len = make(1, dict, 8, &size);
    buf[7] = 1;
    assert_int_equal(cp_npy_parse("t.npy", buf, len, size, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "unsupported .npy version 1.1");
    len = make(2, dict, 8, &size);
    buf[11] = 0x7f; /* a header length of about 2 GiB */
    assert_int_equal(cp_npy_parse("t.npy", buf, len, size, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "runs past the end of the file");
    len = make(1, dict, 8, &size);
    buf[20] = '\0';
    assert_int_equal(cp_npy_parse("t.npy", buf, len, size, &h), CP_ERR_INPUT);
    assert_string_contains(cp_error_message(), "NUL byte");
}

static void test_c_index(void **state)
{
    (void)state;
    struct cp_npy h =
        parse_ok(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4)}", 192);
    /* Fortran position p = i0 + 2 * (i1 + 3 * i2); C index = (i0 * 3 + i1) * 4 + i2 */
    for (int i0 = 0; i0 < 2; i0++)
        for (int i1 = 0; i1 < 3; i1++)
            for (int i2 = 0; i2 < 4; i2++)
                assert_int_equal(cp_npy_c_index(&h, i0 + 2 * (i1 + 3 * i2)),
                                 (i0 * 3 + i1) * 4 + i2);
    char nd[64];
    cp_npy_unravel(&h, 23, nd, sizeof nd);
    assert_string_equal(nd, "(1, 2, 3)");
    h = parse_ok(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,)}", 40);
    assert_int_equal(cp_npy_c_index(&h, 4), 4);
    cp_npy_unravel(&h, 4, nd, sizeof nd);
    assert_string_equal(nd, "(4,)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_c_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
