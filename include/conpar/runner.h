/* The runner both phases share: the timed runs of one strategy (warm-up, barriers, the slowest
 * rank's time, interrupts, CPU time) and the loop over a phase's strategies (progress, skips,
 * interrupts, a checkpoint after each, the verdict). A phase supplies only what is its own:
 * how one run goes and what its answer must be (struct cp_trial), and how its records are made
 * and judged (struct cp_phase). */
#ifndef CONPAR_RUNNER_H
#define CONPAR_RUNNER_H

#include <mpi.h>

#include "conpar/status.h"

/* Stages a run may time separately (seconds stay 0 where a stage does not apply). */
enum cp_stage { CP_STAGE_DISTRIBUTE, CP_STAGE_COMPUTE, CP_STAGE_COMBINE, CP_STAGE_COUNT };

/* Timing summary of the timed runs, in seconds. */
struct cp_timing {
    double min, median, max;
    int count;
    double *samples; /* count values in run order; owned by the record that keeps it */
};

/* min, median (mean of the middle two for an even count) and max of samples[0..count). */
struct cp_timing cp_timing_of(const double *samples, int count);

/* One strategy's runs. */
struct cp_trial {
    int collective; /* every rank runs it; else rank 0 alone while the others sleep */
    int warmup;     /* untimed runs first */
    int repeat;     /* timed runs, >= 1 */
    /* One run on this rank: set stage_seconds[] where stages apply. Collective when
     * `collective`; an error ends the trial (agreed across ranks when collective). */
    enum cp_status (*once)(void *arg, double stage_seconds[CP_STAGE_COUNT]);
    /* Optional, rank 0, after every run (warm-ups too) that all ranks finished: judge its
     * answer. `timed` is 0 for a warm-up. */
    void (*accept)(void *arg, int timed);
    /* Optional: a pass measuring the bound the run is compared with (a streaming read of the
     * same data), on the same ranks, timed like a run: before every timed run and after the
     * last, so each run has a probe on either side. */
    enum cp_status (*probe)(void *arg);
    void *arg;
};

/* What the timed runs came to (on rank 0; other ranks' copy is unspecified). */
struct cp_trial_times {
    struct cp_timing seconds;            /* per timed run: the slowest rank; samples owned here */
    double stage_median[CP_STAGE_COUNT]; /* per stage: the slowest rank, median over runs */
    double rank_min, rank_avg;           /* medians over runs of the fastest and mean rank */
    struct cp_timing probe;              /* the probe passes: the slowest rank (no samples) */
    double cpu_seconds;                  /* CPU time of every taking part process, all runs */
    double wall_seconds;                 /* wall time of all runs on rank 0 */
};

/* Run t: warm-ups, then timed runs, each started together on every rank (a barrier) when
 * collective, and timed as the slowest rank; between runs a SIGINT or SIGTERM ends the trial
 * with CP_ERR_INTERRUPTED. Every rank of comm calls it (for a rank-0 trial the other ranks
 * sleep in cp_comm_idle_barrier meanwhile). Collective; the status is agreed; *out is filled on
 * rank 0 (free out->seconds.samples). */
enum cp_status cp_trial_run(const struct cp_trial *t, MPI_Comm comm, struct cp_trial_times *out);

/* A phase: items (a strategy, or a strategy at one request count) run in order. */
struct cp_phase {
    const char *name; /* "CPU" or "IO", in progress lines */
    int nitems;
    /* Run item i into its record (collective; the status agreed). CP_ERR_UNAVAILABLE skips it
     * with the recorded reason; CP_ERR_INTERRUPTED drops its record. */
    enum cp_status (*item)(void *self, int i, MPI_Comm comm);
    /* What progress says of item i ("seq", "seq, 10 requests"). */
    void (*label)(void *self, int i, char *buf, size_t size);
    /* Every rank: item i did not run, and why (the same reason on every rank). */
    void (*skipped)(void *self, int i, const char *why);
    /* Every rank: item i was interrupted; its record must go (only complete ones stay). */
    void (*dropped)(void *self, int i);
    /* Rank 0, after every item ran: the phase's verdict on its records. */
    enum cp_status (*verdict)(void *self);
    void *self;
    /* Called on rank 0 after each item's record is complete (a checkpoint), or NULL. */
    void (*on_record)(void *arg);
    void *on_record_arg;
};

/* Run every item of p in order: a stop check before each, a skip kept with its reason, an
 * interruption dropping the item's record and ending the loop, a checkpoint after each
 * complete record, then the verdict. Collective; returns the agreed status (CP_OK, the
 * verdict's status, CP_ERR_INTERRUPTED, or an item's error). */
enum cp_status cp_phase_run(const struct cp_phase *p, MPI_Comm comm);

#endif
