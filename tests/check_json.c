/* check_json FILE [key=value]...: checks a conpar JSON document.
 * Always: schema conpar/1, complete true, every CPU result verified and equal to the
 * reference. Keys: index=N value=X (strtod, hex floats allowed, or nan) nan_count=N
 * strategies=N ranks=N hosts=N exit_status=N threads=N.
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
    check(json_is_true(json_object_get(doc, "complete")), "complete is not true");
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    check(schema != NULL && strcmp(schema, "conpar/1") == 0, "schema is not conpar/1");
    json_t *cpu = json_object_get(doc, "cpu");
    json_t *ref = json_object_get(cpu, "reference");
    json_t *results = json_object_get(cpu, "results");
    size_t i;
    json_t *row;
    json_array_foreach(results, i, row)
    {
        check(json_is_true(json_object_get(row, "verified")), "a result is not verified");
        check(json_equal(json_object_get(row, "index"), json_object_get(ref, "index")),
              "a result index differs from the reference");
        check(same_value(as_double(json_object_get(row, "value")),
                         as_double(json_object_get(ref, "value"))),
              "a result value differs from the reference");
        json_t *sec = json_object_get(row, "seconds");
        check(json_number_value(json_object_get(sec, "min")) <=
                  json_number_value(json_object_get(sec, "median")),
              "seconds.min > seconds.median");
    }
    json_t *env = json_object_get(doc, "environment");
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
        else {
            fprintf(stderr, "check_json: unknown key %s\n", key);
            return 2;
        }
    }
    json_decref(doc);
    return failures ? 1 : 0;
}
