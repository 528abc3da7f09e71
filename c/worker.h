/* The client's shared state and its per-connection worker threads: each
 * connects and greets, waits at the common start gate, then receives and
 * checks messages (stream or rr) until the window ends. */
#ifndef COPYBENCH_WORKER_H
#define COPYBENCH_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "client_opts.h"
#include "histo.h"
#include "paths.h"
#include "rx_zerocopy.h"
#include "tcpinfo.h"

struct addrinfo;
struct client;

struct worker {
    struct client *cl;
    pthread_t thread;
    int fd;
    unsigned index;
    uint64_t bytes, messages, corrupt;
    struct rx_counts rx; /* message bytes mapped / copied, warm-up included */
    struct histo latency;
    bool failed;
    char err[256];
    /* TCP_INFO once the hello is answered and once the server has closed
     * (tcp_ended): the same span as the server's (tcpinfo.h). */
    struct tcp_sample tcp_start, tcp_end;
    bool tcp_ended;
};

struct client {
    struct client_opts opt;
    enum impl impl;
    const struct recv_path *path;
    struct addrinfo *server;
    /* The start gate: every worker connected and greeted, or one failed. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned arrived;
    bool abort;
    uint64_t start_ns;
};

/* The measured window on the monotonic clock, once cl->start_ns is set:
 * the warm-up ends at *warm_end, the window at *end. */
void client_window(const struct client *cl, uint64_t *warm_end, uint64_t *end);

/* A worker thread's body (arg: its struct worker). A failure is left in
 * w->failed and w->err; w->fd is left open for the caller to close. */
void *worker_thread(void *arg);

#endif
