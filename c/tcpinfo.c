/* TCP_INFO readings and their sums over connections (tcpinfo.h). */
#include "tcpinfo.h"

#include "json.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define FIELD(name) { offsetof(struct tcp_info, name), sizeof(((struct tcp_info *)0)->name) }

/* Where each field lies in the kernel's struct tcp_info, and its width. */
static const struct {
    size_t offset, size;
} layout[TCP_FIELDS] = {
    [TCP_DATA_SEGS_OUT] = FIELD(tcpi_data_segs_out),
    [TCP_BYTES_SENT] = FIELD(tcpi_bytes_sent),
    [TCP_BYTES_ACKED] = FIELD(tcpi_bytes_acked),
    [TCP_RETRANS] = FIELD(tcpi_total_retrans),
    [TCP_BUSY_US] = FIELD(tcpi_busy_time),
    [TCP_RWND_LIMITED_US] = FIELD(tcpi_rwnd_limited),
    [TCP_SNDBUF_LIMITED_US] = FIELD(tcpi_sndbuf_limited),
    [TCP_SEGS_IN] = FIELD(tcpi_segs_in),
    [TCP_SRTT_US] = FIELD(tcpi_rtt),
};

void tcp_sample_parse(const void *info, size_t len, struct tcp_sample *s)
{
    const unsigned char *raw = info;
    for (int f = 0; f < TCP_FIELDS; f++) {
        s->known[f] = layout[f].offset + layout[f].size <= len;
        s->value[f] = 0;
        if (!s->known[f])
            continue;
        if (layout[f].size == sizeof(uint32_t)) {
            uint32_t v;
            memcpy(&v, raw + layout[f].offset, sizeof v);
            s->value[f] = v;
        } else {
            memcpy(&s->value[f], raw + layout[f].offset, sizeof s->value[f]);
        }
    }
}

void tcp_sample_read(int fd, struct tcp_sample *s)
{
    struct tcp_info info;
    socklen_t len = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        len = 0;
    tcp_sample_parse(&info, len, s);
}

void tcp_account_add(struct tcp_account *a, const struct tcp_sample *start, const struct tcp_sample *end)
{
    a->connections++;
    for (int f = 0; f < TCP_FIELDS; f++) {
        if (f == TCP_SRTT_US) {
            if (end->known[f])
                a->sum[f] += end->value[f];
            else
                a->unknown[f] = true;
            continue;
        }
        if (!start->known[f] || !end->known[f]) {
            a->unknown[f] = true;
        } else if (layout[f].size == sizeof(uint32_t)) {
            a->sum[f] += (uint32_t)(end->value[f] - start->value[f]);
        } else if (end->value[f] < start->value[f]) {
            a->unknown[f] = true;
        } else {
            a->sum[f] += end->value[f] - start->value[f];
        }
    }
}

bool tcp_account_value(const struct tcp_account *a, enum tcp_field f, double *v)
{
    if (a->connections == 0 || a->unknown[f])
        return false;
    *v = f == TCP_SRTT_US ? (double)a->sum[f] / (double)a->connections : (double)a->sum[f];
    return true;
}

static void put_count(struct json *j, const char *key, const struct tcp_account *a, enum tcp_field f)
{
    if (a->connections == 0 || a->unknown[f])
        json_null(j, key);
    else
        json_u64(j, key, a->sum[f]);
}

/* A figure in other units: the value times scale (µs to ms: 1e-3). */
static void put_scaled(struct json *j, const char *key, const struct tcp_account *a, enum tcp_field f,
                       double scale)
{
    double v;
    if (tcp_account_value(a, f, &v))
        json_num(j, key, v * scale);
    else
        json_null(j, key);
}

void tcp_account_json(struct json *j, const struct tcp_account *a, bool sender)
{
    json_open(j, "tcp");
    json_str(j, "span", TCP_SPAN);
    if (sender) {
        put_count(j, "data_segs_out", a, TCP_DATA_SEGS_OUT);
        put_count(j, "bytes_sent", a, TCP_BYTES_SENT);
        put_count(j, "bytes_acked", a, TCP_BYTES_ACKED);
        put_count(j, "retrans", a, TCP_RETRANS);
        put_scaled(j, "busy_ms", a, TCP_BUSY_US, 1e-3);
        put_scaled(j, "rwnd_limited_ms", a, TCP_RWND_LIMITED_US, 1e-3);
        put_scaled(j, "sndbuf_limited_ms", a, TCP_SNDBUF_LIMITED_US, 1e-3);
        put_scaled(j, "srtt_us", a, TCP_SRTT_US, 1);
    } else {
        put_count(j, "segs_in", a, TCP_SEGS_IN);
    }
    json_close(j);
}
