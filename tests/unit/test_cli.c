/* Option parsing: every valid form and every invalid case of the issue, with messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conpar/cli.h"

/* Parse argv[0] = "conpar" plus the arguments from `first` up to NULL, copied into writable
 * storage as a real argv is. */
static enum cp_status vparse(struct cp_options *o, const char *first, va_list ap)
{
    static char store[32][128];
    char *argv[33];
    int argc = 0;
    snprintf(store[argc], sizeof store[argc], "conpar");
    argv[argc] = store[argc];
    argc++;
    for (const char *a = first; a != NULL && argc < 32; a = va_arg(ap, const char *)) {
        snprintf(store[argc], sizeof store[argc], "%s", a);
        argv[argc] = store[argc];
        argc++;
    }
    argv[argc] = NULL;
    cp_options_default(o);
    cp_error_clear();
    return cp_cli_parse(argc, argv, o);
}

static enum cp_status parse(struct cp_options *o, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    enum cp_status st = vparse(o, first, ap);
    va_end(ap);
    return st;
}

/* The arguments must be refused with a one-line message containing `contains`. */
static void expect_error(const char *contains, const char *first, ...)
{
    struct cp_options o;
    va_list ap;
    va_start(ap, first);
    enum cp_status st = vparse(&o, first, ap);
    va_end(ap);
    assert_int_equal(st, CP_ERR_USAGE);
    if (strstr(cp_error_message(), contains) == NULL)
        fail_msg("message '%s' lacks '%s'", cp_error_message(), contains);
    assert_null(strchr(cp_error_message(), '\n'));
}

static void test_defaults(void **state)
{
    (void)state;
    struct cp_options o;
    assert_int_equal(parse(&o, NULL), CP_OK);
    assert_true(o.cpu.size == 100000000);
    assert_true(o.cpu.seed == 42);
    assert_int_equal(o.cpu.nan, CP_NAN_PROPAGATE);
    assert_true(o.cpu.chunks == 100);
    assert_int_equal(o.cpu.warmup, 1);
    assert_int_equal(o.cpu.repeat, 3);
    assert_int_equal(o.cpu.threads, 0);
    assert_int_equal(o.cpu.nstrategies, 7);
    assert_true(o.cpu.mpi_max_count == 2147483647);
    assert_int_equal(o.cpu.emulate_nodes, 0);
    assert_true(o.cpu.plant_max == -1 && o.cpu.plant_nan == -1);
    assert_null(o.json_path);
}

static void test_counts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t value;
    } ok[] = {
        {"1", 1},
        {"4096", 4096},
        {"300M", 300000000},
        {"300m", 300000000},
        {"2G", 2000000000},
        {"1T", INT64_C(1000000000000)},
        {"16Mi", 16777216},
        {"1Ki", 1024},
        {"2Ti", INT64_C(2199023255552)},
        {"1e9", 1000000000},
        {"2.5e8", 250000000},
        {"1.5K", 1500},
        {"1E3", 1000},
        {"9223372036854775807", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = 0;
        assert_int_equal(cp_parse_count("--size", ok[i].text, 1, &v), CP_OK);
        assert_true(v == ok[i].value);
    }
    static const struct {
        const char *text;
        const char *why;
    } bad[] = {
        {"0", "at least 1"},
        {"-5", "negative"},
        {"abc", "not a count"},
        {"", "not a count"},
        {"1.5", "whole number"},
        {"1e20", "too large"},
        {"9223372036854775808", "too large"},
        {"99999999999T", "too large"},
        {"12Q", "not a count"},
        {"1e", "not a count"},
        {"M", "not a count"},
        {"1MM", "not a count"},
        {" 5", "not a count"},
        {"0x10", "not a count"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 0;
        assert_int_equal(cp_parse_count("--size", bad[i].text, 1, &v), CP_ERR_USAGE);
        if (strstr(cp_error_message(), bad[i].why) == NULL ||
            strstr(cp_error_message(), "--size") == NULL)
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, cp_error_message(), bad[i].why);
    }
}

