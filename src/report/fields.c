/* Per-strategy fields: one definition, rendered by the table and the JSON writer. */
#include "fields.h"

#include "conpar/lessons.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

const char *const cp_stage_names[CP_STAGE_COUNT] = {"distribute", "compute", "combine"};

json_t *cp_json_double(double v)
{
    if (isnan(v))
        return json_string("nan");
    if (isinf(v))
        return json_string(v > 0 ? "inf" : "-inf");
    return json_real(v);
}

json_t *cp_json_value(const struct cp_cpu_options *opt, struct cp_maxloc m)
{
    const struct cp_npy *h = &opt->npy;
    if (m.index == CP_INDEX_NONE)
        return json_null();
    if (cp_cpu_domain(opt) == CP_DOMAIN_F64)
        return cp_json_double(m.value);
    if (h->kind == CP_KIND_BOOL)
        return json_boolean(m.key != 0);
    if (h->kind == CP_KIND_UINT && h->itemsize == 8) {
        uint64_t u = (uint64_t)m.key ^ (UINT64_C(1) << 63);
        return u <= INT64_MAX ? json_integer((json_int_t)u) : json_sprintf("%" PRIu64, u);
    }
    return json_integer(m.key);
}

/* numpy.unravel_index of a C-order index, for files */
static json_t *json_nd_index(const struct cp_cpu_options *opt, int64_t index)
{
    if (opt->input == NULL || index == CP_INDEX_NONE)
        return json_null();
    json_t *a = json_array();
    int64_t idx[CP_NPY_MAX_DIMS];
    int ndim = cp_npy_unravel_index(&opt->npy, index, idx);
    for (int d = 0; d < ndim; d++)
        json_array_append_new(a, json_integer(idx[d]));
    return a;
}

json_t *cp_json_maxloc(const struct cp_cpu_options *opt, struct cp_maxloc m)
{
    int none = m.index == CP_INDEX_NONE;
    return json_pack("{s:o, s:o, s:o, s:I}", "value", cp_json_value(opt, m), "index",
                     none ? json_null() : json_integer(m.index), "nd_index",
                     json_nd_index(opt, m.index), "nan_count", (json_int_t)m.nan_count);
}

static void text_strategy(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    snprintf(buf, size, "%s", r->strategy->name);
}

static json_t *json_strategy(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_string(r->strategy->name);
}

static void text_analog(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    snprintf(buf, size, "%s", r->strategy->talk_analog);
}

static json_t *json_analog(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_string(r->strategy->talk_analog);
}

static int skipped(const struct cp_cpu_record *r)
{
    return r->skipped[0] != '\0';
}

/* one process (rank 0 alone, threads at most) or processes (every rank) */
static json_t *json_kind(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_string(r->strategy->needs & CP_NEEDS_ALL_RANKS ? "processes" : "one_process");
}

static void text_intensity(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    snprintf(buf, size, "%d", r->intensity);
}

static json_t *json_intensity(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_integer(r->intensity);
}

static void text_ranks(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    snprintf(buf, size, "%d", r->ranks);
}

static json_t *json_ranks(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_integer(r->ranks);
}

static void text_threads(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    snprintf(buf, size, "%d", r->threads);
}

static json_t *json_threads(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_integer(r->threads);
}

static void text_seconds(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r))
        snprintf(buf, size, "skipped");
    else
        snprintf(buf, size, "%.4f (%.4f-%.4f)%s", r->seconds.median, r->seconds.min, r->seconds.max,
                 r->meaningful ? "" : " !");
}

static json_t *json_seconds(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r))
        return json_null();
    json_t *samples = json_array();
    for (int i = 0; i < r->seconds.count && r->seconds.samples != NULL; i++)
        json_array_append_new(samples, json_real(r->seconds.samples[i]));
    return json_pack("{s:f, s:f, s:f, s:o}", "min", r->seconds.min, "median", r->seconds.median,
                     "max", r->seconds.max, "samples", samples);
}

static json_t *json_rank_seconds(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r))
        return json_null();
    return json_pack("{s:f, s:f, s:f}", "min", r->rank_min, "avg", r->rank_avg, "max", r->rank_max);
}

static json_t *json_prepare(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_real(r->prepare_seconds);
}

