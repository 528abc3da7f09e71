#include "rx_zerocopy.h"

#include "common.h"
#include "msg_stream.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* The mapped window (a multiple of the page size; the kernel maps whole
 * pages) and the buffer for the bytes it cannot map. */
#define RX_WINDOW (256u << 10)
#define RX_COPYBUF (64u << 10)

struct rx_zc {
    int fd;
    size_t size;
    uint8_t *map;            /* RX_WINDOW bytes mapped from the socket */
    size_t mapped, map_pos;  /* bytes mapped now, and read of them */
    size_t skip;             /* bytes the kernel said to recv before mapping more */
    uint8_t *buf;            /* RX_COPYBUF bytes */
    size_t buffered, buf_pos;
    struct rx_counts n;
};

struct rx_zc *rx_zc_open(int fd, size_t size, char *err, size_t errlen)
{
    struct rx_zc *s = calloc(1, sizeof *s);
    if (!s || !(s->buf = malloc(RX_COPYBUF))) {
        free(s);
        snprintf(err, errlen, "out of memory for the receive window");
        return NULL;
    }
    s->fd = fd;
    s->size = size;
    void *map = mmap(NULL, RX_WINDOW, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "mmap of the socket for TCP_ZEROCOPY_RECEIVE: %s (Linux 4.18 or later)",
                 strerror(errno));
        free(s->buf);
        free(s);
        return NULL;
    }
    s->map = map;
    return s;
}

/* Wait until the socket has data or has closed: 0, or -1 with EAGAIN after
 * the receive timeout (IO_TIMEOUT_S, as a blocking recv would). */
static int wait_readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r;
    while ((r = poll(&p, 1, (int)(IO_TIMEOUT_S * 1000))) < 0 && errno == EINTR)
        ;
    if (r == 0)
        errno = EAGAIN;
    return r > 0 ? 0 : -1;
}

/* Refill: release the pages read, then recv what the kernel said to skip,
 * or map the next pages. 1 with something to read, 0 closed, -1 errno. */
static int refill(struct rx_zc *s)
{
    if (s->mapped) { /* every mapped byte was read: give the pages back */
        if (madvise(s->map, s->mapped, MADV_DONTNEED) != 0)
            return -1;
        s->mapped = s->map_pos = 0;
    }
    for (;;) {
        if (s->skip) {
            size_t want = s->skip < RX_COPYBUF ? s->skip : RX_COPYBUF;
            ssize_t r = recv(s->fd, s->buf, want, 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return (int)r;
            s->skip -= (size_t)r;
            s->buffered = (size_t)r;
            s->buf_pos = 0;
            return 1;
        }
        struct tcp_zerocopy_receive zc = { .address = (uint64_t)(uintptr_t)s->map, .length = RX_WINDOW };
        socklen_t len = sizeof zc;
        if (getsockopt(s->fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &len) != 0) {
            if (errno == EINTR)
                continue;
            return errno == EIO ? 0 : -1; /* EIO: nothing left and the peer has closed */
        }
        if (zc.err) {
            errno = -zc.err; /* the socket's pending error, negated */
            return -1;
        }
        s->mapped = zc.length;
        s->skip = zc.recv_skip_hint;
        if (s->mapped)
            return 1;
        if (!s->skip && wait_readable(s->fd) < 0)
            return -1;
    }
}

int rx_zc_recv(struct rx_zc *s, uint64_t seq, enum msg_verify verify, bool *intact, uint64_t *send_ns)
{
    struct msg_stream c;
    msg_stream_begin(&c, s->size, seq, verify);
    size_t need = s->size;
    while (need > 0) {
        size_t take;
        if (s->map_pos < s->mapped) {
            take = s->mapped - s->map_pos < need ? s->mapped - s->map_pos : need;
            msg_stream_feed(&c, s->map + s->map_pos, take);
            s->map_pos += take;
            s->n.mapped += take;
        } else if (s->buf_pos < s->buffered) {
            take = s->buffered - s->buf_pos < need ? s->buffered - s->buf_pos : need;
            msg_stream_feed(&c, s->buf + s->buf_pos, take);
            s->buf_pos += take;
            s->n.copied += take;
        } else {
            int r = refill(s);
            if (r <= 0)
                return r;
            continue;
        }
        need -= take;
    }
    *intact = msg_stream_end(&c, send_ns);
    return 1;
}

struct rx_counts rx_zc_counts(const struct rx_zc *s)
{
    return s->n;
}

void rx_zc_close(struct rx_zc *s)
{
    munmap(s->map, RX_WINDOW);
    free(s->buf);
    free(s);
}
