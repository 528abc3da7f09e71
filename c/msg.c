#include "msg.h"
#include "common.h"

#include <stdlib.h>
#include <string.h>

uint8_t msg_pattern(size_t offset)
{
    /* Not periodic at any small power of two, so a shifted copy shows. */
    return (uint8_t)(offset * 131u + (offset >> 8) * 7u + (offset >> 16) + 0x5au);
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint8_t msg_stamp_byte(uint64_t seq, unsigned k)
{
    /* k < 8 from one hash, k >= 8 from another: 16 independent-looking bytes,
     * so sequence numbers a ring length apart never share their stamps. */
    uint64_t h = mix64(seq * 2u + (k >= 8));
    return (uint8_t)(h >> (8 * (k & 7)));
}

bool msg_alloc(struct msg *m, size_t size)
{
    m->size = size;
    size_t base = size / MSG_FIELDS, extra = size % MSG_FIELDS, off = 0;
    for (unsigned i = 0; i < MSG_FIELDS; i++)
        m->field[i] = NULL;
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        m->len[i] = base + (i < extra);
        m->offset[i] = off;
        m->field[i] = malloc(m->len[i] ? m->len[i] : 1);
        if (!m->field[i]) {
            msg_free(m);
            return false;
        }
        for (size_t j = 0; j < m->len[i]; j++)
            m->field[i][j] = msg_pattern(off + j);
        off += m->len[i];
    }
    return true;
}

void msg_init(struct msg *m, size_t size)
{
    if (!msg_alloc(m, size))
        die("out of memory (a message of %zu bytes)", size);
}

void msg_free(struct msg *m)
{
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        free(m->field[i]);
        m->field[i] = NULL;
    }
}

/* Header bytes live at logical [0, 16), which spans several fields when the
 * first field is shorter than 16 bytes (messages under 128 B). */
static void write_logical(struct msg *m, size_t off, const uint8_t *src, size_t n)
{
    if (m->len[0] >= off + n) {
        memcpy(m->field[0] + off, src, n);
        return;
    }
    for (unsigned i = 0; i < MSG_FIELDS && n > 0; i++) {
        size_t end = m->offset[i] + m->len[i];
        while (n > 0 && off < end) {
            m->field[i][off - m->offset[i]] = *src++;
            off++;
            n--;
        }
    }
}

static void read_logical(const struct msg *m, size_t off, uint8_t *dst, size_t n)
{
    if (m->len[0] >= off + n) {
        memcpy(dst, m->field[0] + off, n);
        return;
    }
    for (unsigned i = 0; i < MSG_FIELDS && n > 0; i++) {
        size_t end = m->offset[i] + m->len[i];
        while (n > 0 && off < end) {
            *dst++ = m->field[i][off - m->offset[i]];
            off++;
            n--;
        }
    }
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void msg_stamp(struct msg *m, uint64_t seq, uint64_t send_ns)
{
    uint8_t header[MSG_HEADER];
    put_le64(header, seq);
    put_le64(header + 8, send_ns);
    write_logical(m, 0, header, sizeof header);
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        size_t first = m->offset[i], last = first + m->len[i] - 1;
        if (first >= MSG_HEADER)
            m->field[i][0] = msg_stamp_byte(seq, 2 * i);
        if (last >= MSG_HEADER)
            m->field[i][m->len[i] - 1] = msg_stamp_byte(seq, 2 * i + 1);
    }
}

bool msg_check(const struct msg *m, uint64_t seq, enum msg_verify verify, uint64_t *send_ns)
{
    uint8_t header[MSG_HEADER];
    read_logical(m, 0, header, sizeof header);
    *send_ns = get_le64(header + 8);
    bool ok = get_le64(header) == seq;
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        size_t first = m->offset[i], last = first + m->len[i] - 1;
        if (first >= MSG_HEADER && m->field[i][0] != msg_stamp_byte(seq, 2 * i))
            ok = false;
        if (last >= MSG_HEADER && m->field[i][m->len[i] - 1] != msg_stamp_byte(seq, 2 * i + 1))
            ok = false;
    }
    if (verify == VERIFY_FULL) {
        for (unsigned i = 0; i < MSG_FIELDS; i++) {
            /* Skip the header and the two stamp positions checked above. */
            for (size_t j = 1; j + 1 < m->len[i]; j++) {
                size_t off = m->offset[i] + j;
                if (off >= MSG_HEADER && m->field[i][j] != msg_pattern(off))
                    ok = false;
            }
        }
    }
    return ok;
}

void msg_iov(const struct msg *m, struct iovec iov[MSG_FIELDS])
{
    for (unsigned i = 0; i < MSG_FIELDS; i++) {
        iov[i].iov_base = m->field[i];
        iov[i].iov_len = m->len[i];
    }
}

void msg_serialize(const struct msg *m, uint8_t *buf)
{
    for (unsigned i = 0; i < MSG_FIELDS; i++)
        memcpy(buf + m->offset[i], m->field[i], m->len[i]);
}

void msg_deserialize(struct msg *m, const uint8_t *buf)
{
    for (unsigned i = 0; i < MSG_FIELDS; i++)
        memcpy(m->field[i], buf + m->offset[i], m->len[i]);
}