static json_t *json_read(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return r->read_seconds > 0 ? json_real(r->read_seconds) : json_null();
}

static json_t *json_nodes(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return r->nodes > 0 ? json_integer(r->nodes) : json_null();
}

static json_t *json_note(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return r->note[0] ? json_string(r->note) : json_null();
}

static json_t *json_meaningful(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_boolean(r->meaningful);
}

static json_t *json_skipped(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return skipped(r) ? json_string(r->skipped) : json_null();
}

static json_t *json_stages(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    json_t *o = json_object();
    for (int g = 0; g < CP_STAGE_COUNT; g++)
        json_object_set_new(o, cp_stage_names[g], json_real(r->stage_median[g]));
    return o;
}

static void text_speedup(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (r->speedup > 0 && !skipped(r))
        snprintf(buf, size, "%.1fx", r->speedup);
    else
        snprintf(buf, size, "-");
}

static json_t *json_speedup(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return r->speedup > 0 ? json_real(r->speedup) : json_null();
}

static double cpu_per_wall(const struct cp_cpu_record *r)
{
    return r->wall_seconds > 0 ? r->cpu_seconds / r->wall_seconds : 0;
}

/* busy when the CPU time is at least half of what its threads and ranks could use */
static const char *cpu_label(double ratio, int lanes)
{
    return ratio >= 0.5 * (lanes > 0 ? lanes : 1) ? "busy" : "waiting";
}

/* What limited a run: copying the data when that took half its time or more; memory when it
 * reached the read bound; computing when far below it and compared more than once per
 * element (the lessons' limits); "-" otherwise. */
static const char *limit_of(const struct cp_cpu_record *r)
{
    if (skipped(r) || r->bound_seconds <= 0 || r->seconds.median <= 0)
        return "-";
    double share = r->bound_seconds / r->seconds.median;
    if (r->stage_median[CP_STAGE_DISTRIBUTE] >= 0.5 * r->seconds.median)
        return "copying";
    if (share >= cp_lesson_limits.at_bound)
        return "memory";
    if (share < cp_lesson_limits.compute_bound && r->intensity > 1)
        return "compute";
    return "-";
}

static void text_limit(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%s", limit_of(rec));
}

static json_t *json_limit(const void *rec)
{
    const char *l = limit_of(rec);
    return l[0] == '-' ? json_null() : json_string(l);
}

static void text_cpu_wall(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f %s", cpu_per_wall(r),
                 cpu_label(cpu_per_wall(r), r->threads * r->ranks));
}

static json_t *json_cpu_wall(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_pack("{s:f, s:f, s:f, s:s}", "cpu_seconds", r->cpu_seconds, "wall_seconds",
                     r->wall_seconds, "ratio", cpu_per_wall(r), "label",
                     cpu_label(cpu_per_wall(r), r->threads * r->ranks));
}

static double efficiency(const struct cp_cpu_record *r)
{
    int lanes = r->threads * r->ranks;
    return r->speedup > 0 && lanes > 0 ? r->speedup / lanes : 0;
}

static void text_efficiency(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r) || efficiency(r) <= 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", efficiency(r));
}

static json_t *json_efficiency(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return efficiency(r) > 0 ? json_real(efficiency(r)) : json_null();
}

static void text_bound(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (r->bound_seconds > 0)
        snprintf(buf, size, "%.4f", r->bound_seconds);
    else
        snprintf(buf, size, "-");
}

static json_t *json_bound(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return r->bound_seconds > 0 ? json_real(r->bound_seconds) : json_null();
}

static json_t *json_core_busy(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    json_t *hosts = json_array();
    for (int h = 0; h < r->nhosts; h++) {
        json_t *a = json_array();
        for (int c = 0; c < r->host_busy[h].ncores; c++)
            json_array_append_new(a, json_real(r->host_busy[h].percent[c]));
        json_array_append_new(hosts,
                              json_pack("{s:s, s:o}", "host", r->host_busy[h].host, "percent", a));
    }
    return hosts;
}

static void text_gbs(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r))
        snprintf(buf, size, "-");
    else if (r->bound_seconds > 0 && r->seconds.median > 0)
        /* the share of the read probe's bandwidth it reached */
        snprintf(buf, size, "%.2f (%.0f%%)", r->gb_per_s,
                 100.0 * r->bound_seconds / r->seconds.median);
    else
        snprintf(buf, size, "%.2f", r->gb_per_s);
}

