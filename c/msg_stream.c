#include "msg_stream.h"

void msg_stream_begin(struct msg_stream *c, size_t size, uint64_t seq, enum msg_verify verify)
{
    *c = (struct msg_stream){ .size = size, .seq = seq, .verify = verify, .ok = true };
    size_t base = size / MSG_FIELDS, extra = size % MSG_FIELDS, off = 0;
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        c->len[i] = base + (i < extra);
        c->offset[i] = off;
        size_t first = off, last = off + c->len[i] - 1;
        /* As msg_stamp writes them: only outside the header. */
        c->stamp_at[2 * i] = first >= MSG_HEADER ? first : SIZE_MAX;
        c->stamp_at[2 * i + 1] = last >= MSG_HEADER ? last : SIZE_MAX;
        c->stamp[2 * i] = msg_stamp_byte(seq, 2 * i);
        c->stamp[2 * i + 1] = msg_stamp_byte(seq, 2 * i + 1);
        off += c->len[i];
    }
}

/* Every pattern byte of [from, to), skipping the header and each field's
 * first and last byte (the stamps), as msg_check does. */
static bool pattern_intact(const struct msg_stream *c, const uint8_t *p, size_t from, size_t to)
{
    bool ok = true;
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        size_t lo = c->offset[i] + 1, hi = c->offset[i] + c->len[i] - 1; /* [lo, hi) inside the stamps */
        if (lo < from)
            lo = from;
        if (lo < MSG_HEADER)
            lo = MSG_HEADER;
        if (hi > to)
            hi = to;
        for (size_t off = lo; off < hi; off++)
            if (p[off - from] != msg_pattern(off))
                ok = false;
    }
    return ok;
}

void msg_stream_feed(struct msg_stream *c, const uint8_t *p, size_t n)
{
    size_t from = c->pos, to = from + n;
    for (size_t off = from; off < MSG_HEADER && off < to; off++)
        c->header[off] = p[off - from];
    for (unsigned k = 0; k < 2 * MSG_FIELDS; k++) {
        size_t at = c->stamp_at[k];
        if (at != SIZE_MAX && at >= from && at < to && p[at - from] != c->stamp[k])
            c->ok = false;
    }
    if (c->verify == VERIFY_FULL && !pattern_intact(c, p, from, to))
        c->ok = false;
    c->pos = to;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

bool msg_stream_end(const struct msg_stream *c, uint64_t *send_ns)
{
    *send_ns = le64(c->header + 8);
    return c->ok && c->pos == c->size && le64(c->header) == c->seq;
}
