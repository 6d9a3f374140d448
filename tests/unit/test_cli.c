/* Option parsing: every valid form and every invalid case of the issue, with messages; the
 * defaults, every command's --help and its examples, --list-strategies and the table's view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conpar/cli.h"

/* Doubles equal to the bit (cmocka 1.1's assert_float_equal rounds to float). */
#define assert_double_equal(a, b)                                                                  \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (a_ != b_)                                                                              \
            fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);                                    \
    } while (0)

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
    assert_int_equal(o.command, CP_CMD_RUN);
    assert_int_equal(o.phases, CP_PHASE_CPU | CP_PHASE_IO);
    assert_int_equal(o.cpu.size, 100000000);
    assert_int_equal(o.cpu.seed, 42);
    assert_int_equal(o.cpu.nan, CP_NAN_PROPAGATE);
    assert_int_equal(o.cpu.chunks, 100);
    assert_int_equal(o.cpu.warmup, 1);
    assert_int_equal(o.cpu.repeat, 3);
    assert_int_equal(o.cpu.threads, 0);
    int ncpu, nio;
    cp_cpu_registry(&ncpu);
    cp_io_registry(&nio);
    assert_int_equal(o.cpu.nstrategies, ncpu); /* every strategy of the registries */
    assert_int_equal(o.cpu.mpi_max_count, 2147483647);
    assert_int_equal(o.cpu.emulate_nodes, 0);
    assert_int_equal(o.cpu.plant_max, -1);
    assert_int_equal(o.cpu.plant_nan, -1);
    assert_null(o.cpu.input);
    assert_null(o.json_path);
    assert_null(o.csv_path);
    assert_null(o.out_path);
    assert_int_equal(o.out_itemsize, 8);
    assert_null(o.io.url);
    assert_int_equal(o.io.nrequests, 2);
    assert_int_equal(o.io.requests[0], 10);
    assert_int_equal(o.io.requests[1], 20);
    assert_double_equal(o.io.delay, 0.2);
    assert_int_equal(o.io.server_workers, 10);
    assert_double_equal(o.io.timeout, 0);
    assert_int_equal(o.io.concurrency, 0);
    assert_int_equal(o.io.expect_status, 200);
    assert_string_equal(o.io.expect_body, "Hello World!");
    assert_int_equal(o.io.nstrategies, nio);
    /* the server's settings are the server module's, for the embedded one and conpar serve */
    struct cp_server_options server;
    cp_server_defaults(&server);
    assert_memory_equal(&o.serve, &server, sizeof server);
    assert_memory_equal(&o.io.server, &server, sizeof server);
    assert_int_equal(o.size_given, 0);
    assert_int_equal(o.seed_given, 0);
    assert_int_equal(o.quiet, 0);
    assert_null(o.sweep);
    assert_int_equal(o.show_help, 0);
    assert_int_equal(o.show_version, 0);
    assert_int_equal(o.list_strategies, 0);
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
        assert_int_equal(v, ok[i].value);
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
    assert_int_equal(o.cpu.size, 1000000);
    assert_int_equal(o.cpu.seed, UINT64_MAX);
    assert_int_equal(o.cpu.nan, CP_NAN_SKIP);
    assert_int_equal(o.cpu.plant_max, 999999);
    assert_int_equal(o.cpu.plant_nan, 0);
    assert_int_equal(o.size_given, 1);
    assert_int_equal(o.seed_given, 1);
    assert_int_equal(o.cpu.nstrategies, 2);
    assert_string_equal(o.cpu.strategies[0]->name, "gil");
    assert_string_equal(o.cpu.strategies[1]->name, "seq");
    assert_int_equal(o.cpu.threads, 3);
    assert_int_equal(o.cpu.chunks, 7);
    assert_int_equal(o.cpu.warmup, 0);
    assert_int_equal(o.cpu.repeat, 5);
    assert_string_equal(o.json_path, "out.json");
    assert_int_equal(o.phases, CP_PHASE_CPU);
    assert_int_equal(parse(&o, "--size=2G", "--phase=all", NULL), CP_OK);
    assert_int_equal(o.cpu.size, 2000000000);
    assert_int_equal(parse(&o, "--mpi-max-count", "1Ki", "--emulate-nodes", "2", "-c",
                           "distributed,window,scatter", NULL),
                     CP_OK);
    assert_int_equal(o.cpu.mpi_max_count, 1024);
    assert_int_equal(o.cpu.emulate_nodes, 2);
    assert_int_equal(o.cpu.nstrategies, 3);
    assert_string_equal(o.cpu.strategies[0]->name, "distributed");
    assert_int_equal(parse(&o, "--help", NULL), CP_OK);
    assert_int_equal(o.show_help, 1);
    assert_int_equal(parse(&o, "-V", NULL), CP_OK);
    assert_int_equal(o.show_version, 1);
    assert_int_equal(parse(&o, "serve", "-h", NULL), CP_OK);
    assert_int_equal(o.show_help, 1);
    assert_int_equal(o.command, CP_CMD_SERVE);
    assert_int_equal(
        parse(&o, "generate", "--out", "a.npy", "--dtype", "f4", "-n", "10", "-q", NULL), CP_OK);
    assert_int_equal(o.command, CP_CMD_GENERATE);
    assert_string_equal(o.out_path, "a.npy");
    assert_int_equal(o.out_itemsize, 4);
    assert_int_equal(o.cpu.size, 10);
    assert_int_equal(o.quiet, 1);
    assert_int_equal(parse(&o, "--csv", "r.csv", "--sweep", "threads=1,2,4", NULL), CP_OK);
    assert_string_equal(o.csv_path, "r.csv");
    assert_string_equal(o.sweep, "threads");
    assert_int_equal(o.nsweep, 3);
    assert_int_equal(o.sweep_values[2], 4);
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
    expect_error("--header-limit '2Gi': must be at most 1Gi", "serve", "--header-limit", "2Gi",
                 NULL);
    expect_error("--dtype 'int8': must be 'float64' or 'float32'", "generate", "-o", "a.npy",
                 "--dtype", "int8", NULL);
    expect_error("--seed '': must be a whole number from 0 to 18446744073709551615", "--seed", "",
                 NULL);
    expect_error("--bind '': needs an address", "serve", "--bind", "", NULL);
    expect_error("--preset is not an option of 'conpar serve'", "serve", "--preset", "talk", NULL);
    expect_error("option '--keep-alive' takes no value", "serve", "--keep-alive=1", NULL);
    expect_error("--list-strategies 'gpu': must be 'cpu' or 'io'", "--list-strategies", "gpu",
                 NULL);
    expect_error("--list-strategies is not an option of 'conpar doctor'", "doctor",
                 "--list-strategies", NULL);
    expect_error("unexpected argument 'io'", "--list-strategies", "cpu", "io", NULL);
    expect_error("conpar generate needs --out FILE.npy", "generate", NULL);
    expect_error("--input 'a.npy': the file sets the values, so --size cannot be used with it",
                 "--input", "a.npy", "-n", "5", NULL);
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
        assert_double_equal(v, ok[i].seconds);
    }
    struct cp_options o;
    assert_int_equal(parse(&o, "--phase", "io", "--delay", "150ms", "--requests", "20",
                           "--concurrency", "4", "--server-workers", "0", "--io-strategies",
                           "ranks,seq", "--url", "http://127.0.0.1:8000/", "--fail-every", "3",
                           NULL),
                     CP_OK);
    assert_int_equal(o.phases, CP_PHASE_IO);
    assert_double_equal(o.io.delay, 0.15);
    assert_int_equal(o.io.requests[0], 20);
    assert_int_equal(o.io.concurrency, 4);
    assert_int_equal(o.io.nrequests, 1);
    assert_int_equal(o.io.server_workers, 0);
    assert_int_equal(o.io.nstrategies, 2);
    assert_string_equal(o.io.strategies[0]->name, "ranks");
    assert_string_equal(o.io.url, "http://127.0.0.1:8000/");
    assert_int_equal(o.io.server.fail_every, 3);
    assert_int_equal(parse(&o, "serve", "--port", "8000", "--workers", "0", "--delay", "1",
                           "--bind", "0.0.0.0", "--keep-alive", NULL),
                     CP_OK);
    assert_int_equal(o.command, CP_CMD_SERVE);
    assert_int_equal(o.serve.port, 8000);
    assert_int_equal(o.serve.workers, 0);
    assert_double_equal(o.serve.delay, 1.0);
    assert_int_equal(o.serve.keep_alive, 1);
    assert_string_equal(o.serve.bind, "0.0.0.0");
    assert_int_equal(parse(&o, NULL), CP_OK);
    assert_int_equal(o.phases, CP_PHASE_CPU | CP_PHASE_IO);
    assert_int_equal(o.io.nrequests, 2);
    assert_int_equal(o.io.requests[0], 10);
    assert_int_equal(o.io.requests[1], 20);
    assert_double_equal(o.io.delay, 0.2);
    assert_int_equal(o.io.server_workers, 10);
    assert_int_equal(parse(&o, "--requests", "5,50,1k", NULL), CP_OK);
    assert_int_equal(o.io.nrequests, 3);
    assert_int_equal(o.io.requests[2], 1000);
    /* the preset comes first whatever the order; options beside it win */
    assert_int_equal(parse(&o, "--size", "1M", "--preset", "talk", NULL), CP_OK);
    assert_int_equal(o.cpu.size, 1000000);
    assert_double_equal(o.io.delay, 2.0);
    assert_int_equal(o.cpu.chunks, 100);
    assert_int_equal(parse(&o, "--preset=talk", NULL), CP_OK);
    assert_int_equal(o.cpu.size, 300000000);
    int nio;
    cp_io_registry(&nio);
    assert_int_equal(o.io.nstrategies, nio);
}

