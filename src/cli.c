/* The command line: one option table (rows[] below) says, per option, its names, how its value
 * is read and where it goes, its bounds, its default, the commands that take it and its help.
 * Parsing (getopt_long), the defaults, every command's --help and the public view
 * (cp_cli_options) are all read from that table; the value parsers come first. */
#include "conpar/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the option table ------------------------------------------------------------------ */

/* How an option's value is read and stored. */
enum kind {
    K_FLAG,     /* no value: the int field becomes 1 */
    K_COUNT,    /* cp_parse_count, at least min and at most max (0: no maximum) */
    K_INT,      /* cp_parse_int in [min, max] */
    K_UINT64,   /* a whole number from 0 to 2^64-1 */
    K_DURATION, /* cp_parse_duration, at least min_s seconds, into a double */
    K_SECONDS,  /* as K_DURATION, rounded up to whole seconds, into an int */
    K_TEXT,     /* the text itself (pointing into argv); empty refused when `need` is set */
    K_CHOICE,   /* one of `words`; its value goes into the int-sized field */
    K_COUNTS,   /* a comma list of counts into an int64_t array, its length into the int at n_at */
    K_CPU_LIST, /* a comma list of CPU strategy names into a struct cp_cpu_options */
    K_IO_LIST,  /* a comma list of IO strategy names into a struct cp_io_options */
    K_HOOK,     /* the row's own function */
};

/* Where the field is: in struct cp_options, or in the server options of the command (conpar
 * serve's own server, a run's embedded one). Server fields start from cp_server_defaults: the
 * server module owns those defaults, and --help shows them from there. */
enum base { IN_OPTIONS, IN_SERVER };

struct word {
    const char *word;
    int value;
    int alias; /* accepted, not listed */
};

union value {
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    const int64_t *list;
};

typedef enum cp_status (*cp_hook)(struct cp_options *o, const char *flag, const char *arg);

struct row {
    const char *name; /* long name, without "--" */
    char short_name;  /* the letter of -X, or 0 */
    enum kind kind;
    enum base base;
    size_t at, size;     /* the field: offset in its base, and its size */
    size_t n_at;         /* K_COUNTS: offset of the list's length (an int) in struct cp_options */
    size_t given_at;     /* non-zero: offset of an int in struct cp_options set when given */
    int64_t min, max;    /* K_COUNT, K_INT, K_COUNTS */
    double min_s;        /* K_DURATION, K_SECONDS */
    const char *max_why; /* K_COUNT: why the maximum, said with it */
    const struct word *words; /* K_CHOICE */
    int bare;                 /* K_CHOICE: non-zero: the value may be left out, and is this */
    const char *need;         /* K_TEXT: what an empty value lacks */
    union value def;          /* IN_OPTIONS: the default, in the field's type */
    int ndef;                 /* K_COUNTS: elements of def.list */
    const char *def_text;     /* the default in words, where the value alone does not say it */
    cp_hook hook;             /* K_HOOK */
    int early;                /* applied before every other option, whatever the order */
    void (*describe)(char *buf, size_t size); /* appends to the help what the code knows */
    unsigned commands;                        /* enum cp_command bits */
    const char *metavar;                      /* NULL: takes no value */
    const char *help;
};

#define OPT(m) .at = offsetof(struct cp_options, m), .size = sizeof(((struct cp_options *)0)->m)
#define SRV(m)                                                                                     \
    .base = IN_SERVER, .at = offsetof(struct cp_server_options, m),                                \
    .size = sizeof(((struct cp_server_options *)0)->m)
#define GIVEN(m) .given_at = offsetof(struct cp_options, m)

#define RUN CP_CMD_RUN
#define GENERATE CP_CMD_GENERATE
#define SERVE CP_CMD_SERVE
#define DOCTOR CP_CMD_DOCTOR
#define ALL (RUN | GENERATE | SERVE | DOCTOR)

static const struct row *find_row(const char *name, enum cp_command command);
static enum cp_status store(const struct row *r, struct cp_options *o, const char *flag,
                            const char *arg);
static void store_default(const struct row *r, struct cp_options *o);

/* --preset talk: the talk's run as option values; laptop: those options' defaults. */
static const struct {
    const char *option, *value;
} talk_preset[] = {
    {"size", "300M"},      {"chunks", "100"},        /* the talk's array and chunks */
    {"delay", "2s"},       {"server-workers", "10"}, /* flask sleeping 2 s behind gunicorn -w 10 */
    {"requests", "10,20"},
};

#define NPRESET (sizeof talk_preset / sizeof talk_preset[0])

static enum cp_status set_preset(struct cp_options *o, const char *flag, const char *arg)
{
    int talk = strcmp(arg, "talk") == 0;
    if (!talk && strcmp(arg, "laptop") != 0)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be 'laptop' (the default) or 'talk'", flag,
                       arg);
    for (size_t i = 0; i < NPRESET; i++) {
        const struct row *r = find_row(talk_preset[i].option, CP_CMD_RUN);
        char name[64];
        snprintf(name, sizeof name, "--%s", r->name);
        enum cp_status st = CP_OK;
        if (talk)
            st = store(r, o, name, talk_preset[i].value);
        else
            store_default(r, o);
        if (st != CP_OK)
            return st;
    }
    return CP_OK;
}

static void describe_preset(char *buf, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < NPRESET && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s--%s %s", i ? " " : "",
                                 talk_preset[i].option, talk_preset[i].value);
}

static enum cp_status set_url(struct cp_options *o, const char *flag, const char *arg)
{
    (void)flag;
    o->io.url = arg;
    return cp_io_check_url(arg);
}

static enum cp_status set_sweep(struct cp_options *o, const char *flag, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t klen = eq ? (size_t)(eq - arg) : 0;
    if (eq != NULL && klen == 7 && strncmp(arg, "threads", 7) == 0)
        o->sweep = "threads";
    else if (eq != NULL && klen == 9 && strncmp(arg, "intensity", 9) == 0)
        o->sweep = "intensity";
    else if (eq != NULL && klen == 11 && strncmp(arg, "concurrency", 11) == 0)
        o->sweep = "concurrency";
    else
        return CP_FAIL(CP_ERR_USAGE,
                       "%s '%s': must be threads=LIST, intensity=LIST or concurrency=LIST (e.g. "
                       "threads=1,2,4)",
                       flag, arg);
    int64_t values[CP_SWEEP_MAX_VALUES];
    enum cp_status st =
        parse_count_list(flag, eq + 1, 1, 1000000, values, CP_SWEEP_MAX_VALUES, &o->nsweep);
    for (int i = 0; st == CP_OK && i < o->nsweep; i++)
        o->sweep_values[i] = (int)values[i];
    return st;
}

