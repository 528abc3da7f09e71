/* Unit tests of the engine's exact parts: the zero-copy completion tracker,
 * the histogram's error bound, the message layout and its checks, iovec
 * advancing, the wire encodings and the TCP_INFO account. Prints "N passed, N failed"; exit 1 on
 * any failure. */
#include "check.h"
#include "common.h"
#include "histo.h"
#include "io.h"
#include "json.h"
#include "msg.h"
#include "tcpinfo.h"
#include "wire.h"
#include "zc.h"

#include <linux/tcp.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_zc_in_order_ranges(void)
{
    struct zc_tracker t;
    zc_init(&t);
    for (int i = 0; i < 5; i++)
        CHECK(zc_sent(&t) == (uint32_t)i);
    CHECK(zc_in_flight(&t) == 5);
    CHECK(!zc_done_through(&t, 0));
    CHECK(zc_completed(&t, 0, 2, true)); /* one notification, three ids */
    CHECK(zc_done_through(&t, 2));
    CHECK(!zc_done_through(&t, 3));
    CHECK(t.n.completions == 3 && t.n.copied == 3);
    CHECK(zc_completed(&t, 3, 4, false));
    CHECK(zc_in_flight(&t) == 0);
    CHECK(t.n.completions == 5 && t.n.copied == 3 && t.n.sends == 5);
}

static void test_zc_out_of_order(void)
{
    struct zc_tracker t;
    zc_init(&t);
    for (int i = 0; i < 4; i++)
        zc_sent(&t);
    CHECK(zc_completed(&t, 2, 3, false));
    CHECK(!zc_done_through(&t, 0)); /* 0 and 1 still out: base stays */
    CHECK(zc_in_flight(&t) == 4);
    CHECK(zc_completed(&t, 0, 1, false));
    CHECK(zc_done_through(&t, 3) && zc_in_flight(&t) == 0);
}

static void test_zc_rejects_bad_ranges(void)
{
    struct zc_tracker t;
    zc_init(&t);
    zc_sent(&t);
    zc_sent(&t);
    CHECK(!zc_completed(&t, 0, 2, false)); /* id 2 was never sent */
    CHECK(!zc_completed(&t, 1, 0, false)); /* reversed */
    CHECK(zc_completed(&t, 1, 1, false));
    CHECK(!zc_completed(&t, 1, 1, false)); /* reported twice */
    CHECK(t.n.completions == 1);
    CHECK(zc_completed(&t, 0, 0, false));
    CHECK(!zc_completed(&t, 0, 0, false)); /* already below base */
}

static void test_zc_wraps_at_2_32(void)
{
    struct zc_tracker t;
    zc_init(&t);
    t.next_id = t.base = UINT32_MAX - 1; /* as after 2^32 - 2 sends */
    uint32_t a = zc_sent(&t), b = zc_sent(&t), c = zc_sent(&t);
    CHECK(a == UINT32_MAX - 1 && b == UINT32_MAX && c == 0);
    CHECK(!zc_done_through(&t, a));
    CHECK(zc_completed(&t, UINT32_MAX - 1, 0, true)); /* range across the wrap */
    CHECK(zc_done_through(&t, c) && zc_in_flight(&t) == 0);
    CHECK(t.n.completions == 3 && t.n.copied == 3);
}

static void test_histo_error_bound(void)
{
    /* Every value maps to a bucket whose midpoint is within 1/256. */
    for (uint64_t v = 1; v < (1ull << 40); v = v * 3 / 2 + 1) {
        unsigned i = histo_index(v);
        uint64_t lo = histo_lower(i), w = histo_width(i), mid = lo + (w - 1) / 2;
        CHECK(v >= lo && v < lo + w);
        CHECK(fabs((double)mid - (double)v) <= (double)v / 256.0 + 0.5);
    }
}

static void test_histo_quantiles(void)
{
    struct histo a, b;
    histo_init(&a);
    histo_init(&b);
    for (uint64_t v = 1; v <= 1000; v++)
        histo_add(v <= 500 ? &a : &b, v * 1000); /* 1 us .. 1 ms */
    histo_merge(&a, &b);
    CHECK(a.count == 1000);
    CHECK(fabs((double)histo_quantile(&a, 0.50) - 500000.0) <= 500000.0 / 100);
    CHECK(fabs((double)histo_quantile(&a, 0.99) - 990000.0) <= 990000.0 / 100);
    CHECK(histo_quantile(&a, 1.0) == 1000000);
    CHECK(a.max_ns == 1000000 && a.min_ns == 1000);
    CHECK(fabs(histo_mean(&a) - 500500.0) < 1.0);
    histo_free(&a);
    histo_free(&b);
}

