/* Bytes waiting in a side's sockets during a stream run, so that Little's
 * law (bytes waiting = throughput x mean delay) can be checked against the
 * one-way delay the client measures.
 *
 * The sender (server) reads what SIOCOUTQ returns on each data connection:
 * bytes written but not yet acknowledged by the peer (write_seq - snd_una).
 * The receiver (client) reads what SIOCINQ returns: bytes received but not
 * yet read (rcv_nxt - copied_seq). Each is summed over the run's
 * connections. Both are read through sock_diag, as ss reads them, without
 * the socket's lock; the ioctls take it, so they would wait while the
 * worker is inside a send or receive call and see the socket only between
 * calls.
 *
 * One sampler thread per process takes a sample every QUEUE_SAMPLE_NS, off
 * the hot path: no send or receive call does any extra work for it. It runs
 * on the CPUs the process is not pinned to (where there are any) and at
 * SCHED_FIFO (where allowed): a sampler that shares the busy CPU sees the
 * queues emptier than they are (queue.c). A sample counts only when the
 * process's probe says the whole run is inside its measured window; the
 * result line's "queue" object carries the mean and maximum over those
 * samples and their number:
 *   "queue": {"bytes_mean": 123.4, "bytes_max": 456, "samples": 50}
 * with bytes_mean and bytes_max null when no sample was taken, and the
 * whole object null in rr mode, where nothing is sampled. */
#ifndef COPYBENCH_QUEUE_H
#define COPYBENCH_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct json;

/* 10 ms: 50 samples or more in a half-second window, 100 wake-ups a second. */
#define QUEUE_SAMPLE_NS 10000000ull

/* The samples taken: all zero is none. */
struct queue_stats {
    uint64_t samples, max;
    double sum;
};

/* Add one sample. Pure. */
void queue_stats_add(struct queue_stats *s, uint64_t bytes);

/* The "queue" object of a result line (null figures when no sample). */
void queue_json(struct json *j, const struct queue_stats *s);

/* What a probe made of one tick. */
enum queue_tick {
    QUEUE_TAKEN, /* *bytes is a sample */
    QUEUE_WAIT,  /* not in the window (yet): try again next tick */
    QUEUE_IDLE,  /* nothing to sample: sleep until queue_sampler_poke */
    QUEUE_DONE,  /* the window is over: the thread ends */
};

/* Reads a TCP socket's queues through sock_diag (NETLINK_SOCK_DIAG), in
 * the network namespace of the process that opened it. */
struct queue_reader {
    int nl; /* -1: could not be opened */
    uint32_t seq;
};

bool queue_reader_open(struct queue_reader *r);
void queue_reader_close(struct queue_reader *r);

/* The TCP connection fd's bytes written but not yet acknowledged
 * (outgoing: what SIOCOUTQ returns) or received but not yet read (!outgoing:
 * what SIOCINQ returns), read without taking its lock. False if fd is no
 * connected TCP socket or the kernel does not answer. */
bool queue_bytes(struct queue_reader *r, int fd, bool outgoing, uint64_t *bytes);

/* A side's probe: the sum over its connections at time now, read with r.
 * Called from the sampler thread only. */
typedef enum queue_tick (*queue_probe)(void *ctx, struct queue_reader *r, uint64_t now, uint64_t *bytes);

struct queue_sampler {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    bool stop, poked, running;
    queue_probe probe;
    void *ctx;
    struct queue_reader reader;
    struct queue_stats stats; /* read after queue_sampler_stop */
};

/* Open the reader and start the thread (dies if the thread cannot start:
 * a run without its sampler would print a queue object that means nothing;
 * a reader that cannot open is said on stderr, and no sample is taken). */
void queue_sampler_start(struct queue_sampler *q, queue_probe probe, void *ctx);
/* Wake an idle sampler: something to sample may have begun. */
void queue_sampler_poke(struct queue_sampler *q);
/* End the thread and wait for it; q->stats is then final. A sampler that
 * was never started is left as is. */
void queue_sampler_stop(struct queue_sampler *q);


#endif
