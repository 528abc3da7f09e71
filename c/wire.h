/* What travels on a connection besides the messages: the client's hello, the
 * server's answer to it, and the client's control frames (rr requests and
 * the stop that ends a run). Fixed sizes, little endian, versioned. */
#ifndef COPYBENCH_WIRE_H
#define COPYBENCH_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#define WIRE_MAGIC 0x43505942u /* "CPYB" */
#define WIRE_VERSION 1u
#define HELLO_SIZE 32
#define ACK_SIZE 8
#define FRAME_SIZE 16

enum mode { MODE_STREAM = 0, MODE_RR = 1 };
enum impl { IMPL_TWO_COPY = 1, IMPL_ONE_COPY = 2, IMPL_ZERO_COPY = 3, IMPL_URING_ZERO_COPY = 4 };

struct hello {
    uint32_t magic;
    uint16_t version;
    uint8_t mode;
    uint8_t impl;
    uint32_t msg_size;
    uint32_t threads;
    uint32_t duration_ms;
    uint32_t warmup_ms;
    uint32_t flags;
};

/* Why a server refused a hello (0: accepted). */
enum hello_status {
    HELLO_OK = 0,
    HELLO_BAD_MAGIC,
    HELLO_BAD_VERSION,
    HELLO_BAD_MODE,
    HELLO_IMPL_MISMATCH,
    HELLO_BAD_SIZE,
    HELLO_BAD_THREADS,
    HELLO_BAD_DURATION,
    HELLO_SERVER_ERROR,
    HELLO_SERVER_FULL,      /* --max-connections are already served */
    HELLO_SERVER_NO_MEMORY, /* the messages would exceed --max-memory */
};

enum frame_type { FRAME_REQUEST = 1, FRAME_STOP = 2 };

struct frame {
    uint64_t seq;
    uint32_t type;
};

void hello_encode(const struct hello *h, uint8_t out[HELLO_SIZE]);
void hello_decode(const uint8_t in[HELLO_SIZE], struct hello *h);
/* Validate a decoded hello against what this server serves. */
enum hello_status hello_validate(const struct hello *h, enum impl served);
const char *hello_status_text(uint32_t status);

void ack_encode(uint32_t status, uint8_t out[ACK_SIZE]);
/* Returns false if the magic is wrong; else stores the status. */
bool ack_decode(const uint8_t in[ACK_SIZE], uint32_t *status);

void frame_encode(const struct frame *f, uint8_t out[FRAME_SIZE]);
/* Returns false if the frame is malformed (bad magic or type). */
bool frame_decode(const uint8_t in[FRAME_SIZE], struct frame *f);

const char *impl_name(enum impl impl);
const char *mode_name(enum mode mode);

#endif
