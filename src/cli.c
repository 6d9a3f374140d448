/* Option table, getopt_long, value parsers and --help. */
#include "conpar/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum cp_status (*cp_option_setter)(struct cp_options *o, const char *flag, const char *arg);

struct cp_option {
    const char *name;     /* long name */
    int key;              /* short letter, or a code above 255 */
    const char *metavar;  /* NULL for a flag without a value */
    const char *fallback; /* default, as shown in --help */
    const char *help;
    cp_option_setter set;
    unsigned commands; /* enum cp_command bits of the commands that take it */
};

/* ---- value parsers ---------------------------------------------------------------- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Append decimal digits from *p to *v (overflow-checked); returns digits read, -1 on
 * overflow. */
static int read_digits(const char **p, uint64_t *v)
{
    int n = 0;
    while (is_digit(**p)) {
        if (__builtin_mul_overflow(*v, 10u, v) ||
            __builtin_add_overflow(*v, (uint64_t)(**p - '0'), v))
            return -1;
        (*p)++;
        n++;
    }
    return n;
}

static int pow_u64(uint64_t b, int e, uint64_t *out)
{
    uint64_t r = 1;
    for (int i = 0; i < e; i++)
        if (__builtin_mul_overflow(r, b, &r))
            return -1;
    *out = r;
    return 0;
}

/* Scale of a suffix: K/M/G/T (10^3k), Ki/Mi/Gi/Ti (2^10k), e<digits> (10^d).
 * 0 when valid, -1 when not a suffix, -2 when the scale overflows 64 bits. */
static int read_scale(const char *p, uint64_t *num_scale)
{
    static const char letters[] = "KMGT";
    if (*p == '\0') {
        *num_scale = 1;
        return 0;
    }
    if (*p == 'e' || *p == 'E') {
        uint64_t e = 0;
        p++;
        if (*p == '+')
            p++;
        int nd = read_digits(&p, &e);
        if (nd == 0 || *p != '\0')
            return -1;
        if (nd < 0 || e > 19 || pow_u64(10, (int)e, num_scale) != 0)
            return -2;
        return 0;
    }
    const char *at = strchr(letters, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    if (at == NULL || *p == '\0')
        return -1;
    int k = (int)(at - letters) + 1;
    if (p[1] == 'i' && p[2] == '\0')
        return pow_u64(1024, k, num_scale);
    if (p[1] != '\0')
        return -1;
    return pow_u64(1000, k, num_scale);
}

enum cp_status cp_parse_count(const char *flag, const char *text, int64_t min, int64_t *out)
{
    const char *p = text;
    uint64_t whole = 0, frac = 0, scale = 1, frac_div = 1;
    if (*p == '-')
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must not be negative", flag, text);
    int nw = read_digits(&p, &whole);
    int nf = 0;
    if (nw >= 0 && *p == '.') {
        p++;
        nf = read_digits(&p, &frac);
    }
    if (nw < 0 || nf < 0)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': too large (the limit is %" PRId64 ")", flag, text,
                       INT64_MAX);
    int scaled = nw + nf == 0 ? -1 : read_scale(p, &scale);
    if (scaled == -2 || (scaled == 0 && pow_u64(10, nf, &frac_div) != 0))
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': too large (the limit is %" PRId64 ")", flag, text,
                       INT64_MAX);
    if (scaled != 0)
        return CP_FAIL(CP_ERR_USAGE,
                       "%s '%s': not a count (examples: 4096, 300M, 2G, 16Mi, 1e9, 2.5e8)", flag,
                       text);
    /* value = (whole * frac_div + frac) * scale / frac_div, exactly */
    uint64_t mant, prod;
    if (__builtin_mul_overflow(whole, frac_div, &mant) ||
        __builtin_add_overflow(mant, frac, &mant) || __builtin_mul_overflow(mant, scale, &prod) ||
        prod / frac_div > (uint64_t)INT64_MAX)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': too large (the limit is %" PRId64 ")", flag, text,
                       INT64_MAX);
    if (prod % frac_div != 0)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': not a whole number", flag, text);
    int64_t v = (int64_t)(prod / frac_div);
    if (v < min)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be at least %" PRId64, flag, text, min);
    *out = v;
    return CP_OK;
}

