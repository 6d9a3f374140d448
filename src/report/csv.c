/* CSV: one row per strategy of either phase, made from the same JSON rows as --json (nested
 * objects flattened to "key.sub" columns, arrays left out), quoted as RFC 4180 asks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conpar/report.h"
#include "fields.h"

/* Flatten obj into flat: {"a": {"b": 1}} becomes {"a.b": 1}; arrays are left out. */
static void flatten(json_t *flat, const char *prefix, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char name[256];
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        if (json_is_object(v))
            flatten(flat, name, v);
        else if (!json_is_array(v))
            json_object_set(flat, name, v);
    }
}

static void put_cell(FILE *f, json_t *v)
{
    if (v == NULL || json_is_null(v))
        return;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strpbrk(s, ",\"\r\n") == NULL) {
            fputs(s, f);
            return;
        }
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else if (json_is_true(v) || json_is_false(v)) {
        fputs(json_is_true(v) ? "true" : "false", f);
    } else if (json_is_integer(v)) {
        fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else {
        fprintf(f, "%.17g", json_real_value(v));
    }
}

/* The rows, each with its phase first, and the union of their columns in first-seen order. */
static json_t *rows_of(const struct cp_cpu_report *cpu, const struct cp_io_report *io,
                       json_t *columns)
{
    json_t *rows = json_array();
    json_array_append_new(columns, json_string("phase"));
    for (int phase = 0; phase < 2; phase++) {
        int n = phase == 0 ? (cpu ? cpu->nrecords : 0) : (io ? io->nrecords : 0);
        for (int i = 0; i < n; i++) {
            json_t *row = phase == 0 ? cp_field_row(cp_cpu_fields, cp_cpu_nfields, &cpu->records[i])
                                     : cp_field_row(cp_io_fields, cp_io_nfields, &io->records[i]);
            json_t *flat = json_object();
            json_object_set_new(flat, "phase", json_string(phase == 0 ? "cpu" : "io"));
            flatten(flat, "", row);
            json_decref(row);
            const char *key;
            json_t *v;
            json_object_foreach(flat, key, v)
            {
                size_t c, have = 0;
                json_t *name;
                json_array_foreach(columns, c, name) have |=
                    strcmp(json_string_value(name), key) == 0;
                if (!have)
                    json_array_append_new(columns, json_string(key));
            }
            json_array_append_new(rows, flat);
        }
    }
    return rows;
}

enum cp_status cp_report_csv_write(const char *path, const struct cp_cpu_report *cpu,
                                   const struct cp_io_report *io)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return CP_FAIL(CP_ERR_FILE, "--csv '%s': cannot write: %s", path, strerror(errno));
    json_t *columns = json_array();
    json_t *rows = rows_of(cpu, io, columns);
    size_t c, r;
    json_t *name, *row;
    json_array_foreach(columns, c, name)
    {
        if (c > 0)
            fputc(',', f);
        put_cell(f, name);
    }
    fputs("\r\n", f);
    json_array_foreach(rows, r, row)
    {
        json_array_foreach(columns, c, name)
        {
            if (c > 0)
                fputc(',', f);
            put_cell(f, json_object_get(row, json_string_value(name)));
        }
        fputs("\r\n", f);
    }
    json_decref(rows);
    json_decref(columns);
    int failed = ferror(f);
    failed |= fclose(f) != 0;
    if (failed || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return CP_FAIL(CP_ERR_FILE, "--csv '%s': cannot write: %s", path, strerror(err));
    }
    return CP_OK;
}
