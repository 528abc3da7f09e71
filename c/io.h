/* Robust socket I/O: every short transfer continues where it stopped
 * (advancing the iovec), EINTR is retried, sends never raise SIGPIPE. */
#ifndef COPYBENCH_IO_H
#define COPYBENCH_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Send all n bytes. 0 on success, -1 with errno on failure. */
int send_all(int fd, const void *buf, size_t n);
/* Receive exactly n bytes. 1 on success, 0 if the peer closed first (even
 * part way), -1 with errno on failure (EAGAIN: SO_RCVTIMEO expired). */
int recv_all(int fd, void *buf, size_t n);
/* recv_all with one deadline (CLOCK_MONOTONIC ns) for the whole transfer,
 * however the bytes trickle in: -1 with ETIMEDOUT once it passes. */
int recv_all_by(int fd, void *buf, size_t n, uint64_t deadline_ns);

/* Skip n bytes of the iovec array in place: drops whole entries and moves the
 * base of the first partial one. */
void iov_advance(struct iovec **iov, int *cnt, size_t n);

/* A blocking send returns short only when its SO_SNDTIMEO expired having
 * moved a part (or on a signal), and the next call gets the whole bound
 * again; a peer that stopped reading can still take a few bytes now and then
 * (the kernel reclaims buffer space), so per-call timeouts alone could hold
 * a sender for many bounds. The send loops call send_stalled() on every
 * short return: true, with errno EAGAIN, once timed-out calls have gone on
 * for a whole bound without a message sent in one go between them (which
 * send_unstalled() records), so a connection whose peer stops reading ends
 * within about two SO_SNDTIMEO bounds. */
bool send_stalled(int fd);
void send_unstalled(void);

/* sendmsg/recvmsg the whole iovec (it is modified), same results as above. */
int sendmsg_all(int fd, struct iovec *iov, int cnt, int flags);
int recvmsg_all(int fd, struct iovec *iov, int cnt);

size_t iov_total(const struct iovec *iov, int cnt);

/* Socket options that the engine relies on; die on failure. */
void set_nodelay(int fd);
void set_timeouts(int fd, double rcv_s, double snd_s);

#endif