static void test_msg_layout(void)
{
    size_t sizes[] = { 16, 17, 100, 1000, 65536, 65539 };
    for (unsigned s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        struct msg m;
        msg_init(&m, sizes[s]);
        size_t total = 0;
        for (unsigned i = 0; i < MSG_FIELDS; i++) {
            CHECK(m.offset[i] == total);
            total += m.len[i];
            CHECK(m.len[i] == sizes[s] / 8 || m.len[i] == sizes[s] / 8 + 1);
        }
        CHECK(total == sizes[s]);
        msg_free(&m);
    }
}

static void test_msg_stamps_detect_rewrite(void)
{
    struct msg m, r;
    uint64_t sent;
    msg_init(&m, 1000);
    msg_init(&r, 1000);
    uint8_t *buf = xmalloc(1000);
    msg_stamp(&m, 41, 123456789);
    msg_serialize(&m, buf);
    msg_deserialize(&r, buf);
    CHECK(msg_check(&r, 41, VERIFY_FULL, &sent) && sent == 123456789);
    CHECK(!msg_check(&r, 42, VERIFY_STAMPS, &sent)); /* wrong sequence */
    /* A slot rewritten for a later message while in flight: the stamps of
     * the later sequence show in the fields that were overwritten. */
    msg_stamp(&m, 41 + 16, 1);
    memcpy(r.field[5], m.field[5], r.len[5]);
    CHECK(!msg_check(&r, 41, VERIFY_STAMPS, &sent));
    /* A byte flipped in the middle of a field: only a full check sees it. */
    msg_stamp(&m, 7, 1);
    msg_serialize(&m, buf);
    msg_deserialize(&r, buf);
    r.field[3][10] ^= 0xff;
    CHECK(msg_check(&r, 7, VERIFY_STAMPS, &sent));
    CHECK(!msg_check(&r, 7, VERIFY_FULL, &sent));
    free(buf);
    msg_free(&m);
    msg_free(&r);
}

static void test_msg_tiny_header_spans_fields(void)
{
    struct msg m;
    uint64_t sent;
    msg_init(&m, 16); /* 8 fields of 2 bytes: the header is the whole message */
    msg_stamp(&m, 0x0102030405060708ull, 0x1112131415161718ull);
    CHECK(m.field[0][0] == 0x08 && m.field[3][1] == 0x01 && m.field[7][1] == 0x11);
    CHECK(msg_check(&m, 0x0102030405060708ull, VERIFY_FULL, &sent) && sent == 0x1112131415161718ull);
    msg_free(&m);
}

static void test_iov_advance(void)
{
    char a[3], b[5], c[2];
    struct iovec v[3] = { { a, 3 }, { b, 5 }, { c, 2 } }, *p = v;
    int n = 3;
    CHECK(iov_total(v, 3) == 10);
    iov_advance(&p, &n, 4); /* all of a, 1 byte of b */
    CHECK(n == 2 && p == &v[1] && p->iov_base == b + 1 && p->iov_len == 4);
    iov_advance(&p, &n, 4); /* exactly the rest of b */
    CHECK(n == 1 && p->iov_base == c && p->iov_len == 2);
    iov_advance(&p, &n, 2);
    CHECK(n == 0);
}

static void test_wire_round_trip(void)
{
    struct hello h = { .magic = WIRE_MAGIC, .version = WIRE_VERSION, .mode = MODE_RR,
                       .impl = IMPL_ZERO_COPY, .msg_size = 65536, .threads = 8,
                       .duration_ms = 1500, .warmup_ms = 300, .flags = 1 },
                 d;
    uint8_t raw[HELLO_SIZE];
    hello_encode(&h, raw);
    hello_decode(raw, &d);
    CHECK(memcmp(&h, &d, sizeof h) == 0);
    CHECK(hello_validate(&d, IMPL_ZERO_COPY) == HELLO_OK);
    CHECK(hello_validate(&d, IMPL_TWO_COPY) == HELLO_IMPL_MISMATCH);
    d.msg_size = 8;
    CHECK(hello_validate(&d, IMPL_ZERO_COPY) == HELLO_BAD_SIZE);
    memcpy(raw, "GET / HTTP/1.1\r\nHost: x\r\n\r\n....", HELLO_SIZE);
    hello_decode(raw, &d);
    CHECK(hello_validate(&d, IMPL_ZERO_COPY) == HELLO_BAD_MAGIC);

    struct frame f = { .seq = 0x123456789abcull, .type = FRAME_REQUEST }, g;
    uint8_t fr[FRAME_SIZE];
    frame_encode(&f, fr);
    CHECK(frame_decode(fr, &g) && g.seq == f.seq && g.type == FRAME_REQUEST);
    fr[8] = 9;
    CHECK(!frame_decode(fr, &g));
}