static void test_presets(void **state)
{
    (void)state;
    struct cp_options o;
    assert_int_equal(parse(&o, "--preset", "talk", NULL), CP_OK);
    assert_int_equal(o.cpu.size, 300000000);
    assert_int_equal(o.cpu.chunks, 100);
    assert_double_equal(o.io.delay, 2.0);
    assert_int_equal(o.io.server_workers, 10);
    assert_int_equal(o.io.nrequests, 2);
    assert_int_equal(o.io.requests[1], 20);
    assert_int_equal(o.size_given, 0); /* a preset is not the user's --size */
    /* laptop puts back every default the talk changes */
    assert_int_equal(parse(&o, "--preset", "talk", "--preset", "laptop", NULL), CP_OK);
    assert_int_equal(o.cpu.size, 100000000);
    assert_double_equal(o.io.delay, 0.2);
    /* options beside it win in any order, abbreviations included */
    assert_int_equal(parse(&o, "--delay", "1s", "--pre", "talk", "--requests", "3", NULL), CP_OK);
    assert_double_equal(o.io.delay, 1.0);
    assert_int_equal(o.cpu.size, 300000000);
    assert_int_equal(o.io.nrequests, 1);
    assert_int_equal(parse(&o, "--preset", "talk", "--input", "a.npy", NULL), CP_OK);
}

