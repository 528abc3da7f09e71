/* MSG_ZEROCOPY bookkeeping (kernel Documentation/networking/msg_zerocopy.rst).
 *
 * The kernel gives every successful MSG_ZEROCOPY send call on a socket the
 * next 32-bit id (0, 1, 2, ..., wrapping at 2^32) and later reports completed
 * ids on the socket's error queue as inclusive ranges [ee_info, ee_data],
 * possibly several calls merged into one range, flagged
 * SO_EE_CODE_ZEROCOPY_COPIED when the kernel copied the data after all.
 * A buffer may be rewritten only once every call that sent from it has
 * completed. The tracker keeps `base`, the lowest id not yet completed, so
 * "every id up to x completed" is one wrap-safe comparison. */
#ifndef COPYBENCH_ZC_H
#define COPYBENCH_ZC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most ids in flight at once; a sender waits for completions beyond it. */
#define ZC_WINDOW 4096u

struct zc_counters {
    bool enabled;
    uint64_t sends;       /* successful MSG_ZEROCOPY send calls */
    uint64_t completions; /* ids reported completed */
    uint64_t copied;      /* of those, completed by a deferred copy */
    uint64_t enobufs;     /* sends refused with ENOBUFS (notification memory) */
};

struct zc_tracker {
    uint32_t next_id; /* id the next successful send gets */
    uint32_t base;    /* lowest id not completed yet */
    uint8_t done[ZC_WINDOW];
    struct zc_counters n;
};

/* Slots in a zero-copy sender's ring for messages of `size` bytes: the
 * --zc-slots value if given, else about ZC_RING_BYTES of them (limits.h). */
unsigned zc_ring_length(size_t size, unsigned requested);

void zc_init(struct zc_tracker *t);
/* A send call returned > 0: record its id and return it. */
uint32_t zc_sent(struct zc_tracker *t);
/* A notification for the inclusive range [lo, hi]. Returns false if the range
 * names ids that were never sent or already completed (nothing is counted). */
bool zc_completed(struct zc_tracker *t, uint32_t lo, uint32_t hi, bool copied);
/* Has every id up to and including `id` completed? */
bool zc_done_through(const struct zc_tracker *t, uint32_t id);
uint32_t zc_in_flight(const struct zc_tracker *t);

/* Read every notification waiting on fd's error queue into the tracker.
 * Returns how many were read, or -1 with a reason in err (a notification
 * that is not a zero-copy completion, or one the tracker rejects). */
int zc_drain(int fd, struct zc_tracker *t, char *err, size_t errlen);

/* Wait until zc_done_through(id) or, with id == ZC_ALL, until nothing is in
 * flight: drain, then poll for POLLERR (never sleep), up to timeout_ms in all.
 * Returns 0, or -1 with a reason in err. */
#define ZC_ALL UINT64_MAX
int zc_wait(int fd, struct zc_tracker *t, uint64_t id, int timeout_ms, char *err, size_t errlen);

#endif