enum cp_status cp_parse_int(const char *flag, const char *text, int64_t min, int64_t max,
                            int64_t *out)
{
    const char *p = text;
    int neg = *p == '-';
    uint64_t v = 0;
    if (neg)
        p++;
    int n = read_digits(&p, &v);
    if (n == 0 || *p != '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': not a whole number", flag, text);
    int64_t sv = neg ? -(int64_t)(v & INT64_MAX) : (int64_t)(v & INT64_MAX);
    if (n < 0 || v > (uint64_t)INT64_MAX || sv < min || sv > max)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be between %" PRId64 " and %" PRId64, flag,
                       text, min, max);
    *out = sv;
    return CP_OK;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (lb >= 63 || la >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* "seq, simd, threads, gil" and, when one is close to `name`, "; did you mean 'simd'?" */
static void describe_valid(const char *name, const char *const *names, int count, char *buf,
                           size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "valid: ");
    const char *close = NULL;
    for (int i = 0; i < count && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (name[0] != '\0' && edit_distance(name, names[i]) <= 2 && close == NULL)
            close = names[i];
    }
    if (close != NULL && used < size)
        snprintf(buf + used, size - used, "; did you mean '%s'?", close);
}

/* A comma-separated list of names, each one of names[0..count) and none twice, into
 * picked[0..*npicked) as positions in names. */
static enum cp_status parse_names(const char *flag, const char *text, const char *const *names,
                                  int count, int *picked, int *npicked)
{
    char valid[256];
    const char *p = text;
    *npicked = 0;
    for (;;) {
        size_t len = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), p);
        describe_valid(name, names, count, valid, sizeof valid);
        if (len == 0)
            return CP_FAIL(CP_ERR_USAGE, "%s '%s': empty strategy name (%s)", flag, text, valid);
        int found = -1;
        for (int i = 0; i < count && len < 63; i++)
            if (strcmp(names[i], name) == 0)
                found = i;
        if (found < 0)
            return CP_FAIL(CP_ERR_USAGE, "%s '%s': unknown strategy '%s' (%s)", flag, text, name,
                           valid);
        for (int i = 0; i < *npicked; i++)
            if (picked[i] == found)
                return CP_FAIL(CP_ERR_USAGE, "%s '%s': strategy '%s' is listed twice", flag, text,
                               name);
        picked[(*npicked)++] = found;
        if (p[len] == '\0')
            return CP_OK;
        p += len + 1;
    }
}

enum cp_status cp_parse_cpu_strategies(const char *flag, const char *text,
                                       struct cp_cpu_options *cpu)
{
    int count, picked[CP_CPU_MAX_STRATEGIES], n = 0;
    const struct cp_cpu_strategy *const *all = cp_cpu_registry(&count);
    const char *names[CP_CPU_MAX_STRATEGIES];
    for (int i = 0; i < count; i++)
        names[i] = all[i]->name;
    enum cp_status st = parse_names(flag, text, names, count, picked, &n);
    cpu->nstrategies = 0;
    for (int i = 0; st == CP_OK && i < n; i++)
        cpu->strategies[cpu->nstrategies++] = all[picked[i]];
    return st;
}

enum cp_status cp_parse_io_strategies(const char *flag, const char *text, struct cp_io_options *io)
{
    int count, picked[CP_IO_MAX_STRATEGIES], n = 0;
    const struct cp_io_strategy *const *all = cp_io_registry(&count);
    const char *names[CP_IO_MAX_STRATEGIES];
    for (int i = 0; i < count; i++)
        names[i] = all[i]->name;
    enum cp_status st = parse_names(flag, text, names, count, picked, &n);
    io->nstrategies = 0;
    for (int i = 0; st == CP_OK && i < n; i++)
        io->strategies[io->nstrategies++] = all[picked[i]];
    return st;
}

/* ---- option setters ---------------------------------------------------------------- */

static enum cp_status set_size(struct cp_options *o, const char *flag, const char *arg)
{
    o->size_given = 1;
    return cp_parse_count(flag, arg, 1, &o->cpu.size);
}

static enum cp_status set_input(struct cp_options *o, const char *flag, const char *arg)
{
    if (arg[0] == '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '': needs a file name", flag);
    o->cpu.input = arg;
    return CP_OK;
}

static enum cp_status set_out(struct cp_options *o, const char *flag, const char *arg)
{
    if (arg[0] == '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '': needs a file name", flag);
    o->out_path = arg;
    return CP_OK;
}

static enum cp_status set_dtype(struct cp_options *o, const char *flag, const char *arg)
{
    if (strcmp(arg, "float64") == 0 || strcmp(arg, "f8") == 0)
        o->out_itemsize = 8;
    else if (strcmp(arg, "float32") == 0 || strcmp(arg, "f4") == 0)
        o->out_itemsize = 4;
    else
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be 'float64' or 'float32'", flag, arg);
    return CP_OK;
}

static enum cp_status set_seed(struct cp_options *o, const char *flag, const char *arg)
{
    o->seed_given = 1;
    const char *p = arg;
    uint64_t v = 0;
    int n = read_digits(&p, &v);
    if (n <= 0 || *p != '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be a whole number from 0 to %" PRIu64, flag,
                       arg, UINT64_MAX);
    o->cpu.seed = v;
    return CP_OK;
}

static enum cp_status set_nan(struct cp_options *o, const char *flag, const char *arg)
{
    if (strcmp(arg, "propagate") == 0)
        o->cpu.nan = CP_NAN_PROPAGATE;
    else if (strcmp(arg, "skip") == 0)
        o->cpu.nan = CP_NAN_SKIP;
    else
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be 'propagate' or 'skip'", flag, arg);
    return CP_OK;
}

static enum cp_status set_plant_max(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_count(flag, arg, 0, &o->cpu.plant_max);
}

static enum cp_status set_plant_nan(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_count(flag, arg, 0, &o->cpu.plant_nan);
}

static enum cp_status set_strategies(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_cpu_strategies(flag, arg, &o->cpu);
}

static enum cp_status set_chunks(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_int(flag, arg, 1, 1000000000, &o->cpu.chunks);
}

static enum cp_status set_int(int *dst, const char *flag, const char *arg, int64_t min, int64_t max)
{
    int64_t v = 0;
    enum cp_status st = cp_parse_int(flag, arg, min, max, &v);
    if (st == CP_OK)
        *dst = (int)v;
    return st;
}

static enum cp_status set_threads(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->cpu.threads, flag, arg, 1, 4096);
}

static enum cp_status set_warmup(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->cpu.warmup, flag, arg, 0, 1000000);
}