static json_t *json_gbs(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_real(r->gb_per_s);
}

static void text_value(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (skipped(r))
        snprintf(buf, size, "-");
    else
        cp_cpu_format_value(r->opt, r->result, buf, size);
}

static json_t *json_value(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return skipped(r) ? json_null() : cp_json_value(r->opt, r->result);
}

static json_t *json_nd(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return skipped(r) ? json_null() : json_nd_index(r->opt, r->result.index);
}

static void text_index(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    if (r->result.index == CP_INDEX_NONE || skipped(r))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%" PRId64, r->result.index);
}

static json_t *json_index(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    if (r->result.index == CP_INDEX_NONE || skipped(r))
        return json_null();
    return json_integer(r->result.index);
}

static json_t *json_nan_count(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return json_integer(r->result.nan_count);
}

static void text_verified(const void *rec, char *buf, size_t size)
{
    const struct cp_cpu_record *r = rec;
    snprintf(buf, size, "%s", skipped(r) ? "-" : r->verified ? "yes" : "NO");
}

static json_t *json_verified(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return skipped(r) ? json_null() : json_boolean(r->verified);
}

/* a timing taken while the placement oversubscribed CPUs means little */
static enum cp_cell state_seconds(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return skipped(r) || r->meaningful ? CP_CELL_PLAIN : CP_CELL_DOUBTFUL;
}

static enum cp_cell state_verified(const void *rec)
{
    const struct cp_cpu_record *r = rec;
    return skipped(r) ? CP_CELL_PLAIN : r->verified ? CP_CELL_GOOD : CP_CELL_BAD;
}

const struct cp_field cp_cpu_fields[] = {
    {"strategy", "strategy", text_strategy, json_strategy, NULL},
    {"talk_analog", "the talk ran (Python)", text_analog, json_analog, NULL},
    {"kind", NULL, NULL, json_kind, NULL},
    {"intensity", "intensity", text_intensity, json_intensity, NULL},
    {"ranks", "ranks", text_ranks, json_ranks, NULL},
    {"threads", "threads", text_threads, json_threads, NULL},
    {"seconds", "seconds median (min-max)", text_seconds, json_seconds, state_seconds},
    {"rank_seconds", NULL, NULL, json_rank_seconds, NULL},
    {"stage_seconds", NULL, NULL, json_stages, NULL},
    {"prepare_seconds", NULL, NULL, json_prepare, NULL},
    {"read_seconds", NULL, NULL, json_read, NULL},
    {"nodes", NULL, NULL, json_nodes, NULL},
    {"note", NULL, NULL, json_note, NULL},
    {"timing_meaningful", NULL, NULL, json_meaningful, NULL},
    {"skipped", NULL, NULL, json_skipped, NULL},
    {"bound_seconds", "bound", text_bound, json_bound, NULL},
    {"speedup_vs_seq", "x seq", text_speedup, json_speedup, NULL},
    {"efficiency", "eff.", text_efficiency, json_efficiency, NULL},
    {"gb_per_s", "GB/s (% of bound)", text_gbs, json_gbs, NULL},
    {"limited_by", "limited by", text_limit, json_limit, NULL},
    {"cpu_time", "CPU/wall", text_cpu_wall, json_cpu_wall, NULL},
    {"core_busy", NULL, NULL, json_core_busy, NULL},
    {"value", "value", text_value, json_value, NULL},
    {"index", "index", text_index, json_index, NULL},
    {"nd_index", NULL, NULL, json_nd, NULL},
    {"nan_count", NULL, NULL, json_nan_count, NULL},
    {"verified", "verified", text_verified, json_verified, state_verified},
};

const size_t cp_cpu_nfields = sizeof cp_cpu_fields / sizeof cp_cpu_fields[0];

/* ---- IO fields ------------------------------------------------------------------------ */

static void io_text_strategy(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%s", ((const struct cp_io_record *)rec)->strategy->name);
}

static json_t *io_json_strategy(const void *rec)
{
    return json_string(((const struct cp_io_record *)rec)->strategy->name);
}

static void io_text_analog(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%s", ((const struct cp_io_record *)rec)->strategy->talk_analog);
}

