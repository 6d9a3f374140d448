/* The setup of each phase, defined once: every fact is a line of the table's preamble and keys
 * of the phase's JSON section. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conpar/array.h"
#include "fields.h"

/* ---- CPU ------------------------------------------------------------------------------- */

static int text_data(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_report *cpu = report;
    const struct cp_cpu_options *o = &cpu->options;
    if (o->input == NULL) {
        snprintf(buf, size, "generated, seed %" PRIu64 " (element i depends only on seed and i)",
                 o->seed);
        return 1;
    }
    char shape[256];
    size_t used = (size_t)snprintf(shape, sizeof shape, "(");
    for (int d = 0; d < o->npy.ndim && used < sizeof shape; d++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%" PRId64, d ? ", " : "",
                                 o->npy.shape[d]);
    if (used < sizeof shape)
        snprintf(shape + used, sizeof shape - used, "%s)", o->npy.ndim == 1 ? "," : "");
    snprintf(buf, size, "%s: %s ('%s'), shape %s, %s order, .npy %d.%d", o->input, o->npy.dtype,
             o->npy.descr, shape, o->npy.fortran ? "Fortran" : "C", o->npy.major, o->npy.minor);
    return 1;
}

static void json_data(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    const struct cp_cpu_options *o = &cpu->options;
    json_object_set_new(section, "size", json_integer(o->size));
    json_object_set_new(section, "dtype", json_string(o->input ? o->npy.dtype : "float64"));
    json_object_set_new(section, "bytes", json_integer(o->size * (int64_t)sizeof(double)));
    json_object_set_new(section, "source", json_string(o->input ? o->input : "generated"));
    /* a seed above the JSON integer range travels as a decimal string */
    json_object_set_new(section, "seed",
                        o->input               ? json_null()
                        : o->seed <= INT64_MAX ? json_integer((json_int_t)o->seed)
                                               : json_sprintf("%" PRIu64, o->seed));
    json_t *shape = json_array();
    for (int d = 0; o->input && d < o->npy.ndim; d++)
        json_array_append_new(shape, json_integer(o->npy.shape[d]));
    if (!o->input)
        json_array_append_new(shape, json_integer(o->size));
    json_object_set_new(section, "shape", shape);
    if (o->input) {
        json_object_set_new(section, "descr", json_string(o->npy.descr));
        json_object_set_new(section, "fortran_order", json_boolean(o->npy.fortran));
        json_object_set_new(section, "npy_version",
                            json_sprintf("%d.%d", o->npy.major, o->npy.minor));
    }
}

static int text_planted(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_options *o = &((const struct cp_cpu_report *)report)->options;
    if (o->plant_max < 0 && o->plant_nan < 0)
        return 0;
    size_t used = 0;
    if (o->plant_max >= 0)
        used = (size_t)snprintf(buf, size, "1.0 at %" PRId64, o->plant_max);
    if (o->plant_nan >= 0 && used < size)
        snprintf(buf + used, size - used, "%sNaN at %" PRId64, o->plant_max >= 0 ? ", " : "",
                 o->plant_nan);
    return 1;
}

static void json_planted(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    json_object_set_new(section, "expected_index",
                        cpu->expected_index >= 0 ? json_integer(cpu->expected_index) : json_null());
}

static int text_nan(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_options *o = &((const struct cp_cpu_report *)report)->options;
    snprintf(buf, size, "%s",
             o->nan == CP_NAN_PROPAGATE ? "propagate (like numpy.max: the first NaN wins)"
                                        : "skip (like numpy.nanmax)");
    return 1;
}

static void json_nan(const void *report, json_t *section)
{
    const struct cp_cpu_options *o = &((const struct cp_cpu_report *)report)->options;
    json_object_set_new(section, "nan_policy",
                        json_string(o->nan == CP_NAN_PROPAGATE ? "propagate" : "skip"));
}

static int text_chunks(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_report *cpu = report;
    snprintf(buf, size, "%" PRId64 " for the threaded strategies; SIMD kernel %s",
             cpu->options.chunks, cpu->simd_isa);
    return 1;
}

static void json_chunks(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    json_object_set_new(section, "chunks", json_integer(cpu->options.chunks));
    json_object_set_new(section, "threads_asked", json_integer(cpu->threads_asked));
    json_object_set_new(section, "threads", json_integer(cpu->threads_got));
    json_object_set_new(section, "simd_isa", json_string(cpu->simd_isa));
    json_object_set_new(section, "mpi_max_count", json_integer(cpu->options.mpi_max_count));
    json_object_set_new(section, "emulate_nodes",
                        cpu->options.emulate_nodes > 0 ? json_integer(cpu->options.emulate_nodes)
                                                       : json_null());
}

static int text_timing(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_report *cpu = report;
    int ranks = 1;
    for (int i = 0; i < cpu->nrecords; i++)
        ranks = cpu->records[i].ranks > ranks ? cpu->records[i].ranks : ranks;
    snprintf(buf, size, "%d warm-up + %d timed runs per strategy%s", cpu->options.warmup,
             cpu->options.repeat, ranks > 1 ? "; across ranks the slowest rank counts" : "");
    return 1;
}

static void json_timing(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    json_object_set_new(section, "warmup", json_integer(cpu->options.warmup));
    json_object_set_new(section, "repeat", json_integer(cpu->options.repeat));
}

