/* The per-strategy report fields, defined once for every renderer (private to src/report). */
#ifndef CONPAR_REPORT_FIELDS_H
#define CONPAR_REPORT_FIELDS_H

#include <jansson.h>
#include <stddef.h>

#include "conpar/cpu.h"

struct cp_cpu_field {
    const char *key;    /* JSON key */
    const char *header; /* table column header, NULL when the table leaves it out */
    /* table cell text */
    void (*text)(const struct cp_cpu_record *r, char *buf, size_t size);
    /* new JSON value (the caller owns the reference) */
    json_t *(*json)(const struct cp_cpu_record *r);
};

extern const struct cp_cpu_field cp_cpu_fields[];
extern const char *const cp_stage_names[CP_STAGE_COUNT]; /* JSON keys and table words */
extern const size_t cp_cpu_nfields;

/* A float64 as JSON: a number, or "nan", "inf", "-inf". */
json_t *cp_json_double(double v);

/* The (value, index, nan_count) record as a JSON object; value and index are null when
 * nothing was comparable. */
json_t *cp_json_maxloc(struct cp_maxloc m);

#endif
