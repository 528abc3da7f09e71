/* uring_zero_copy: io_uring zero-copy send over the 8-field iovec.
 *
 * The request is IORING_OP_SENDMSG_ZC, the vectored form of SEND_ZC with
 * the same completions (uring_zc.h): SEND_ZC takes one buffer and the
 * message is 8 fields, and a3's sendmsg(MSG_ZEROCOPY) takes the same iovec,
 * so the two variants differ only in how the kernel is asked and answers.
 * One request is in flight at a time — two sends on one TCP socket in
 * flight at once may be reordered — and its result (bytes sent) is awaited
 * so that a short send continues where it stopped; notifications trail
 * behind and free their slot of the ring, which is rewritten only then.
 * Receiving is one_copy's recvmsg path. */
#include "common.h"
#include "io.h"
#include "paths.h"
#include "uring_zc.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct uring_zero_copy {
    int fd;
    bool ring_up;
    struct io_uring ring;
    int timeout_ms; /* longest wait for a CQE (--stall-timeout) */
    bool unsafe_reuse;
    struct msg *slot;
    struct iovec *iov; /* MSG_FIELDS per slot, advanced over short sends */
    struct msghdr mh;  /* of the one request in flight */
    struct uring_zc zc;
};

static size_t footprint(size_t size, const struct send_opts *opts)
{
    size_t slots = zc_ring_length(size, opts->zc_slots);
    return sizeof(struct uring_zero_copy) +
           slots * (size + sizeof(struct msg) + MSG_FIELDS * sizeof(struct iovec) + sizeof(struct uring_slot));
}

static void close_send(void *state);

/* The completion queue holds a notification per slot and the one result,
 * with room to spare; beyond it the kernel keeps overflowed CQEs
 * (IORING_FEAT_NODROP), so this is a size for speed, not a bound. */
static int open_ring(struct uring_zero_copy *s, unsigned slots, char *err, size_t errlen)
{
    struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE, .cq_entries = 2 * slots + 8 };
    int r = io_uring_queue_init_params(4, &s->ring, &p);
    if (r < 0) {
        snprintf(err, errlen, "io_uring_queue_init: %s", strerror(-r));
        return -1;
    }
    s->ring_up = true;
    return 0;
}

static void *open_send(int fd, size_t size, const struct send_opts *opts, char *err, size_t errlen)
{
    struct uring_zero_copy *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->fd = fd;
    s->zc.slots = zc_ring_length(size, opts->zc_slots);
    s->timeout_ms = opts->stall_timeout_ms;
    s->unsafe_reuse = opts->zc_unsafe_reuse;
    s->slot = calloc(s->zc.slots, sizeof *s->slot);
    s->iov = calloc((size_t)s->zc.slots * MSG_FIELDS, sizeof *s->iov);
    s->zc.due = calloc(s->zc.slots, sizeof *s->zc.due);
    if (!s->slot || !s->iov || !s->zc.due)
        goto oom;
    for (unsigned i = 0; i < s->zc.slots; i++)
        if (!msg_alloc(&s->slot[i], size))
            goto oom;
    if (open_ring(s, s->zc.slots, err, errlen) < 0) {
        close_send(s);
        return NULL;
    }
    s->zc.n.enabled = true;
    return s;
oom:
    if (s)
        close_send(s);
    snprintf(err, errlen, "out of memory for a ring of %zu-byte messages", size);
    return NULL;
}

/* Wait up to timeout_ms for a CQE, then account every CQE ready; a
 * request's result goes to *result (one request is in flight at most).
 * 0 (also on timeout: the caller keeps the deadline), or -1 with a reason. */
static int reap(struct uring_zero_copy *s, int timeout_ms, bool *got, int32_t *result, char *err, size_t errlen)
{
    struct io_uring_cqe *cqe;
    struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L };
    int r = io_uring_wait_cqe_timeout(&s->ring, &cqe, &ts);
    if (r == -ETIME || r == -EINTR)
        return 0;
    if (r < 0) {
        snprintf(err, errlen, "io_uring_wait_cqe: %s", strerror(-r));
        return -1;
    }
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&s->ring, head, cqe) {
        seen++;
        enum uring_cqe_kind k = uring_zc_cqe(&s->zc, cqe->user_data, cqe->res, cqe->flags);
        if (k == URING_CQE_BAD) {
            snprintf(err, errlen, "unexpected CQE (user_data %llu, res %d, flags %#x)",
                     (unsigned long long)cqe->user_data, cqe->res, cqe->flags);
            io_uring_cq_advance(&s->ring, seen);
            return -1;
        }
        if (k == URING_CQE_RESULT) {
            *got = true;
            *result = cqe->res;
        }
    }
    io_uring_cq_advance(&s->ring, seen);
    return 0;
}

enum goal { GOAL_RESULT, GOAL_SLOT, GOAL_NOTIF, GOAL_ALL };

/* Reap until the goal is met, for at most --stall-timeout in all: 0, or -1
 * with a reason (errno EAGAIN when the time ran out). */
static int await(struct uring_zero_copy *s, enum goal goal, unsigned slot, int32_t *result, char *err, size_t errlen)
{
    uint64_t deadline = now_ns() + (uint64_t)s->timeout_ms * 1000000ull;
    uint64_t completions = s->zc.n.completions;
    bool got = false;
    int32_t ignored;
    for (;;) {
        bool met = goal == GOAL_RESULT ? got
                 : goal == GOAL_SLOT   ? uring_zc_slot_free(&s->zc, slot)
                 : goal == GOAL_NOTIF  ? s->zc.n.completions > completions
                                       : uring_zc_due(&s->zc) == 0;
        if (met)
            return 0;
        uint64_t now = now_ns();
        if (now >= deadline) {
            snprintf(err, errlen, "io_uring: %llu CQEs still due after %d ms",
                     (unsigned long long)uring_zc_due(&s->zc), s->timeout_ms);
            errno = EAGAIN;
            return -1;
        }
        int left_ms = (int)((deadline - now) / 1000000ull) + 1;
        if (reap(s, left_ms, &got, result ? result : &ignored, err, errlen) < 0)
            return -1;
    }
}