static json_t *io_json_analog(const void *rec)
{
    return json_string(((const struct cp_io_record *)rec)->strategy->talk_analog);
}

static void io_text_ranks(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%d", ((const struct cp_io_record *)rec)->ranks);
}

static json_t *io_json_ranks(const void *rec)
{
    return json_integer(((const struct cp_io_record *)rec)->ranks);
}

static void io_text_concurrency(const void *rec, char *buf, size_t size)
{
    const struct cp_io_record *r = rec;
    snprintf(buf, size, "%d%s", r->concurrency, r->concurrency_capped ? " (cap)" : "");
}

static json_t *io_json_concurrency(const void *rec)
{
    return json_integer(((const struct cp_io_record *)rec)->concurrency);
}

static json_t *io_json_capped(const void *rec)
{
    return json_boolean(((const struct cp_io_record *)rec)->concurrency_capped);
}

static void io_text_seconds(const void *rec, char *buf, size_t size)
{
    const struct cp_io_record *r = rec;
    if (r->skipped[0] != '\0')
        snprintf(buf, size, "skipped");
    else
        snprintf(buf, size, "%.3f", r->seconds);
}

static json_t *io_json_skipped(const void *rec)
{
    const struct cp_io_record *r = rec;
    return r->skipped[0] != '\0' ? json_string(r->skipped) : json_null();
}

static json_t *io_json_seconds(const void *rec)
{
    return json_real(((const struct cp_io_record *)rec)->seconds);
}

static void io_text_ideal(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%.3f", ((const struct cp_io_record *)rec)->ideal_seconds);
}

static json_t *io_json_ideal(const void *rec)
{
    return json_real(((const struct cp_io_record *)rec)->ideal_seconds);
}

static void io_text_requests(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRId64, ((const struct cp_io_record *)rec)->requests);
}

static json_t *io_json_requests(const void *rec)
{
    return json_integer(((const struct cp_io_record *)rec)->requests);
}

static void io_text_ok(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRId64, ((const struct cp_io_record *)rec)->tally.ok);
}

static json_t *io_json_ok(const void *rec)
{
    return json_integer(((const struct cp_io_record *)rec)->tally.ok);
}

static void io_text_failed(const void *rec, char *buf, size_t size)
{
    const struct cp_io_tally *t = &((const struct cp_io_record *)rec)->tally;
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < CP_IO_NCLASSES && used < size; c++)
        if (t->failed[c] > 0)
            used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64 " %s", used ? ", " : "",
                                     t->failed[c], cp_io_class_names[c]);
    if (used == 0)
        snprintf(buf, size, "0");
}

static json_t *io_json_failed(const void *rec)
{
    const struct cp_io_tally *t = &((const struct cp_io_record *)rec)->tally;
    json_t *o = json_object();
    for (int c = 0; c < CP_IO_NCLASSES; c++)
        json_object_set_new(o, cp_io_class_names[c], json_integer(t->failed[c]));
    return o;
}

static double rate(const struct cp_io_record *r)
{
    return r->seconds > 0 ? (double)r->tally.requests / r->seconds : 0;
}

static void io_text_rate(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%.1f", rate(rec));
}

static json_t *io_json_rate(const void *rec)
{
    return json_real(rate(rec));
}

static void io_text_p50(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%.1f",
             1e3 * cp_io_percentile(&((const struct cp_io_record *)rec)->tally, 0.50));
}

static void io_text_p99(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%.1f",
             1e3 * cp_io_percentile(&((const struct cp_io_record *)rec)->tally, 0.99));
}

static void io_text_max(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%.1f", 1e3 * ((const struct cp_io_record *)rec)->tally.latency_max);
}

static json_t *io_json_latency(const void *rec)
{
    const struct cp_io_tally *t = &((const struct cp_io_record *)rec)->tally;
    return json_pack("{s:f, s:f, s:f, s:f}", "p50", cp_io_percentile(t, 0.50), "p90",
                     cp_io_percentile(t, 0.90), "p99", cp_io_percentile(t, 0.99), "max",
                     t->latency_max);
}