static const struct word phase_words[] = {
    {"cpu", CP_PHASE_CPU, 0}, {"io", CP_PHASE_IO, 0}, {"all", CP_PHASE_CPU | CP_PHASE_IO, 0}, {0}};
static const struct word list_words[] = {{"cpu", CP_PHASE_CPU, 0}, {"io", CP_PHASE_IO, 0}, {0}};
static const struct word nan_words[] = {
    {"propagate", CP_NAN_PROPAGATE, 0}, {"skip", CP_NAN_SKIP, 0}, {0}};
static const struct word dtype_words[] = {
    {"float64", 8, 0}, {"float32", 4, 0}, {"f8", 8, 1}, {"f4", 4, 1}, {0}};

/* one memory-bound scan, and one compute-bound run (README: Intensity) */
static const int64_t default_intensities[] = {1};

/* the talk: 10 requests take one delay on 10 workers, 20 take two */
static const int64_t default_requests[] = {10, 20};

/* One row: ROW(long name, short letter or 0, commands, metavar or NULL, help, how the value is
 * read and where it goes, then any other field). */
#define ROW(name_, short_, commands_, metavar_, help_, ...)                                        \
    {                                                                                              \
        .name = name_, .short_name = short_, .commands = commands_, .metavar = metavar_,           \
        .help = help_, __VA_ARGS__                                                                 \
    }
#define FLAG(at_) .kind = K_FLAG, at_
#define COUNT(at_, min_, max_) .kind = K_COUNT, at_, .min = min_, .max = max_
#define INT(at_, min_, max_) .kind = K_INT, at_, .min = min_, .max = max_
#define DURATION(at_, min_) .kind = K_DURATION, at_, .min_s = min_
#define TEXT(at_, need_) .kind = K_TEXT, at_, .need = need_
#define CHOICE(at_, words_) .kind = K_CHOICE, at_, .words = words_

