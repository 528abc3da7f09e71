#include "io.h"
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

void iov_advance(struct iovec **iov, int *cnt, size_t n)
{
    while (n > 0 && *cnt > 0) {
        if (n >= (*iov)->iov_len) {
            n -= (*iov)->iov_len;
            (*iov)++;
            (*cnt)--;
        } else {
            (*iov)->iov_base = (char *)(*iov)->iov_base + n;
            (*iov)->iov_len -= n;
            n = 0;
        }
    }
    /* Entries of length 0 left at the front carry nothing: drop them. */
    while (*cnt > 0 && (*iov)->iov_len == 0) {
        (*iov)++;
        (*cnt)--;
    }
}

size_t iov_total(const struct iovec *iov, int cnt)
{
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    return total;
}

/* The one continuation loop of every send: resume where a short call
 * stopped, retry EINTR. `plain`: a one-entry iovec sent with send(), so the
 * contiguous path makes the very syscall it is named for (two_copy measures
 * send(), not sendmsg()). */
static int send_loop(int fd, struct iovec *iov, int cnt, int flags, bool plain)
{
    bool had_short = false;
    iov_advance(&iov, &cnt, 0);
    while (cnt > 0) {
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
        ssize_t r = plain ? send(fd, iov->iov_base, iov->iov_len, flags | MSG_NOSIGNAL)
                          : sendmsg(fd, &mh, flags | MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if ((size_t)r < iov_total(iov, cnt) && (had_short = true) && send_stalled(fd))
            return -1;
        iov_advance(&iov, &cnt, (size_t)r);
    }
    if (!had_short)
        send_unstalled();
    return 0;
}

/* Start of the current run of timed-out sends, 0 if none: per thread, which
 * is per connection in both engines (one connection per thread). */
static _Thread_local uint64_t short_streak_ns;

bool send_stalled(int fd)
{
    uint64_t now = now_ns();
    if (!short_streak_ns) {
        short_streak_ns = now;
        return false;
    }
    struct timeval tv;
    socklen_t len = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) != 0 || (tv.tv_sec == 0 && tv.tv_usec == 0))
        return false;
    uint64_t bound = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
    /* A second timed-out call lasted the whole bound; a short return within
     * half of it was a signal, not the peer. */
    if (now - short_streak_ns < bound / 2)
        return false;
    errno = EAGAIN;
    return true;
}

void send_unstalled(void)
{
    short_streak_ns = 0;
}

/* Wait until fd is readable or the deadline passes: 1, 0 with ETIMEDOUT, or
 * -1 with errno. */
static int readable_by(int fd, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = now_ns();
        if (now >= deadline_ns) {
            errno = ETIMEDOUT;
            return 0;
        }
        /* Round up, so a wait never ends just short of the deadline. */
        uint64_t ms = (deadline_ns - now + 999999) / 1000000;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* The one continuation loop of every receive, as send_loop. With a deadline
 * (not 0), each call is preceded by a poll for the time left, so the whole
 * transfer is bounded however the bytes trickle in (SO_RCVTIMEO would bound
 * each call only). */
static int recv_loop(int fd, struct iovec *iov, int cnt, uint64_t deadline_ns, bool plain)
{
    int flags = deadline_ns ? MSG_DONTWAIT : 0;
    iov_advance(&iov, &cnt, 0);
    while (cnt > 0) {
        if (deadline_ns && readable_by(fd, deadline_ns) <= 0)
            return -1;
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
        ssize_t r = plain ? recv(fd, iov->iov_base, iov->iov_len, flags) : recvmsg(fd, &mh, flags);
        if (r < 0) {
            if (errno == EINTR || (deadline_ns && (errno == EAGAIN || errno == EWOULDBLOCK)))
                continue;
            return -1;
        }
        if (r == 0)
            return 0;
        iov_advance(&iov, &cnt, (size_t)r);
    }
    return 1;
}

int sendmsg_all(int fd, struct iovec *iov, int cnt, int flags)
{
    return send_loop(fd, iov, cnt, flags, false);
}

int recvmsg_all(int fd, struct iovec *iov, int cnt)
{
    return recv_loop(fd, iov, cnt, 0, false);
}

/* The contiguous forms are a one-entry iovec through the same loops. */
int send_all(int fd, const void *buf, size_t n)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
    return send_loop(fd, &iov, 1, 0, true);
}

int recv_all(int fd, void *buf, size_t n)
{
    struct iovec iov = { .iov_base = buf, .iov_len = n };
    return recv_loop(fd, &iov, 1, 0, true);
}

int recv_all_by(int fd, void *buf, size_t n, uint64_t deadline_ns)
{
    struct iovec iov = { .iov_base = buf, .iov_len = n };
    return recv_loop(fd, &iov, 1, deadline_ns, true);
}

void set_nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        die_errno("setsockopt(TCP_NODELAY)");
}

static struct timeval to_timeval(double s)
{
    struct timeval tv = { .tv_sec = (time_t)s };
    tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
    return tv;
}

void set_timeouts(int fd, double rcv_s, double snd_s)
{
    struct timeval rcv = to_timeval(rcv_s), snd = to_timeval(snd_s);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv) != 0)
        die_errno("setsockopt(SO_RCVTIMEO)");
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd) != 0)
        die_errno("setsockopt(SO_SNDTIMEO)");
}
