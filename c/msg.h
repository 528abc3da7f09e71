/* The 8-field message. Each field is its own heap allocation; the field
 * sizes sum exactly to the message size (the remainder goes one byte each to
 * the first fields). Read end to end, the fields form the "logical" message:
 *
 *   bytes [0, 8)   sequence number, little endian
 *   bytes [8, 16)  sender's CLOCK_MONOTONIC send time in ns, little endian
 *   first and last byte of every field (outside the header): stamp bytes
 *                  derived from the sequence number, written on every send
 *   everything else: a fixed pattern of the logical offset, written once
 *
 * A receiver checks the sequence and the 16 stamp bytes on every message, so
 * a buffer rewritten while in flight (a zero-copy slot reused too early) is
 * detected without a pass over the data; --verify full checks every byte. */
#ifndef COPYBENCH_MSG_H
#define COPYBENCH_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define MSG_FIELDS 8
#define MSG_HEADER 16

struct msg {
    size_t size;
    uint8_t *field[MSG_FIELDS];
    size_t len[MSG_FIELDS];
    size_t offset[MSG_FIELDS]; /* logical offset of each field */
};

/* Allocate the 8 fields and write the pattern; die if memory runs out. */
void msg_init(struct msg *m, size_t size);
/* The same, for a server that must outlive a failed allocation: false (and
 * nothing held) if memory runs out. */
bool msg_alloc(struct msg *m, size_t size);
void msg_free(struct msg *m);

/* Write the header and stamp bytes for this send. */
void msg_stamp(struct msg *m, uint64_t seq, uint64_t send_ns);

enum msg_verify { VERIFY_STAMPS = 0, VERIFY_FULL = 1 };

/* Check a received message: its sequence must be `seq`, every stamp byte must
 * match, and with VERIFY_FULL every pattern byte too. Returns true if intact;
 * the send time is stored in *send_ns either way. */
bool msg_check(const struct msg *m, uint64_t seq, enum msg_verify verify, uint64_t *send_ns);

/* Point an 8-entry iovec at the fields. */
void msg_iov(const struct msg *m, struct iovec iov[MSG_FIELDS]);

/* Contiguous form (the two-copy path): copy all fields into buf, or buf into
 * the fields. buf holds m->size bytes. */
void msg_serialize(const struct msg *m, uint8_t *buf);
void msg_deserialize(struct msg *m, const uint8_t *buf);

/* The pattern byte at a logical offset, and the stamp byte k (0..15) of a
 * sequence number: exposed for the unit test. */
uint8_t msg_pattern(size_t offset);
uint8_t msg_stamp_byte(uint64_t seq, unsigned k);

#endif
