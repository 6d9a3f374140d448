/* libFuzzer target: checking an HTTP answer. The input is everything a server sends back; a
 * real libcurl transfer reads it from one end of a socketpair (CURLOPT_OPENSOCKETFUNCTION), and
 * conpar's transfer code collects the body and classifies the answer. Exactly one request must
 * be counted, and it may count as ok only if the answer holds status 200 and the body
 * "Hello World!". */
#define _GNU_SOURCE /* memmem */
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../src/io/client.h"
#include "conpar/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static curl_socket_t server_end_sock;

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    (void)arg;
    (void)purpose;
    (void)addr;
    return server_end_sock;
}

static int already_connected(void *arg, curl_socket_t fd, curlsocktype purpose)
{
    (void)arg;
    (void)fd;
    (void)purpose;
    return CURL_SOCKOPT_ALREADY_CONNECTED;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the answer must fit the socket buffer: the write below happens before curl reads */
    if (size > 65536)
        return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 0;
    int sndbuf = 1 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(sv[1], data + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    shutdown(sv[1], SHUT_WR);

    struct cp_io_options opt = {.expect_status = 200, .expect_body = "Hello World!"};
    struct cp_io_ctx ctx = {.opt = &opt, .url = "http://127.0.0.1:9/", .timeout = 2.0};
    struct cp_io_transfer t;
    if (cp_io_transfer_init(&t, &ctx) != CP_OK)
        abort();
    server_end_sock = sv[0]; /* libcurl closes it */
    curl_easy_setopt(t.easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(t.easy, CURLOPT_SOCKOPTFUNCTION, already_connected);
    struct cp_io_tally tally;
    memset(&tally, 0, sizeof tally);
    cp_io_transfer_begin(&t, cp_io_now());
    CURLcode rc = curl_easy_perform(t.easy);
    cp_io_transfer_end(&t, &opt, rc, &tally);
    int64_t failed = 0;
    for (int i = 0; i < CP_IO_NCLASSES; i++)
        failed += tally.failed[i];
    if (tally.requests != 1 || tally.ok + failed != 1)
        abort();
    if (tally.ok == 1 &&
        (memmem(data, size, "200", 3) == NULL || memmem(data, size, "Hello World!", 12) == NULL))
        abort();
    curl_easy_cleanup(t.easy);
    close(sv[1]);
    return 0;
}
