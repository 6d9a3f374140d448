/* check_json FILE [key=value]...: checks a conpar JSON document.
 * Always: schema conpar/1, complete true, every CPU result that ran verified and equal to
 * the reference, min <= median for seconds and min <= avg <= max over ranks, every sampled
 * core's use within 0-100% (at least one host sampled), one placement entry per rank. Keys:
 * index=N value=X (strtod, hex floats allowed, or nan) nan_count=N strategies=N ranks=N
 * hosts=N exit_status=N threads=N nodes=N (the window row's node windows) skipped=NAME (that
 * strategy's row is skipped, with a reason) value_text=T (the reference value exactly: an
 * integer's digits, a string, true/false) dtype=NAME.
 * complete=false: the document must be marked incomplete (an interrupted run).
 * sweep_points=N: the sweep section holds N points.
 * IO keys, over every io result: io_strategies=N io_ok=N io_failed=CLASS:N io_bound=1 (seconds
 * at least the ideal, which physics guarantees) io_per_rank=N (the per-rank counts of every
 * result that has them sum to N, the request total); server_peak_max=N server_peak_min=N
 * (the embedded server's most requests in service).
 * A check with nothing to check fails: a key whose field is missing from the document, an IO
 * key with no IO result, io_per_rank when no result has per-rank counts.
 * Exit 0 when all hold, 1 otherwise (each failure printed). */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failed(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "check_json: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    failures++;
}

static void check(int ok, const char *what)
{
    if (!ok)
        failed("%s", what);
}

enum need { NEED_INTEGER, NEED_NUMBER, NEED_STRING, NEED_ARRAY, NEED_OBJECT, NEED_ANY };

/* obj[key] when it is there with the type asked for; otherwise NULL, and a failure saying
 * that `what` has nothing to check. obj may be NULL (a missing section). */
static json_t *need(json_t *obj, const char *key, enum need type, const char *what)
{
    static const char *const names[] = {"integer", "number", "string", "array", "object", "value"};
    json_t *v = json_object_get(obj, key);
    int ok = type == NEED_INTEGER  ? json_is_integer(v)
             : type == NEED_NUMBER ? json_is_number(v)
             : type == NEED_STRING ? json_is_string(v)
             : type == NEED_ARRAY  ? json_is_array(v)
             : type == NEED_OBJECT ? json_is_object(v)
                                   : v != NULL;
    if (!ok)
        failed("%s: nothing to check: no %s '%s' in the document", what, names[type], key);
    return ok ? v : NULL;
}

static double as_double(json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return strcmp(s, "nan") == 0 ? NAN : strcmp(s, "inf") == 0 ? INFINITY : -INFINITY;
    }
    return json_number_value(v);
}

