#include "wire.h"
#include "common.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void hello_encode(const struct hello *h, uint8_t out[HELLO_SIZE])
{
    put32(out, h->magic);
    out[4] = (uint8_t)h->version;
    out[5] = (uint8_t)(h->version >> 8);
    out[6] = h->mode;
    out[7] = h->impl;
    put32(out + 8, h->msg_size);
    put32(out + 12, h->threads);
    put32(out + 16, h->duration_ms);
    put32(out + 20, h->warmup_ms);
    put32(out + 24, h->flags);
    put32(out + 28, 0);
}

void hello_decode(const uint8_t in[HELLO_SIZE], struct hello *h)
{
    h->magic = get32(in);
    h->version = (uint16_t)(in[4] | in[5] << 8);
    h->mode = in[6];
    h->impl = in[7];
    h->msg_size = get32(in + 8);
    h->threads = get32(in + 12);
    h->duration_ms = get32(in + 16);
    h->warmup_ms = get32(in + 20);
    h->flags = get32(in + 24);
}

enum hello_status hello_validate(const struct hello *h, enum impl served)
{
    if (h->magic != WIRE_MAGIC)
        return HELLO_BAD_MAGIC;
    if (h->version != WIRE_VERSION)
        return HELLO_BAD_VERSION;
    if (h->mode != MODE_STREAM && h->mode != MODE_RR)
        return HELLO_BAD_MODE;
    if (h->impl != served)
        return HELLO_IMPL_MISMATCH;
    if (h->msg_size < MSG_SIZE_MIN || h->msg_size > MSG_SIZE_MAX)
        return HELLO_BAD_SIZE;
    if (h->threads < 1 || h->threads > THREADS_MAX)
        return HELLO_BAD_THREADS;
    if (h->duration_ms < 1 || h->duration_ms > DURATION_MAX_S * 1000 ||
        h->warmup_ms > DURATION_MAX_S * 1000)
        return HELLO_BAD_DURATION;
    return HELLO_OK;
}

const char *hello_status_text(uint32_t status)
{
    switch (status) {
    case HELLO_OK: return "accepted";
    case HELLO_BAD_MAGIC: return "not a copybench hello";
    case HELLO_BAD_VERSION: return "protocol version mismatch";
    case HELLO_BAD_MODE: return "unknown mode";
    case HELLO_IMPL_MISMATCH: return "client and server are different variants";
    case HELLO_BAD_SIZE: return "message size out of range";
    case HELLO_BAD_THREADS: return "thread count out of range";
    case HELLO_BAD_DURATION: return "duration out of range";
    case HELLO_SERVER_ERROR: return "server could not set up the connection";
    case HELLO_SERVER_FULL: return "server is serving as many connections as it may (--max-connections)";
    case HELLO_SERVER_NO_MEMORY: return "server's memory budget has no room for these messages (--max-memory)";
    default: return "unknown reason";
    }
}

void ack_encode(uint32_t status, uint8_t out[ACK_SIZE])
{
    put32(out, WIRE_MAGIC);
    put32(out + 4, status);
}

bool ack_decode(const uint8_t in[ACK_SIZE], uint32_t *status)
{
    if (get32(in) != WIRE_MAGIC)
        return false;
    *status = get32(in + 4);
    return true;
}

void frame_encode(const struct frame *f, uint8_t out[FRAME_SIZE])
{
    put32(out, (uint32_t)f->seq);
    put32(out + 4, (uint32_t)(f->seq >> 32));
    put32(out + 8, f->type);
    put32(out + 12, WIRE_MAGIC);
}

bool frame_decode(const uint8_t in[FRAME_SIZE], struct frame *f)
{
    f->seq = (uint64_t)get32(in) | (uint64_t)get32(in + 4) << 32;
    f->type = get32(in + 8);
    return get32(in + 12) == WIRE_MAGIC && (f->type == FRAME_REQUEST || f->type == FRAME_STOP);
}

const char *impl_name(enum impl impl)
{
    switch (impl) {
    case IMPL_TWO_COPY: return "two_copy";
    case IMPL_ONE_COPY: return "one_copy";
    case IMPL_ZERO_COPY: return "zero_copy";
    case IMPL_URING_ZERO_COPY: return "uring_zero_copy";
    }
    return "unknown";
}

const char *mode_name(enum mode mode)
{
    return mode == MODE_RR ? "rr" : "stream";
}