static void test_valid_options(void **state)
{
    (void)state;
    struct cp_options o;
    assert_int_equal(parse(&o, "--size", "1M", "--seed", "18446744073709551615", "--nan", "skip",
                           "--plant-max", "999999", "--plant-nan", "0", "-c", "gil,seq", "-t", "3",
                           "--chunks", "7", "--warmup", "0", "-r", "5", "--json", "out.json",
                           "--phase", "cpu", NULL),
                     CP_OK);
    assert_true(o.cpu.size == 1000000);
    assert_true(o.cpu.seed == UINT64_MAX);
    assert_int_equal(o.cpu.nan, CP_NAN_SKIP);
    assert_true(o.cpu.plant_max == 999999 && o.cpu.plant_nan == 0);
    assert_int_equal(o.cpu.nstrategies, 2);
    assert_string_equal(o.cpu.strategies[0]->name, "gil");
    assert_string_equal(o.cpu.strategies[1]->name, "seq");
    assert_int_equal(o.cpu.threads, 3);
    assert_true(o.cpu.chunks == 7);
    assert_int_equal(o.cpu.warmup, 0);
    assert_int_equal(o.cpu.repeat, 5);
    assert_string_equal(o.json_path, "out.json");
    assert_int_equal(parse(&o, "--size=2G", "--phase=all", NULL), CP_OK);
    assert_true(o.cpu.size == 2000000000);
    assert_int_equal(parse(&o, "--mpi-max-count", "1Ki", "--emulate-nodes", "2", "-c",
                           "distributed,window,scatter", NULL),
                     CP_OK);
    assert_true(o.cpu.mpi_max_count == 1024);
    assert_int_equal(o.cpu.emulate_nodes, 2);
    assert_int_equal(o.cpu.nstrategies, 3);
    assert_string_equal(o.cpu.strategies[0]->name, "distributed");
    assert_int_equal(parse(&o, "--help", NULL), CP_OK);
    assert_true(o.show_help);
    assert_int_equal(parse(&o, "-V", NULL), CP_OK);
    assert_true(o.show_version);
}

