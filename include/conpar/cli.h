/* The command line: one option table drives getopt_long, validation, the defaults, every
 * command's --help and a read-only view for other tools (a man page, shell completion).
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

/* values of one --sweep */
#define CP_SWEEP_MAX_VALUES 16

enum cp_phase_bits { CP_PHASE_CPU = 1u << 0, CP_PHASE_IO = 1u << 1 };

enum cp_command {
    CP_CMD_RUN = 1u << 0,
    CP_CMD_GENERATE = 1u << 1,
    CP_CMD_SERVE = 1u << 2,
    CP_CMD_DOCTOR = 1u << 3
};

struct cp_options {
    enum cp_command command; /* conpar, conpar generate, serve or doctor */
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
    int processes;                  /* --processes: the pool's processes, parent included; 0 =
                                       the CPUs of the affinity mask (a launched run: its ranks) */
    const char *sweep;              /* --sweep: "threads", "intensity" or "concurrency", or NULL */
    int nsweep;
    int sweep_values[CP_SWEEP_MAX_VALUES];
    int show_help;
    int show_version;
    unsigned list_strategies; /* --list-strategies: enum cp_phase_bits to list, 0 = not asked */
};

/* Every option's default, from the table (the server's settings from cp_server_defaults). */
void cp_options_default(struct cp_options *o);

/* Parse argv into *o (which starts from cp_options_default): an optional subcommand word
 * (generate, serve, doctor) then its options. Re-entrant across calls. CP_OK or CP_ERR_USAGE.
 * Pointers in *o point into argv; getopt_long may reorder argv's elements. */
enum cp_status cp_cli_parse(int argc, char **argv, struct cp_options *o);

/* Print the --help of `command`: its usage, its options with their defaults and units (and for
 * a run the strategies of both registries), its exit statuses and examples, in 100 columns. */
void cp_cli_help(FILE *out, enum cp_command command);

/* Print --list-strategies: the registry's names one per line; with both phase bits each name
 * follows its phase ("cpu seq", ..., "io seq", ...), with one bit the names alone. */
void cp_cli_list_strategies(FILE *out, unsigned phases);

/* One option as the table has it, for tools that document or complete the command line. */
struct cp_cli_option {
    const char *name;         /* long name, without the leading "--" */
    char short_name;          /* the letter of -X, or '\0' */
    const char *metavar;      /* the value's name in --help ("N", "FILE"), NULL: takes no value */
    int value_optional;       /* the value may be left out (--list-strategies) */
    int list;                 /* the value is a comma-separated list */
    const char *choices;      /* the accepted words, space-separated, or NULL: free-form */
    const char *default_text; /* the default as --help shows it, "" when none is shown */
    const char *help;         /* one paragraph, not wrapped */
    unsigned commands;        /* enum cp_command bits of the commands that take it */
};

/* The table in --help order; *count gets its length. A name appears twice when two commands
 * take it with different meanings or defaults (--delay of a run and of conpar serve), with
 * disjoint `commands`. Static storage, read-only; thread-safe. */
const struct cp_cli_option *cp_cli_options(int *count);

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
