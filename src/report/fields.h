/* The per-strategy report fields, defined once for every renderer (private to src/report). */
#ifndef CONPAR_REPORT_FIELDS_H
#define CONPAR_REPORT_FIELDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "conpar/cpu.h"
#include "conpar/io.h"

/* What a cell says of its record, for the table's colours. */
enum cp_cell {
    CP_CELL_PLAIN,
    CP_CELL_GOOD,    /* verified; no request failed */
    CP_CELL_BAD,     /* a wrong answer; failed requests */
    CP_CELL_DOUBTFUL /* measured while CPUs were oversubscribed */
};

/* One field of a record (a struct cp_cpu_record or a struct cp_io_record). */
struct cp_field {
    const char *key;    /* JSON key */
    const char *header; /* table column header, NULL when the table leaves it out */
    /* table cell text */
    void (*text)(const void *rec, char *buf, size_t size);
    /* new JSON value (the caller owns the reference) */
    json_t *(*json)(const void *rec);
    /* what the cell says, or NULL: always plain */
    enum cp_cell (*state)(const void *rec);
};

/* One fact of a phase's setup: a line of the table's preamble and keys of the JSON section
 * (report is a struct cp_cpu_report or a struct cp_io_report). */
struct cp_setup_field {
    const char *label; /* the preamble line's label */
    /* the line's text; 0 when the line does not apply to this run */
    int (*text)(const void *report, char *buf, size_t size);
    /* set this fact's keys on the phase's JSON section */
    void (*json)(const void *report, json_t *section);
};

extern const struct cp_setup_field cp_cpu_setup[], cp_io_setup[];
extern const size_t cp_cpu_nsetup, cp_io_nsetup;

/* The preamble lines of a phase ("  label       text"). */
void cp_setup_lines(FILE *out, const struct cp_setup_field *fields, size_t n, const void *report);

/* A new JSON object holding every setup fact of a phase (the caller owns it). */
json_t *cp_setup_object(const struct cp_setup_field *fields, size_t n, const void *report);

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
