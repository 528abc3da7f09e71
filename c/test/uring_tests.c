/* Unit tests of the io_uring zero-copy bookkeeping (uring_zc.h): a result
 * against a notification, the copied bit, errors, and when a slot may be
 * rewritten. Prints "N passed, N failed"; exit 1 on any failure. */
#include "check.h"
#include "uring_zc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#define SLOTS 4u

static struct uring_zc fresh(struct uring_slot due[SLOTS])
{
    for (unsigned i = 0; i < SLOTS; i++)
        due[i] = (struct uring_slot){ 0, 0 };
    return (struct uring_zc){ .slots = SLOTS, .due = due };
}

static void test_result_then_notification_frees_the_slot(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    uring_zc_submitted(&z, 2);
    CHECK(!uring_zc_slot_free(&z, 2));
    CHECK(uring_zc_cqe(&z, 2, 4096, URING_CQE_F_MORE) == URING_CQE_RESULT);
    CHECK(!uring_zc_slot_free(&z, 2)); /* the result alone frees nothing */
    CHECK(z.n.sends == 1 && z.n.completions == 0);
    CHECK(uring_zc_cqe(&z, 2, 0, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(uring_zc_slot_free(&z, 2) && uring_zc_due(&z) == 0);
    CHECK(z.n.completions == 1 && z.n.copied == 0);
}

static void test_copied_bit_is_a_flag_not_an_error(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    uring_zc_submitted(&z, 0);
    CHECK(uring_zc_cqe(&z, 0, 100, URING_CQE_F_MORE) == URING_CQE_RESULT);
    int32_t copied = (int32_t)URING_NOTIF_USAGE_ZC_COPIED; /* negative as an int */
    CHECK(copied < 0);
    CHECK(uring_zc_cqe(&z, 0, copied, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(z.n.completions == 1 && z.n.copied == 1);
    CHECK(uring_zc_slot_free(&z, 0));
}

static void test_notification_no_result_promised_is_rejected(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    uring_zc_submitted(&z, 1);
    CHECK(uring_zc_cqe(&z, 1, 0, URING_CQE_F_NOTIF) == URING_CQE_BAD); /* result not seen yet */
    CHECK(!uring_zc_slot_free(&z, 1));
    CHECK(uring_zc_cqe(&z, 1, 10, URING_CQE_F_MORE) == URING_CQE_RESULT);
    CHECK(uring_zc_cqe(&z, 1, 0, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(uring_zc_slot_free(&z, 1) && z.n.completions == 1);
}

static void test_failed_result_without_more_releases_everything(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    uring_zc_submitted(&z, 3);
    CHECK(uring_zc_cqe(&z, 3, -ECONNRESET, 0) == URING_CQE_RESULT);
    CHECK(uring_zc_slot_free(&z, 3));
    CHECK(z.n.sends == 0 && z.n.completions == 0); /* no send, nothing due */
    CHECK(uring_zc_cqe(&z, 3, 0, URING_CQE_F_NOTIF) == URING_CQE_BAD);
}

static void test_enobufs_counted_and_its_notification_awaited(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    uring_zc_submitted(&z, 0);
    CHECK(uring_zc_cqe(&z, 0, -ENOBUFS, URING_CQE_F_MORE) == URING_CQE_RESULT);
    CHECK(z.n.enobufs == 1 && z.n.sends == 1);
    CHECK(!uring_zc_slot_free(&z, 0));
    CHECK(uring_zc_cqe(&z, 0, 0, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(uring_zc_slot_free(&z, 0));
}

static void test_impossible_cqes_are_rejected(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    CHECK(uring_zc_cqe(&z, SLOTS, 1, URING_CQE_F_MORE) == URING_CQE_BAD); /* no such slot */
    CHECK(uring_zc_cqe(&z, 0, 1, URING_CQE_F_MORE) == URING_CQE_BAD);     /* nothing submitted */
    CHECK(uring_zc_cqe(&z, 0, 0, URING_CQE_F_NOTIF) == URING_CQE_BAD);
    uring_zc_submitted(&z, 0);
    CHECK(uring_zc_cqe(&z, 0, 1, URING_CQE_F_MORE) == URING_CQE_RESULT);
    CHECK(uring_zc_cqe(&z, 0, 1, URING_CQE_F_MORE) == URING_CQE_BAD); /* a second result */
    CHECK(uring_zc_cqe(&z, 0, 0, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(uring_zc_cqe(&z, 0, 0, URING_CQE_F_NOTIF) == URING_CQE_BAD); /* a second notification */
    CHECK(z.n.sends == 1 && z.n.completions == 1 && z.n.copied == 0);
}

static void test_short_sends_each_await_their_own_notification(void)
{
    struct uring_slot due[SLOTS];
    struct uring_zc z = fresh(due);
    uring_zc_submitted(&z, 1); /* a message sent in two requests */
    CHECK(uring_zc_cqe(&z, 1, 1000, URING_CQE_F_MORE) == URING_CQE_RESULT);
    uring_zc_submitted(&z, 1);
    CHECK(uring_zc_cqe(&z, 1, 24, URING_CQE_F_MORE) == URING_CQE_RESULT);
    CHECK(uring_zc_due(&z) == 2);
    CHECK(uring_zc_cqe(&z, 1, (int32_t)URING_NOTIF_USAGE_ZC_COPIED, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(!uring_zc_slot_free(&z, 1)); /* one of two */
    CHECK(uring_zc_cqe(&z, 1, 0, URING_CQE_F_NOTIF) == URING_CQE_NOTIF);
    CHECK(uring_zc_slot_free(&z, 1));
    CHECK(z.n.sends == 2 && z.n.completions == 2 && z.n.copied == 1);
}

int main(void)
{
    test_result_then_notification_frees_the_slot();
    test_copied_bit_is_a_flag_not_an_error();
    test_notification_no_result_promised_is_rejected();
    test_failed_result_without_more_releases_everything();
    test_enobufs_counted_and_its_notification_awaited();
    test_impossible_cqes_are_rejected();
    test_short_sends_each_await_their_own_notification();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