static enum cp_status set_repeat(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->cpu.repeat, flag, arg, 1, 1000000);
}

static enum cp_status set_mpi_max_count(struct cp_options *o, const char *flag, const char *arg)
{
    enum cp_status st = cp_parse_count(flag, arg, 1, &o->cpu.mpi_max_count);
    if (st == CP_OK && o->cpu.mpi_max_count > INT_MAX)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be at most %d (MPI counts are ints)", flag, arg,
                       INT_MAX);
    return st;
}

static enum cp_status set_emulate_nodes(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->cpu.emulate_nodes, flag, arg, 1, 1 << 20);
}

enum cp_status cp_parse_duration(const char *flag, const char *text, double min, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    double scale = 1.0;
    if (end == text || text[0] == '-' || text[0] == '+' || errno != 0 || !isfinite(v))
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': not a duration (examples: 2, 2s, 0.5, 200ms, 1m)",
                       flag, text);
    if (strcmp(end, "ms") == 0)
        scale = 1e-3;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        scale = 60.0;
    else if (strcmp(end, "s") != 0 && *end != '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': not a duration (examples: 2, 2s, 0.5, 200ms, 1m)",
                       flag, text);
    v *= scale;
    if (v < min || v > 86400.0)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be between %g s and 1 day", flag, text, min);
    *out = v;
    return CP_OK;
}

static enum cp_status set_url(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    o->io.url = arg;
    return cp_io_check_url(arg);
}

/* A comma-separated list of counts in [min, max] into out[0..*n), at most `cap` of them. */
static enum cp_status parse_count_list(const char *flag, const char *arg, int64_t min, int64_t max,
                                       int64_t *out, int cap, int *n)
{
    *n = 0;
    for (const char *p = arg;;) {
        size_t len = strcspn(p, ",");
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)(len < 63 ? len : 63), p);
        if (*n == cap)
            return CP_FAIL(CP_ERR_USAGE, "%s '%s': at most %d values", flag, arg, cap);
        enum cp_status st = cp_parse_count(flag, one, min, &out[*n]);
        if (st == CP_OK && out[*n] > max)
            st = CP_FAIL(CP_ERR_USAGE, "%s '%s': must be at most %" PRId64, flag, one, max);
        if (st != CP_OK)
            return st;
        (*n)++;
        if (p[len] == '\0')
            return CP_OK;
        p += len + 1;
    }
}

static enum cp_status set_requests(struct cp_options *o, const char *flag, const char *arg)
{
    return parse_count_list(flag, arg, 1, INT64_MAX, o->io.requests, CP_IO_MAX_COUNTS,
                            &o->io.nrequests);
}

static enum cp_status set_concurrency(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->io.concurrency, flag, arg, 1, 1000000);
}

static enum cp_status set_delay(struct cp_options *o, const char *flag, const char *arg)
{
    enum cp_status st = cp_parse_duration(flag, arg, 0.0, &o->io.delay);
    o->serve.delay = o->io.delay;
    return st;
}

static enum cp_status set_server_workers(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->io.server_workers, flag, arg, 0, 1000000);
}

static enum cp_status set_workers(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->serve.workers, flag, arg, 0, 1000000);
}

static enum cp_status set_timeout(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_duration(flag, arg, 0.001, &o->io.timeout);
}

static enum cp_status set_expect_status(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->io.expect_status, flag, arg, 100, 599);
}

static enum cp_status set_expect_body(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    o->io.expect_body = arg;
    return CP_OK;
}

static enum cp_status set_io_strategies(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_io_strategies(flag, arg, &o->io);
}

/* fault injection: the embedded server of a run and `conpar serve` alike */
static enum cp_status set_status(struct cp_options *o, const char *flag, const char *arg)
{
    enum cp_status st = set_int(&o->serve.status, flag, arg, 100, 599);
    o->io.server.status = o->serve.status;
    return st;
}

static enum cp_status set_fail_every(struct cp_options *o, const char *flag, const char *arg)
{
    enum cp_status st = cp_parse_count(flag, arg, 1, &o->serve.fail_every);
    o->io.server.fail_every = o->serve.fail_every;
    return st;
}