static int text_reference(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_report *cpu = report;
    const struct cp_cpu_options *o = &cpu->options;
    char value[64], nd[256] = "";
    cp_cpu_format_value(o, cpu->reference, value, sizeof value);
    if (o->input != NULL && cpu->reference.index != CP_INDEX_NONE) {
        char at[240];
        cp_npy_unravel(&o->npy, cpu->reference.index, at, sizeof at);
        snprintf(nd, sizeof nd, " = %s", at);
    }
    snprintf(buf, size, "%s at index %" PRId64 "%s: scalar kernel over %s, %.3f s", value,
             cpu->reference.index, nd,
             o->input ? "the file read again in pieces" : "freshly generated values",
             cpu->reference_seconds);
    return 1;
}

static void json_reference(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    json_object_set_new(section, "reference", cp_json_maxloc(&cpu->options, cpu->reference));
    json_object_set_new(section, "reference_seconds", json_real(cpu->reference_seconds));
}

static int text_setup(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_report *cpu = report;
    if (cpu->setup_seconds <= 0)
        return 0;
    if (cpu->options.input != NULL)
        snprintf(buf, size, "%.3f s to allocate, first-touch and read the whole array on rank 0",
                 cpu->setup_seconds);
    else
        snprintf(buf, size,
                 "%.3f s to allocate, first-touch and generate the whole array on rank 0; "
                 "generation alone %.3f s (%.0f M values/s)",
                 cpu->setup_seconds, cpu->generate_seconds,
                 cpu->generate_seconds > 0 ? (double)cpu->options.size / cpu->generate_seconds / 1e6
                                           : 0.0);
    return 1;
}

static void json_setup(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    json_object_set_new(section, "setup_seconds", json_real(cpu->setup_seconds));
    json_object_set_new(section, "generate_seconds", json_real(cpu->generate_seconds));
}

static int text_bound(const void *report, char *buf, size_t size)
{
    const struct cp_cpu_report *cpu = report;
    if (cpu->setup_seconds <= 0)
        return 0;
    snprintf(buf, size,
             "%.2f GB/s on 1 thread, %.2f GB/s on %d thread%s (streaming probe on rank 0, "
             "median)",
             cpu->stream_gb_per_s_1, cpu->stream_gb_per_s_all, cpu->threads_got,
             cpu->threads_got == 1 ? "" : "s");
    return 1;
}

static void json_bound(const void *report, json_t *section)
{
    const struct cp_cpu_report *cpu = report;
    json_object_set_new(section, "read_bandwidth_gb_per_s",
                        json_pack("{s:f, s:f}", "one_thread", cpu->stream_gb_per_s_1, "all_threads",
                                  cpu->stream_gb_per_s_all));
}

const struct cp_setup_field cp_cpu_setup[] = {
    {"data", text_data, json_data},       {"planted", text_planted, json_planted},
    {"nan", text_nan, json_nan},          {"chunks", text_chunks, json_chunks},
    {"timing", text_timing, json_timing}, {"reference", text_reference, json_reference},
    {"setup", text_setup, json_setup},    {"read bound", text_bound, json_bound},
};
const size_t cp_cpu_nsetup = sizeof cp_cpu_setup / sizeof cp_cpu_setup[0];

/* ---- IO -------------------------------------------------------------------------------- */

static int text_server(const void *report, char *buf, size_t size)
{
    const struct cp_io_report *io = report;
    char workers[32];
    snprintf(workers, sizeof workers, "%d", io->options.server_workers);
    int spans = io->embedded && strncmp(io->url, "http://127.", 11) != 0;
    snprintf(buf, size, "%s%s: %s workers, delay %.3f s; ideal = ceil(R / min(C, W)) x D",
             io->embedded ? "embedded in rank 0 (conpar serve in this process)" : "given by --url",
             spans ? ", bound to rank 0's address because the ranks span hosts" : "",
             io->options.server_workers > 0 ? workers : "unlimited", io->options.delay);
    return 1;
}

static void json_server(const void *report, json_t *section)
{
    const struct cp_io_report *io = report;
    json_t *counts = json_array();
    for (int k = 0; k < io->options.nrequests; k++)
        json_array_append_new(counts, json_integer(io->options.requests[k]));
    json_object_set_new(section, "url", json_string(io->url));
    json_object_set_new(section, "embedded", json_boolean(io->embedded));
    json_object_set_new(section, "requests", counts);
    json_object_set_new(section, "delay_s", json_real(io->options.delay));
    json_object_set_new(section, "server_workers", json_integer(io->options.server_workers));
}

static int text_client(const void *report, char *buf, size_t size)
{
    const struct cp_io_report *io = report;
    snprintf(buf, size,
             "timeout %.3f s per request; expect %d \"%s\"; closed loop (a new request starts "
             "when one ends); open files %d",
             io->timeout, io->options.expect_status, io->options.expect_body, io->open_files);
    return 1;
}

static void json_client(const void *report, json_t *section)
{
    const struct cp_io_report *io = report;
    json_object_set_new(section, "timeout_s", json_real(io->timeout));
    json_object_set_new(section, "expect_status", json_integer(io->options.expect_status));
    json_object_set_new(section, "expect_body", json_string(io->options.expect_body));
    json_object_set_new(section, "open_files", json_integer(io->open_files));
}

const struct cp_setup_field cp_io_setup[] = {
    {"server", text_server, json_server},
    {"client", text_client, json_client},
};
const size_t cp_io_nsetup = sizeof cp_io_setup / sizeof cp_io_setup[0];

json_t *cp_setup_object(const struct cp_setup_field *fields, size_t n, const void *report)
{
    json_t *section = json_object();
    for (size_t f = 0; f < n; f++)
        fields[f].json(report, section);
    return section;
}

void cp_setup_lines(FILE *out, const struct cp_setup_field *fields, size_t n, const void *report)
{
    char text[1024];
    for (size_t f = 0; f < n; f++)
        if (fields[f].text(report, text, sizeof text))
            fprintf(out, "  %-11s %s\n", fields[f].label, text);
}
