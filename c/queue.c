/* The queue sampler (queue.h): one thread per process, a probe per side. */
#include "queue.h"

#include "common.h"
#include "json.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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

bool queue_reader_open(struct queue_reader *r)
{
    *r = (struct queue_reader){ .nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG) };
    if (r->nl < 0)
        return false;
    /* The kernel answers at once; a bound keeps a lost answer from stopping the sampler. */
    struct timeval tv = { .tv_usec = 100000 };
    if (setsockopt(r->nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
        queue_reader_close(r);
        return false;
    }
    return true;
}

void queue_reader_close(struct queue_reader *r)
{
    if (r->nl >= 0)
        close(r->nl);
    r->nl = -1;
}

/* The connection's own address and its peer's, as sock_diag's exact lookup
 * takes them: src and sport are this side's. */
static bool diag_id(int fd, struct inet_diag_req_v2 *req)
{
    struct sockaddr_storage me, peer;
    socklen_t ml = sizeof me, pl = sizeof peer;
    if (getsockname(fd, (struct sockaddr *)&me, &ml) != 0 || getpeername(fd, (struct sockaddr *)&peer, &pl) != 0 ||
        me.ss_family != peer.ss_family)
        return false;
    req->sdiag_family = (uint8_t)me.ss_family;
    if (me.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)&me, *b = (const void *)&peer;
        req->id.idiag_sport = a->sin_port;
        req->id.idiag_dport = b->sin_port;
        memcpy(req->id.idiag_src, &a->sin_addr, sizeof a->sin_addr);
        memcpy(req->id.idiag_dst, &b->sin_addr, sizeof b->sin_addr);
    } else if (me.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)&me, *b = (const void *)&peer;
        req->id.idiag_sport = a->sin6_port;
        req->id.idiag_dport = b->sin6_port;
        memcpy(req->id.idiag_src, &a->sin6_addr, sizeof a->sin6_addr);
        memcpy(req->id.idiag_dst, &b->sin6_addr, sizeof b->sin6_addr);
    } else {
        return false;
    }
    return true;
}

/* One exact-lookup request, one answer: the kernel fills idiag_rqueue and
 * idiag_wqueue from the TCP sequence numbers without the socket's lock
 * (net/ipv4/tcp_diag.c), and nothing else is asked for. */
bool queue_bytes(struct queue_reader *r, int fd, bool outgoing, uint64_t *bytes)
{
    if (r->nl < 0)
        return false;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg = {
        .nlh = { .nlmsg_len = sizeof msg, .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = ++r->seq },
        .req = { .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u,
                 .id = { .idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } } },
    };
    if (!diag_id(fd, &msg.req))
        return false;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(r->nl, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)sizeof msg)
        return false;
    /* Answers to an earlier request that timed out are skipped by sequence. */
    for (;;) {
        long buf[1024];
        ssize_t n = recv(r->nl, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != r->seq)
                continue;
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
                return false; /* NLMSG_ERROR: no such socket, or no sock_diag */
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            *bytes = outgoing ? m->idiag_wqueue : m->idiag_rqueue;
            return true;
        }
    }
}

static struct timespec abs_time(uint64_t ns)
{
    return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
}

/* Where and when the sampler runs. A sampler on the CPU the process's
 * busy threads run on sees the sockets only when that CPU turns to it, and
 * at those moments the queues are systematically emptier: with a1 at 128 B
 * and both sides on CPU 0, ss polling from CPU 0 read a fifth of the bytes
 * throughput x mean delay predicts (30 of 146 KB), at SCHED_FIFO no more,
 * while from CPU 1 it read them all (159 of 160 KB). So the sampler moves
 * to the CPUs the process is not pinned to, where there are any (its own
 * work, a few tens of µs per sample, is under 1 % of a CPU), and runs at
 * SCHED_FIFO there, so that it samples when its timer fires, not when the
 * threads it shares that CPU with let it. What cannot be done is said on
 * stderr: the samples may then be biased. */
static void run_apart_and_on_time(void)
{
    cpu_set_t mine, others;
    CPU_ZERO(&others);
    if (pthread_getaffinity_np(pthread_self(), sizeof mine, &mine) == 0) {
        long n = sysconf(_SC_NPROCESSORS_CONF);
        for (long cpu = 0; cpu < n && cpu < CPU_SETSIZE; cpu++)
            if (!CPU_ISSET(cpu, &mine))
                CPU_SET(cpu, &others);
    }
    /* Unpinned, or no CPU outside the pinning it may use: it stays. */
    if (CPU_COUNT(&others) > 0)
        pthread_setaffinity_np(pthread_self(), sizeof others, &others);
    struct sched_param sp = { .sched_priority = 1 };
    int e = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    if (e != 0)
        warnx_("queue sampler: cannot run at SCHED_FIFO (%s): its samples may be biased where it shares a busy CPU",
               strerror(e));
}

/* Ticks on a fixed grid (a late tick does not shift the next ones); a tick
 * missed entirely is skipped, not made up. Called and returns with q->lock
 * held; the probe runs without it, so a poke never waits for a probe. */
static void *sampler_thread(void *arg)
{
    struct queue_sampler *q = arg;
    run_apart_and_on_time();
    pthread_mutex_lock(&q->lock);
    uint64_t next = now_ns();
    while (!q->stop) {
        pthread_mutex_unlock(&q->lock);
        uint64_t bytes = 0;
        enum queue_tick t = q->probe(q->ctx, &q->reader, now_ns(), &bytes);
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
    if (!queue_reader_open(&q->reader))
        warnx_("queue sampler: no sock_diag socket (%s): the bytes waiting will not be sampled", strerror(errno));
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
    queue_reader_close(&q->reader);
    q->running = false;
}
