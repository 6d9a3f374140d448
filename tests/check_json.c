/* check_json FILE [key=value]...: checks a conpar JSON document.
 * Always: schema conpar/1, complete true, every CPU result that ran verified and equal to
 * the reference, min <= median for seconds and min <= avg <= max over ranks, one placement
 * entry per rank, every core's use within 0-100%. Keys: index=N value=X (strtod, hex floats
 * allowed, or nan) nan_count=N strategies=N ranks=N hosts=N exit_status=N threads=N nodes=N (the
 * window row's node windows) skipped=NAME (that strategy's row is skipped, with a reason)
 * value_text=T (the reference value exactly: an integer's digits, a string, true/false) dtype=NAME.
 * complete=false: the document must be marked incomplete (an interrupted run).
 * sweep_points=N: the sweep section holds N points.
 * IO keys, over every io result: io_strategies=N io_ok=N io_failed=CLASS:N io_bound=1 (seconds
 * at least the ideal, which physics guarantees) io_per_rank=N (the ranks row's per-rank counts
 * sum to N over N ranks... given as the request total); server_peak_max=N server_peak_min=N
 * (the embedded server's most requests in service).
 * Exit 0 when all hold, 1 otherwise (each failure printed). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "check_json: %s\n", what);
        failures++;
    }
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

/* The IO keys (see the top). */
static int io_key(json_t *doc, const char *key, const char *want)
{
    json_t *io = json_object_get(doc, "io"), *results = json_object_get(io, "results"), *row;
    size_t i;
    int ok = json_array_size(results) > 0;
    if (strcmp(key, "io_strategies") == 0)
        return json_array_size(results) == (size_t)atoll(want);
    if (strcmp(key, "server_peak_max") == 0 || strcmp(key, "server_peak_min") == 0) {
        json_int_t peak =
            json_integer_value(json_object_get(json_object_get(io, "server"), "peak_in_service"));
        return strcmp(key, "server_peak_max") == 0 ? peak <= atoll(want) : peak >= atoll(want);
    }
    json_array_foreach(results, i, row)
    {
        if (strcmp(key, "io_ok") == 0)
            ok &= json_integer_value(json_object_get(row, "ok")) == atoll(want);
        else if (strcmp(key, "io_bound") == 0)
            ok &= json_number_value(json_object_get(row, "seconds")) >=
                  json_number_value(json_object_get(row, "ideal_seconds")) - 0.001;
        else if (strcmp(key, "io_failed") == 0) {
            char cls[32];
            const char *colon = strchr(want, ':');
            if (colon == NULL)
                return 0;
            snprintf(cls, sizeof cls, "%.*s", (int)(colon - want), want);
            ok &= json_integer_value(json_object_get(json_object_get(row, "failed"), cls)) ==
                  atoll(colon + 1);
        } else if (strcmp(key, "io_per_rank") == 0) {
            json_t *per = json_object_get(row, "per_rank"), *v;
            size_t r;
            json_int_t sum = 0;
            if (json_is_null(per))
                continue;
            json_array_foreach(per, r, v) sum += json_integer_value(v);
            ok &= sum == atoll(want);
        } else {
            return 0;
        }
    }
    return ok;
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
        if (!json_is_null(json_object_get(row, "skipped")))
            continue;
        check(json_is_true(json_object_get(row, "verified")), "a result is not verified");
        json_t *spread = json_object_get(row, "rank_seconds");
        double lo = json_number_value(json_object_get(spread, "min"));
        double avg = json_number_value(json_object_get(spread, "avg"));
        double hi = json_number_value(json_object_get(spread, "max"));
        check(lo <= avg * (1 + 1e-12) && avg <= hi * (1 + 1e-12),
              "rank_seconds not min <= avg <= max");
        json_t *busy = json_object_get(row, "core_busy_percent"), *pct;
        size_t c;
        json_array_foreach(busy, c, pct)
            check(json_number_value(pct) >= 0 && json_number_value(pct) <= 100,
                  "a core's use is outside 0-100%");
        check(json_equal(json_object_get(row, "index"), json_object_get(ref, "index")),
              "a result index differs from the reference");
        check(json_equal(json_object_get(row, "value"), json_object_get(ref, "value")),
              "a result value differs from the reference");
        json_t *sec = json_object_get(row, "seconds");
        check(json_number_value(json_object_get(sec, "min")) <=
                  json_number_value(json_object_get(sec, "median")),
              "seconds.min > seconds.median");
    }
    json_t *env = json_object_get(doc, "environment");
    json_int_t ranks = json_integer_value(json_object_get(env, "ranks"));
    check(json_array_size(json_object_get(env, "placement")) == (size_t)ranks,
          "placement does not list every rank");
    check(json_array_size(json_object_get(env, "threads")) == (size_t)ranks,
          "threads does not list every rank");
    for (int a = 2; a < argc; a++) {
        char key[64];
        const char *eq = strchr(argv[a], '=');
        if (eq == NULL || eq - argv[a] >= (long)sizeof key) {
            fprintf(stderr, "check_json: bad argument %s\n", argv[a]);
            return 2;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - argv[a]), argv[a]);
        const char *want = eq + 1;
        char msg[256];
        snprintf(msg, sizeof msg, "%s is not %s", key, want);
        if (strcmp(key, "index") == 0)
            check(json_integer_value(json_object_get(ref, "index")) == atoll(want), msg);
        else if (strcmp(key, "value") == 0)
            check(same_value(as_double(json_object_get(ref, "value")), strtod(want, NULL)), msg);
        else if (strcmp(key, "nan_count") == 0)
            check(json_integer_value(json_object_get(ref, "nan_count")) == atoll(want), msg);
        else if (strcmp(key, "strategies") == 0)
            check(json_array_size(results) == (size_t)atoll(want), msg);
        else if (strcmp(key, "ranks") == 0)
            check(json_integer_value(json_object_get(env, "ranks")) == atoll(want), msg);
        else if (strcmp(key, "hosts") == 0)
            check(json_array_size(json_object_get(env, "hosts")) == (size_t)atoll(want), msg);
        else if (strcmp(key, "exit_status") == 0)
            check(json_integer_value(json_object_get(doc, "exit_status")) == atoll(want), msg);
        else if (strcmp(key, "threads") == 0)
            check(json_integer_value(json_object_get(cpu, "threads")) == atoll(want), msg);
        else if (strcmp(key, "sweep_points") == 0)
            check(json_array_size(json_object_get(json_object_get(doc, "sweep"), "points")) ==
                      (size_t)atoll(want),
                  msg);
        else if (strcmp(key, "complete") == 0)
            continue; /* checked above */
        else if (strncmp(key, "io_", 3) == 0 || strncmp(key, "server_", 7) == 0)
            check(io_key(doc, key, want), msg);
        else if (strcmp(key, "value_text") == 0) {
            json_t *v = json_object_get(ref, "value");
            char text[64] = "";
            if (json_is_integer(v))
                snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            else if (json_is_string(v))
                snprintf(text, sizeof text, "%s", json_string_value(v));
            else if (json_is_boolean(v))
                snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
            check(strcmp(text, want) == 0, msg);
        } else if (strcmp(key, "dtype") == 0) {
            const char *d = json_string_value(json_object_get(cpu, "dtype"));
            check(d != NULL && strcmp(d, want) == 0, msg);
        } else if (strcmp(key, "nodes") == 0 || strcmp(key, "skipped") == 0) {
            int found = 0;
            json_array_foreach(results, i, row)
            {
                const char *name = json_string_value(json_object_get(row, "strategy"));
                if (strcmp(key, "nodes") == 0 && name != NULL && strcmp(name, "window") == 0)
                    found = json_integer_value(json_object_get(row, "nodes")) == atoll(want);
                if (strcmp(key, "skipped") == 0 && name != NULL && strcmp(name, want) == 0)
                    found = json_is_string(json_object_get(row, "skipped"));
            }
            check(found, msg);
        } else {
            fprintf(stderr, "check_json: unknown key %s\n", key);
            return 2;
        }
    }
    json_decref(doc);
    return failures ? 1 : 0;
}