/* A kernel's struct tcp_info with the fields the account reads set. */
static struct tcp_info tcp_info_of(uint32_t segs_out, uint64_t bytes_sent, uint64_t acked, uint32_t retrans,
                                   uint64_t busy, uint64_t rwnd, uint64_t sndbuf, uint32_t segs_in, uint32_t rtt)
{
    struct tcp_info i;
    memset(&i, 0, sizeof i);
    i.tcpi_data_segs_out = segs_out;
    i.tcpi_bytes_sent = bytes_sent;
    i.tcpi_bytes_acked = acked;
    i.tcpi_total_retrans = retrans;
    i.tcpi_busy_time = busy;
    i.tcpi_rwnd_limited = rwnd;
    i.tcpi_sndbuf_limited = sndbuf;
    i.tcpi_segs_in = segs_in;
    i.tcpi_rtt = rtt;
    return i;
}

static void test_tcp_sample_knows_only_what_the_kernel_filled(void)
{
    struct tcp_info i = tcp_info_of(10, 20000, 19000, 1, 3000, 500, 200, 7, 42);
    struct tcp_sample s;
    tcp_sample_parse(&i, sizeof i, &s);
    for (int f = 0; f < TCP_FIELDS; f++)
        CHECK(s.known[f]);
    CHECK(s.value[TCP_DATA_SEGS_OUT] == 10 && s.value[TCP_BYTES_SENT] == 20000);
    CHECK(s.value[TCP_BYTES_ACKED] == 19000 && s.value[TCP_RETRANS] == 1);
    CHECK(s.value[TCP_BUSY_US] == 3000 && s.value[TCP_RWND_LIMITED_US] == 500);
    CHECK(s.value[TCP_SNDBUF_LIMITED_US] == 200 && s.value[TCP_SEGS_IN] == 7 && s.value[TCP_SRTT_US] == 42);

    /* An older kernel's shorter struct: tcpi_bytes_sent (5.5) lies beyond it. */
    tcp_sample_parse(&i, offsetof(struct tcp_info, tcpi_bytes_sent), &s);
    CHECK(!s.known[TCP_BYTES_SENT]);
    CHECK(s.known[TCP_SNDBUF_LIMITED_US] && s.known[TCP_DATA_SEGS_OUT] && s.known[TCP_SRTT_US]);
    /* A field cut in the middle is unknown too. */
    tcp_sample_parse(&i, offsetof(struct tcp_info, tcpi_busy_time) + 4, &s);
    CHECK(!s.known[TCP_BUSY_US] && s.known[TCP_DATA_SEGS_OUT]);
    /* A failed getsockopt: nothing known. */
    tcp_sample_parse(&i, 0, &s);
    for (int f = 0; f < TCP_FIELDS; f++)
        CHECK(!s.known[f]);
}