/* In --help order. A name may have two rows, for disjoint commands (--delay). */
static const struct row rows[] = {
    ROW("preset", 0, RUN, "NAME",
        "a named run, applied before every other option (options given beside it change it): "
        "laptop, the defaults shown here; talk, the talk's run:",
        .kind = K_HOOK, .hook = set_preset, .early = 1, .describe = describe_preset,
        .def_text = "laptop"),
    ROW("phase", 0, RUN, "PHASE", "cpu, io or all (both, CPU first)",
        CHOICE(OPT(phases), phase_words), .def.i = CP_PHASE_CPU | CP_PHASE_IO),
    ROW("input", 'i', RUN, "FILE.npy",
        "max of a numpy .npy file (any numeric dtype, byte order, shape; C or Fortran order)",
        TEXT(OPT(cpu.input), "a file name"), .def_text = "generated values"),
    ROW("size", 'n', RUN | GENERATE | DOCTOR, "N",
        "elements in the array; K M G T = 10^3..10^12, Ki..Ti = 2^10..2^40, 1e9 and 2.5e8 forms",
        COUNT(OPT(cpu.size), 1, 0), GIVEN(size_given),
        .def.i = 100000000 /* 800 MB of float64: fits a laptop */),
    ROW("seed", 's', RUN | GENERATE, "S",
        "generator seed, 0..2^64-1 (element i depends only on seed and i)", .kind = K_UINT64,
        OPT(cpu.seed), GIVEN(seed_given), .def.u = 42),
    ROW("dtype", 0, GENERATE, "TYPE", "float64 or float32 (rounded to nearest)",
        CHOICE(OPT(out_itemsize), dtype_words), .def.i = 8),
    ROW("out", 'o', GENERATE, "FILE.npy", "the file to write, required (replaced when complete)",
        TEXT(OPT(out_path), "a file name")),
    ROW("cpu-strategies", 'c', RUN, "LIST",
        "comma-separated CPU strategies (listed below), run in the order given", .kind = K_CPU_LIST,
        OPT(cpu)),
    ROW("threads", 't', RUN | GENERATE | DOCTOR, "T", "OpenMP threads per rank",
        INT(OPT(cpu.threads), 1, 4096),
        .def_text = "OMP_NUM_THREADS, else the CPUs of the rank's affinity mask divided among the "
                    "ranks sharing them"),
    ROW("processes", 'p', RUN, "P",
        "processes taking part, conpar included: without mpirun or srun, conpar starts P-1 more "
        "of itself (MPI_Comm_spawn, the ProcessPoolExecutor analog) for the strategies every "
        "rank runs (below); 1 = none. Refused under a launcher, whose ranks are the processes",
        INT(OPT(processes), 1, 256),
        .def_text = "the CPUs of the affinity mask (at most 256)"),
    ROW("chunks", 0, RUN, "C",
        "chunks the threaded strategies split the array into (shared out among ranks)",
        INT(OPT(cpu.chunks), 1, 1000000000), .def.i = 100 /* the talk's */),
    ROW("nan", 0, RUN, "POLICY", "propagate (numpy.max: the first NaN wins) or skip (numpy.nanmax)",
        CHOICE(OPT(cpu.nan), nan_words), .def.i = CP_NAN_PROPAGATE),
    ROW("intensity", 'k', RUN, "K[,K...]",
        "comparisons per element: 1 is one scan, limited by memory bandwidth; each of the K-1 "
        "extra passes compares a cache-resident block again, so a large K makes the work "
        "compute-bound (the answer stays the same); each value runs every strategy",
        .kind = K_COUNTS, OPT(cpu.intensities),
        .n_at = offsetof(struct cp_options, cpu.nintensities), .min = 1, .max = 1 << 20,
        .def.list = default_intensities,
        .ndef = (int)(sizeof default_intensities / sizeof default_intensities[0])),
    ROW("warmup", 0, RUN, "W", "untimed runs of each strategy before timing",
        INT(OPT(cpu.warmup), 0, 1000000), .def.i = 1),
    ROW("repeat", 'r', RUN, "R", "timed runs of each strategy (min, median, max reported)",
        INT(OPT(cpu.repeat), 1, 1000000), .def.i = 3),
    ROW("plant-max", 0, RUN, "IDX", "self-test: put 1.0 (above every generated value) at index IDX",
        COUNT(OPT(cpu.plant_max), 0, 0), .def.i = -1, .def_text = "none"),
    ROW("plant-nan", 0, RUN, "IDX", "self-test: put a NaN at index IDX",
        COUNT(OPT(cpu.plant_nan), 0, 0), .def.i = -1, .def_text = "none"),
    ROW("mpi-max-count", 0, RUN, "N",
        "largest element count in one MPI call; scatter sends larger blocks in pieces (a small "
        "value tests that path)",
        COUNT(OPT(cpu.mpi_max_count), 1, INT_MAX), .max_why = "MPI counts are ints",
        .def.i = INT_MAX),
    ROW("emulate-nodes", 0, RUN, "K",
        "testing: cut the ranks into K runs of consecutive ranks, each a node for window",
        INT(OPT(cpu.emulate_nodes), 1, 1 << 20), .def_text = "the real nodes"),
    ROW("io-strategies", 0, RUN, "LIST",
        "comma-separated IO strategies (listed below), run in the order given", .kind = K_IO_LIST,
        OPT(io)),
    ROW("url", 0, RUN | DOCTOR, "URL",
        "the server to request, http or https (without it conpar serves itself on loopback)",
        .kind = K_HOOK, .hook = set_url, .def_text = "the embedded server"),
    ROW("requests", 0, RUN, "R[,R...]",
        "IO phase: requests per strategy; each count runs every strategy", .kind = K_COUNTS,
        OPT(io.requests), .n_at = offsetof(struct cp_options, io.nrequests), .min = 1,
        .def.list = default_requests, .ndef = 2),
    ROW("concurrency", 0, RUN, "C",
        "IO phase: transfers in flight at most (threads: threads in the pool)",
        INT(OPT(io.concurrency), 1, 1000000),
        .def_text = "each strategy's own (IO strategies, below)"),
    ROW("delay", 0, RUN, "D",
        "the server's delay per request: sets the embedded server's, or tells the ideal time of "
        "a --url server; 2, 2s, 0.5, 200ms, 1m",
        DURATION(OPT(io.delay), 0), .def.d = 0.2 /* the talk's lessons in a tenth of its 2 s */),
    ROW("server-workers", 0, RUN, "W",
        "IO phase: the server's workers, requests in service at once (0 = no limit): the "
        "embedded server's, or a --url server's for the ideal time",
        INT(OPT(io.server_workers), 0, 1000000), .def.i = 10 /* the talk's gunicorn -w 10 */),
    ROW("timeout", 0, RUN, "T", "IO phase: time allowed per request",
        DURATION(OPT(io.timeout), 0.001), .def_text = "max(10s, 5 x --delay)"),
    ROW("expect-status", 0, RUN | DOCTOR, "CODE", "the status a response must have",
        INT(OPT(io.expect_status), 100, 599), .def.i = 200),
    ROW("expect-body", 0, RUN | DOCTOR, "TEXT", "the body a response must have",
        TEXT(OPT(io.expect_body), NULL), .def.s = "Hello World!"),
    ROW("workers", 0, SERVE, "W", "requests in service at once, the rest wait (0 = no limit)",
        INT(SRV(workers), 0, 1000000)),
    ROW("delay", 0, SERVE, "D", "the wait before each answer; 2, 2s, 0.5, 200ms, 1m",
        DURATION(SRV(delay), 0)),
    ROW("bind", 0, SERVE, "ADDR", "the address to listen on", TEXT(SRV(bind), "an address")),
    ROW("port", 0, SERVE, "PORT", "the port (0 = any free port; the URL is printed)",
        INT(SRV(port), 0, 65535)),
    ROW("body", 0, SERVE, "TEXT", "the answer", TEXT(SRV(body), NULL)),
    ROW("keep-alive", 0, SERVE, NULL, "allow keep-alive", FLAG(SRV(keep_alive)),
        .def_text = "close every connection"),
    ROW("status", 0, RUN | SERVE, "CODE", "fault injection: answer every request with CODE",
        INT(SRV(status), 100, 599)),
    ROW("fail-every", 0, RUN | SERVE, "N", "fault injection: every Nth request answers 500",
        COUNT(SRV(fail_every), 1, 0), .def_text = "never"),
    ROW("reset-every", 0, RUN | SERVE, "N",
        "fault injection: every Nth connection is closed without a reply",
        COUNT(SRV(reset_every), 1, 0), .def_text = "never"),
    ROW("die-after", 0, RUN, "N",
        "fault injection: the embedded server dies after answering N requests, as if killed (it "
        "stops listening and closes every connection without a reply)",
        COUNT(SRV(die_after), 1, 0), .def_text = "never"),
    ROW("idle-timeout", 0, RUN | SERVE, "T", "server: close connections idle this long",
        .kind = K_SECONDS, SRV(idle_timeout), .min_s = 1.0),
    ROW("header-limit", 0, RUN | SERVE, "BYTES",
        "server: memory per connection, request headers included",
        COUNT(SRV(header_limit), 1024, 1 << 30)),
    ROW("connection-limit", 0, RUN | SERVE, "N",
        "server: connections at once (capped by the open-file limit)",
        INT(SRV(connection_limit), 1, 10000000)),
    ROW("json", 'j', RUN, "FILE", "also write the results as JSON to FILE (replaced atomically)",
        TEXT(OPT(json_path), "a file name"), .def_text = "none"),
    ROW("csv", 0, RUN, "FILE",
        "also write one CSV row per strategy of both phases (the JSON fields, nested ones as "
        "key.sub)",
        TEXT(OPT(csv_path), "a file name"), .def_text = "none"),
    ROW("sweep", 0, RUN, "KEY=LIST",
        "threads=1,2,4 repeats the CPU phase per thread count and intensity=1,2,4,...,256 per "
        "intensity (the roofline: GB/s against its memory roof); concurrency=1,10,100 the IO "
        "phase per concurrency; prints a scaling table",
        .kind = K_HOOK, .hook = set_sweep, .def_text = "none"),
    ROW("quiet", 'q', RUN | GENERATE, NULL,
        "no progress on stderr (shown only when stderr is a terminal); warnings and errors stay",
        FLAG(OPT(quiet))),
    ROW("list-strategies", 0, RUN, "[cpu|io]",
        "print the strategy names, one per line, and exit: with cpu or io that phase's names "
        "alone, else each name after its phase ('cpu seq', ..., 'io seq', ...)",
        CHOICE(OPT(list_strategies), list_words), .bare = CP_PHASE_CPU | CP_PHASE_IO),
    ROW("help", 'h', ALL, NULL, "show this help and exit", FLAG(OPT(show_help))),
    ROW("version", 'V', ALL, NULL, "show the version and exit", FLAG(OPT(show_version))),
};

