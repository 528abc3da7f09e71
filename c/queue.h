/* Bytes waiting in a side's sockets during a stream run, so that Little's
 * law (bytes waiting = throughput x mean delay) can be checked against the
 * one-way delay the client measures.
 *
 * The sender (server) reads SIOCOUTQ on each data connection: bytes written
 * but not yet acknowledged by the peer. The receiver (client) reads SIOCINQ:
 * bytes received but not yet read. Each is summed over the run's
 * connections.
 *
 * One sampler thread per process takes a sample every QUEUE_SAMPLE_NS, off
 * the hot path: no send or receive call does any extra work for it. A
 * sample counts only when the process's probe says the whole run is inside
 * its measured window; the result line's "queue" object carries the mean
 * and maximum over those samples and their number:
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

/* A side's probe: the sum over its connections at time now. Called from
 * the sampler thread only. */
typedef enum queue_tick (*queue_probe)(void *ctx, uint64_t now, uint64_t *bytes);

struct queue_sampler {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    bool stop, poked, running;
    queue_probe probe;
    void *ctx;
    struct queue_stats stats; /* read after queue_sampler_stop */
};

/* Start the thread (dies if it cannot: a run without its sampler would
 * print a queue object that means nothing). */
void queue_sampler_start(struct queue_sampler *q, queue_probe probe, void *ctx);
/* Wake an idle sampler: something to sample may have begun. */
void queue_sampler_poke(struct queue_sampler *q);
/* End the thread and wait for it; q->stats is then final. A sampler that
 * was never started is left as is. */
void queue_sampler_stop(struct queue_sampler *q);

/* SIOCOUTQ (outgoing) or SIOCINQ (!outgoing) of fd into *bytes; false if the
 * ioctl fails. */
bool queue_bytes(int fd, bool outgoing, uint64_t *bytes);

#endif