static int same_value(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* An integer field against the wanted value, saying what was found. */
static void check_integer(json_t *obj, const char *key, const char *arg, const char *want)
{
    json_t *v = need(obj, key, NEED_INTEGER, arg);
    if (v != NULL && json_integer_value(v) != atoll(want))
        failed("%s: found %" JSON_INTEGER_FORMAT, arg, json_integer_value(v));
}

/* An array's length against the wanted value. */
static void check_length(json_t *obj, const char *key, const char *arg, const char *want)
{
    json_t *v = need(obj, key, NEED_ARRAY, arg);
    if (v != NULL && json_array_size(v) != (size_t)atoll(want))
        failed("%s: found %zu", arg, json_array_size(v));
}

/* io_per_rank: every result with per-rank counts sums to want; at least one has them. */
static void check_per_rank(json_t *results, const char *arg, const char *want)
{
    size_t i, r;
    json_t *row, *v;
    int counted = 0;
    json_array_foreach(results, i, row)
    {
        json_t *per = json_object_get(row, "per_rank");
        if (json_is_null(per) || per == NULL)
            continue;
        if (!json_is_array(per) || json_array_size(per) == 0) {
            failed("%s: result %zu: per_rank is not a list of counts", arg, i);
            continue;
        }
        json_int_t sum = 0;
        json_array_foreach(per, r, v) sum += json_integer_value(v);
        if (sum != atoll(want))
            failed("%s: result %zu: the per-rank counts sum to %" JSON_INTEGER_FORMAT, arg, i, sum);
        counted++;
    }
    if (counted == 0)
        failed("%s: nothing to check: no IO result has per-rank counts", arg);
}

/* The IO keys (see the top), over every IO result; there must be at least one. */
static void io_key(json_t *doc, const char *key, const char *arg, const char *want)
{
    json_t *io = need(doc, "io", NEED_OBJECT, arg);
    if (io == NULL)
        return;
    if (strcmp(key, "io_strategies") == 0) {
        check_length(io, "results", arg, want);
        return;
    }
    if (strcmp(key, "server_peak_max") == 0 || strcmp(key, "server_peak_min") == 0) {
        json_t *peak =
            need(need(io, "server", NEED_OBJECT, arg), "peak_in_service", NEED_INTEGER, arg);
        int max = strcmp(key, "server_peak_max") == 0;
        if (peak != NULL &&
            (max ? json_integer_value(peak) > atoll(want) : json_integer_value(peak) < atoll(want)))
            failed("%s: found %" JSON_INTEGER_FORMAT, arg, json_integer_value(peak));
        return;
    }
    json_t *results = need(io, "results", NEED_ARRAY, arg), *row;
    if (results == NULL)
        return;
    if (json_array_size(results) == 0) {
        failed("%s: nothing to check: no IO result", arg);
        return;
    }
    if (strcmp(key, "io_per_rank") == 0) {
        check_per_rank(results, arg, want);
        return;
    }
    char cls[32] = "";
    if (strcmp(key, "io_failed") == 0) {
        const char *colon = strchr(want, ':');
        if (colon == NULL) {
            failed("%s: not CLASS:N", arg);
            return;
        }
        snprintf(cls, sizeof cls, "%.*s", (int)(colon - want), want);
        want = colon + 1;
    } else if (strcmp(key, "io_ok") != 0 && strcmp(key, "io_bound") != 0) {
        fprintf(stderr, "check_json: unknown key %s\n", key);
        exit(2);
    }
    size_t i;
    json_array_foreach(results, i, row)
    {
        if (strcmp(key, "io_ok") == 0) {
            check_integer(row, "ok", arg, want);
        } else if (strcmp(key, "io_failed") == 0) {
            check_integer(need(row, "failed", NEED_OBJECT, arg), cls, arg, want);
        } else {
            json_t *s = need(row, "seconds", NEED_NUMBER, arg);
            json_t *ideal = need(row, "ideal_seconds", NEED_NUMBER, arg);
            if (s != NULL && ideal != NULL &&
                json_number_value(s) < json_number_value(ideal) - 0.001)
                failed("%s: result %zu took %.6f s, below its ideal %.6f s", arg, i,
                       json_number_value(s), json_number_value(ideal));
        }
    }
}

/* The checks every CPU result that ran must pass. */
static void check_cpu_row(json_t *row, json_t *ref, size_t i)
{
    char what[64];
    snprintf(what, sizeof what, "cpu result %zu", i);
    check(json_is_true(json_object_get(row, "verified")), "a result is not verified");
    json_t *spread = need(row, "rank_seconds", NEED_OBJECT, what);
    json_t *lo = need(spread, "min", NEED_NUMBER, what),
           *avg = need(spread, "avg", NEED_NUMBER, what),
           *hi = need(spread, "max", NEED_NUMBER, what);
    if (lo != NULL && avg != NULL && hi != NULL)
        check(json_number_value(lo) <= json_number_value(avg) * (1 + 1e-12) &&
                  json_number_value(avg) <= json_number_value(hi) * (1 + 1e-12),
              "rank_seconds not min <= avg <= max");
    /* every sampled core of every host: at least one host */
    json_t *hosts = need(row, "core_busy", NEED_ARRAY, what), *host, *pct;
    size_t h, c;
    if (hosts != NULL && json_array_size(hosts) == 0)
        failed("%s: nothing to check: no host's cores sampled", what);
    json_array_foreach(hosts, h, host)
    {
        json_t *cores = need(host, "percent", NEED_ARRAY, what);
        if (cores != NULL && json_array_size(cores) == 0)
            failed("%s: nothing to check: host %zu has no cores sampled", what, h);
        json_array_foreach(cores, c, pct)
        {
            double p = json_number_value(pct);
            if (!json_is_number(pct) || !(p >= 0 && p <= 100))
                failed("%s: host %zu core %zu's use %g%% is outside 0-100%%", what, h, c, p);
        }
    }
    check(json_equal(json_object_get(row, "index"), json_object_get(ref, "index")),
          "a result index differs from the reference");
    check(json_equal(json_object_get(row, "value"), json_object_get(ref, "value")),
          "a result value differs from the reference");
    json_t *sec = need(row, "seconds", NEED_OBJECT, what);
    json_t *min = need(sec, "min", NEED_NUMBER, what),
           *median = need(sec, "median", NEED_NUMBER, what);
    if (min != NULL && median != NULL)
        check(json_number_value(min) <= json_number_value(median), "seconds.min > seconds.median");
}

/* nodes=N (the window row's node windows) and skipped=NAME (that row is skipped). */
static void row_key(json_t *results, const char *key, const char *arg, const char *want)
{
    size_t i;
    json_t *row, *found = NULL;
    int nodes = strcmp(key, "nodes") == 0;
    json_array_foreach(results, i, row)
    {
        const char *name = json_string_value(json_object_get(row, "strategy"));
        if (name != NULL && strcmp(name, nodes ? "window" : want) == 0)
            found = row;
    }
    if (found == NULL)
        failed("%s: nothing to check: no %s row", arg, nodes ? "window" : want);
    else if (nodes)
        check_integer(found, "nodes", arg, want);
    else if (!json_is_string(json_object_get(found, "skipped")))
        failed("%s: the row is not skipped with a reason", arg);
}

static void value_text(json_t *ref, const char *arg, const char *want)
{
    json_t *v = need(ref, "value", NEED_ANY, arg);
    if (v == NULL)
        return;
    char text[64] = "";
    if (json_is_integer(v))
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_string(v))
        snprintf(text, sizeof text, "%s", json_string_value(v));
    else if (json_is_boolean(v))
        snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
    if (strcmp(text, want) != 0)
        failed("%s: found '%s'", arg, text);
}

