/* The talk's lessons as claims a run's own numbers must prove.
 *
 * Each lesson compares ratios measured in the same run against the limits below (the one
 * place they are written; the README lists them). It is `shown` only when the run's rows meet
 * them; otherwise it says why not and which command would show it. A lesson never states more
 * than its evidence. Computed on rank 0 from a phase's report, after the phase. */
#ifndef CONPAR_LESSONS_H
#define CONPAR_LESSONS_H

#include <stddef.h>

struct cp_cpu_report;
struct cp_io_report;

/* The limits every lesson is judged by. */
struct cp_lesson_limits {
    double native;        /* simd at least this many times seq's speed */
    double scale;         /* "scales": a speedup over simd of at least this share of the lanes
                             (threads x processes) */
    double one_core;      /* "back to one core": at most this many times simd's speed */
    double compute_bound; /* a run reaching less than this share of its read bound is limited
                             by computing, not by memory */
    double at_bound;      /* a run reaching at least this share of its read bound stops at the
                             memory bandwidth */
    double copy_share;    /* scatter's copy stage is at least this share of its time */
    double copy_saving;   /* window at least this many times faster than scatter */
    double io_floor;      /* an IO time at least this share of its ideal (physics) */
    double io_slack;      /* and at most this many times its ideal */
};

extern const struct cp_lesson_limits cp_lesson_limits;

#define CP_LESSONS_MAX 16

struct cp_lesson {
    const char *id;     /* "cpu_gil" */
    const char *phase;  /* "cpu" or "io" */
    const char *claim;  /* the talk's conclusion, as a sentence */
    int shown;          /* the evidence meets the limits */
    char evidence[384]; /* the numbers behind the verdict, "" when the rows are missing */
    char remedy[256];   /* "" when shown; else why not, and the command that would show it */
};

struct cp_lessons {
    int n;
    struct cp_lesson lessons[CP_LESSONS_MAX];
};

/* The CPU lessons of a report whose records are complete (speedups and bounds filled):
 * cpu_native, cpu_gil, cpu_threads_scale, cpu_memory_wall, cpu_processes, cpu_copy_cost,
 * cpu_shared_memory, cpu_cluster. */
void cp_lessons_cpu(const struct cp_cpu_report *cpu, struct cp_lessons *out);

/* The IO lessons of a complete IO report: io_sum_of_waits, io_overlap, io_throttle,
 * io_server_limit. */
void cp_lessons_io(const struct cp_io_report *io, struct cp_lessons *out);

#endif