static enum cp_status set_reset_every(struct cp_options *o, const char *flag, const char *arg)
{
    enum cp_status st = cp_parse_count(flag, arg, 1, &o->serve.reset_every);
    o->io.server.reset_every = o->serve.reset_every;
    return st;
}

static enum cp_status set_die_after(struct cp_options *o, const char *flag, const char *arg)
{
    return cp_parse_count(flag, arg, 1, &o->io.server.die_after);
}

static enum cp_status set_bind(struct cp_options *o, const char *flag, const char *arg)
{
    if (arg[0] == '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '': needs an address", flag);
    o->serve.bind = arg;
    return CP_OK;
}

static enum cp_status set_port(struct cp_options *o, const char *flag, const char *arg)
{
    return set_int(&o->serve.port, flag, arg, 0, 65535);
}

static enum cp_status set_body(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    o->serve.body = arg;
    return CP_OK;
}

static enum cp_status set_keep_alive(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    (void)arg;
    o->serve.keep_alive = 1;
    return CP_OK;
}

static enum cp_status set_idle_timeout(struct cp_options *o, const char *flag, const char *arg)
{
    double v = 0;
    enum cp_status st = cp_parse_duration(flag, arg, 1.0, &v);
    o->serve.idle_timeout = (int)ceil(v);
    o->io.server.idle_timeout = o->serve.idle_timeout;
    return st;
}

static enum cp_status set_header_limit(struct cp_options *o, const char *flag, const char *arg)
{
    int64_t v = 0;
    enum cp_status st = cp_parse_count(flag, arg, 1024, &v);
    if (st == CP_OK && v > (1 << 30))
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be at most 1Gi", flag, arg);
    o->serve.header_limit = (int)v;
    o->io.server.header_limit = o->serve.header_limit;
    return st;
}

static enum cp_status set_connection_limit(struct cp_options *o, const char *flag, const char *arg)
{
    enum cp_status st = set_int(&o->serve.connection_limit, flag, arg, 1, 10000000);
    o->io.server.connection_limit = o->serve.connection_limit;
    return st;
}

/* --preset: the settings of a named run. Applied before every other option (cp_cli_parse scans
 * for it first), so options given beside it change it whatever their order. */
static enum cp_status apply_preset(struct cp_options *o, const char *flag, const char *arg)
{
    if (strcmp(arg, "talk") == 0) {
        o->cpu.size = 300000000; /* the talk's array and chunks */
        o->cpu.chunks = 100;
        o->io.delay = 2.0; /* flask sleeping 2 s behind gunicorn -w 10 */
        o->io.server_workers = 10;
    } else if (strcmp(arg, "laptop") == 0) {
        o->cpu.size = CP_DEFAULT_SIZE;
        o->io.delay = CP_DEFAULT_DELAY;
    } else {
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be 'laptop' (the default) or 'talk'", flag,
                       arg);
    }
    o->io.requests[0] = 10;
    o->io.requests[1] = 20;
    o->io.nrequests = 2;
    return CP_OK;
}

static enum cp_status set_preset(struct cp_options *o, const char *flag, const char *arg)
{
    /* applied by the first pass; this pass only keeps getopt's order of things */
    (void)o;
    (void)flag;
    (void)arg;
    return CP_OK;
}

static enum cp_status set_phase(struct cp_options *o, const char *flag, const char *arg)
{
    if (strcmp(arg, "cpu") == 0)
        o->phases = CP_PHASE_CPU;
    else if (strcmp(arg, "io") == 0)
        o->phases = CP_PHASE_IO;
    else if (strcmp(arg, "all") == 0)
        o->phases = CP_PHASE_CPU | CP_PHASE_IO;
    else
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be 'cpu', 'io' or 'all'", flag, arg);
    return CP_OK;
}

