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

/* Automatic ring: about 1 MiB of slots (a 4 MiB ring of 64 KiB messages fell
 * out of L2 and ran slower here), at least 8 so small messages keep several
 * sends in flight per ACK, at most 256. */
#define RING_BYTES (1u << 20)
#define RING_MIN 8u
#define RING_MAX 256u
/* How long a slot may wait for its completion before the run is failed. */
#define COMPLETION_TIMEOUT_MS 10000

struct zero_copy {
    int fd;
    unsigned slots;
    struct msg *slot;
    uint32_t *last_id; /* id of the last send call made from each slot */
    bool *in_flight;   /* slot sent from at least once */
    bool unsafe_reuse; /* --zc-unsafe-reuse: skip the wait (tests only) */
    struct zc_tracker zc;
};

static unsigned ring_length(size_t size, unsigned requested)
{
    if (requested)
        return requested;
    size_t n = RING_BYTES / size;
    return n < RING_MIN ? RING_MIN : n > RING_MAX ? RING_MAX : (unsigned)n;
}

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
    struct zero_copy *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->slots = ring_length(size, opts->zc_slots);
    s->unsafe_reuse = opts->zc_unsafe_reuse;
    s->slot = xcalloc(s->slots, sizeof *s->slot);
    s->last_id = xcalloc(s->slots, sizeof *s->last_id);
    s->in_flight = xcalloc(s->slots, sizeof *s->in_flight);
    for (unsigned i = 0; i < s->slots; i++)
        msg_init(&s->slot[i], size);
    zc_init(&s->zc);
    s->zc.n.enabled = true;
    return s;
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
        zc_wait(s->fd, &s->zc, s->last_id[k], COMPLETION_TIMEOUT_MS, err, errlen) < 0)
        return -1;

    struct msg *m = &s->slot[k];
    struct iovec iov_store[MSG_FIELDS], *iov = iov_store;
    int cnt = MSG_FIELDS;
    msg_stamp(m, seq, send_ns);
    msg_iov(m, iov);
    while (cnt > 0) {
        if (zc_in_flight(&s->zc) >= ZC_WINDOW - 1 &&
            zc_wait(s->fd, &s->zc, oldest(s), COMPLETION_TIMEOUT_MS, err, errlen) < 0)
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
                if (zc_wait(s->fd, &s->zc, oldest(s), COMPLETION_TIMEOUT_MS, err, errlen) < 0)
                    return -1;
                continue;
            }
            snprintf(err, errlen, "sendmsg(MSG_ZEROCOPY): %s", strerror(errno));
            return -1;
        }
        /* Every call that sent bytes took an id, short or not. */
        s->last_id[k] = zc_sent(&s->zc);
        s->in_flight[k] = true;
        iov_advance(&iov, &cnt, (size_t)r);
    }
    return 0;
}

static int finish(void *state, struct zc_counters *zc, char *err, size_t errlen)
{
    struct zero_copy *s = state;
    int r = zc_wait(s->fd, &s->zc, ZC_ALL, COMPLETION_TIMEOUT_MS, err, errlen);
    *zc = s->zc.n;
    return r;
}

static void close_send(void *state)
{
    struct zero_copy *s = state;
    /* Called after finish() has seen every completion; if it could not (a
     * broken connection), the kernel still holds its own page references,
     * so freeing here cannot hurt the kernel, only data no one will read. */
    for (unsigned i = 0; i < s->slots; i++)
        msg_free(&s->slot[i]);
    free(s->slot);
    free(s->last_id);
    free(s->in_flight);
    free(s);
}

const struct send_path zero_copy_send = {
    .impl = IMPL_ZERO_COPY, .open = open_send, .send = send_one, .finish = finish, .close = close_send,
};