/* A run's server options go to its embedded server, conpar serve's to its own. */
static void test_server_options(void **state)
{
    (void)state;
    struct cp_options o;
    assert_int_equal(parse(&o, "--status", "503", "--idle-timeout", "1.5", "--header-limit", "16Ki",
                           "--die-after", "7", NULL),
                     CP_OK);
    assert_int_equal(o.io.server.status, 503);
    assert_int_equal(o.io.server.idle_timeout, 2); /* whole seconds, rounded up */
    assert_int_equal(o.io.server.header_limit, 16384);
    assert_int_equal(o.io.server.die_after, 7);
    assert_int_equal(parse(&o, "serve", "--status", "503", "--reset-every", "4", "--body", "hi",
                           "--connection-limit", "9", NULL),
                     CP_OK);
    assert_int_equal(o.serve.status, 503);
    assert_int_equal(o.serve.reset_every, 4);
    assert_string_equal(o.serve.body, "hi");
    assert_int_equal(o.serve.connection_limit, 9);
}

static void test_list_strategies(void **state)
{
    (void)state;
    struct cp_options o;
    assert_int_equal(parse(&o, "--list-strategies", NULL), CP_OK);
    assert_int_equal(o.list_strategies, CP_PHASE_CPU | CP_PHASE_IO);
    assert_int_equal(parse(&o, "--list-strategies", "io", NULL), CP_OK);
    assert_int_equal(o.list_strategies, CP_PHASE_IO);
    assert_int_equal(parse(&o, "--list-strategies=cpu", NULL), CP_OK);
    assert_int_equal(o.list_strategies, CP_PHASE_CPU);
    /* listing needs no valid run: a planted index past the end is not checked */
    assert_int_equal(parse(&o, "--size", "5", "--plant-max", "9", "--list-strategies", NULL),
                     CP_OK);

    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    cp_cli_list_strategies(f, CP_PHASE_CPU | CP_PHASE_IO);
    fclose(f);
    int ncpu, nio;
    const struct cp_cpu_strategy *const *cpu = cp_cpu_registry(&ncpu);
    const struct cp_io_strategy *const *io = cp_io_registry(&nio);
    char want[1024] = "";
    for (int i = 0; i < ncpu; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "cpu %s\n", cpu[i]->name);
    for (int i = 0; i < nio; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "io %s\n", io[i]->name);
    assert_string_equal(text, want);
    free(text);

    f = open_memstream(&text, &size);
    assert_non_null(f);
    cp_cli_list_strategies(f, CP_PHASE_IO);
    fclose(f);
    want[0] = '\0';
    for (int i = 0; i < nio; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s\n", io[i]->name);
    assert_string_equal(text, want);
    free(text);
}

static const enum cp_command all_commands[] = {CP_CMD_RUN, CP_CMD_GENERATE, CP_CMD_SERVE,
                                               CP_CMD_DOCTOR};
static const char *const command_words[] = {NULL, "generate", "serve", "doctor"};

/* The --help of `command` (free it). */
static char *help_of(enum cp_command command)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    cp_cli_help(f, command);
    fclose(f);
    return text;
}