#undef ROW
#undef FLAG
#undef COUNT
#undef INT
#undef DURATION
#undef TEXT
#undef CHOICE

#define NROWS (sizeof rows / sizeof rows[0])

/* given_at 0 means "none": the field at offset 0 is never a given-flag */
_Static_assert(offsetof(struct cp_options, command) == 0, "command first in struct cp_options");

/* ---- storing values -------------------------------------------------------------------- */

static void *field(const struct row *r, struct cp_options *o)
{
    char *base = (char *)o;
    if (r->base == IN_SERVER)
        base = (char *)(o->command == CP_CMD_SERVE ? &o->serve : &o->io.server);
    return base + r->at;
}

/* Integers, enums and unsigned fields of 4 or 8 bytes. */
static void put_int(void *p, size_t size, int64_t v)
{
    if (size == sizeof(int32_t)) {
        int32_t x = (int32_t)v;
        memcpy(p, &x, sizeof x);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

static int64_t get_int(const void *p, size_t size)
{
    if (size == sizeof(int32_t)) {
        int32_t x;
        memcpy(&x, p, sizeof x);
        return x;
    }
    int64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* "'cpu', 'io' or 'all'": the listed words of a choice. */
static void words_text(const struct word *w, const char *quote, const char *comma, const char *last,
                       char *buf, size_t size)
{
    int n = 0, shown = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; w[i].word != NULL; i++)
        n += !w[i].alias;
    for (int i = 0; w[i].word != NULL && used < size; i++) {
        if (w[i].alias)
            continue;
        const char *sep = shown == 0 ? "" : shown == n - 1 ? last : comma;
        used += (size_t)snprintf(buf + used, size - used, "%s%s%s%s", sep, quote, w[i].word, quote);
        shown++;
    }
}

static enum cp_status parse_word(const char *flag, const char *arg, const struct word *w,
                                 int64_t *out)
{
    for (int i = 0; w[i].word != NULL; i++)
        if (strcmp(w[i].word, arg) == 0) {
            *out = w[i].value;
            return CP_OK;
        }
    char valid[128];
    words_text(w, "'", ", ", " or ", valid, sizeof valid);
    return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be %s", flag, arg, valid);
}

static enum cp_status parse_u64(const char *flag, const char *arg, uint64_t *out)
{
    const char *p = arg;
    uint64_t v = 0;
    int n = read_digits(&p, &v);
    if (n <= 0 || *p != '\0')
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be a whole number from 0 to %" PRIu64, flag,
                       arg, UINT64_MAX);
    *out = v;
    return CP_OK;
}

/* "100M", "8Ki", "2147483647": a count as --help and the messages show it. */
static void format_count(int64_t v, char *buf, size_t size)
{
    static const char letters[] = "KMGT";
    for (int k = 4; k >= 1 && v > 0; k--) {
        uint64_t dec = 1, bin = 1;
        pow_u64(1000, k, &dec);
        pow_u64(1024, k, &bin);
        if ((uint64_t)v % dec == 0) {
            snprintf(buf, size, "%" PRIu64 "%c", (uint64_t)v / dec, letters[k - 1]);
            return;
        }
        if ((uint64_t)v % bin == 0) {
            snprintf(buf, size, "%" PRIu64 "%ci", (uint64_t)v / bin, letters[k - 1]);
            return;
        }
    }
    snprintf(buf, size, "%" PRId64, v);
}

/* "200ms", "2s", "1.5s" */
static void format_duration(double seconds, char *buf, size_t size)
{
    if (seconds > 0 && seconds < 1)
        snprintf(buf, size, "%gms", seconds * 1e3);
    else
        snprintf(buf, size, "%gs", seconds);
}

static enum cp_status store_count(const struct row *r, const char *flag, const char *arg,
                                  int64_t *v)
{
    enum cp_status st = cp_parse_count(flag, arg, r->min, v);
    if (st != CP_OK || r->max == 0 || *v <= r->max)
        return st;
    char max[32];
    format_count(r->max, max, sizeof max);
    if (r->max_why != NULL)
        return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be at most %s (%s)", flag, arg, max,
                       r->max_why);
    return CP_FAIL(CP_ERR_USAGE, "%s '%s': must be at most %s", flag, arg, max);
}

static enum cp_status store(const struct row *r, struct cp_options *o, const char *flag,
                            const char *arg)
{
    void *p = field(r, o);
    int64_t v = r->bare;
    uint64_t u = 0;
    double d = 0;
    enum cp_status st = CP_OK;
    switch (r->kind) {
    case K_FLAG:
        put_int(p, r->size, 1);
        return CP_OK;
    case K_COUNT:
        st = store_count(r, flag, arg, &v);
        break;
    case K_INT:
        st = cp_parse_int(flag, arg, r->min, r->max, &v);
        break;
    case K_CHOICE:
        st = arg != NULL ? parse_word(flag, arg, r->words, &v) : CP_OK;
        break;
    case K_UINT64:
        st = parse_u64(flag, arg, &u);
        if (st == CP_OK)
            memcpy(p, &u, sizeof u);
        return st;
    case K_DURATION:
        st = cp_parse_duration(flag, arg, r->min_s, &d);
        if (st == CP_OK)
            memcpy(p, &d, sizeof d);
        return st;
    case K_SECONDS:
        st = cp_parse_duration(flag, arg, r->min_s, &d);
        v = (int64_t)ceil(d);
        break;
    case K_TEXT:
        if (r->need != NULL && arg[0] == '\0')
            return CP_FAIL(CP_ERR_USAGE, "%s '': needs %s", flag, r->need);
        memcpy(p, &arg, sizeof arg);
        return CP_OK;
    case K_COUNTS:
        return parse_count_list(flag, arg, r->min, r->max ? r->max : INT64_MAX, p,
                                (int)(r->size / sizeof(int64_t)), (int *)((char *)o + r->n_at));
    case K_CPU_LIST:
        return cp_parse_cpu_strategies(flag, arg, p);
    case K_IO_LIST:
        return cp_parse_io_strategies(flag, arg, p);
    case K_HOOK:
        return r->hook(o, flag, arg);
    }
    if (st == CP_OK)
        put_int(p, r->size, v);
    return st;
}

