/* Robust socket I/O: every short transfer continues where it stopped
 * (advancing the iovec), EINTR is retried, sends never raise SIGPIPE. */
#ifndef COPYBENCH_IO_H
#define COPYBENCH_IO_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Send all n bytes. 0 on success, -1 with errno on failure. */
int send_all(int fd, const void *buf, size_t n);
/* Receive exactly n bytes. 1 on success, 0 if the peer closed first (even
 * part way), -1 with errno on failure (EAGAIN: SO_RCVTIMEO expired). */
int recv_all(int fd, void *buf, size_t n);

/* Skip n bytes of the iovec array in place: drops whole entries and moves the
 * base of the first partial one. */
void iov_advance(struct iovec **iov, int *cnt, size_t n);

/* sendmsg/recvmsg the whole iovec (it is modified), same results as above. */
int sendmsg_all(int fd, struct iovec *iov, int cnt, int flags);
int recvmsg_all(int fd, struct iovec *iov, int cnt);

size_t iov_total(const struct iovec *iov, int cnt);

/* Socket options that the engine relies on; die on failure. */
void set_nodelay(int fd);
void set_timeouts(int fd, double rcv_s, double snd_s);

#endif