/* Every row names a strategy of its phase's registry: `names` is the comma list the build read
 * from the strategy list (CONPAR_CPU_STRATEGIES, CONPAR_IO_STRATEGIES), NULL to skip. */
static void check_names(json_t *section, const char *names, const char *phase)
{
    size_t i;
    json_t *row;
    if (names == NULL)
        return;
    json_array_foreach(json_object_get(section, "results"), i, row)
    {
        const char *name = json_string_value(json_object_get(row, "strategy"));
        size_t len = name != NULL ? strlen(name) : 0;
        int found = 0;
        for (const char *p = names; name != NULL && *p != '\0' && !found;) {
            size_t n = strcspn(p, ",");
            found = n == len && strncmp(p, name, n) == 0;
            p += n + (p[n] == ',');
        }
        if (!found)
            failed("%s row %zu: strategy '%s' is not one of %s", phase, i, name ? name : "(none)",
                   names);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: check_json FILE [key=value]...\n");
        return 2;
    }
    json_error_t jerr;
    json_t *doc = json_load_file(argv[1], 0, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "check_json: %s: %s (line %d)\n", argv[1], jerr.text, jerr.line);
        return 1;
    }
    /* complete=false: an interrupted run, checked as such */
    int want_incomplete = 0;
    for (int a = 2; a < argc; a++)
        want_incomplete |= strcmp(argv[a], "complete=false") == 0;
    check(json_is_boolean(json_object_get(doc, "complete")) &&
              json_is_true(json_object_get(doc, "complete")) == !want_incomplete,
          want_incomplete ? "complete is not false" : "complete is not true");
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    check(schema != NULL && strcmp(schema, "conpar/1") == 0, "schema is not conpar/1");
    json_t *cpu = json_object_get(doc, "cpu");
    json_t *ref = json_object_get(cpu, "reference");
    json_t *results = json_object_get(cpu, "results");
    size_t i;
    json_t *row;
    json_array_foreach(results, i, row)
    {
        /* a row is exempt only when it says why it did not run */
        if (!json_is_string(json_object_get(row, "skipped")))
            check_cpu_row(row, ref, i);
    }
    check_names(cpu, getenv("CONPAR_CPU_STRATEGIES"), "cpu");
    check_names(json_object_get(doc, "io"), getenv("CONPAR_IO_STRATEGIES"), "io");
    json_t *env = need(doc, "environment", NEED_OBJECT, "placement");
    json_t *ranks = need(env, "ranks", NEED_INTEGER, "placement");
    if (ranks != NULL) {
        check(json_integer_value(ranks) >= 1, "environment.ranks is below 1");
        check(json_array_size(json_object_get(env, "placement")) ==
                  (size_t)json_integer_value(ranks),
              "placement does not list every rank");
        check(json_array_size(json_object_get(env, "threads")) == (size_t)json_integer_value(ranks),
              "threads does not list every rank");
    }
    for (int a = 2; a < argc; a++) {
        char key[64];
        const char *arg = argv[a], *eq = strchr(arg, '=');
        if (eq == NULL || eq - arg >= (long)sizeof key) {
            fprintf(stderr, "check_json: bad argument %s\n", arg);
            return 2;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
        const char *want = eq + 1;
        if (strcmp(key, "index") == 0 || strcmp(key, "nan_count") == 0) {
            check_integer(need(cpu, "reference", NEED_OBJECT, arg), key, arg, want);
        } else if (strcmp(key, "value") == 0) {
            json_t *v = need(need(cpu, "reference", NEED_OBJECT, arg), "value", NEED_ANY, arg);
            if (v != NULL && !same_value(as_double(v), strtod(want, NULL)))
                failed("%s: found %a", arg, as_double(v));
        } else if (strcmp(key, "strategies") == 0) {
            check_length(cpu, "results", arg, want);
        } else if (strcmp(key, "ranks") == 0) {
            check_integer(env, "ranks", arg, want);
        } else if (strcmp(key, "hosts") == 0) {
            check_length(env, "hosts", arg, want);
        } else if (strcmp(key, "exit_status") == 0) {
            check_integer(doc, "exit_status", arg, want);
        } else if (strcmp(key, "threads") == 0) {
            check_integer(cpu, "threads", arg, want);
        } else if (strcmp(key, "sweep_points") == 0) {
            check_length(need(doc, "sweep", NEED_OBJECT, arg), "points", arg, want);
        } else if (strcmp(key, "complete") == 0) {
            continue; /* checked above */
        } else if (strncmp(key, "io_", 3) == 0 || strncmp(key, "server_", 7) == 0) {
            io_key(doc, key, arg, want);
        } else if (strcmp(key, "value_text") == 0) {
            value_text(need(cpu, "reference", NEED_OBJECT, arg), arg, want);
        } else if (strcmp(key, "dtype") == 0) {
            json_t *d = need(cpu, "dtype", NEED_STRING, arg);
            if (d != NULL && strcmp(json_string_value(d), want) != 0)
                failed("%s: found '%s'", arg, json_string_value(d));
        } else if (strcmp(key, "nodes") == 0 || strcmp(key, "skipped") == 0) {
            row_key(need(cpu, "results", NEED_ARRAY, arg), key, arg, want);
        } else {
            fprintf(stderr, "check_json: unknown key %s\n", key);
            return 2;
        }
    }
    json_decref(doc);
    return failures ? 1 : 0;
}