static enum cp_status set_json(struct cp_options *o, const char *flag, const char *arg)
{
    if (arg[0] == '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '': needs a file name", flag);
    o->json_path = arg;
    return CP_OK;
}

static enum cp_status set_csv(struct cp_options *o, const char *flag, const char *arg)
{
    if (arg[0] == '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '': needs a file name", flag);
    o->csv_path = arg;
    return CP_OK;
}

static enum cp_status set_sweep(struct cp_options *o, const char *flag, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t klen = eq ? (size_t)(eq - arg) : 0;
    if (eq != NULL && klen == 7 && strncmp(arg, "threads", 7) == 0)
        o->sweep = "threads";
    else if (eq != NULL && klen == 11 && strncmp(arg, "concurrency", 11) == 0)
        o->sweep = "concurrency";
    else
        return CP_FAIL(CP_ERR_USAGE,
                       "%s '%s': must be threads=LIST or concurrency=LIST (e.g. threads=1,2,4)",
                       flag, arg);
    int64_t values[8];
    enum cp_status st = parse_count_list(flag, eq + 1, 1, 1000000, values, 8, &o->nsweep);
    for (int i = 0; st == CP_OK && i < o->nsweep; i++)
        o->sweep_values[i] = (int)values[i];
    return st;
}

static enum cp_status set_quiet(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    (void)arg;
    o->quiet = 1;
    return CP_OK;
}

static enum cp_status set_help(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    (void)arg;
    o->show_help = 1;
    return CP_OK;
}

static enum cp_status set_version(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    (void)arg;
    o->show_version = 1;
    return CP_OK;
}

enum {
    KEY_NAN = 256,
    KEY_PLANT_MAX,
    KEY_PLANT_NAN,
    KEY_CHUNKS,
    KEY_WARMUP,
    KEY_PHASE,
    KEY_MPI_MAX_COUNT,
    KEY_EMULATE_NODES,
    KEY_INPUT,
    KEY_OUT,
    KEY_DTYPE,
    KEY_URL,
    KEY_REQUESTS,
    KEY_CONCURRENCY,
    KEY_DELAY,
    KEY_SERVER_WORKERS,
    KEY_WORKERS,
    KEY_TIMEOUT,
    KEY_EXPECT_STATUS,
    KEY_EXPECT_BODY,
    KEY_IO_STRATEGIES,
    KEY_STATUS,
    KEY_FAIL_EVERY,
    KEY_RESET_EVERY,
    KEY_DIE_AFTER,
    KEY_BIND,
    KEY_PORT,
    KEY_BODY,
    KEY_KEEP_ALIVE,
    KEY_IDLE_TIMEOUT,
    KEY_HEADER_LIMIT,
    KEY_CONNECTION_LIMIT,
    KEY_PRESET,
    KEY_CSV,
    KEY_QUIET,
    KEY_SWEEP
};

#define BOTH (CP_CMD_RUN | CP_CMD_GENERATE)
#define SERVED (CP_CMD_RUN | CP_CMD_SERVE) /* the embedded server and conpar serve */
#define ALL (CP_CMD_RUN | CP_CMD_GENERATE | CP_CMD_SERVE | CP_CMD_DOCTOR)

static const struct cp_option options[] = {
    {"preset", KEY_PRESET, "NAME", "laptop",
     "laptop: 100M values, 10 and 20 requests at 200 ms (about 15 s on 2 cores); talk: the "
     "talk's 300M values, 100 chunks, 10 and 20 requests at 2 s on 10 workers",
     set_preset, CP_CMD_RUN},
    {"phase", KEY_PHASE, "PHASE", "all", "cpu, io or all (both, CPU first)", set_phase, CP_CMD_RUN},
    {"input", 'i', "FILE.npy", "generated values",
     "max of a numpy .npy file (any numeric dtype, byte order, shape; C or Fortran order)",
     set_input, CP_CMD_RUN},
    {"size", 'n', "N", "100M",
     "elements in the array; K M G T = 10^3..10^12, Ki..Ti = "
     "2^10..2^40, 1e9 and 2.5e8 forms",
     set_size, BOTH | CP_CMD_DOCTOR},
    {"seed", 's', "S", "42", "generator seed, 0..2^64-1 (element i depends only on seed and i)",
     set_seed, BOTH},
    {"dtype", KEY_DTYPE, "TYPE", "float64", "generate: float64 or float32 (rounded to nearest)",
     set_dtype, CP_CMD_GENERATE},
    {"out", 'o', "FILE.npy", "none", "generate: the file to write (replaced when complete)",
     set_out, CP_CMD_GENERATE},
    {"cpu-strategies", 'c', "LIST", "all",
     "comma-separated CPU strategies: seq, simd, threads, gil (rank 0 alone), scatter, "
     "window, distributed (every rank)",
     set_strategies, CP_CMD_RUN},
    {"threads", 't', "T", "see text",
     "OpenMP threads per rank (default: OMP_NUM_THREADS, else the CPUs of the rank's "
     "affinity mask divided among the ranks sharing them)",
     set_threads, BOTH | CP_CMD_DOCTOR},
    {"chunks", KEY_CHUNKS, "C", "100",
     "chunks the threaded strategies split the array into (shared out among ranks)", set_chunks,
     CP_CMD_RUN},
    {"nan", KEY_NAN, "POLICY", "propagate",
     "propagate (numpy.max: the first NaN wins) or skip "
     "(numpy.nanmax)",
     set_nan, CP_CMD_RUN},
    {"warmup", KEY_WARMUP, "W", "1", "untimed runs of each strategy before timing", set_warmup,
     CP_CMD_RUN},
    {"repeat", 'r', "R", "3", "timed runs of each strategy (min, median, max reported)", set_repeat,
     CP_CMD_RUN},
    {"plant-max", KEY_PLANT_MAX, "IDX", "none",
     "self-test: put 1.0 (above every generated "
     "value) at index IDX",
     set_plant_max, CP_CMD_RUN},
    {"plant-nan", KEY_PLANT_NAN, "IDX", "none", "self-test: put a NaN at index IDX", set_plant_nan,
     CP_CMD_RUN},
    {"mpi-max-count", KEY_MPI_MAX_COUNT, "N", "2147483647",
     "largest element count in one MPI call; scatter sends larger blocks in pieces "
     "(a small value tests that path)",
     set_mpi_max_count, CP_CMD_RUN},
    {"emulate-nodes", KEY_EMULATE_NODES, "K", "real nodes",
     "testing: cut the ranks into K runs of consecutive ranks, each a node for window",
     set_emulate_nodes, CP_CMD_RUN},
    {"json", 'j', "FILE", "none",
     "also write the results as JSON to FILE (replaced "
     "atomically)",
     set_json, CP_CMD_RUN},
    {"io-strategies", KEY_IO_STRATEGIES, "LIST", "all",
     "comma-separated IO strategies: seq, threads, async (rank 0 alone), ranks (every rank)",
     set_io_strategies, CP_CMD_RUN},
    {"url", KEY_URL, "URL", "embedded server",
     "IO phase: the server to request (without it conpar serves itself on loopback)", set_url,
     CP_CMD_RUN | CP_CMD_DOCTOR},
    {"requests", KEY_REQUESTS, "R[,R...]", "10,20",
     "IO phase: requests per strategy; each count runs every strategy", set_requests, CP_CMD_RUN},
    {"concurrency", KEY_CONCURRENCY, "C", "per strategy",
     "IO phase: transfers in flight at most (threads: threads in the pool; default one per "
     "request, threads at most 256)",
     set_concurrency, CP_CMD_RUN},
    {"delay", KEY_DELAY, "D", "200ms (serve: 2s)",
     "the server's delay per request (sets the embedded server's; with --url, for the ideal "
     "time); 2, 2s, 0.5, 200ms",
     set_delay, SERVED},
    {"server-workers", KEY_SERVER_WORKERS, "W", "10",
     "IO phase: the server's workers, requests in service at once (0 = no limit)",
     set_server_workers, CP_CMD_RUN},
    {"timeout", KEY_TIMEOUT, "T", "max(10s, 5 x delay)", "IO phase: seconds per request",
     set_timeout, CP_CMD_RUN},
    {"expect-status", KEY_EXPECT_STATUS, "CODE", "200", "IO phase: the status a response must have",
     set_expect_status, CP_CMD_RUN | CP_CMD_DOCTOR},
    {"expect-body", KEY_EXPECT_BODY, "TEXT", "Hello World!",
     "IO phase: the body a response must have", set_expect_body, CP_CMD_RUN | CP_CMD_DOCTOR},
    {"workers", KEY_WORKERS, "W", "10", "serve: requests in service at once (0 = no limit)",
     set_workers, CP_CMD_SERVE},
    {"bind", KEY_BIND, "ADDR", "127.0.0.1", "serve: the address to listen on", set_bind,
     CP_CMD_SERVE},
    {"port", KEY_PORT, "PORT", "0", "serve: the port (0 = any free port, printed)", set_port,
     CP_CMD_SERVE},
    {"body", KEY_BODY, "TEXT", "Hello World!", "serve: the answer", set_body, CP_CMD_SERVE},
    {"keep-alive", KEY_KEEP_ALIVE, NULL, NULL, "serve: allow keep-alive (default: close)",
     set_keep_alive, CP_CMD_SERVE},
    {"status", KEY_STATUS, "CODE", "200", "fault injection: answer every request with CODE",
     set_status, SERVED},
    {"fail-every", KEY_FAIL_EVERY, "N", "never", "fault injection: every Nth request answers 500",
     set_fail_every, SERVED},
    {"reset-every", KEY_RESET_EVERY, "N", "never",
     "fault injection: every Nth connection is closed without a reply", set_reset_every, SERVED},
    {"die-after", KEY_DIE_AFTER, "N", "never",
     "fault injection: the embedded server dies after answering N requests, as if killed (it "
     "stops listening and closes every connection without a reply)",
     set_die_after, CP_CMD_RUN},
    {"idle-timeout", KEY_IDLE_TIMEOUT, "T", "30s", "server: close connections idle this long",
     set_idle_timeout, SERVED},
    {"header-limit", KEY_HEADER_LIMIT, "BYTES", "8Ki",
     "server: memory per connection, request headers included", set_header_limit, SERVED},
    {"connection-limit", KEY_CONNECTION_LIMIT, "N", "16384",
     "server: connections at once (capped by the open-file limit)", set_connection_limit, SERVED},
    {"csv", KEY_CSV, "FILE", "none",
     "also write one CSV row per strategy of both phases (the JSON fields, nested ones as "
     "key.sub)",
     set_csv, CP_CMD_RUN},
    {"sweep", KEY_SWEEP, "KEY=LIST", "none",
     "threads=1,2,4 repeats the CPU phase per thread count; concurrency=1,10,100 the IO phase "
     "per concurrency; prints a scaling table (speedup, efficiency)",
     set_sweep, CP_CMD_RUN},
    {"quiet", 'q', NULL, NULL,
     "no progress on stderr (shown only when stderr is a terminal); warnings and errors stay",
     set_quiet, CP_CMD_RUN | CP_CMD_GENERATE},
    {"help", 'h', NULL, NULL, "show this help and exit", set_help, ALL},
    {"version", 'V', NULL, NULL, "show the version and exit", set_version, ALL},
};

#define NOPTIONS (sizeof options / sizeof options[0])

void cp_options_default(struct cp_options *o)
{
    memset(o, 0, sizeof *o);
    o->phases = CP_PHASE_CPU;
    o->cpu.size = CP_DEFAULT_SIZE;
    o->cpu.seed = CP_DEFAULT_SEED;
    o->cpu.nan = CP_NAN_PROPAGATE;
    o->cpu.plant_max = -1;
    o->cpu.plant_nan = -1;
    o->cpu.chunks = CP_DEFAULT_CHUNKS;
    o->cpu.threads = 0;
    o->cpu.warmup = 1;
    o->cpu.repeat = 3;
    o->cpu.mpi_max_count = INT_MAX;
    o->cpu.emulate_nodes = 0;
    o->command = CP_CMD_RUN;
    o->phases = CP_PHASE_CPU | CP_PHASE_IO;
    o->out_itemsize = 8;
    cp_server_defaults(&o->serve);
    o->io.requests[0] = 10; /* the talk: 10 requests take one delay on 10 workers, */
    o->io.requests[1] = 20; /* 20 take two */
    o->io.nrequests = 2;
    o->io.delay = CP_DEFAULT_DELAY;
    o->io.server_workers = o->serve.workers;
    o->io.expect_status = 200;
    o->io.expect_body = "Hello World!";
    cp_server_defaults(&o->io.server);
    int nio;
    const struct cp_io_strategy *const *io = cp_io_registry(&nio);
    for (int i = 0; i < nio && i < CP_IO_MAX_STRATEGIES; i++)
        o->io.strategies[o->io.nstrategies++] = io[i];
    int count;
    const struct cp_cpu_strategy *const *all = cp_cpu_registry(&count);
    for (int i = 0; i < count && i < CP_CPU_MAX_STRATEGIES; i++)
        o->cpu.strategies[o->cpu.nstrategies++] = all[i];
}

static const struct cp_option *find_option(int key)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].key == key)
            return &options[i];
    return NULL;
}

