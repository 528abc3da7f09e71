/* io_uring zero-copy send bookkeeping (IORING_OP_SEND_ZC and its vectored
 * form IORING_OP_SENDMSG_ZC; liburing's io_uring_prep_send_zc(3)).
 *
 * Each request yields a result CQE (res: bytes sent, or -errno), flagged
 * IORING_CQE_F_MORE when a notification CQE will follow. The notification,
 * flagged IORING_CQE_F_NOTIF and carrying the request's user_data, says the
 * kernel has let go of the pages: only then may the buffer be rewritten.
 * With IORING_SEND_ZC_REPORT_USAGE (Linux 6.2) its res has
 * IORING_NOTIF_USAGE_ZC_COPIED (bit 31) set when the kernel copied the data
 * after all — a flag, not an error, although res is then negative.
 *
 * Pure: no io_uring calls here, so the CQE handling is unit-tested alone.
 * user_data is the slot a request sent from. */
#ifndef COPYBENCH_URING_ZC_H
#define COPYBENCH_URING_ZC_H

#include <stdbool.h>
#include <stdint.h>

#include "zc.h"

/* Kernel uapi values (include/uapi/linux/io_uring.h), for liburing headers
 * older than Linux 6.2. */
#define URING_CQE_F_MORE (1u << 1)
#define URING_CQE_F_NOTIF (1u << 3)
#define URING_SEND_ZC_REPORT_USAGE (1u << 3)
#define URING_NOTIF_USAGE_ZC_COPIED (1u << 31)

enum uring_cqe_kind {
    URING_CQE_RESULT, /* a request's result: bytes sent or -errno */
    URING_CQE_NOTIF,  /* the kernel released a request's pages */
    URING_CQE_BAD,    /* cannot be: unknown slot, or nothing was due */
};

/* What a slot still awaits. The kernel posts a request's result before its
 * notification (io_uring_prep_send_zc(3)), so a notification that no result
 * promised is an error. */
struct uring_slot {
    uint32_t results; /* requests submitted, result not yet seen */
    uint32_t notifs;  /* notifications promised (F_MORE), not yet seen */
};

struct uring_zc {
    unsigned slots;
    struct uring_slot *due; /* one per slot */
    struct zc_counters n;
};

/* A request was submitted from `slot`: its result is now due. */
void uring_zc_submitted(struct uring_zc *z, unsigned slot);

/* Account one CQE. A result counts as a send when it promises a
 * notification (F_MORE), and an -ENOBUFS result is counted; a notification
 * counts as a completion, and as copied when the usage bit is set. A CQE
 * for no slot, or one its slot does not await, is URING_CQE_BAD (nothing
 * counted). */
enum uring_cqe_kind uring_zc_cqe(struct uring_zc *z, uint64_t user_data, int32_t res, uint32_t flags);

/* May slot be rewritten (nothing due from it)? */
bool uring_zc_slot_free(const struct uring_zc *z, unsigned slot);
/* CQEs still due over all slots. */
uint64_t uring_zc_due(const struct uring_zc *z);

#endif