/* The lines of `text` from the one after `title` up to the next empty line (free it). */
static char *section(const char *text, const char *title)
{
    const char *start = strstr(text, title);
    if (start == NULL)
        fail_msg("no '%s' in the help", title);
    start += strlen(title);
    const char *end = strstr(start, "\n\n");
    size_t len = end != NULL ? (size_t)(end - start) + 1 : strlen(start);
    char *s = malloc(len + 1);
    assert_non_null(s);
    memcpy(s, start, len);
    s[len] = '\0';
    return s;
}

/* The view's row of `name` for `command`, or NULL. */
static const struct cp_cli_option *view_row(const char *name, enum cp_command command)
{
    int n;
    const struct cp_cli_option *v = cp_cli_options(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0 && (v[i].commands & command))
            return &v[i];
    return NULL;
}

/* Each command's help lists exactly the options the table gives that command. */
static void test_help_per_command(void **state)
{
    (void)state;
    int n;
    const struct cp_cli_option *v = cp_cli_options(&n);
    for (size_t c = 0; c < sizeof all_commands / sizeof all_commands[0]; c++) {
        char *text = help_of(all_commands[c]);
        char usage[64];
        snprintf(usage, sizeof usage, "conpar%s%s ", command_words[c] ? " " : "",
                 command_words[c] ? command_words[c] : "");
        if (strstr(text, usage) == NULL || strncmp(text, "Usage: ", 7) != 0)
            fail_msg("help of '%s' has no usage line", usage);
        char *options = section(text, "\nOptions:\n");
        int listed = 0;
        for (char *line = strtok(options, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            char name[64]; /* "  -n, --size N" or "      --chunks C"; text from column 30 */
            if (sscanf(line, "  -%*c, --%63[a-z-]", name) != 1 &&
                (strncmp(line, "      --", 8) != 0 || sscanf(line + 8, "%63[a-z-]", name) != 1))
                continue;
            listed++;
            if (view_row(name, all_commands[c]) == NULL)
                fail_msg("help of '%s' lists --%s, not one of its options", usage, name);
        }
        int expected = 0;
        for (int i = 0; i < n; i++)
            expected += (v[i].commands & all_commands[c]) != 0;
        assert_int_equal(listed, expected);
        free(options);
        free(text);
    }
}

static void test_help_width_and_exits(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_commands / sizeof all_commands[0]; c++) {
        char *text = help_of(all_commands[c]);
        for (const char *line = text; *line != '\0';) {
            size_t len = strcspn(line, "\n");
            if (len > 100)
                fail_msg("help line of %zu columns: %.*s", len, (int)len, line);
            line += len + (line[len] == '\n');
        }
        char *exits = section(text, "\nExit status:\n");
        assert_non_null(strstr(exits, "  0 "));
        assert_non_null(strstr(exits, "  2 "));
        if (all_commands[c] == CP_CMD_RUN) {
            static const char *const codes[] = {"  0    ", "  1    ", "  2    ",
                                                "  130  interrupted by SIGINT",
                                                "  143  interrupted by SIGTERM"};
            for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
                if (strstr(exits, codes[i]) == NULL)
                    fail_msg("run's exit statuses lack '%s'", codes[i]);
        }
        free(exits);
        free(text);
    }
}

