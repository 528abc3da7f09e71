/* two_copy: serialize the 8 fields into one contiguous buffer on every
 * message (the user-space copy), then send() it (the user->kernel copy);
 * recv() into one buffer, then copy out into the 8 fields. */
#include "common.h"
#include "io.h"
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct two_copy {
    int fd;
    struct msg msg;
    uint8_t *buf;
};

static void *two_copy_open(int fd, size_t size)
{
    struct two_copy *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    msg_init(&s->msg, size);
    s->buf = xmalloc(size);
    return s;
}

static size_t footprint(size_t size, const struct send_opts *opts)
{
    (void)opts;
    return sizeof(struct two_copy) + 2 * size; /* the 8 fields + the buffer */
}

static void *open_send(int fd, size_t size, const struct send_opts *opts, char *err, size_t errlen)
{
    (void)opts;
    struct two_copy *s = calloc(1, sizeof *s);
    if (s && (s->buf = malloc(size)) && msg_alloc(&s->msg, size)) {
        s->fd = fd;
        return s;
    }
    if (s)
        free(s->buf);
    free(s);
    snprintf(err, errlen, "out of memory for messages of %zu bytes", size);
    return NULL;
}

static int send_one(void *state, uint64_t seq, uint64_t send_ns, char *err, size_t errlen)
{
    struct two_copy *s = state;
    msg_stamp(&s->msg, seq, send_ns);
    msg_serialize(&s->msg, s->buf);
    if (send_all(s->fd, s->buf, s->msg.size) < 0)
        return fail_errno(err, errlen, "send");
    return 0;
}

static void two_copy_close(void *state)
{
    struct two_copy *s = state;
    msg_free(&s->msg);
    free(s->buf);
    free(s);
}

static int recv_one(void *state, const struct msg **m)
{
    struct two_copy *s = state;
    int r = recv_all(s->fd, s->buf, s->msg.size);
    if (r <= 0)
        return r;
    msg_deserialize(&s->msg, s->buf);
    *m = &s->msg;
    return 1;
}

const struct send_path two_copy_send = {
    .impl = IMPL_TWO_COPY, .footprint = footprint, .open = open_send, .send = send_one, .close = two_copy_close,
};

const struct recv_path two_copy_recv = {
    .open = two_copy_open, .recv = recv_one, .close = two_copy_close,
};
