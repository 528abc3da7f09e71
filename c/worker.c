/* The client's worker threads (worker.h): one connection each, a common
 * start, a warm-up excluded from every figure, then a window in which whole
 * messages are counted, checked and timed. */
#include "worker.h"

#include "common.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool fail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct worker *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    w->failed = true;
    return false;
}

/* Connect within CONNECT_TIMEOUT_MS, whatever the network does. */
static bool connect_bounded(struct worker *w)
{
    const struct client_opts *o = &w->cl->opt;
    const struct addrinfo *ai = w->cl->server;
    w->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (w->fd < 0)
        return fail(w, "socket: %s", strerror(errno));
    if (connect(w->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            return fail(w, "cannot connect to %s port %s: %s", o->host, o->port, strerror(errno));
        struct pollfd p = { .fd = w->fd, .events = POLLOUT };
        int r;
        while ((r = poll(&p, 1, CONNECT_TIMEOUT_MS)) < 0 && errno == EINTR)
            ;
        if (r == 0)
            return fail(w, "cannot connect to %s port %s: no answer within %d s", o->host, o->port,
                        CONNECT_TIMEOUT_MS / 1000);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (r < 0 || getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            return fail(w, "cannot connect to %s port %s: %s", o->host, o->port, strerror(errno));
        if (soerr)
            return fail(w, "cannot connect to %s port %s: %s", o->host, o->port, strerror(soerr));
    }
    int flags = fcntl(w->fd, F_GETFL);
    if (flags < 0 || fcntl(w->fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        return fail(w, "fcntl: %s", strerror(errno));
    return true;
}

static bool greet(struct worker *w)
{
    const struct client_opts *o = &w->cl->opt;
    struct hello h = {
        .magic = WIRE_MAGIC, .version = WIRE_VERSION, .mode = (uint8_t)o->mode,
        .impl = (uint8_t)w->cl->impl, .msg_size = (uint32_t)o->size, .threads = o->threads,
        .duration_ms = (uint32_t)(o->duration_s * 1000 + 0.999), /* >= 1 for any duration */
        .warmup_ms = (uint32_t)(o->warmup_s * 1000 + 0.5), .flags = o->verify == VERIFY_FULL,
    };
    uint8_t raw[HELLO_SIZE], ack[ACK_SIZE];
    uint32_t status;
    set_nodelay(w->fd);
    set_timeouts(w->fd, ACK_TIMEOUT_S, IO_TIMEOUT_S);
    hello_encode(&h, raw);
    if (send_all(w->fd, raw, sizeof raw) < 0)
        return fail(w, "sending the hello: %s", strerror(errno));
    int r = recv_all(w->fd, ack, sizeof ack);
    if (r <= 0)
        return fail(w, "no answer to the hello: %s",
                    r == 0 ? "the server closed the connection" : strerror(errno));
    if (!ack_decode(ack, &status))
        return fail(w, "the server's answer is not a copybench answer: is this a copybench server?");
    if (status != HELLO_OK)
        return fail(w, "the server refused the hello: %s", hello_status_text(status));
    set_timeouts(w->fd, IO_TIMEOUT_S, IO_TIMEOUT_S);
    return true;
}

/* Wait at the start gate; false if any worker failed to get there. The last
 * to arrive takes the common start time. */
static bool gate(struct worker *w, bool ok)
{
    struct client *cl = w->cl;
    pthread_mutex_lock(&cl->lock);
    if (!ok)
        cl->abort = true;
    else if (++cl->arrived == cl->opt.threads)
        cl->start_ns = now_ns();
    pthread_cond_broadcast(&cl->cond);
    while (!cl->abort && !cl->start_ns)
        pthread_cond_wait(&cl->cond, &cl->lock);
    bool go = !cl->abort;
    pthread_mutex_unlock(&cl->lock);
    return go;
}

static bool send_frame(struct worker *w, uint64_t seq, uint32_t type)
{
    uint8_t raw[FRAME_SIZE];
    frame_encode(&(struct frame){ .seq = seq, .type = type }, raw);
    if (send_all(w->fd, raw, sizeof raw) < 0)
        return fail(w, "sending a %s frame: %s", type == FRAME_STOP ? "stop" : "request", strerror(errno));
    return true;
}

static bool recv_failed(struct worker *w, int r)
{
    if (r == 0)
        return fail(w, "the server closed the connection mid-run");
    if (errno == EAGAIN)
        return fail(w, "receiving: no data from the server for %g s", IO_TIMEOUT_S);
    return fail(w, "receiving: %s", strerror(errno));
}

/* How a worker takes its messages, chosen once per connection so that the
 * loops below never ask: the variant's copying recv_path, then msg_check;
 * or (--rx zerocopy) the socket's pages mapped and each message checked in
 * place as its pieces come. take() receives message seq: 1 with *ok, *sent
 * (its send time) and *t (when it had arrived; the zero-copy receiver's *t
 * includes its in-place check), 0 if the server closed, -1 with errno.
 * close() leaves the mapped/copied byte counts in w->rx. */
struct receiver {
    void *(*open)(struct worker *w, char *err, size_t errlen);
    int (*take)(struct worker *w, void *st, uint64_t seq, bool *ok, uint64_t *sent, uint64_t *t);
    void (*close)(struct worker *w, void *st);
};

static void *copy_open(struct worker *w, char *err, size_t errlen)
{
    void *st = w->cl->path->open(w->fd, w->cl->opt.size);
    if (!st)
        snprintf(err, errlen, "out of memory for %zu-byte messages", w->cl->opt.size);
    return st;
}

static int copy_take(struct worker *w, void *st, uint64_t seq, bool *ok, uint64_t *sent, uint64_t *t)
{
    const struct msg *m;
    int r = w->cl->path->recv(st, &m);
    *t = now_ns();
    if (r > 0) {
        *ok = msg_check(m, seq, w->cl->opt.verify, sent);
        w->rx.copied += w->cl->opt.size;
    }
    return r;
}

static void copy_close(struct worker *w, void *st)
{
    w->cl->path->close(st);
}

static void *mapped_open(struct worker *w, char *err, size_t errlen)
{
    return rx_zc_open(w->fd, w->cl->opt.size, err, errlen);
}

static int mapped_take(struct worker *w, void *st, uint64_t seq, bool *ok, uint64_t *sent, uint64_t *t)
{
    int r = rx_zc_recv(st, seq, w->cl->opt.verify, ok, sent);
    *t = now_ns();
    return r;
}

static void mapped_close(struct worker *w, void *st)
{
    w->rx = rx_zc_counts(st);
    rx_zc_close(st);
}

static const struct receiver COPYING = {copy_open, copy_take, copy_close};
static const struct receiver MAPPING = {mapped_open, mapped_take, mapped_close};

static bool run_stream(struct worker *w, const struct receiver *rx, void *st, uint64_t warm_end, uint64_t end)
{
    const struct client_opts *o = &w->cl->opt;
    for (uint64_t expect = 0;; expect++) {
        uint64_t t, sent;
        bool ok;
        int r = rx->take(w, st, expect, &ok, &sent, &t);
        if (r <= 0)
            return recv_failed(w, r);
        w->corrupt += !ok;
        if (t >= end)
            return true;
        if (t >= warm_end) {
            w->messages++;
            w->bytes += o->size;
            if (ok)
                histo_add(&w->latency, t > sent ? t - sent : 0);
        }
    }
}

static bool run_rr(struct worker *w, const struct receiver *rx, void *st, uint64_t warm_end, uint64_t end)
{
    const struct client_opts *o = &w->cl->opt;
    for (uint64_t seq = 0;; seq++) {
        uint64_t asked = now_ns(), sent;
        if (asked >= end)
            return true;
        if (!send_frame(w, seq, FRAME_REQUEST))
            return false;
        uint64_t t;
        bool ok;
        int r = rx->take(w, st, seq, &ok, &sent, &t);
        if (r <= 0)
            return recv_failed(w, r);
        w->corrupt += !ok;
        if (t >= warm_end && t < end) {
            w->messages++;
            w->bytes += o->size;
            if (ok)
                histo_add(&w->latency, t - asked);
        }
    }
}

void client_window(const struct client *cl, uint64_t *warm_end, uint64_t *end)
{
    *warm_end = cl->start_ns + (uint64_t)(cl->opt.warmup_s * 1e9);
    *end = *warm_end + (uint64_t)(cl->opt.duration_s * 1e9);
}

void *worker_thread(void *arg)
{
    struct worker *w = arg;
    const struct client_opts *o = &w->cl->opt;
    bool greeted = connect_bounded(w) && greet(w);
    if (greeted)
        tcp_sample_read(w->fd, &w->tcp_start);
    if (!gate(w, greeted))
        return NULL;
    uint64_t warm_end, end;
    client_window(w->cl, &warm_end, &end);
    const struct receiver *rx = o->rx == RX_ZEROCOPY ? &MAPPING : &COPYING;
    char why[192];
    void *st = rx->open(w, why, sizeof why);
    if (!st) {
        fail(w, "%s", why);
        return NULL;
    }
    bool ok = o->mode == MODE_STREAM ? run_stream(w, rx, st, warm_end, end) : run_rr(w, rx, st, warm_end, end);
    rx->close(w, st);
    if (ok && send_frame(w, 0, FRAME_STOP)) {
        /* Read what is still in flight until the server closes its side. */
        char sink[65536];
        ssize_t r;
        while ((r = recv(w->fd, sink, sizeof sink, 0)) > 0 || (r < 0 && errno == EINTR))
            ;
        if (r < 0)
            fail(w, "waiting for the server to end: %s", strerror(errno));
        tcp_sample_read(w->fd, &w->tcp_end);
        w->tcp_ended = true;
    }
    return NULL;
}