/* Every default --help shows comes from the value cp_options_default sets. */
static void test_help_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum cp_command command;
        const char *shown;
    } want[] = {
        {"size", CP_CMD_RUN, "100M"},
        {"seed", CP_CMD_GENERATE, "42"},
        {"phase", CP_CMD_RUN, "all"},
        {"nan", CP_CMD_RUN, "propagate"},
        {"dtype", CP_CMD_GENERATE, "float64"},
        {"cpu-strategies", CP_CMD_RUN, "all"},
        {"chunks", CP_CMD_RUN, "100"},
        {"repeat", CP_CMD_RUN, "3"},
        {"mpi-max-count", CP_CMD_RUN, "2147483647"},
        {"requests", CP_CMD_RUN, "10,20"},
        {"delay", CP_CMD_RUN, "200ms"},
        {"delay", CP_CMD_SERVE, "2s"},
        {"workers", CP_CMD_SERVE, "10"},
        {"idle-timeout", CP_CMD_SERVE, "30s"},
        {"header-limit", CP_CMD_RUN, "8Ki"},
        {"connection-limit", CP_CMD_SERVE, "16384"},
        {"bind", CP_CMD_SERVE, "127.0.0.1"},
        {"expect-body", CP_CMD_DOCTOR, "Hello World!"},
        {"plant-max", CP_CMD_RUN, "none"},
        {"preset", CP_CMD_RUN, "laptop"},
        {"quiet", CP_CMD_RUN, ""},
        {"out", CP_CMD_GENERATE, ""},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct cp_cli_option *r = view_row(want[i].name, want[i].command);
        assert_non_null(r);
        assert_string_equal(r->default_text, want[i].shown);
        char *text = help_of(want[i].command);
        char line[128];
        snprintf(line, sizeof line, "[default: %s]", want[i].shown);
        if (want[i].shown[0] != '\0' && strstr(text, line) == NULL)
            fail_msg("--%s: help lacks %s", want[i].name, line);
        free(text);
    }
    /* run-dependent defaults are said in words */
    assert_non_null(strstr(view_row("threads", CP_CMD_RUN)->default_text, "affinity mask"));
    assert_non_null(strstr(view_row("timeout", CP_CMD_RUN)->default_text, "5 x --delay"));
    assert_non_null(strstr(view_row("concurrency", CP_CMD_RUN)->default_text, "own"));
}

