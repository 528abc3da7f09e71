/* Serving one connection (serve.h): after admit_hello, stream messages back
 * to back or answer one request at a time through the variant's send path,
 * then end the connection cleanly. */
#include "serve.h"

#include "admission.h"
#include "common.h"
#include "io.h"
#include "server_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void conn_fail(struct conn *c, const char *what)
{
    /* A failure caused by our own shutdown at SIGINT/SIGTERM is no failure. */
    if (atomic_load(&c->srv->stopping))
        return;
    c->failed = true;
    warnx_("connection %d: %s", c->fd, what);
}

/* Why a send failed: a timed-out send (SO_SNDTIMEO, set to --stall-timeout)
 * means the client took no data for that long. errno is the send path's. */
static const char *send_failure(const struct conn *c, char *err, size_t errlen)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        snprintf(err, errlen, "the client stopped taking data (sends made no headway, --stall-timeout %g s)",
                 c->srv->opt.stall_timeout_s);
    return err;
}

/* Both loops return NULL when the client ended the run, else the reason.
 *
 * Stream: send back to back until the client's stop frame, looking for it
 * once a millisecond (the send time is taken anyway, so the check is free
 * until it is due). */
static const char *serve_stream(struct conn *c, void *path_state, const struct hello *h,
                                char *err, size_t errlen)
{
    const struct send_path *path = c->srv->path;
    uint8_t ctl[FRAME_SIZE];
    size_t have = 0;
    uint64_t next_check = 0, deadline = c->start_ns + (uint64_t)h->warmup_ms * 1000000ull +
                                        (uint64_t)h->duration_ms * 1000000ull + STREAM_GRACE_NS;
    for (uint64_t seq = 0; !atomic_load(&c->srv->stopping); seq++) {
        uint64_t t = now_ns();
        if (t >= next_check) {
            next_check = t + CONTROL_CHECK_NS;
            if (t > deadline)
                return "the client never ended the stream";
            ssize_t r = recv(c->fd, ctl + have, sizeof ctl - have, MSG_DONTWAIT);
            if (r == 0)
                return "the client closed without a stop frame";
            if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                snprintf(err, errlen, "recv: %s", strerror(errno));
                return err;
            }
            if (r > 0 && (have += (size_t)r) == sizeof ctl) {
                struct frame f;
                if (!frame_decode(ctl, &f) || f.type != FRAME_STOP)
                    return "malformed control frame in stream mode";
                return NULL;
            }
        }
        if (path->send(path_state, seq, t, err, errlen) < 0)
            return send_failure(c, err, errlen);
        c->bytes_sent += h->msg_size;
        c->messages_sent++;
    }
    return NULL;
}

/* Request/response: one full message through the send path per request. */
static const char *serve_rr(struct conn *c, void *path_state, const struct hello *h,
                            char *err, size_t errlen)
{
    const struct send_path *path = c->srv->path;
    uint8_t buf[FRAME_SIZE];
    while (!atomic_load(&c->srv->stopping)) {
        int r = recv_all(c->fd, buf, sizeof buf);
        if (r == 0)
            return "the client closed without a stop frame";
        if (r < 0 && errno == EAGAIN)
            snprintf(err, errlen, "no request for %g s (--stall-timeout)", c->srv->opt.stall_timeout_s);
        else if (r < 0)
            snprintf(err, errlen, "recv: %s", strerror(errno));
        if (r < 0)
            return err;
        struct frame f;
        if (!frame_decode(buf, &f))
            return "malformed request frame";
        if (f.type == FRAME_STOP)
            return NULL;
        if (path->send(path_state, f.seq, now_ns(), err, errlen) < 0)
            return send_failure(c, err, errlen);
        c->bytes_sent += h->msg_size;
        c->messages_sent++;
    }
    return NULL;
}

static void serve(struct conn *c)
{
    const struct send_path *path = c->srv->path;
    const struct server_opts *opt = &c->srv->opt;
    struct hello h;
    char err[256];

    if (!admit_hello(c, &h))
        return;

    c->valid = true;
    c->mode = h.mode;
    c->msg_size = h.msg_size;
    c->start_ns = now_ns();
    tcp_sample_read(c->fd, &c->tcp_start);
    set_nodelay(c->fd);
    /* From here on a peer that makes no progress for --stall-timeout ends its
     * connection: sends and receives time out in the kernel (no extra
     * syscall on the measured path); a send that times out having moved
     * nothing fails, one that moved a part returns short and the next call
     * gets the whole bound again, so a client that stops reading is dropped
     * between one and two bounds after its last read. */
    set_timeouts(c->fd, opt->stall_timeout_s, opt->stall_timeout_s);
    void *state = path->open(c->fd, h.msg_size, &opt->send, err, sizeof err);
    uint8_t ack[ACK_SIZE];
    ack_encode(state ? HELLO_OK : HELLO_SERVER_ERROR, ack);
    if (send_all(c->fd, ack, sizeof ack) < 0)
        conn_fail(c, "could not answer the hello");
    else if (!state)
        conn_fail(c, err);
    else {
        const char *why_end;
        if (h.mode == MODE_STREAM) {
            c->queue_threads = h.threads;
            atomic_store(&c->queue_from_ns, c->start_ns + (uint64_t)h.warmup_ms * 1000000ull);
            queue_sampler_poke(&c->srv->queue);
            why_end = serve_stream(c, state, &h, err, sizeof err);
            atomic_store(&c->queue_from_ns, 0);
        } else {
            why_end = serve_rr(c, state, &h, err, sizeof err);
        }
        if (why_end)
            conn_fail(c, why_end);
    }
    if (state) {
        if (path->finish && path->finish(state, &c->zc, err, sizeof err) < 0)
            conn_fail(c, err);
        path->close(state);
    }
    release_admission(c);
    /* Our side is done; after a clean end, read until the client closes so
     * that neither side resets a connection with data in flight, for at
     * most --stall-timeout in all. After a failure there is nothing to
     * protect: close at once. */
    if (!c->failed) {
        shutdown(c->fd, SHUT_WR);
        char sink[4096];
        uint64_t deadline = now_ns() + (uint64_t)(opt->stall_timeout_s * 1e9);
        while (recv_all_by(c->fd, sink, sizeof sink, deadline) > 0)
            ;
    }
    tcp_sample_read(c->fd, &c->tcp_end);
    c->end_ns = now_ns();
}

void *conn_thread(void *arg)
{
    struct conn *c = arg;
    serve(c);
    pthread_mutex_lock(&c->srv->lock);
    c->finished = true;
    pthread_mutex_unlock(&c->srv->lock);
    char byte = 1;
    while (write(c->srv->done_pipe[1], &byte, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}
