/* The status table and the process-wide error record. */
#include "conpar/status.h"

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

static struct {
    enum cp_status status;
    char message[1024];
    char where[256];
} last_error;

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