static void store_default(const struct row *r, struct cp_options *o)
{
    if (r->base == IN_SERVER)
        return; /* cp_server_defaults */
    void *p = field(r, o);
    int count = 0;
    switch (r->kind) {
    case K_COUNT:
    case K_INT:
    case K_CHOICE:
        put_int(p, r->size, r->def.i);
        break;
    case K_UINT64:
        memcpy(p, &r->def.u, sizeof r->def.u);
        break;
    case K_DURATION:
        memcpy(p, &r->def.d, sizeof r->def.d);
        break;
    case K_TEXT:
        memcpy(p, &r->def.s, sizeof r->def.s);
        break;
    case K_COUNTS:
        memcpy(p, r->def.list, (size_t)r->ndef * sizeof r->def.list[0]);
        memcpy((char *)o + r->n_at, &r->ndef, sizeof r->ndef);
        break;
    case K_CPU_LIST: {
        struct cp_cpu_options *cpu = p;
        const struct cp_cpu_strategy *const *all = cp_cpu_registry(&count);
        for (cpu->nstrategies = 0;
             cpu->nstrategies < count && cpu->nstrategies < CP_CPU_MAX_STRATEGIES;
             cpu->nstrategies++)
            cpu->strategies[cpu->nstrategies] = all[cpu->nstrategies];
        break;
    }
    case K_IO_LIST: {
        struct cp_io_options *io = p;
        const struct cp_io_strategy *const *all = cp_io_registry(&count);
        for (io->nstrategies = 0; io->nstrategies < count && io->nstrategies < CP_IO_MAX_STRATEGIES;
             io->nstrategies++)
            io->strategies[io->nstrategies] = all[io->nstrategies];
        break;
    }
    case K_FLAG:
    case K_SECONDS:
    case K_HOOK:
        break; /* zero, or the server's */
    }
}

void cp_options_default(struct cp_options *o)
{
    memset(o, 0, sizeof *o);
    o->command = CP_CMD_RUN;
    cp_server_defaults(&o->serve);
    cp_server_defaults(&o->io.server);
    for (size_t i = 0; i < NROWS; i++)
        store_default(&rows[i], o);
}

/* The default as --help shows it, read from the defaulted options `d` ("" when none). */
static void default_text(const struct row *r, struct cp_options *d, char *buf, size_t size)
{
    const void *p = field(r, d);
    int count = 0;
    buf[0] = '\0';
    if (r->def_text != NULL) {
        snprintf(buf, size, "%s", r->def_text);
        return;
    }
    switch (r->kind) {
    case K_COUNT:
        format_count(get_int(p, r->size), buf, size);
        break;
    case K_INT:
        snprintf(buf, size, "%" PRId64, get_int(p, r->size));
        break;
    case K_UINT64:
        snprintf(buf, size, "%" PRIu64, *(const uint64_t *)p);
        break;
    case K_DURATION:
        format_duration(*(const double *)p, buf, size);
        break;
    case K_SECONDS:
        format_duration((double)get_int(p, r->size), buf, size);
        break;
    case K_TEXT:
        snprintf(buf, size, "%s", *(const char *const *)p ? *(const char *const *)p : "");
        break;
    case K_CHOICE:
        for (int i = 0; r->words[i].word != NULL; i++)
            if (r->words[i].value == get_int(p, r->size)) {
                snprintf(buf, size, "%s", r->words[i].word);
                break;
            }
        break;
    case K_COUNTS: {
        int n = (int)get_int((const char *)d + r->n_at, sizeof(int));
        size_t used = 0;
        for (int i = 0; i < n && used < size; i++) {
            char one[32];
            format_count(((const int64_t *)p)[i], one, sizeof one);
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "", one);
        }
        break;
    }
    case K_CPU_LIST:
        cp_cpu_registry(&count);
        snprintf(buf, size, "%s",
                 ((const struct cp_cpu_options *)p)->nstrategies == count ? "all" : "");
        break;
    case K_IO_LIST:
        cp_io_registry(&count);
        snprintf(buf, size, "%s",
                 ((const struct cp_io_options *)p)->nstrategies == count ? "all" : "");
        break;
    case K_FLAG:
    case K_HOOK:
        break;
    }
}

/* ---- parsing --------------------------------------------------------------------------- */

/* The commands: the word that names each (NULL for a run) and its name in messages. */
static const struct {
    enum cp_command command;
    const char *word, *name;
} commands[] = {
    {CP_CMD_RUN, NULL, "conpar"},
    {CP_CMD_GENERATE, "generate", "conpar generate"},
    {CP_CMD_SERVE, "serve", "conpar serve"},
    {CP_CMD_DOCTOR, "doctor", "conpar doctor"},
};

static const char *command_name(enum cp_command c)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].command == c)
            return commands[i].name;
    return "conpar";
}

/* The row of `name` for `command`, else the first row of that name, else NULL. */
static const struct row *find_row(const char *name, enum cp_command command)
{
    const struct row *any = NULL;
    for (size_t i = 0; i < NROWS; i++)
        if (strcmp(rows[i].name, name) == 0) {
            if (rows[i].commands & command)
                return &rows[i];
            any = any != NULL ? any : &rows[i];
        }
    return any;
}

static int has_arg(const struct row *r)
{
    return r->bare ? optional_argument : r->metavar != NULL ? required_argument : no_argument;
}

