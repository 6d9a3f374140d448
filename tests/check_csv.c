/* check_csv FILE ROWS COLUMN...: FILE parses as RFC 4180 CSV (quoted fields, doubled quotes,
 * CRLF), every record has as many fields as the header, there are ROWS records after it, and
 * the header names every COLUMN. Exit 0 when all hold, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: check_csv FILE ROWS COLUMN...\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    char header[8192] = "";
    size_t hlen = 0;
    long records = 0, fields = 1, header_fields = -1;
    int quoted = 0, c, bad = 0, at_start = 1;
    while ((c = fgetc(f)) != EOF) {
        if (records == 0 && hlen + 1 < sizeof header && c != '\r' && c != '\n')
            header[hlen++] = (char)c;
        if (quoted) {
            if (c == '"') {
                int next = fgetc(f);
                if (next != '"') {
                    quoted = 0;
                    if (next != EOF)
                        ungetc(next, f);
                }
            }
            continue;
        }
        if (c == '"' && at_start) {
            quoted = 1;
        } else if (c == ',') {
            fields++;
            at_start = 1;
            continue;
        } else if (c == '\r') {
            int next = fgetc(f);
            if (next != '\n')
                bad = 1;
            if (header_fields < 0)
                header_fields = fields;
            else if (fields != header_fields)
                bad = 1;
            records++;
            fields = 1;
            at_start = 1;
            continue;
        } else if (c == '\n') {
            bad = 1; /* a bare LF ends no record in RFC 4180 */
        }
        at_start = 0;
    }
    fclose(f);
    int ok = !bad && !quoted && records - 1 == atol(argv[2]);
    if (!ok)
        fprintf(stderr, "check_csv: %s: %ld records (want %s + header), %s\n", argv[1], records,
                argv[2],
                bad      ? "malformed"
                : quoted ? "an open quote"
                         : "well formed");
    for (int a = 3; a < argc; a++) {
        char want[256];
        snprintf(want, sizeof want, ",%s,", argv[a]);
        char line[8200];
        snprintf(line, sizeof line, ",%s,", header);
        if (strstr(line, want) == NULL) {
            fprintf(stderr, "check_csv: no column %s\n", argv[a]);
            ok = 0;
        }
    }
    return ok ? 0 : 1;
}