static void test_invalid_options(void **state)
{
    (void)state;
    expect_error("unknown option '--bogus'", "--bogus", NULL);
    expect_error("unknown option '-x'", "-x", NULL);
    expect_error("'--size' needs a value", "--size", NULL);
    expect_error("unexpected argument 'extra'", "extra", NULL);
    expect_error("--size '0'", "--size", "0", NULL);
    expect_error("--size '-1'", "--size", "-1", NULL);
    expect_error("--size 'lots'", "--size", "lots", NULL);
    expect_error("too large", "--size", "1e30", NULL);
    expect_error("--seed '-1'", "--seed", "-1", NULL);
    expect_error("--seed '18446744073709551616'", "--seed", "18446744073709551616", NULL);
    expect_error(
        "unknown strategy 'foo' (valid: seq, simd, threads, gil, scatter, window, distributed)",
        "-c", "foo", NULL);
    expect_error("did you mean 'simd'", "--cpu-strategies", "smid", NULL);
    expect_error("empty strategy name", "--cpu-strategies", "", NULL);
    expect_error("empty strategy name", "--cpu-strategies", "seq,", NULL);
    expect_error("empty strategy name", "--cpu-strategies", ",seq", NULL);
    expect_error("listed twice", "--cpu-strategies", "seq,simd,seq", NULL);
    expect_error("--threads '0': must be between 1", "--threads", "0", NULL);
    expect_error("--threads 'two'", "--threads", "two", NULL);
    expect_error("--chunks '0'", "--chunks", "0", NULL);
    expect_error("--repeat '0'", "--repeat", "0", NULL);
    expect_error("--warmup '-1'", "--warmup", "-1", NULL);
    expect_error("--nan 'maybe': must be 'propagate' or 'skip'", "--nan", "maybe", NULL);
    expect_error("--plant-max 100: index must be below --size 100", "--size", "100", "--plant-max",
                 "100", NULL);
    expect_error("--plant-nan 5: index must be below --size 5", "--plant-nan", "5", "--size", "5",
                 NULL);
    expect_error("--plant-max '-3'", "--plant-max", "-3", NULL);
    expect_error("--phase 'gpu'", "--phase", "gpu", NULL);
    expect_error("--delay '-1': not a duration", "--delay", "-1", NULL);
    expect_error("--delay '2h': not a duration", "--delay", "2h", NULL);
    expect_error("--delay 'ms'", "--delay", "ms", NULL);
    expect_error("--delay '2e9': must be between", "--delay", "2e9", NULL);
    expect_error("--timeout '0': must be between", "--timeout", "0", NULL);
    expect_error("--url 'ftp://a/': the scheme must be http or https", "--url", "ftp://a/", NULL);
    expect_error("--requests '0'", "--requests", "0", NULL);
    expect_error("strategy 'seq' is listed twice", "--io-strategies", "seq,seq", NULL);
    expect_error("did you mean 'async'", "--io-strategies", "asink", NULL);
    expect_error("--port '70000'", "serve", "--port", "70000", NULL);
    expect_error("--workers is not an option of 'conpar'", "--workers", "3", NULL);
    expect_error("--json is not an option of 'conpar serve'", "serve", "--json", "x", NULL);
    expect_error("--out is not an option of 'conpar'", "--out", "x.npy", NULL);
    expect_error("--preset 'huge': must be 'laptop' (the default) or 'talk'", "--preset", "huge",
                 NULL);
    expect_error("--requests 'x'", "--requests", "10,x", NULL);
    expect_error("at most 4 values", "--requests", "1,2,3,4,5", NULL);
    expect_error("--sweep '0': must be at least 1", "--sweep", "threads=1,0", NULL);
    expect_error("--sweep '2M': must be at most 1000000", "--sweep", "concurrency=2M", NULL);
    expect_error("--json '': needs a file name", "--json", "", NULL);
    expect_error("--mpi-max-count '0'", "--mpi-max-count", "0", NULL);
    expect_error("--mpi-max-count '3G': must be at most 2147483647", "--mpi-max-count", "3G", NULL);
    expect_error("--emulate-nodes '0'", "--emulate-nodes", "0", NULL);
}

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double seconds;
    } ok[] = {{"2", 2},   {"2s", 2}, {"0.5", 0.5},  {"200ms", 0.2},
              {"1m", 60}, {"0", 0},  {"1.5s", 1.5}, {"0.001", 0.001}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        assert_int_equal(cp_parse_duration("--delay", ok[i].text, 0, &v), CP_OK);
        assert_true(v == ok[i].seconds);
    }
    struct cp_options o;
    assert_int_equal(parse(&o, "--phase", "io", "--delay", "150ms", "--requests", "20",
                           "--concurrency", "4", "--server-workers", "0", "--io-strategies",
                           "ranks,seq", "--url", "http://127.0.0.1:8000/", "--fail-every", "3",
                           NULL),
                     CP_OK);
    assert_int_equal(o.phases, CP_PHASE_IO);
    assert_true(o.io.delay == 0.15 && o.io.requests[0] == 20 && o.io.concurrency == 4);
    assert_int_equal(o.io.nrequests, 1);
    assert_int_equal(o.io.server_workers, 0);
    assert_int_equal(o.io.nstrategies, 2);
    assert_string_equal(o.io.strategies[0]->name, "ranks");
    assert_true(o.io.server.fail_every == 3);
    assert_int_equal(parse(&o, "serve", "--port", "8000", "--workers", "0", "--delay", "1",
                           "--bind", "0.0.0.0", "--keep-alive", NULL),
                     CP_OK);
    assert_int_equal(o.command, CP_CMD_SERVE);
    assert_int_equal(o.serve.port, 8000);
    assert_int_equal(o.serve.workers, 0);
    assert_true(o.serve.delay == 1.0 && o.serve.keep_alive == 1);
    assert_int_equal(parse(&o, NULL), CP_OK);
    assert_int_equal(o.phases, CP_PHASE_CPU | CP_PHASE_IO);
    assert_int_equal(o.io.nrequests, 2);
    assert_true(o.io.requests[0] == 10 && o.io.requests[1] == 20);
    assert_true(o.io.delay == 0.2 && o.io.server_workers == 10);
    assert_int_equal(parse(&o, "--requests", "5,50,1k", NULL), CP_OK);
    assert_true(o.io.nrequests == 3 && o.io.requests[2] == 1000);
    /* the preset comes first whatever the order; options beside it win */
    assert_int_equal(parse(&o, "--size", "1M", "--preset", "talk", NULL), CP_OK);
    assert_true(o.cpu.size == 1000000 && o.io.delay == 2.0 && o.cpu.chunks == 100);
    assert_int_equal(parse(&o, "--preset=talk", NULL), CP_OK);
    assert_true(o.cpu.size == 300000000);
    assert_int_equal(o.io.nstrategies, 4);
}

static void test_help_lists_every_option(void **state)
{
    (void)state;
    char buf[16384] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    cp_cli_help(f, CP_CMD_RUN);
    fclose(f);
    static const char *const names[] = {
        "--size",   "--seed",    "--cpu-strategies", "--threads",    "--chunks", "--nan",
        "--warmup", "--repeat",  "--plant-max",      "--plant-nan",  "--json",   "--phase",
        "--help",   "--version", "Examples:",        "default: 100M"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strstr(buf, names[i]) == NULL)
            fail_msg("--help lacks %s", names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_counts),
        cmocka_unit_test(test_valid_options), cmocka_unit_test(test_invalid_options),
        cmocka_unit_test(test_durations),     cmocka_unit_test(test_help_lists_every_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