/* getopt_long's view of the table: one long option per name (its val is 256 + the first
 * row's position, or the short letter), and the short-option string. */
static void getopt_tables(struct option *longopts, char *shortopts)
{
    size_t nl = 0, ns = 0;
    shortopts[ns++] = ':'; /* report a missing value as ':' */
    for (size_t i = 0; i < NROWS; i++) {
        if (find_row(rows[i].name, 0) != &rows[i])
            continue; /* a second row of a name */
        longopts[nl++] = (struct option){rows[i].name, has_arg(&rows[i]), NULL,
                                         rows[i].short_name ? rows[i].short_name : 256 + (int)i};
        if (rows[i].short_name) {
            shortopts[ns++] = rows[i].short_name;
            if (has_arg(&rows[i]) == required_argument)
                shortopts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){0};
    shortopts[ns] = '\0';
}

/* The row getopt_long's answer `c` names, or NULL. */
static const struct row *row_of(int c)
{
    if (c >= 256 && (size_t)(c - 256) < NROWS)
        return &rows[c - 256];
    for (size_t i = 0; c > 0 && c < 256 && i < NROWS; i++)
        if (rows[i].short_name == c)
            return &rows[i];
    return NULL;
}

static enum cp_status unknown_option(char **argv)
{
    const char *arg = argv[optind - 1];
    const struct row *r = row_of(optopt);
    if (r != NULL && strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL)
        return CP_FAIL(CP_ERR_USAGE, "option '%.*s' takes no value (see --help)",
                       (int)strcspn(arg, "="), arg);
    if (optopt != 0)
        return CP_FAIL(CP_ERR_USAGE, "unknown option '-%c' (see --help)", optopt);
    return CP_FAIL(CP_ERR_USAGE, "unknown option '%s' (see --help)", arg);
}

/* One getopt_long pass over argv: the early rows alone (errors left to the second pass), or
 * every other row. *bare gets the last option given without its optional value. */
static enum cp_status parse_pass(int argc, char **argv, const struct option *longopts,
                                 const char *shortopts, int early, struct cp_options *o,
                                 const struct row **bare)
{
    opterr = 0;
    optind = 0; /* full re-initialisation (glibc), so argv can be parsed again */
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == -1)
            return CP_OK;
        const struct row *r = row_of(c);
        if (early && (r == NULL || !r->early || !(r->commands & o->command)))
            continue;
        if (c == '?')
            return unknown_option(argv);
        if (c == ':')
            return CP_FAIL(CP_ERR_USAGE, "option '%s' needs a value (see --help)",
                           argv[optind - 1]);
        r = find_row(r->name, o->command);
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", r->name);
        if (!(r->commands & o->command))
            return CP_FAIL(CP_ERR_USAGE, "%s is not an option of '%s' (see --help)", flag,
                           command_name(o->command));
        if (r->early != early)
            continue;
        enum cp_status st = store(r, o, flag, optarg);
        if (st != CP_OK)
            return st;
        if (r->given_at != 0)
            put_int((char *)o + r->given_at, sizeof(int), 1);
        if (r->bare)
            *bare = optarg == NULL ? r : NULL;
    }
}

static enum cp_status check_plant(const char *flag, int64_t index, int64_t size)
{
    if (index >= size)
        return CP_FAIL(CP_ERR_USAGE, "%s %" PRId64 ": index must be below --size %" PRId64, flag,
                       index, size);
    return CP_OK;
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
    /* a subcommand comes first: `conpar generate --size 1M --out a.npy` */
    for (size_t i = 1; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].word) == 0) {
            o->command = commands[i].command;
            argc--;
            argv++;
            break;
        }
    struct option longopts[NROWS + 1];
    char shortopts[2 * NROWS + 2];
    getopt_tables(longopts, shortopts);
    /* --preset first, so every other option changes it, whatever the order */
    const struct row *bare = NULL;
    enum cp_status st = parse_pass(argc, argv, longopts, shortopts, 1, o, &bare);
    if (st == CP_OK)
        st = parse_pass(argc, argv, longopts, shortopts, 0, o, &bare);
    if (st != CP_OK)
        return st;
    /* `--list-strategies io`: getopt_long takes an optional value only as `--name=value` */
    if (bare != NULL && optind < argc) {
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", bare->name);
        st = store(bare, o, flag, argv[optind++]);
        if (st != CP_OK)
            return st;
    }
    if (optind < argc)
        return CP_FAIL(CP_ERR_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    if (o->show_help || o->show_version || o->list_strategies)
        return CP_OK;
    return check_combination(o);
}

/* ---- help ------------------------------------------------------------------------------ */

#define WIDTH 100      /* the help fits a terminal this wide */
#define OPTION_COL 30  /* where an option's text starts */
#define EXAMPLE_COL 46 /* where an example's comment starts */
#define NBSP '\x1f'    /* a space wrap() prints but does not break at */

struct example {
    const char *command; /* a real command line, run as written by tests/cli/examples.py */
    const char *what;
};

struct command_help {
    enum cp_command command;
    const char *usage; /* after "Usage: ", one line per form */
    const char *about;
    const char *const *exits; /* status, meaning, ..., NULL */
    const struct example *examples;
    const char *note; /* last, or NULL */
};

static const char *const run_exits[] = {
    "0",
    "every answer verified and every request answered",
    "1",
    "a strategy disagreed with the reference (the table still shows every row), nothing "
    "was comparable, a request failed, or the run failed",
    "2",
    "bad usage or input, before any work: a bad option or value, an unreadable --input, a "
    "size that does not fit in memory, an output file that cannot be written, every "
    "chosen strategy skipped",
    "130",
    "interrupted by SIGINT (Ctrl-C): the strategies that finished are reported and the "
    "JSON is marked incomplete",
    "143",
    "interrupted by SIGTERM (what Slurm sends at the time limit): as for 130",
    NULL};

