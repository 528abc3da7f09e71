/* zero_copy: SO_ZEROCOPY + sendmsg(MSG_ZEROCOPY) over the 8-field iovec.
 *
 * The kernel pins the pages of a zero-copy send until the data is ACKed, so
 * a message buffer must not be rewritten before its completion arrives: the
 * server keeps a ring of message slots and only stamps a slot whose every
 * send call has completed. Completions are read from the error queue (zc.c);
 * ENOBUFS (notification memory exhausted) is answered by waiting for
 * completions, never by sleeping. Receiving is one_copy's recvmsg path. */
#include "common.h"
#include "io.h"
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

struct zero_copy {
    int fd;
    unsigned slots;
    int timeout_ms; /* longest wait for a completion (--stall-timeout) */
    struct msg *slot;
    uint32_t *last_id; /* id of the last send call made from each slot */
    bool *in_flight;   /* slot sent from at least once */
    bool unsafe_reuse; /* --zc-unsafe-reuse: skip the wait (tests only) */
    struct zc_tracker zc;
};

static size_t footprint(size_t size, const struct send_opts *opts)
{
    size_t slots = zc_ring_length(size, opts->zc_slots);
    return sizeof(struct zero_copy) +
           slots * (size + sizeof(struct msg) + sizeof(uint32_t) + sizeof(bool));
}

static void close_send(void *state);

static void *open_send(int fd, size_t size, const struct send_opts *opts, char *err, size_t errlen)
{
    int one = 1, got = 0;
    socklen_t len = sizeof got;
    if (setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) != 0) {
        snprintf(err, errlen, "setsockopt(SO_ZEROCOPY): %s (does this kernel support MSG_ZEROCOPY?)",
                 strerror(errno));
        return NULL;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &got, &len) != 0 || got != 1) {
        snprintf(err, errlen, "SO_ZEROCOPY did not stick on the socket");
        return NULL;
    }
    struct zero_copy *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->fd = fd;
    s->slots = zc_ring_length(size, opts->zc_slots);
    s->timeout_ms = opts->stall_timeout_ms;
    s->unsafe_reuse = opts->zc_unsafe_reuse;
    s->slot = calloc(s->slots, sizeof *s->slot);
    s->last_id = calloc(s->slots, sizeof *s->last_id);
    s->in_flight = calloc(s->slots, sizeof *s->in_flight);
    if (!s->slot || !s->last_id || !s->in_flight)
        goto oom;
    for (unsigned i = 0; i < s->slots; i++)
        if (!msg_alloc(&s->slot[i], size))
            goto oom;
    zc_init(&s->zc);
    s->zc.n.enabled = true;
    return s;
oom:
    if (s)
        close_send(s);
    snprintf(err, errlen, "out of memory for a ring of %zu-byte messages", size);
    return NULL;
}

/* The oldest id in flight: waiting for it frees room in the tracker. */
static uint64_t oldest(const struct zero_copy *s)
{
    return s->zc.base;
}

static int send_one(void *state, uint64_t seq, uint64_t send_ns, char *err, size_t errlen)
{
    struct zero_copy *s = state;
    unsigned k = (unsigned)(seq % s->slots);
    if (s->in_flight[k] && !s->unsafe_reuse && !zc_done_through(&s->zc, s->last_id[k]) &&
        zc_wait(s->fd, &s->zc, s->last_id[k], s->timeout_ms, err, errlen) < 0)
        return -1;

    struct msg *m = &s->slot[k];
    struct iovec iov_store[MSG_FIELDS], *iov = iov_store;
    int cnt = MSG_FIELDS;
    bool had_short = false;
    msg_stamp(m, seq, send_ns);
    msg_iov(m, iov);
    while (cnt > 0) {
        if (zc_in_flight(&s->zc) >= ZC_WINDOW - 1 &&
            zc_wait(s->fd, &s->zc, oldest(s), s->timeout_ms, err, errlen) < 0)
            return -1;
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
        ssize_t r = sendmsg(s->fd, &mh, MSG_ZEROCOPY | MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {
                s->zc.n.enobufs++;
                if (zc_in_flight(&s->zc) == 0) {
                    snprintf(err, errlen, "sendmsg(MSG_ZEROCOPY): ENOBUFS with nothing in flight "
                                          "(net.core.optmem_max too small?)");
                    return -1;
                }
                if (zc_wait(s->fd, &s->zc, oldest(s), s->timeout_ms, err, errlen) < 0)
                    return -1;
                continue;
            }
            return fail_errno(err, errlen, "sendmsg(MSG_ZEROCOPY)");
        }
        /* Every call that sent bytes took an id, short or not. */
        s->last_id[k] = zc_sent(&s->zc);
        s->in_flight[k] = true;
        if ((size_t)r < iov_total(iov, cnt) && (had_short = true) && send_stalled(s->fd)) {
            snprintf(err, errlen, "sendmsg(MSG_ZEROCOPY): %s", strerror(EAGAIN));
            errno = EAGAIN;
            return -1;
        }
        iov_advance(&iov, &cnt, (size_t)r);
    }
    if (!had_short)
        send_unstalled();
    return 0;
}

static int finish(void *state, struct zc_counters *zc, char *err, size_t errlen)
{
    struct zero_copy *s = state;
    int r = zc_wait(s->fd, &s->zc, ZC_ALL, s->timeout_ms, err, errlen);
    *zc = s->zc.n;
    return r;
}

static void close_send(void *state)
{
    struct zero_copy *s = state;
    /* Called after finish() has seen every completion; if it could not (a
     * broken connection), the kernel still holds its own page references,
     * so freeing here cannot hurt the kernel, only data no one will read. */
    for (unsigned i = 0; s->slot && i < s->slots; i++)
        msg_free(&s->slot[i]);
    free(s->slot);
    free(s->last_id);
    free(s->in_flight);
    free(s);
}

const struct send_path zero_copy_send = {
    .impl = IMPL_ZERO_COPY, .footprint = footprint, .open = open_send, .send = send_one, .finish = finish, .close = close_send,
};
