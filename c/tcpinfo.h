/* TCP's own account of an experiment: TCP_INFO read on every connection at
 * the start and at the end of the span a side reports (two getsockopt per
 * connection, both off the measured path), the deltas summed over the
 * connections.
 *
 * The span is the connection, from the accepted hello to the end (the
 * server's own bytes_sent covers the same span), not the client's measured
 * window: the window starts when the last client thread reaches the start
 * gate, plus the warm-up, a moment the server never learns (and across two
 * hosts could not place on its own clock). The client reads over the same
 * span, so that the two sides' figures describe the same segments.
 *
 * A field the kernel did not fill (an older kernel returns a shorter struct
 * tcp_info) is unknown, and a sum with an unknown part is unknown: printed
 * as null, never 0. */
#ifndef COPYBENCH_TCPINFO_H
#define COPYBENCH_TCPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json;

/* The value of "span" in both sides' "tcp" objects. */
#define TCP_SPAN "connection"

enum tcp_field {
    /* Counters: the account holds end - start, summed over connections. */
    TCP_DATA_SEGS_OUT,     /* tcpi_data_segs_out */
    TCP_BYTES_SENT,        /* tcpi_bytes_sent (retransmissions included) */
    TCP_BYTES_ACKED,       /* tcpi_bytes_acked */
    TCP_RETRANS,           /* tcpi_total_retrans */
    TCP_BUSY_US,           /* tcpi_busy_time: the two below included */
    TCP_RWND_LIMITED_US,   /* tcpi_rwnd_limited */
    TCP_SNDBUF_LIMITED_US, /* tcpi_sndbuf_limited */
    TCP_SEGS_IN,           /* tcpi_segs_in */
    /* A level: the account holds the end values, summed (the mean is
     * sum / connections). */
    TCP_SRTT_US,           /* tcpi_rtt */
    TCP_FIELDS
};

/* One reading of TCP_INFO. */
struct tcp_sample {
    bool known[TCP_FIELDS];
    uint64_t value[TCP_FIELDS];
};

/* Sums over connections; all zero is the empty account. */
struct tcp_account {
    uint64_t connections;
    bool unknown[TCP_FIELDS]; /* some connection could not tell */
    uint64_t sum[TCP_FIELDS];
};

/* A sample from the bytes getsockopt(TCP_INFO) returned: a field lying
 * (even partly) beyond len is unknown. Pure. */
void tcp_sample_parse(const void *info, size_t len, struct tcp_sample *s);

/* getsockopt(TCP_INFO) on fd; if the call fails, every field is unknown. */
void tcp_sample_read(int fd, struct tcp_sample *s);

/* Add one connection: its counters' deltas from start to end (wrap-safe for
 * the kernel's 32-bit counters; a 64-bit counter that went backwards is
 * unknown) and its end level. Pure. */
void tcp_account_add(struct tcp_account *a, const struct tcp_sample *start, const struct tcp_sample *end);

/* The account's total of a field (the mean over connections for a level);
 * false when it is unknown, or when there was no connection. */
bool tcp_account_value(const struct tcp_account *a, enum tcp_field f, double *v);

/* The "tcp" object of a result line: the sender's figures, or the
 * receiver's (segs_in only). */
void tcp_account_json(struct json *j, const struct tcp_account *a, bool sender);

#endif