static const struct example run_examples[] = {
    {"conpar", "both phases, every strategy"},
    {"conpar --phase cpu --size 300M --repeat 5", "the CPU phase on the talk's array size"},
    {"conpar -c simd,threads -t 2 --json r.json", "two strategies, 2 threads, JSON for tools"},
    {"conpar --size 1M --plant-max 999999", "self-test: the max must be found there"},
    {"conpar --phase io --requests 100 --concurrency 10", "100 requests, 10 in flight at most"},
    {"conpar generate --size 1M --out data.npy", "an array for numpy (conpar generate --help)"},
    {"conpar --input data.npy", "its max, like numpy.max and numpy.argmax"},
    {"conpar --sweep threads=1,2", "a scaling table over thread counts"},
    {"conpar --preset talk", "the talk's sizes and delay"},
    {"conpar --list-strategies cpu", "the CPU strategy names, for scripts"},
    {"mpirun -np 4 conpar -c scatter,window,distributed", "the MPI strategies on 4 ranks"},
    {"mpirun -np 4 --map-by ppr:2:node:pe=4 --bind-to core -x OMP_NUM_THREADS=4 conpar",
     "hybrid: 2 ranks x 4 threads per node"},
    {0}};

static const char *const generate_exits[] = {
    "0", "the file is written",
    "1", "an MPI or system call failed",
    "2", "bad usage, or the file cannot be written (it is replaced only when complete)",
    NULL};

static const struct example generate_examples[] = {
    {"conpar generate --size 1M --out a.npy", "1M float64 values"},
    {"conpar generate -n 1M -s 7 --dtype float32 -o b.npy", "float32, another seed"},
    {"mpirun -np 2 conpar generate --size 100M --out big.npy", "every rank writes its slice"},
    {"conpar --input a.npy --phase cpu", "the same answer as conpar --size 1M"},
    {0}};

static const char *const serve_exits[] = {
    "0", "stopped by SIGINT or SIGTERM, after finishing what was in flight",
    "1", "a system call failed (socket, listen, the server's threads)",
    "2", "bad usage, an address that cannot be bound (in use, not local), or several ranks",
    NULL};

static const struct example serve_examples[] = {
    {"conpar serve", "the talk's server on a free port"},
    {"conpar serve --port 8000 --delay 200ms", "a faster one on port 8000"},
    {"conpar serve --port 8000 --fail-every 5", "every 5th request answers 500"},
    {"conpar --phase io --url http://127.0.0.1:8000/", "a run against it, from another shell"},
    {0}};

static const char *const doctor_exits[] = {
    "0", "all set (warnings allowed)",
    "1", "a check failed: see the FAIL lines and their remedies",
    "2", "bad usage",
    NULL};

static const struct example doctor_examples[] = {
    {"conpar doctor", "this machine, for the default run"},
    {"conpar doctor --size 300M -t 2", "the talk's array on 2 threads: will it fit?"},
    {"mpirun -np 4 --hostfile hosts conpar doctor", "every host of a job"},
    {"conpar doctor --url http://127.0.0.1:8000/", "is that server up and answering?"},
    {0}};

static const struct command_help helps[] = {
    {CP_CMD_RUN,
     "conpar [OPTIONS]\n"
     "       mpirun -np N [--hostfile FILE] conpar [OPTIONS]\n"
     "       conpar generate|serve|doctor [OPTIONS]   (each has its own --help)\n"
     "       conpar --list-strategies [cpu|io]\n",
     "Measures the lessons of \"Concurrency and Parallelism in Python\" (PyCon IL 2019) in C: the "
     "max and argmax of a large array (generated, or a numpy .npy file) by every CPU strategy, "
     "each answer verified; then many requests to a slow server by every IO strategy (without "
     "--url the server runs inside conpar on loopback). `conpar generate` writes the generated "
     "array as .npy, `conpar serve` is the slow server alone, `conpar doctor` checks that a run "
     "can work here.",
     run_exits, run_examples,
     "As root (containers) mpirun needs OMPI_ALLOW_RUN_AS_ROOT=1 and "
     "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1."},
    {CP_CMD_GENERATE, "[mpirun -np N] conpar generate --out FILE.npy [OPTIONS]\n",
     "Writes the array a run generates (element i depends only on --seed and i) as a numpy .npy "
     "file, every rank writing its own slice with MPI-IO. With float64, a run with --input "
     "FILE.npy then finds the same max and index as a run with that --size and --seed.",
     generate_exits, generate_examples, NULL},
    {CP_CMD_SERVE, "conpar serve [OPTIONS]\n",
     "The talk's slow server alone (flask behind gunicorn -w 10): every GET is answered after "
     "--delay, at most --workers requests in service at once, the rest wait. Prints its URL, "
     "serves until SIGINT or SIGTERM, finishes what is in flight and prints its counters. One "
     "process: start it without mpirun; point runs at it with conpar --url.",
     serve_exits, serve_examples, NULL},
    {CP_CMD_DOCTOR, "[mpirun -np N [--hostfile FILE]] conpar doctor [OPTIONS]\n",
     "Checks that a run can work here, before a long job: MPI answers a barrier, threads and "
     "placement, shared memory, memory for --size and open files on every host, and the server "
     "(--url, or the embedded one). Prints ok, warn or FAIL per check, with a remedy.",
     doctor_exits, doctor_examples, NULL},
};

/* `text` word-wrapped from column `col` (the cursor's), continuation lines indented. */
static void wrap(FILE *out, int col, int indent, const char *text)
{
    int fresh = 1; /* nothing on this line yet */
    for (const char *p = text; *p != '\0';) {
        if (*p == ' ') {
            p++;
            continue;
        }
        int len = (int)strcspn(p, " ");
        if (!fresh && col + 1 + len > WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            fresh = 1;
        }
        if (!fresh) {
            fputc(' ', out);
            col++;
        }
        for (int k = 0; k < len; k++)
            fputc(p[k] == NBSP ? ' ' : p[k], out);
        col += len;
        fresh = 0;
        p += len;
    }
    fputc('\n', out);
}

/* The row's help with what the code adds to it. */
static void row_help(const struct row *r, char *buf, size_t size)
{
    int used = snprintf(buf, size, "%s", r->help);
    if (r->describe != NULL && used >= 0 && (size_t)used + 1 < size) {
        buf[used++] = ' ';
        r->describe(buf + used, size - (size_t)used);
    }
}

