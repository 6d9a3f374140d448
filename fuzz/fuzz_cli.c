/* libFuzzer target: option parsing. The input is an argument list, one argument per line,
 * after "conpar": subcommands, sizes, durations, strategy lists and every other option. The
 * parser must accept or refuse with a message, never crash, leak or read outside its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conpar/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX_ARGS = 64 };
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "conpar";
    for (char *p = text; argc <= MAX_ARGS && p <= text + size;) {
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        if (nl != NULL)
            *nl = '\0';
        argv[argc++] = p;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    argv[argc] = NULL;
    struct cp_options o;
    cp_options_default(&o);
    if (cp_cli_parse(argc, argv, &o) != CP_OK && cp_error_message()[0] == '\0')
        abort(); /* a refusal always says why */
    free(text);
    return 0;
}
