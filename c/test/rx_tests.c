/* Unit tests of checking a message in place as pieces (msg_stream.h): the
 * same verdict as msg_check however the message is cut, rewrites caught in
 * any piece, the layout msg_alloc gives. Prints "N passed, N failed"; exit 1
 * on any failure. */
#include "check.h"
#include "msg.h"
#include "msg_stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Feed buf (the message end to end) in pieces of `piece` bytes. */
static bool stream_check(const uint8_t *buf, size_t size, size_t piece, uint64_t seq, enum msg_verify v, uint64_t *send_ns)
{
    struct msg_stream c;
    msg_stream_begin(&c, size, seq, v);
    for (size_t off = 0; off < size; off += piece)
        msg_stream_feed(&c, buf + off, size - off < piece ? size - off : piece);
    return msg_stream_end(&c, send_ns);
}

static const size_t SIZES[] = { 16, 100, 1000, 4096, 65536 + 3 };
static const size_t PIECES[] = { 1, 7, 16, 4096, SIZE_MAX };

static void test_layout_is_msg_allocs(void)
{
    for (unsigned s = 0; s < sizeof SIZES / sizeof *SIZES; s++) {
        struct msg m;
        struct msg_stream c;
        msg_init(&m, SIZES[s]);
        msg_stream_begin(&c, SIZES[s], 0, VERIFY_STAMPS);
        for (unsigned i = 0; i < MSG_FIELDS; i++)
            CHECK(c.offset[i] == m.offset[i] && c.len[i] == m.len[i]);
        msg_free(&m);
    }
}

static void test_intact_message_passes_however_cut(void)
{
    for (unsigned s = 0; s < sizeof SIZES / sizeof *SIZES; s++) {
        size_t size = SIZES[s];
        struct msg m;
        msg_init(&m, size);
        msg_stamp(&m, 41, 123456789);
        uint8_t *buf = malloc(size);
        msg_serialize(&m, buf);
        for (unsigned p = 0; p < sizeof PIECES / sizeof *PIECES; p++) {
            uint64_t t = 0;
            CHECK(stream_check(buf, size, PIECES[p], 41, VERIFY_FULL, &t) && t == 123456789);
            CHECK(stream_check(buf, size, PIECES[p], 41, VERIFY_STAMPS, &t));
            CHECK(!stream_check(buf, size, PIECES[p], 42, VERIFY_STAMPS, &t)); /* another sequence */
        }
        free(buf);
        msg_free(&m);
    }
}

/* A byte changed anywhere: the same verdict as msg_check, in both modes. */
static void test_rewrites_caught_as_msg_check_catches_them(void)
{
    size_t size = 1000;
    struct msg m;
    msg_init(&m, size);
    uint8_t *buf = malloc(size);
    unsigned agree = 0, total = 0;
    for (size_t at = 0; at < size; at += 3) {
        msg_stamp(&m, 7, 99);
        msg_serialize(&m, buf);
        buf[at] ^= 0x5a;
        msg_deserialize(&m, buf);
        for (int v = VERIFY_STAMPS; v <= VERIFY_FULL; v++) {
            uint64_t t1, t2;
            bool want = msg_check(&m, 7, (enum msg_verify)v, &t1);
            bool got = stream_check(buf, size, 13, 7, (enum msg_verify)v, &t2);
            agree += want == got;
            total++;
        }
    }
    CHECK(agree == total);
    /* The stamps alone catch a rewritten first or last byte of a field. */
    msg_stamp(&m, 7, 99);
    msg_serialize(&m, buf);
    buf[m.offset[3]] ^= 1;
    uint64_t t;
    CHECK(!stream_check(buf, size, 500, 7, VERIFY_STAMPS, &t));
    free(buf);
    msg_free(&m);
}

static void test_short_message_fails(void)
{
    struct msg m;
    msg_init(&m, 256);
    msg_stamp(&m, 1, 2);
    uint8_t buf[256];
    msg_serialize(&m, buf);
    struct msg_stream c;
    msg_stream_begin(&c, 256, 1, VERIFY_STAMPS);
    msg_stream_feed(&c, buf, 255);
    uint64_t t;
    CHECK(!msg_stream_end(&c, &t)); /* a byte short */
    msg_free(&m);
}

int main(void)
{
    test_layout_is_msg_allocs();
    test_intact_message_passes_however_cut();
    test_rewrites_caught_as_msg_check_catches_them();
    test_short_message_fails();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