static void print_option(FILE *out, const struct row *r, struct cp_options *d)
{
    char left[64], text[1024], def[256];
    int n = snprintf(left, sizeof left, "  %c%c%c --%s%s%s", r->short_name ? '-' : ' ',
                     r->short_name ? r->short_name : ' ', r->short_name ? ',' : ' ', r->name,
                     r->metavar ? " " : "", r->metavar ? r->metavar : "");
    if (n + 2 > OPTION_COL)
        fprintf(out, "%s\n%*s", left, OPTION_COL, "");
    else
        fprintf(out, "%-*s", OPTION_COL, left);
    row_help(r, text, sizeof text);
    default_text(r, d, def, sizeof def);
    if (def[0] != '\0') {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, " [default:%c%s]", NBSP, def);
    }
    wrap(out, OPTION_COL, OPTION_COL, text);
}

static void print_strategies(FILE *out)
{
    int count;
    char text[256];
    fprintf(out, "\nCPU strategies (--cpu-strategies), each with the talk's analog:\n");
    const struct cp_cpu_strategy *const *cpu = cp_cpu_registry(&count);
    for (int i = 0; i < count; i++) {
        const char *where = cpu[i]->needs & CP_NEEDS_ALL_RANKS ? "every rank" : "rank 0 alone";
        snprintf(text, sizeof text, "%s; %s", cpu[i]->talk_analog, where);
        fprintf(out, "  %-12s ", cpu[i]->name);
        wrap(out, 15, 15, text);
    }
    fprintf(out, "\nIO strategies (--io-strategies), each with the talk's analog:\n");
    const struct cp_io_strategy *const *io = cp_io_registry(&count);
    for (int i = 0; i < count; i++) {
        const char *where = io[i]->needs & CP_IO_ALL_RANKS ? "every rank" : "rank 0 alone";
        char cap[64] = "";
        if (io[i]->needs & CP_IO_OWN_CAP)
            snprintf(cap, sizeof cap, "%d in flight at most, whatever --concurrency",
                     io[i]->default_cap);
        else if (io[i]->default_cap > 0)
            snprintf(cap, sizeof cap, "in flight: every request, at most %d", io[i]->default_cap);
        else
            snprintf(cap, sizeof cap, "in flight: every request");
        snprintf(text, sizeof text, "%s; %s, %s", io[i]->talk_analog, where, cap);
        fprintf(out, "  %-12s ", io[i]->name);
        wrap(out, 15, 15, text);
    }
}

void cp_cli_help(FILE *out, enum cp_command command)
{
    const struct command_help *h = &helps[0];
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (helps[i].command == command)
            h = &helps[i];
    fprintf(out, "Usage: %s\n", h->usage);
    wrap(out, 0, 0, h->about);
    fprintf(out, "\nOptions:\n");
    struct cp_options d;
    cp_options_default(&d);
    d.command = h->command;
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].commands & h->command)
            print_option(out, &rows[i], &d);
    if (h->command == CP_CMD_RUN)
        print_strategies(out);
    fprintf(out, "\nExit status:\n");
    for (int i = 0; h->exits[i] != NULL; i += 2) {
        fprintf(out, "  %-4s ", h->exits[i]);
        wrap(out, 7, 7, h->exits[i + 1]);
    }
    fprintf(out, "\nExamples:\n");
    for (const struct example *e = h->examples; e->command != NULL; e++) {
        int n = fprintf(out, "  %s", e->command);
        if (n + 2 > EXAMPLE_COL)
            fprintf(out, "\n%*s# %s\n", EXAMPLE_COL, "", e->what);
        else
            fprintf(out, "%*s# %s\n", EXAMPLE_COL - n, "", e->what);
    }
    if (h->note != NULL) {
        fputc('\n', out);
        wrap(out, 0, 0, h->note);
    }
}

void cp_cli_list_strategies(FILE *out, unsigned phases)
{
    int both = phases == (CP_PHASE_CPU | CP_PHASE_IO), count;
    if (phases & CP_PHASE_CPU) {
        const struct cp_cpu_strategy *const *cpu = cp_cpu_registry(&count);
        for (int i = 0; i < count; i++)
            fprintf(out, "%s%s\n", both ? "cpu " : "", cpu[i]->name);
    }
    if (phases & CP_PHASE_IO) {
        const struct cp_io_strategy *const *io = cp_io_registry(&count);
        for (int i = 0; i < count; i++)
            fprintf(out, "%s%s\n", both ? "io " : "", io[i]->name);
    }
}

/* ---- the public view of the table ------------------------------------------------------ */

static struct cp_cli_option view[NROWS];
static char view_default[NROWS][256];
static char view_help[NROWS][512];
static char view_choices[NROWS][128];
static pthread_once_t view_once = PTHREAD_ONCE_INIT;

static void choices_text(const struct row *r, char *buf, size_t size)
{
    int count;
    size_t used = 0;
    buf[0] = '\0';
    if (r->kind == K_CHOICE)
        words_text(r->words, "", " ", " ", buf, size);
    if (r->kind == K_CPU_LIST) {
        const struct cp_cpu_strategy *const *cpu = cp_cpu_registry(&count);
        for (int i = 0; i < count && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "", cpu[i]->name);
    }
    if (r->kind == K_IO_LIST) {
        const struct cp_io_strategy *const *io = cp_io_registry(&count);
        for (int i = 0; i < count && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "", io[i]->name);
    }
}

static void build_view(void)
{
    struct cp_options d;
    cp_options_default(&d);
    for (size_t i = 0; i < NROWS; i++) {
        const struct row *r = &rows[i];
        d.command = (enum cp_command)(r->commands & -r->commands); /* its first command */
        default_text(r, &d, view_default[i], sizeof view_default[i]);
        row_help(r, view_help[i], sizeof view_help[i]);
        choices_text(r, view_choices[i], sizeof view_choices[i]);
        view[i] = (struct cp_cli_option){
            .name = r->name,
            .short_name = r->short_name,
            .metavar = r->metavar,
            .value_optional = r->bare != 0,
            .list = r->kind == K_COUNTS || r->kind == K_CPU_LIST || r->kind == K_IO_LIST,
            .choices = view_choices[i][0] != '\0' ? view_choices[i] : NULL,
            .default_text = view_default[i],
            .help = view_help[i],
            .commands = r->commands,
        };
    }
}

const struct cp_cli_option *cp_cli_options(int *count)
{
    pthread_once(&view_once, build_view);
    *count = (int)NROWS;
    return view;
}
