/* Zero-copy receive (--rx zerocopy): TCP_ZEROCOPY_RECEIVE maps the socket's
 * pages into a window of this process instead of copying them; what the
 * kernel cannot map (less than a page, or data not in whole order-0 pages —
 * its recv_skip_hint) is read with recv. Every message is checked in place
 * on the mapped pages (msg_stream.h), and the pages are released once read. */
#ifndef COPYBENCH_RX_ZEROCOPY_H
#define COPYBENCH_RX_ZEROCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct rx_zc;

/* Bytes of messages received by each way, over the connection. */
struct rx_counts {
    uint64_t mapped, copied;
};

/* The window for fd, for messages of `size` bytes: NULL with a reason in
 * err (the socket cannot be mapped: no TCP_ZEROCOPY_RECEIVE here). */
struct rx_zc *rx_zc_open(int fd, size_t size, char *err, size_t errlen);
/* Receive message `seq` and check it in place: 1 with *intact and
 * *send_ns set, 0 if the peer closed, -1 with errno (EAGAIN: no data for
 * the receive timeout). */
int rx_zc_recv(struct rx_zc *s, uint64_t seq, enum msg_verify verify, bool *intact, uint64_t *send_ns);
struct rx_counts rx_zc_counts(const struct rx_zc *s);
void rx_zc_close(struct rx_zc *s);

#endif