static enum cp_status check_plant(const char *flag, int64_t index, int64_t size)
{
    if (index >= size)
        return CP_FAIL(CP_ERR_USAGE, "%s %" PRId64 ": index must be below --size %" PRId64, flag,
                       index, size);
    return CP_OK;
}

static const char *command_name(enum cp_command c)
{
    return c == CP_CMD_GENERATE ? "conpar generate"
           : c == CP_CMD_SERVE  ? "conpar serve"
           : c == CP_CMD_DOCTOR ? "conpar doctor"
                                : "conpar";
}

/* Combinations that cannot work, once every option is known. */
static enum cp_status check_combination(const struct cp_options *o)
{
    enum cp_status st = CP_OK;
    if (o->command == CP_CMD_SERVE || o->command == CP_CMD_DOCTOR)
        return CP_OK;
    if (o->command == CP_CMD_GENERATE)
        return o->out_path == NULL
                   ? CP_FAIL(CP_ERR_USAGE, "conpar generate needs --out FILE.npy (see --help)")
                   : CP_OK;
    if (o->cpu.input != NULL) {
        const char *clash = o->size_given           ? "--size"
                            : o->seed_given         ? "--seed"
                            : o->cpu.plant_max >= 0 ? "--plant-max"
                            : o->cpu.plant_nan >= 0 ? "--plant-nan"
                                                    : NULL;
        if (clash != NULL)
            return CP_FAIL(CP_ERR_USAGE,
                           "--input '%s': the file sets the values, so %s cannot "
                           "be used with it",
                           o->cpu.input, clash);
        return CP_OK;
    }
    if (o->cpu.plant_max >= 0)
        st = check_plant("--plant-max", o->cpu.plant_max, o->cpu.size);
    if (st == CP_OK && o->cpu.plant_nan >= 0)
        st = check_plant("--plant-nan", o->cpu.plant_nan, o->cpu.size);
    return st;
}