static int submit(struct uring_zero_copy *s, unsigned k, struct iovec *iov, int cnt, char *err, size_t errlen)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
    if (!sqe) {
        snprintf(err, errlen, "io_uring: no free submission entry");
        return -1;
    }
    s->mh = (struct msghdr){ .msg_iov = iov, .msg_iovlen = (size_t)cnt };
    io_uring_prep_sendmsg_zc(sqe, s->fd, &s->mh, MSG_NOSIGNAL);
    sqe->ioprio |= URING_SEND_ZC_REPORT_USAGE;
    io_uring_sqe_set_data64(sqe, k);
    uring_zc_submitted(&s->zc, k);
    int r = io_uring_submit(&s->ring);
    if (r != 1) {
        snprintf(err, errlen, "io_uring_submit: %s", r < 0 ? strerror(-r) : "nothing submitted");
        return -1;
    }
    return 0;
}

static int send_one(void *state, uint64_t seq, uint64_t send_ns, char *err, size_t errlen)
{
    struct uring_zero_copy *s = state;
    unsigned k = (unsigned)(seq % s->zc.slots);
    if (!s->unsafe_reuse && await(s, GOAL_SLOT, k, NULL, err, errlen) < 0)
        return -1;
    struct msg *m = &s->slot[k];
    struct iovec *iov = &s->iov[(size_t)k * MSG_FIELDS];
    int cnt = MSG_FIELDS;
    msg_stamp(m, seq, send_ns);
    msg_iov(m, iov);
    while (cnt > 0) {
        int32_t r = 0;
        if (submit(s, k, iov, cnt, err, errlen) < 0 || await(s, GOAL_RESULT, k, &r, err, errlen) < 0)
            return -1;
        if (r == -EINTR)
            continue;
        if (r == -ENOBUFS) { /* out of notification memory: wait for one */
            if (s->zc.n.sends == s->zc.n.completions) {
                snprintf(err, errlen, "io_uring SENDMSG_ZC: ENOBUFS with nothing in flight");
                return -1;
            }
            if (await(s, GOAL_NOTIF, k, NULL, err, errlen) < 0)
                return -1;
            continue;
        }
        if (r <= 0) {
            errno = r < 0 ? -r : EPIPE;
            return fail_errno(err, errlen, "io_uring SENDMSG_ZC");
        }
        iov_advance(&iov, &cnt, (size_t)r);
    }
    return 0;
}

static int finish(void *state, struct zc_counters *zc, char *err, size_t errlen)
{
    struct uring_zero_copy *s = state;
    int r = await(s, GOAL_ALL, 0, NULL, err, errlen);
    *zc = s->zc.n;
    return r;
}

static void close_send(void *state)
{
    struct uring_zero_copy *s = state;
    /* Closing the ring cancels what is still in flight; the kernel holds
     * its own references to pinned pages (see zero_copy.c). */
    if (s->ring_up)
        io_uring_queue_exit(&s->ring);
    for (unsigned i = 0; s->slot && i < s->zc.slots; i++)
        msg_free(&s->slot[i]);
    free(s->slot);
    free(s->iov);
    free(s->zc.due);
    free(s);
}

/* Can this process use io_uring zero-copy sends with a usage report? The
 * probe submits SENDMSG_ZC on fd -1: the kernel checks the opcode and its
 * flags when it prepares the request (EINVAL if it knows neither) and looks
 * the file up only after (EBADF), so EBADF means everything needed is there. */
static int available(char *err, size_t errlen)
{
    int disabled = 0;
    FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
    if (f) {
        if (fscanf(f, "%d", &disabled) != 1)
            disabled = 0;
        fclose(f);
    }
    struct io_uring ring;
    int r = io_uring_queue_init(4, &ring, 0);
    if (r == -ENOSYS)
        snprintf(err, errlen, "io_uring is not available: this kernel has none (ENOSYS)");
    else if (r == -EPERM)
        snprintf(err, errlen, "io_uring is not available: not permitted (kernel.io_uring_disabled = %d%s)",
                 disabled, disabled ? "" : ", or a seccomp filter");
    else if (r < 0)
        snprintf(err, errlen, "io_uring is not available: io_uring_queue_init: %s", strerror(-r));
    if (r < 0)
        return -1;
    struct msghdr mh = { 0 };
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_sendmsg_zc(sqe, -1, &mh, 0);
    sqe->ioprio |= URING_SEND_ZC_REPORT_USAGE;
    struct io_uring_cqe *cqe;
    int res = io_uring_submit(&ring) == 1 && io_uring_wait_cqe(&ring, &cqe) == 0 ? cqe->res : -EIO;
    io_uring_queue_exit(&ring);
    if (res == -EBADF)
        return 0;
    snprintf(err, errlen, "io_uring has no SENDMSG_ZC with IORING_SEND_ZC_REPORT_USAGE here "
                          "(Linux 6.2 or later; the probe answered %s)", strerror(-res));
    return -1;
}

const struct send_path uring_zero_copy_send = {
    .impl = IMPL_URING_ZERO_COPY, .footprint = footprint, .available = available, .open = open_send,
    .send = send_one, .finish = finish, .close = close_send,
};
