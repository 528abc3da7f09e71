#include "zc.h"
#include "common.h"

#include <errno.h>
#include <time.h> /* struct timespec, used by linux/errqueue.h */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Slots of the ring (limits.h says why these bounds). An explicit --zc-slots
 * is taken as given: the server's memory budget still bounds it. */
unsigned zc_ring_length(size_t size, unsigned requested)
{
    if (requested)
        return requested;
    size_t n = ZC_RING_BYTES / size;
    n = n < ZC_RING_MIN ? ZC_RING_MIN : n > ZC_RING_MAX ? ZC_RING_MAX : n;
    size_t cap = ZC_RING_MAX_BYTES / size;
    if (n > cap)
        n = cap ? cap : 1;
    return (unsigned)n;
}

void zc_init(struct zc_tracker *t)
{
    memset(t, 0, sizeof *t);
}

uint32_t zc_sent(struct zc_tracker *t)
{
    t->n.sends++;
    return t->next_id++;
}

uint32_t zc_in_flight(const struct zc_tracker *t)
{
    return t->next_id - t->base; /* unsigned: wrap-safe */
}

bool zc_done_through(const struct zc_tracker *t, uint32_t id)
{
    /* base has passed id: (base - 1 - id) is "small" modulo 2^32 */
    return (uint32_t)(t->base - 1u - id) < 0x80000000u;
}

bool zc_completed(struct zc_tracker *t, uint32_t lo, uint32_t hi, bool copied)
{
    uint32_t in_flight = zc_in_flight(t);
    uint32_t from = lo - t->base, to = hi - t->base; /* offsets into the window */
    if (from > to || to >= in_flight)
        return false;
    for (uint32_t off = from; off <= to; off++) {
        if (t->done[(t->base + off) % ZC_WINDOW])
            return false; /* reported twice */
    }
    uint32_t count = to - from + 1;
    for (uint32_t off = from; off <= to; off++)
        t->done[(t->base + off) % ZC_WINDOW] = 1;
    t->n.completions += count;
    if (copied)
        t->n.copied += count;
    while (t->base != t->next_id && t->done[t->base % ZC_WINDOW]) {
        t->done[t->base % ZC_WINDOW] = 0;
        t->base++;
    }
    return true;
}

int zc_drain(int fd, struct zc_tracker *t, char *err, size_t errlen)
{
    int read = 0;
    for (;;) {
        char control[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
        struct msghdr mh = { .msg_control = control, .msg_controllen = sizeof control };
        if (recvmsg(fd, &mh, MSG_ERRQUEUE) < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return read;
            snprintf(err, errlen, "recvmsg(MSG_ERRQUEUE): %s", strerror(errno));
            return -1;
        }
        if (mh.msg_flags & MSG_CTRUNC) {
            snprintf(err, errlen, "error-queue control message truncated");
            return -1;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            bool recverr = (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                           (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR);
            if (!recverr)
                continue;
            struct sock_extended_err serr;
            memcpy(&serr, CMSG_DATA(c), sizeof serr);
            if (serr.ee_origin != SO_EE_ORIGIN_ZEROCOPY || serr.ee_errno != 0) {
                snprintf(err, errlen, "error queue: not a zero-copy completion (origin %u, errno %u)",
                         serr.ee_origin, serr.ee_errno);
                return -1;
            }
            bool copied = serr.ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
            if (!zc_completed(t, serr.ee_info, serr.ee_data, copied)) {
                snprintf(err, errlen, "completion [%u, %u] outside the ids in flight [%u, %u)",
                         serr.ee_info, serr.ee_data, t->base, t->next_id);
                return -1;
            }
            read++;
        }
    }
}

static bool satisfied(const struct zc_tracker *t, uint64_t id)
{
    return id == ZC_ALL ? zc_in_flight(t) == 0 : zc_done_through(t, (uint32_t)id);
}

int zc_wait(int fd, struct zc_tracker *t, uint64_t id, int timeout_ms, char *err, size_t errlen)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        if (zc_drain(fd, t, err, errlen) < 0)
            return -1;
        if (satisfied(t, id))
            return 0;
        uint64_t now = now_ns();
        if (now >= deadline) {
            snprintf(err, errlen, "%u zero-copy sends still not completed after %d ms",
                     zc_in_flight(t), timeout_ms);
            return -1;
        }
        /* POLLERR is reported whether asked for or not: it means the error
         * queue has a notification, or the socket has a pending error. */
        struct pollfd p = { .fd = fd, .events = 0 };
        int left_ms = (int)((deadline - now) / 1000000ull) + 1;
        int r = poll(&p, 1, left_ms);
        if (r < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            return -1;
        }
        if (r > 0 && (p.revents & (POLLHUP | POLLNVAL)) && !(p.revents & POLLERR)) {
            /* Closed both ways with nothing queued: no completion is coming,
             * and poll would return at once forever. */
            if (zc_drain(fd, t, err, errlen) < 0)
                return -1;
            if (satisfied(t, id))
                return 0;
            snprintf(err, errlen, "connection closed with %u zero-copy sends not completed",
                     zc_in_flight(t));
            return -1;
        }
        if (r > 0 && (p.revents & POLLERR)) {
            int soerr = 0;
            socklen_t len = sizeof soerr;
            /* A pending socket error would make poll return at once forever. */
            if (zc_drain(fd, t, err, errlen) < 0)
                return -1;
            if (!satisfied(t, id) && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
                soerr != 0) {
                snprintf(err, errlen, "socket error while waiting for completions: %s",
                         strerror(soerr));
                return -1;
            }
        }
    }
}