static json_t *io_json_queue(const void *rec)
{
    const struct cp_io_tally *t = &((const struct cp_io_record *)rec)->tally;
    return json_pack("{s:f, s:f}", "mean",
                     t->requests > 0 ? t->queue_sum / (double)t->requests : 0.0, "max",
                     t->queue_max);
}

static double io_efficiency(const struct cp_io_record *r)
{
    return r->seconds > 0 ? r->ideal_seconds / r->seconds : 0;
}

static void io_text_efficiency(const void *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%.3f", io_efficiency(rec));
}

static json_t *io_json_efficiency(const void *rec)
{
    return json_real(io_efficiency(rec));
}

static void io_text_cpu_wall(const void *rec, char *buf, size_t size)
{
    const struct cp_io_record *r = rec;
    double ratio = r->seconds > 0 ? r->tally.cpu_seconds / r->seconds : 0;
    snprintf(buf, size, "%.3f %s", ratio, ratio >= 0.5 ? "busy" : "waiting");
}

static void io_text_cpu(const void *rec, char *buf, size_t size)
{
    const struct cp_io_tally *t = &((const struct cp_io_record *)rec)->tally;
    snprintf(buf, size, "%.0f", t->requests > 0 ? 1e6 * t->cpu_seconds / (double)t->requests : 0.0);
}

static json_t *io_json_cpu(const void *rec)
{
    return json_real(((const struct cp_io_record *)rec)->tally.cpu_seconds);
}

static json_t *io_json_per_rank(const void *rec)
{
    const struct cp_io_record *r = rec;
    if (r->per_rank == NULL)
        return json_null();
    json_t *a = json_array();
    for (int i = 0; i < r->ranks; i++)
        json_array_append_new(a, json_integer(r->per_rank[i]));
    return a;
}

static enum cp_cell io_state_failed(const void *rec)
{
    const struct cp_io_record *r = rec;
    for (int c = 0; c < CP_IO_NCLASSES; c++)
        if (r->tally.failed[c] > 0)
            return CP_CELL_BAD;
    return CP_CELL_GOOD;
}

const struct cp_field cp_io_fields[] = {
    {"strategy", "strategy", io_text_strategy, io_json_strategy, NULL},
    {"talk_analog", "the talk ran (Python)", io_text_analog, io_json_analog, NULL},
    {"requests", "requests", io_text_requests, io_json_requests, NULL},
    {"ranks", "ranks", io_text_ranks, io_json_ranks, NULL},
    {"concurrency", "concurrency", io_text_concurrency, io_json_concurrency, NULL},
    {"concurrency_capped", NULL, NULL, io_json_capped, NULL},
    {"seconds", "seconds", io_text_seconds, io_json_seconds, NULL},
    {"ideal_seconds", "ideal", io_text_ideal, io_json_ideal, NULL},
    {"efficiency", "ideal/s", io_text_efficiency, io_json_efficiency, NULL},
    {"ok", "ok", io_text_ok, io_json_ok, NULL},
    {"failed", "failed", io_text_failed, io_json_failed, io_state_failed},
    {"requests_per_s", "req/s", io_text_rate, io_json_rate, NULL},
    {"latency_p50_ms", "p50 ms", io_text_p50, NULL, NULL},
    {"latency_p99_ms", "p99 ms", io_text_p99, NULL, NULL},
    {"latency_max_ms", "max ms", io_text_max, NULL, NULL},
    {"latency_seconds", NULL, NULL, io_json_latency, NULL},
    {"queue_seconds", NULL, NULL, io_json_queue, NULL},
    {"client_cpu_us_per_request", "CPU us/req", io_text_cpu, NULL, NULL},
    {"client_cpu_per_wall", "CPU/wall", io_text_cpu_wall, NULL, NULL},
    {"client_cpu_seconds", NULL, NULL, io_json_cpu, NULL},
    {"per_rank", NULL, NULL, io_json_per_rank, NULL},
    {"skipped", NULL, NULL, io_json_skipped, NULL},
};

const size_t cp_io_nfields = sizeof cp_io_fields / sizeof cp_io_fields[0];

json_t *cp_field_row(const struct cp_field *fields, size_t nfields, const void *rec)
{
    json_t *row = json_object();
    for (size_t f = 0; f < nfields; f++)
        if (fields[f].json != NULL)
            json_object_set_new(row, fields[f].key, fields[f].json(rec));
    return row;
}
