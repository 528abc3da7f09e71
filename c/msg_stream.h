/* Checking a message as its bytes go by, in place: the receiver that maps
 * the socket's pages (--rx zerocopy) sees a message as pieces — mapped
 * pages, then bytes it had to recv, then more pages — and may release a
 * piece before the next arrives. msg_stream checks the same things as
 * msg_check (sequence, the 16 stamp bytes, with VERIFY_FULL every pattern
 * byte) on each piece as it is fed, reading the data where it lies: no copy
 * but the 16 header bytes, and without VERIFY_FULL no pass over the data. */
#ifndef COPYBENCH_MSG_STREAM_H
#define COPYBENCH_MSG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct msg_stream {
    size_t size, pos; /* message size, logical bytes fed so far */
    uint64_t seq;
    enum msg_verify verify;
    size_t offset[MSG_FIELDS], len[MSG_FIELDS]; /* the layout msg_alloc gives */
    size_t stamp_at[2 * MSG_FIELDS];            /* logical offset of stamp byte k; SIZE_MAX: none */
    uint8_t stamp[2 * MSG_FIELDS];
    uint8_t header[MSG_HEADER];
    bool ok;
};

/* Expect message `seq` of `size` bytes. */
void msg_stream_begin(struct msg_stream *c, size_t size, uint64_t seq, enum msg_verify verify);
/* The next n bytes of the message (n no more than what is left of it). */
void msg_stream_feed(struct msg_stream *c, const uint8_t *p, size_t n);
/* Every byte fed: true if intact; the send time in *send_ns either way. */
bool msg_stream_end(const struct msg_stream *c, uint64_t *send_ns);

#endif
