/* The command line: one option table drives getopt_long, validation and --help.
 * Parsing is pure (no MPI, no printing): errors come back as CP_ERR_USAGE with a one-line
 * message naming the flag and the value. */
#ifndef CONPAR_CLI_H
#define CONPAR_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "conpar/cpu.h"
#include "conpar/io.h"
#include "conpar/server.h"
#include "conpar/status.h"

enum cp_phase_bits { CP_PHASE_CPU = 1u << 0, CP_PHASE_IO = 1u << 1 };

#define CP_DEFAULT_SIZE 100000000 /* 100M float64 = 800 MB: fits a laptop */
#define CP_DEFAULT_DELAY 0.2      /* seconds: the talk's lessons in a tenth of its 2 s */
#define CP_DEFAULT_SEED 42
#define CP_DEFAULT_CHUNKS 100 /* the talk's chunk count */

enum cp_command {
    CP_CMD_RUN = 1u << 0,
    CP_CMD_GENERATE = 1u << 1,
    CP_CMD_SERVE = 1u << 2,
    CP_CMD_DOCTOR = 1u << 3
};

struct cp_options {
    enum cp_command command; /* conpar, or conpar generate */
    unsigned phases;         /* enum cp_phase_bits */
    int size_given, seed_given;
    const char *out_path; /* generate --out */
    int out_itemsize;     /* generate --dtype: 8 (float64) or 4 (float32) */
    struct cp_cpu_options cpu;
    struct cp_io_options io;
    struct cp_server_options serve; /* conpar serve */
    const char *json_path;          /* --json FILE, or NULL */
    const char *csv_path;           /* --csv FILE, or NULL */
    int quiet;                      /* --quiet: no progress lines */
    const char *sweep;              /* --sweep: "threads" or "concurrency", or NULL */
    int nsweep;
    int sweep_values[8];
    int show_help;
    int show_version;
};

/* Defaults for every option. */
void cp_options_default(struct cp_options *o);

/* Parse argv into *o (which starts from cp_options_default). Re-entrant across calls.
 * CP_OK or CP_ERR_USAGE. Pointers in *o point into argv. */
enum cp_status cp_cli_parse(int argc, char **argv, struct cp_options *o);

/* Print --help: usage, every option with its default and units, examples. */
void cp_cli_help(FILE *out);

/* A positive count with optional decimal (K M G T), binary (Ki Mi Gi Ti) or exponent (1e9,
 * 2.5e8) scaling; the result must be a whole number in [min, INT64_MAX]. `flag` names the
 * option in the error. */
enum cp_status cp_parse_count(const char *flag, const char *text, int64_t min, int64_t *out);

/* A duration in seconds: "2", "2s", "0.5", "200ms", "1m"; at least `min`, at most a day. */
enum cp_status cp_parse_duration(const char *flag, const char *text, double min, double *out);

/* A comma-separated list of IO strategy names into io->strategies (as cp_parse_cpu_strategies). */
enum cp_status cp_parse_io_strategies(const char *flag, const char *text, struct cp_io_options *io);

/* A plain decimal integer in [min, max]. */
enum cp_status cp_parse_int(const char *flag, const char *text, int64_t min, int64_t max,
                            int64_t *out);

/* A comma-separated list of CPU strategy names into cpu->strategies (registry order kept as
 * given; unknown, empty or repeated names are errors that list the valid ones). */
enum cp_status cp_parse_cpu_strategies(const char *flag, const char *text,
                                       struct cp_cpu_options *cpu);

#endif