static void test_tcp_account_sums_deltas_and_averages_rtt(void)
{
    struct tcp_account a = { 0 };
    double v;
    CHECK(!tcp_account_value(&a, TCP_BYTES_SENT, &v)); /* no connection: unknown, not 0 */

    struct tcp_info i0 = tcp_info_of(5, 1000, 900, 0, 100, 0, 0, 3, 10),
                    i1 = tcp_info_of(15, 21000, 20900, 2, 5100, 1000, 500, 13, 30);
    struct tcp_sample s0, s1;
    tcp_sample_parse(&i0, sizeof i0, &s0);
    tcp_sample_parse(&i1, sizeof i1, &s1);
    tcp_account_add(&a, &s0, &s1);
    /* A second connection, its 32-bit counters wrapping past 2^32. */
    i0 = tcp_info_of(UINT32_MAX - 4, 0, 0, UINT32_MAX, 0, 0, 0, UINT32_MAX - 1, 5);
    i1 = tcp_info_of(5, 10000, 10000, 1, 1000, 0, 250, 2, 50);
    tcp_sample_parse(&i0, sizeof i0, &s0);
    tcp_sample_parse(&i1, sizeof i1, &s1);
    tcp_account_add(&a, &s0, &s1);

    CHECK(a.connections == 2);
    CHECK(tcp_account_value(&a, TCP_DATA_SEGS_OUT, &v) && v == 10 + 10);
    CHECK(tcp_account_value(&a, TCP_BYTES_SENT, &v) && v == 20000 + 10000);
    CHECK(tcp_account_value(&a, TCP_BYTES_ACKED, &v) && v == 20000 + 10000);
    CHECK(tcp_account_value(&a, TCP_RETRANS, &v) && v == 2 + 2);
    CHECK(tcp_account_value(&a, TCP_BUSY_US, &v) && v == 5000 + 1000);
    CHECK(tcp_account_value(&a, TCP_RWND_LIMITED_US, &v) && v == 1000);
    CHECK(tcp_account_value(&a, TCP_SNDBUF_LIMITED_US, &v) && v == 500 + 250);
    CHECK(tcp_account_value(&a, TCP_SEGS_IN, &v) && v == 10 + 4);
    CHECK(tcp_account_value(&a, TCP_SRTT_US, &v) && v == (30 + 50) / 2.0); /* the end levels' mean */

    struct json j;
    json_begin(&j);
    tcp_account_json(&j, &a, true);
    CHECK(strcmp(j.buf, "{\"tcp\":{\"span\":\"connection\",\"data_segs_out\":20,\"bytes_sent\":30000,"
                        "\"bytes_acked\":30000,\"retrans\":4,\"busy_ms\":6.000000,\"rwnd_limited_ms\":1.000000,"
                        "\"sndbuf_limited_ms\":0.750000,\"srtt_us\":40.000000}") == 0);
    json_begin(&j);
    tcp_account_json(&j, &a, false);
    CHECK(strcmp(j.buf, "{\"tcp\":{\"span\":\"connection\",\"segs_in\":14}") == 0);
}

static void test_tcp_account_unknown_parts_stay_unknown(void)
{
    struct tcp_info i0 = tcp_info_of(5, 5000, 5000, 0, 100, 0, 0, 3, 10),
                    i1 = tcp_info_of(9, 4000, 9000, 0, 200, 0, 0, 4, 20);
    struct tcp_sample s0, s1, short1;
    tcp_sample_parse(&i0, sizeof i0, &s0);
    tcp_sample_parse(&i1, sizeof i1, &s1);
    tcp_sample_parse(&i1, offsetof(struct tcp_info, tcpi_bytes_sent), &short1);
    struct tcp_account a = { 0 };
    double v;
    tcp_account_add(&a, &s0, &s1);
    /* A 64-bit counter going backwards is no delta: unknown. */
    CHECK(!tcp_account_value(&a, TCP_BYTES_SENT, &v));
    CHECK(tcp_account_value(&a, TCP_BYTES_ACKED, &v) && v == 4000);

    struct tcp_account b = { 0 };
    tcp_account_add(&b, &s0, &s1);
    tcp_account_add(&b, &s0, &short1); /* one connection could not tell: the sum cannot either */
    CHECK(!tcp_account_value(&b, TCP_BYTES_SENT, &v));
    CHECK(tcp_account_value(&b, TCP_DATA_SEGS_OUT, &v) && v == 8);
    struct json j;
    json_begin(&j);
    tcp_account_json(&j, &b, true);
    CHECK(strstr(j.buf, "\"bytes_sent\":null,") != NULL);

    struct tcp_account empty = { 0 };
    json_begin(&j);
    tcp_account_json(&j, &empty, true);
    CHECK(strstr(j.buf, "\"data_segs_out\":null,") && strstr(j.buf, "\"srtt_us\":null}"));
}

int main(void)
{
    test_zc_in_order_ranges();
    test_zc_out_of_order();
    test_zc_rejects_bad_ranges();
    test_zc_wraps_at_2_32();
    test_histo_error_bound();
    test_histo_quantiles();
    test_msg_layout();
    test_msg_stamps_detect_rewrite();
    test_msg_tiny_header_spans_fields();
    test_iov_advance();
    test_wire_round_trip();
    test_tcp_sample_knows_only_what_the_kernel_filled();
    test_tcp_account_sums_deltas_and_averages_rtt();
    test_tcp_account_unknown_parts_stay_unknown();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