enum cp_status cp_cli_parse(int argc, char **argv, struct cp_options *o)
{
    /* --preset first, so every other option changes it, whatever the order */
    for (int i = 1; i < argc && o->command != CP_CMD_SERVE; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc)
            v = argv[i + 1];
        else if (strncmp(argv[i], "--preset=", 9) == 0)
            v = argv[i] + 9;
        if (v != NULL) {
            enum cp_status st = apply_preset(o, "--preset", v);
            if (st != CP_OK)
                return st;
        }
        if (strcmp(argv[i], "--") == 0)
            break;
    }
    /* a subcommand comes first: `conpar generate --size 1M --out a.npy` */
    if (argc > 1 && (strcmp(argv[1], "generate") == 0 || strcmp(argv[1], "serve") == 0 ||
                     strcmp(argv[1], "doctor") == 0)) {
        o->command = strcmp(argv[1], "serve") == 0    ? CP_CMD_SERVE
                     : strcmp(argv[1], "doctor") == 0 ? CP_CMD_DOCTOR
                                                      : CP_CMD_GENERATE;
        argc--;
        argv++;
    }
    struct option longopts[NOPTIONS + 1];
    char shortopts[2 * NOPTIONS + 2];
    size_t ns = 0;
    shortopts[ns++] = ':'; /* report a missing value as ':' */
    for (size_t i = 0; i < NOPTIONS; i++) {
        longopts[i].name = options[i].name;
        longopts[i].has_arg = options[i].metavar ? required_argument : no_argument;
        longopts[i].flag = NULL;
        longopts[i].val = options[i].key;
        if (options[i].key < 256) {
            shortopts[ns++] = (char)options[i].key;
            if (options[i].metavar)
                shortopts[ns++] = ':';
        }
    }
    memset(&longopts[NOPTIONS], 0, sizeof longopts[NOPTIONS]);
    shortopts[ns] = '\0';

    opterr = 0;
    optind = 0; /* full re-initialisation (glibc), so tests can parse many times */
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == -1)
            break;
        if (c == '?') {
            if (optopt != 0)
                return CP_FAIL(CP_ERR_USAGE, "unknown option '-%c' (see --help)", optopt);
            return CP_FAIL(CP_ERR_USAGE, "unknown option '%s' (see --help)", argv[optind - 1]);
        }
        if (c == ':')
            return CP_FAIL(CP_ERR_USAGE, "option '%s' needs a value (see --help)",
                           argv[optind - 1]);
        const struct cp_option *opt = find_option(c);
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", opt->name);
        if (!(opt->commands & o->command))
            return CP_FAIL(CP_ERR_USAGE, "%s is not an option of '%s' (see --help)", flag,
                           command_name(o->command));
        enum cp_status st = opt->set(o, flag, optarg);
        if (st != CP_OK)
            return st;
    }
    if (optind < argc)
        return CP_FAIL(CP_ERR_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    if (o->show_help || o->show_version)
        return CP_OK;
    return check_combination(o);
}

