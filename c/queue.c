/* The queue sampler (queue.h): one thread per process, a probe per side. */
#include "queue.h"

#include "common.h"
#include "json.h"

#include <errno.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

void queue_stats_add(struct queue_stats *s, uint64_t bytes)
{
    s->samples++;
    s->sum += (double)bytes;
    if (bytes > s->max)
        s->max = bytes;
}

void queue_json(struct json *j, const struct queue_stats *s)
{
    json_open(j, "queue");
    if (s->samples) {
        json_num(j, "bytes_mean", s->sum / (double)s->samples);
        json_u64(j, "bytes_max", s->max);
    } else {
        json_null(j, "bytes_mean");
        json_null(j, "bytes_max");
    }
    json_u64(j, "samples", s->samples);
    json_close(j);
}

bool queue_bytes(int fd, bool outgoing, uint64_t *bytes)
{
    int n = 0;
    if (ioctl(fd, outgoing ? SIOCOUTQ : SIOCINQ, &n) != 0 || n < 0)
        return false;
    *bytes = (uint64_t)n;
    return true;
}

static struct timespec abs_time(uint64_t ns)
{
    return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
}

/* Ticks on a fixed grid (a late tick does not shift the next ones); a tick
 * missed entirely is skipped, not made up. Called and returns with q->lock
 * held; the probe runs without it, so a poke never waits for a probe. */
static void *sampler_thread(void *arg)
{
    struct queue_sampler *q = arg;
    pthread_mutex_lock(&q->lock);
    uint64_t next = now_ns();
    while (!q->stop) {
        pthread_mutex_unlock(&q->lock);
        uint64_t bytes = 0;
        enum queue_tick t = q->probe(q->ctx, now_ns(), &bytes);
        pthread_mutex_lock(&q->lock);
        if (t == QUEUE_TAKEN)
            queue_stats_add(&q->stats, bytes);
        if (t == QUEUE_DONE)
            break;
        if (t == QUEUE_IDLE) {
            while (!q->stop && !q->poked)
                pthread_cond_wait(&q->cond, &q->lock);
            q->poked = false;
            next = now_ns();
            continue;
        }
        uint64_t now = now_ns();
        next += QUEUE_SAMPLE_NS;
        if (next <= now)
            next = now + QUEUE_SAMPLE_NS - (now - next) % QUEUE_SAMPLE_NS;
        struct timespec until = abs_time(next);
        while (!q->stop && !q->poked && now_ns() < next)
            if (pthread_cond_timedwait(&q->cond, &q->lock, &until) == ETIMEDOUT)
                break;
        q->poked = false;
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

void queue_sampler_start(struct queue_sampler *q, queue_probe probe, void *ctx)
{
    *q = (struct queue_sampler){ .probe = probe, .ctx = ctx };
    xmutex_init(&q->lock, "the queue sampler");
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0 || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&q->cond, &attr) != 0)
        die("cannot set up the queue sampler's clock");
    pthread_condattr_destroy(&attr);
    int e = pthread_create(&q->thread, NULL, sampler_thread, q);
    if (e != 0)
        die("cannot start the queue sampler: %s", strerror(e));
    q->running = true;
}

void queue_sampler_poke(struct queue_sampler *q)
{
    if (!q->running)
        return;
    pthread_mutex_lock(&q->lock);
    q->poked = true;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

void queue_sampler_stop(struct queue_sampler *q)
{
    if (!q->running)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    q->running = false;
}