/* The view: names, letters and choices other tools can rely on. */
static void test_view(void **state)
{
    (void)state;
    int n;
    const struct cp_cli_option *v = cp_cli_options(&n);
    assert_true(n >= 40);
    for (int i = 0; i < n; i++) {
        assert_non_null(v[i].name);
        assert_true(strlen(v[i].help) > 0);
        assert_int_not_equal(v[i].commands, 0);
        for (int j = i + 1; j < n; j++) {
            if (strcmp(v[i].name, v[j].name) == 0)
                assert_int_equal(v[i].commands & v[j].commands, 0);
            if (v[i].short_name != '\0')
                assert_int_not_equal(v[i].short_name, v[j].short_name);
        }
    }
    assert_string_equal(view_row("phase", CP_CMD_RUN)->choices, "cpu io all");
    assert_string_equal(view_row("dtype", CP_CMD_GENERATE)->choices, "float64 float32");
    /* the strategy lists' words are the registries' names */
    int ncpu, nio;
    const struct cp_cpu_strategy *const *cpu = cp_cpu_registry(&ncpu);
    const struct cp_io_strategy *const *io = cp_io_registry(&nio);
    char want[256] = "";
    for (int i = 0; i < ncpu; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? " " : "",
                 cpu[i]->name);
    assert_string_equal(view_row("cpu-strategies", CP_CMD_RUN)->choices, want);
    want[0] = '\0';
    for (int i = 0; i < nio; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? " " : "",
                 io[i]->name);
    assert_string_equal(view_row("io-strategies", CP_CMD_RUN)->choices, want);
    assert_int_equal(view_row("requests", CP_CMD_RUN)->list, 1);
    assert_int_equal(view_row("list-strategies", CP_CMD_RUN)->value_optional, 1);
    assert_int_equal(view_row("size", CP_CMD_RUN)->short_name, 'n');
    assert_null(view_row("quiet", CP_CMD_RUN)->metavar);
    assert_non_null(strstr(view_row("preset", CP_CMD_RUN)->help, "--size 300M"));
    assert_null(view_row("workers", CP_CMD_RUN));
    assert_int_equal(view_row("help", CP_CMD_DOCTOR)->commands,
                     CP_CMD_RUN | CP_CMD_GENERATE | CP_CMD_SERVE | CP_CMD_DOCTOR);
}

/* The run's help lists every strategy of both registries with its talk analog. */
static void test_help_strategies(void **state)
{
    (void)state;
    char *text = help_of(CP_CMD_RUN);
    int ncpu, nio;
    const struct cp_cpu_strategy *const *cpu = cp_cpu_registry(&ncpu);
    const struct cp_io_strategy *const *io = cp_io_registry(&nio);
    char *cpus = section(text, "\nCPU strategies");
    char *ios = section(text, "\nIO strategies");
    for (int i = 0; i < ncpu + nio; i++) {
        const char *name = i < ncpu ? cpu[i]->name : io[i - ncpu]->name;
        const char *analog = i < ncpu ? cpu[i]->talk_analog : io[i - ncpu]->talk_analog;
        char line[256];
        snprintf(line, sizeof line, "\n  %-12s %s;", name, analog);
        if (strstr(i < ncpu ? cpus : ios, line) == NULL)
            fail_msg("help lacks the line of %s (%s)", name, analog);
    }
    free(cpus);
    free(ios);
    free(text);
}

/* Every example of every help is a command line conpar accepts as it is written (the cli.examples
 * test runs them). */
static void test_help_examples_parse(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_commands / sizeof all_commands[0]; c++) {
        char *text = help_of(all_commands[c]);
        char *examples = section(text, "\nExamples:\n");
        int count = 0;
        for (char *line = strtok(examples, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            char *hash = strstr(line, "# ");
            if (hash != NULL)
                *hash = '\0';
            char *argv[32];
            int argc = 0;
            int in_conpar = 0;
            for (char *save = NULL, *word = strtok_r(line, " ", &save); word != NULL && argc < 31;
                 word = strtok_r(NULL, " ", &save)) {
                in_conpar |= strcmp(word, "conpar") == 0; /* after mpirun and its options */
                if (in_conpar)
                    argv[argc++] = word;
            }
            if (argc == 0)
                continue; /* a comment line */
            argv[argc] = NULL;
            count++;
            struct cp_options o;
            cp_options_default(&o);
            cp_error_clear();
            if (cp_cli_parse(argc, argv, &o) != CP_OK)
                fail_msg("example of %s refused: %s", argv[0], cp_error_message());
        }
        assert_true(count >= 4);
        free(examples);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_counts),
        cmocka_unit_test(test_valid_options),    cmocka_unit_test(test_invalid_options),
        cmocka_unit_test(test_durations),        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_server_options),   cmocka_unit_test(test_list_strategies),
        cmocka_unit_test(test_help_per_command), cmocka_unit_test(test_help_width_and_exits),
        cmocka_unit_test(test_help_defaults),    cmocka_unit_test(test_view),
        cmocka_unit_test(test_help_strategies),  cmocka_unit_test(test_help_examples_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
