/* The per-strategy report fields, defined once for every renderer (private to src/report). */
#ifndef CONPAR_REPORT_FIELDS_H
#define CONPAR_REPORT_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "conpar/cpu.h"
#include "conpar/io.h"

/* One field of a record (a struct cp_cpu_record or a struct cp_io_record). */
struct cp_field {
    const char *key;    /* JSON key */
    const char *header; /* table column header, NULL when the table leaves it out */
    /* table cell text */
    void (*text)(const void *rec, char *buf, size_t size);
    /* new JSON value (the caller owns the reference) */
    json_t *(*json)(const void *rec);
};

extern const struct cp_field cp_cpu_fields[];
extern const struct cp_field cp_io_fields[];
extern const size_t cp_io_nfields;
extern const char *const cp_stage_names[CP_STAGE_COUNT]; /* JSON keys and table words */
extern const size_t cp_cpu_nfields;

/* One record as a JSON object of its fields (the caller owns it): the JSON rows and the CSV
 * rows are both made from these. */
json_t *cp_field_row(const struct cp_field *fields, size_t nfields, const void *rec);

/* A float64 as JSON: a number, or "nan", "inf", "-inf". */
json_t *cp_json_double(double v);

/* The value of m in the array's own type: a number (integers exactly), true/false for bool,
 * a decimal string for a uint64 above 2^63-1, "nan"/"inf"/"-inf"; null when nothing was
 * comparable. */
json_t *cp_json_value(const struct cp_cpu_options *opt, struct cp_maxloc m);

/* The record (value, index, nd_index for a file, nan_count) as a JSON object; value and
 * index are null when nothing was comparable. */
json_t *cp_json_maxloc(const struct cp_cpu_options *opt, struct cp_maxloc m);

#endif
