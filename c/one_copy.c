/* one_copy: sendmsg() / recvmsg() with an 8-entry iovec over the fields; the
 * kernel gathers from (scatters into) them directly. */
#include "common.h"
#include "io.h"
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct one_copy {
    int fd;
    struct msg msg;
};

static void *one_copy_open(int fd, size_t size)
{
    struct one_copy *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    msg_init(&s->msg, size);
    return s;
}

static size_t footprint(size_t size, const struct send_opts *opts)
{
    (void)opts;
    return sizeof(struct one_copy) + size;
}

static void *open_send(int fd, size_t size, const struct send_opts *opts, char *err, size_t errlen)
{
    (void)opts;
    struct one_copy *s = calloc(1, sizeof *s);
    if (s && msg_alloc(&s->msg, size)) {
        s->fd = fd;
        return s;
    }
    free(s);
    snprintf(err, errlen, "out of memory for messages of %zu bytes", size);
    return NULL;
}

static int send_one(void *state, uint64_t seq, uint64_t send_ns, char *err, size_t errlen)
{
    struct one_copy *s = state;
    struct iovec iov[MSG_FIELDS];
    msg_stamp(&s->msg, seq, send_ns);
    msg_iov(&s->msg, iov);
    if (sendmsg_all(s->fd, iov, MSG_FIELDS, 0) < 0)
        return fail_errno(err, errlen, "sendmsg");
    return 0;
}

static void one_copy_close(void *state)
{
    struct one_copy *s = state;
    msg_free(&s->msg);
    free(s);
}

static int recv_one(void *state, const struct msg **m)
{
    struct one_copy *s = state;
    struct iovec iov[MSG_FIELDS];
    msg_iov(&s->msg, iov);
    int r = recvmsg_all(s->fd, iov, MSG_FIELDS);
    if (r <= 0)
        return r;
    *m = &s->msg;
    return 1;
}

const struct send_path one_copy_send = {
    .impl = IMPL_ONE_COPY, .footprint = footprint, .open = open_send, .send = send_one, .close = one_copy_close,
};

const struct recv_path one_copy_recv = {
    .open = one_copy_open, .recv = recv_one, .close = one_copy_close,
};