void cp_cli_help(FILE *out)
{
    fprintf(out,
            "Usage: conpar [OPTIONS]\n"
            "       mpirun -np N [--hostfile FILE] conpar [OPTIONS]\n"
            "       [mpirun -np N] conpar generate --size N [--seed S] [--dtype T] --out FILE.npy\n"
            "       conpar serve [--port P] [--workers W] [--delay D]\n"
            "       [mpirun -np N] conpar doctor [--url URL] [--size N]\n\n"
            "Measures the lessons of \"Concurrency and Parallelism in Python\" in C: the max and\n"
            "argmax of a large array (generated, or a numpy .npy file) by every strategy, each\n"
            "answer verified; then many requests to a slow server by every strategy. `generate`\n"
            "writes the generated array as .npy with MPI-IO; `serve` is the slow server alone;\n"
            "`doctor` checks that a run can work here.\n\n"
            "Options:\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[64];
        char shortname[8] = "    ";
        if (options[i].key < 256)
            snprintf(shortname, sizeof shortname, "-%c, ", options[i].key);
        snprintf(left, sizeof left, "%s--%s%s%s", shortname, options[i].name,
                 options[i].metavar ? " " : "", options[i].metavar ? options[i].metavar : "");
        fprintf(out, "  %-26s %s", left, options[i].help);
        if (options[i].fallback)
            fprintf(out, " [default: %s]", options[i].fallback);
        fputc('\n', out);
    }
    fprintf(
        out,
        "\nExit status: 0 all results verified, 1 a result failed verification or the run\n"
        "failed, 2 bad usage or input.\n\n"
        "Examples:\n"
        "  conpar                                   every CPU strategy on 100M values\n"
        "  conpar --size 300M --repeat 5            the talk's array size\n"
        "  conpar -c simd,threads -t 2 --json r.json   two strategies, JSON for tools\n"
        "  conpar --size 1M --plant-max 999999      self-test: the max must be found there\n"
        "  conpar --input data.npy                  the max of a numpy file, like numpy.argmax\n"
        "  conpar generate --size 1M --out a.npy    write the generated array for numpy\n"
        "  mpirun -np 4 conpar -c scatter,window,distributed   the MPI strategies\n"
        "  mpirun -np 4 --map-by ppr:2:node:pe=4 --bind-to core -x OMP_NUM_THREADS=4 conpar\n"
        "                                           hybrid: 2 ranks x 4 threads per node\n"
        "\nAs root (containers) mpirun needs OMPI_ALLOW_RUN_AS_ROOT=1 and\n"
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.\n");
}
