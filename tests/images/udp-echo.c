/* A UDP echo server for the end-to-end tests: the busybox image has no UDP applet. Answers every datagram with
 * "echo:" and its payload, and prints the payload on stdout (docker logs). Usage: udp-echo PORT */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: udp-echo PORT\n"); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("udp-echo"); return 1; }
    char buffer[1500], reply[1506] = "echo:";
    for (;;) {
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *)&peer, &length);
        if (n <= 0) continue;
        fwrite(buffer, 1, (size_t)n, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        memcpy(reply + 5, buffer, (size_t)n);
        sendto(fd, reply, (size_t)n + 5, 0, (struct sockaddr *)&peer, length);
    }
}
