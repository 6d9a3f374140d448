/* conpar status codes, the error record, and failures carried out of other threads.
 *
 * Every fallible function returns an enum cp_status; the detail (what failed and why, with
 * the file:line of the check) is kept in an error record. Each thread has its own record
 * (thread-local), so CP_FAIL is safe anywhere and never races; the record main prints, and
 * that cp_comm_agree sends to the other ranks, is the main thread's.
 *
 * The rule for work on other threads (OpenMP regions, worker threads): a failure there is
 * carried to the main thread, never left in the worker's record. Right after a call fails
 * inside the region or worker, cp_error_carry_keep moves the calling thread's record into one
 * struct cp_error_carry that the region shares, with the index of the work item (the loop
 * iteration, the worker's number); of all the failures the carry keeps the one with the
 * lowest index, whatever order the threads get there in. After the region ends (or the
 * workers are joined) the main thread records it with cp_error_carry_record. So a region
 * gives one line, its first failure in index order, the same for any thread count and
 * timing; across ranks cp_comm_agree then keeps the lowest failing rank's. */
#ifndef CONPAR_STATUS_H
#define CONPAR_STATUS_H

#include <stdint.h>

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

/* Record the detail of a failure (printf format) in the calling thread's record, replacing
 * what it held, and return `status`, so a check reads
 * `return CP_FAIL(CP_ERR_INPUT, "--size: '%s': not a number", arg);`. Local. */
#define CP_FAIL(status, ...) cp_error_record((status), __FILE__, __LINE__, __VA_ARGS__)

enum cp_status cp_error_record(enum cp_status status, const char *file, int line, const char *fmt,
                               ...) __attribute__((format(printf, 4, 5)));

/* The calling thread's recorded detail (the status's generic message when none), its status,
 * and where it was recorded ("" when unknown). */
const char *cp_error_message(void);
enum cp_status cp_error_status(void);
const char *cp_error_where(void);

/* Replace the calling thread's record (used when another rank's error is received). */
void cp_error_set(enum cp_status status, const char *message);

/* Forget the calling thread's recorded error. */
void cp_error_clear(void);

/* One failure with its detail. */
struct cp_error {
    enum cp_status status; /* CP_OK: none */
    char message[1024];
    char where[256]; /* file:line of the check, "" when unknown */
};

/* The failure with the lowest index met by a region's threads. Initialise it before the
 * region (cp_error_carry_init); share it with the region's threads. */
struct cp_error_carry {
    int64_t index; /* of the work item that failed, valid when error.status != CP_OK */
    struct cp_error error;
};

void cp_error_carry_init(struct cp_error_carry *carry);

/* On any thread, right after a call of work item `index` returned `status`: when it is a
 * failure, move the calling thread's record (its detail; none when the call recorded
 * nothing) out of the thread and into *carry if no failure with a lower index is there.
 * Returns `status`; CP_OK is a no-op. Thread-safe: threads may keep into one carry at once. */
enum cp_status cp_error_carry_keep(struct cp_error_carry *carry, int64_t index,
                                   enum cp_status status);

/* On the main thread, after the region ends or the workers are joined (so no thread keeps
 * into *carry any more): record the carried failure as the calling thread's error and
 * return its status; CP_OK, recording nothing, when no work item failed. */
enum cp_status cp_error_carry_record(const struct cp_error_carry *carry);

#endif
