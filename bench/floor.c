/* floor PORT N: the least any HTTP/1.1 client can do per request on this machine, to set
 * conpar's `async` figures against: one thread, epoll, raw non-blocking sockets, N requests to
 * 127.0.0.1:PORT all in flight, one connection each (as the server closes them), no parsing
 * beyond finding the body. Prints the wall seconds and the CPU (user + system) per request.
 * Built and run by bench/io.sh; not part of conpar. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: floor PORT N\n");
        return 2;
    }
    int port = atoi(argv[1]), n = atoi(argv[2]);
    struct rlimit rl = {n + 64, n + 64};
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int ep = epoll_create1(0);
    static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    double t0 = now();
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    int *sent = calloc((size_t)n + 70000, sizeof *sent);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
            perror("connect");
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    int done = 0, ok = 0;
    struct epoll_event evs[512];
    char buf[4096];
    while (done < n) {
        int k = epoll_wait(ep, evs, 512, 5000);
        if (k <= 0)
            break;
        for (int j = 0; j < k; j++) {
            int fd = evs[j].data.fd;
            if ((evs[j].events & EPOLLOUT) && !sent[fd]) {
                sent[fd] = 1;
                send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
                struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
                continue;
            }
            if (evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t m;
                while ((m = recv(fd, buf, sizeof buf, 0)) > 0)
                    if (memmem(buf, (size_t)m, "Hello World!", 12))
                        ok++;
                if (m == 0 || (m < 0 && errno != EAGAIN)) {
                    close(fd);
                    sent[fd] = 0;
                    done++;
                }
            }
        }
    }
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) * 1e-6 +
                 (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
                 (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) * 1e-6;
    printf("floor: %d of %d ok in %.3f s wall, %.1f us CPU per request (user+sys)\n", ok, n,
           now() - t0, cpu / n * 1e6);
    return 0;
}
