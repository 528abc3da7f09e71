/* The one thing the variants differ in: how the server sends a message and
 * how the client receives it. The engine (admission.c and serve.c on the
 * server, worker.c on the client) calls these; each aN_*.c picks one. */
#ifndef COPYBENCH_PATHS_H
#define COPYBENCH_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "wire.h"
#include "zc.h"

/* Server options a send path may use. */
struct send_opts {
    unsigned zc_slots;    /* zero-copy ring length (0 = automatic) */
    int stall_timeout_ms; /* longest wait for a zero-copy completion */
    bool zc_unsafe_reuse; /* tests only: rewrite slots without waiting for
                             their completions, to show the stamps catch it */
};

struct send_path {
    enum impl impl;
    /* Bytes open() will allocate for messages of `size` bytes: the server
     * reserves them from its memory budget before it calls open(). */
    size_t (*footprint)(size_t size, const struct send_opts *opts);
    /* Can this machine run the path at all? Checked once before the server
     * listens: 0, or -1 with a reason in err (the server then exits 1).
     * NULL where nothing beyond TCP is needed. */
    int (*available)(char *err, size_t errlen);
    /* Per-connection state for messages of `size` bytes, or NULL with a
     * reason in err (running out of memory included: never dies). */
    void *(*open)(int fd, size_t size, const struct send_opts *opts, char *err, size_t errlen);
    /* Stamp (seq, send_ns) into a message and send all of it. 0, or -1 with a
     * reason in err (errno kept from the failing call where there was one). */
    int (*send)(void *state, uint64_t seq, uint64_t send_ns, char *err, size_t errlen);
    /* After the last send: wait (bounded) for anything still in flight and
     * report zero-copy counters. 0, or -1 with a reason in err. NULL for the
     * copying paths: nothing to wait for, no zero-copy activity. */
    int (*finish)(void *state, struct zc_counters *zc, char *err, size_t errlen);
    void (*close)(void *state);
};

struct recv_path {
    void *(*open)(int fd, size_t size);
    /* Receive one whole message into the state's 8 fields, and point *m at
     * them: 1, 0 if the peer closed, -1 with errno. */
    int (*recv)(void *state, const struct msg **m);
    void (*close)(void *state);
};

extern const struct send_path two_copy_send, one_copy_send, zero_copy_send, uring_zero_copy_send;
extern const struct recv_path two_copy_recv, one_copy_recv;

/* Engines: parse the command line, run, print the JSON result, return the
 * process exit code. */
int server_main(int argc, char **argv, const struct send_path *path);
int client_main(int argc, char **argv, enum impl impl, const struct recv_path *path);

#endif
