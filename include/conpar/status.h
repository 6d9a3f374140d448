/* conpar status codes and the one error record of the process.
 *
 * Every fallible function returns an enum cp_status; the detail (what failed and why,
 * with the file:line of the check) is kept in one process-wide record that main prints.
 * Only the main thread records errors (strategies report failures after their parallel
 * regions end). */
#ifndef CONPAR_STATUS_H
#define CONPAR_STATUS_H

/* code, exit status, generic message */
#define CP_STATUS_LIST(X)                                                                          \
    X(CP_OK, 0, "ok")                                                                              \
    X(CP_ERR_USAGE, 2, "bad usage")                                                                \
    X(CP_ERR_INPUT, 2, "bad input")                                                                \
    X(CP_ERR_NOMEM, 2, "not enough memory")                                                        \
    X(CP_ERR_FILE, 2, "file error")                                                                \
    X(CP_ERR_UNAVAILABLE, 2, "strategy unavailable here")                                          \
    X(CP_ERR_VERIFY, 1, "verification failed")                                                     \
    X(CP_ERR_IO_FAILED, 1, "requests failed")                                                      \
    X(CP_ERR_NO_VALUES, 1, "no comparable values")                                                 \
    X(CP_ERR_MPI, 1, "MPI call failed")                                                            \
    X(CP_ERR_SYSTEM, 1, "system call failed")                                                      \
    X(CP_ERR_INTERRUPTED, 130, "interrupted")

enum cp_status {
#define CP_STATUS_ENUM(code, exit_status, message) code,
    CP_STATUS_LIST(CP_STATUS_ENUM)
#undef CP_STATUS_ENUM
        CP_STATUS_COUNT
};

/* Generic message for a status ("bad usage"). Never NULL. */
const char *cp_status_message(enum cp_status status);

/* Process exit status for a status: 0 ok, 1 failed verification or run, 2 bad usage or input. */
int cp_status_exit_code(enum cp_status status);

/* Record the detail of a failure (printf format) and return `status`, so a check reads
 * `return CP_FAIL(CP_ERR_INPUT, "--size: '%s': not a number", arg);`. Local. */
#define CP_FAIL(status, ...) cp_error_record((status), __FILE__, __LINE__, __VA_ARGS__)

enum cp_status cp_error_record(enum cp_status status, const char *file, int line, const char *fmt,
                               ...) __attribute__((format(printf, 4, 5)));

/* The recorded detail ("" when none), its status, and where it was recorded. */
const char *cp_error_message(void);
enum cp_status cp_error_status(void);
const char *cp_error_where(void);

/* Replace the record (used when another rank's error is received). */
void cp_error_set(enum cp_status status, const char *message);

/* Forget the recorded error. */
void cp_error_clear(void);

#endif
