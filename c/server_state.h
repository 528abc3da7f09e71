/* The server's state, shared by its files: the server itself, each
 * connection it serves, and the totals over the connections that ended.
 *
 * Bounds (limits.h): a hello must be whole HELLO_TIMEOUT_S after accept; at
 * most MAX_PENDING_HELLOS connections wait for theirs; at most
 * --max-connections are served at once, and their message buffers together
 * stay within --max-memory, both reserved before anything is allocated; a
 * peer that makes no progress for --stall-timeout ends its connection. None
 * of these ends the server: a refused or failed connection is counted. */
#ifndef COPYBENCH_SERVER_STATE_H
#define COPYBENCH_SERVER_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paths.h"
#include "queue.h"
#include "server_opts.h"
#include "tcpinfo.h"

struct conn {
    struct server *srv;
    int fd;
    pthread_t thread;
    struct conn *next;
    uint64_t accept_ns;
    bool finished; /* the thread has returned (guarded by srv->lock) */
    bool pending;  /* counted in srv->pending (guarded by srv->lock) */
    size_t reserved; /* bytes of srv->reserved held (guarded by srv->lock) */
    /* Stream mode, for the queue sampler: from when (this connection's
     * warm-up over) its SIOCOUTQ counts; 0 while it is not streaming. Set
     * after queue_threads, which is the hello's thread count: a sample is
     * taken only when that many connections are in their window. */
    atomic_uint_fast64_t queue_from_ns;
    unsigned queue_threads;
    /* Written by the thread, read after it is joined: */
    bool valid;  /* the hello was accepted */
    bool failed; /* a runtime failure after the hello */
    enum mode mode;
    uint32_t msg_size;
    uint64_t start_ns, end_ns, bytes_sent, messages_sent;
    struct zc_counters zc;
    struct tcp_sample tcp_start, tcp_end; /* TCP_INFO at start_ns and end_ns */
};

struct totals {
    uint64_t connections, rejected, failed, bytes_sent, messages_sent;
    uint64_t first_start_ns, last_end_ns;
    bool have_mode;
    enum mode mode;
    uint32_t msg_size;
    struct zc_counters zc;
    bool zc_all_enabled;
    struct tcp_account tcp;
};

struct server {
    const struct send_path *path;
    struct server_opts opt;
    pthread_mutex_t lock;
    struct conn *active; /* threads not yet reaped */
    /* Admission, guarded by lock: */
    unsigned pending;    /* accepted, hello not yet complete */
    unsigned serving;    /* hello accepted, not yet ended */
    uint64_t reserved;   /* bytes reserved by the connections served */
    int done_pipe[2];    /* a finishing thread writes one byte */
    atomic_bool stopping;
    atomic_uint_fast64_t rejected;
    struct totals total;
    struct queue_sampler queue; /* bytes waiting to be acknowledged (queue.h) */
};

#endif
