/* The status table, each thread's error record, and failures carried between threads. */
#include "conpar/status.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int exit_status;
    const char *message;
} status_table[] = {
#define CP_STATUS_ROW(code, exit_status, message) {exit_status, message},
    CP_STATUS_LIST(CP_STATUS_ROW)
#undef CP_STATUS_ROW
};

/* the calling thread's record: a worker's failure never touches the main thread's */
static _Thread_local struct cp_error last_error;

/* serialises cp_error_carry_keep; taken only when something failed */
static pthread_mutex_t carry_lock = PTHREAD_MUTEX_INITIALIZER;

const char *cp_status_message(enum cp_status status)
{
    if ((int)status < 0 || status >= CP_STATUS_COUNT)
        return "unknown status";
    return status_table[status].message;
}

int cp_status_exit_code(enum cp_status status)
{
    if ((int)status < 0 || status >= CP_STATUS_COUNT)
        return 1;
    return status_table[status].exit_status;
}

enum cp_status cp_error_record(enum cp_status status, const char *file, int line, const char *fmt,
                               ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error.message, sizeof last_error.message, fmt, ap);
    va_end(ap);
    snprintf(last_error.where, sizeof last_error.where, "%s:%d", file, line);
    last_error.status = status;
    return status;
}

void cp_error_set(enum cp_status status, const char *message)
{
    last_error.status = status;
    snprintf(last_error.message, sizeof last_error.message, "%s", message);
    last_error.where[0] = '\0';
}

const char *cp_error_message(void)
{
    return last_error.message[0] ? last_error.message : cp_status_message(last_error.status);
}

enum cp_status cp_error_status(void)
{
    return last_error.status;
}

const char *cp_error_where(void)
{
    return last_error.where;
}

void cp_error_clear(void)
{
    memset(&last_error, 0, sizeof last_error);
}

void cp_error_carry_init(struct cp_error_carry *carry)
{
    memset(carry, 0, sizeof *carry);
}

enum cp_status cp_error_carry_keep(struct cp_error_carry *carry, int64_t index,
                                   enum cp_status status)
{
    if (status == CP_OK)
        return CP_OK;
    /* the detail belongs to this failure only if the call recorded one */
    struct cp_error mine = {status, "", ""};
    if (last_error.status != CP_OK) {
        memcpy(mine.message, last_error.message, sizeof mine.message);
        memcpy(mine.where, last_error.where, sizeof mine.where);
    }
    cp_error_clear();
    pthread_mutex_lock(&carry_lock);
    if (carry->error.status == CP_OK || index < carry->index) {
        carry->index = index;
        carry->error = mine;
    }
    pthread_mutex_unlock(&carry_lock);
    return status;
}

enum cp_status cp_error_carry_record(const struct cp_error_carry *carry)
{
    if (carry->error.status == CP_OK)
        return CP_OK;
    last_error = carry->error;
    return last_error.status;
}
