#include "uring_zc.h"

#include <errno.h>

void uring_zc_submitted(struct uring_zc *z, unsigned slot)
{
    z->due[slot].results++;
}

enum uring_cqe_kind uring_zc_cqe(struct uring_zc *z, uint64_t user_data, int32_t res, uint32_t flags)
{
    if (user_data >= z->slots)
        return URING_CQE_BAD;
    struct uring_slot *due = &z->due[user_data];
    if (flags & URING_CQE_F_NOTIF) {
        if (due->notifs == 0)
            return URING_CQE_BAD;
        due->notifs--;
        z->n.completions++;
        if ((uint32_t)res & URING_NOTIF_USAGE_ZC_COPIED)
            z->n.copied++;
        return URING_CQE_NOTIF;
    }
    if (due->results == 0)
        return URING_CQE_BAD;
    due->results--;
    if (flags & URING_CQE_F_MORE) {
        due->notifs++;
        z->n.sends++;
    }
    if (res == -ENOBUFS)
        z->n.enobufs++;
    return URING_CQE_RESULT;
}

bool uring_zc_slot_free(const struct uring_zc *z, unsigned slot)
{
    return z->due[slot].results == 0 && z->due[slot].notifs == 0;
}

uint64_t uring_zc_due(const struct uring_zc *z)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < z->slots; i++)
        sum += z->due[i].results + z->due[i].notifs;
    return sum;
}
