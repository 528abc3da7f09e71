/* Admission control (admission.h): at accept, the cap on connections waiting
 * for their hello; then the hello deadline, its validation, and the
 * reservation of a served connection's place and memory. */
#include "admission.h"

#include "common.h"
#include "io.h"
#include "serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void reject(struct conn *c, uint32_t status, const char *why)
{
    uint8_t ack[ACK_SIZE];
    atomic_fetch_add(&c->srv->rejected, 1);
    if (status != HELLO_OK) {
        ack_encode(status, ack);
        (void)send_all(c->fd, ack, sizeof ack); /* best effort: it may be gone */
    }
    warnx_("connection %d rejected: %s", c->fd, why);
}

/* The hello is complete (or never will be): free the waiting place. */
static void leave_pending(struct conn *c)
{
    pthread_mutex_lock(&c->srv->lock);
    if (c->pending) {
        c->pending = false;
        c->srv->pending--;
    }
    pthread_mutex_unlock(&c->srv->lock);
}

/* Reserve a served connection's place and the memory its send path will
 * allocate, before anything is allocated: HELLO_OK, or why not (in why).
 * Reserving under the lock means connections greeting at the same moment
 * cannot together overshoot the budget. */
static enum hello_status admit(struct conn *c, const struct hello *h, char *why, size_t whylen)
{
    struct server *s = c->srv;
    uint64_t need = (uint64_t)s->path->footprint(h->msg_size, &s->opt.send) + CONN_OVERHEAD_BYTES;
    enum hello_status status = HELLO_OK;
    pthread_mutex_lock(&s->lock);
    if (s->serving >= s->opt.max_connections) {
        status = HELLO_SERVER_FULL;
        snprintf(why, whylen, "%u connections are already served (--max-connections)", s->serving);
    } else if (need > s->opt.max_memory - s->reserved) {
        status = HELLO_SERVER_NO_MEMORY;
        snprintf(why, whylen, "messages of %u bytes need %llu bytes, %llu of --max-memory %llu are free",
                 h->msg_size, (unsigned long long)need, (unsigned long long)(s->opt.max_memory - s->reserved),
                 (unsigned long long)s->opt.max_memory);
    } else {
        s->serving++;
        s->reserved += need;
        c->reserved = need;
    }
    pthread_mutex_unlock(&s->lock);
    return status;
}

void release_admission(struct conn *c)
{
    pthread_mutex_lock(&c->srv->lock);
    if (c->reserved) {
        c->srv->serving--;
        c->srv->reserved -= c->reserved;
        c->reserved = 0;
    }
    pthread_mutex_unlock(&c->srv->lock);
}

bool admit_hello(struct conn *c, struct hello *h)
{
    const struct send_path *path = c->srv->path;
    uint8_t raw[HELLO_SIZE];
    char err[256];

    int r = recv_all_by(c->fd, raw, sizeof raw, c->accept_ns + (uint64_t)(HELLO_TIMEOUT_S * 1e9));
    leave_pending(c);
    if (r <= 0) {
        if (r == 0)
            reject(c, HELLO_OK, "closed before a whole hello");
        else if (errno == ETIMEDOUT) {
            snprintf(err, sizeof err, "no whole hello within %g s of accept", HELLO_TIMEOUT_S);
            reject(c, HELLO_OK, err);
        } else {
            reject(c, HELLO_OK, strerror(errno));
        }
        return false;
    }
    hello_decode(raw, h);
    enum hello_status status = hello_validate(h, path->impl);
    if (status != HELLO_OK) {
        reject(c, status, hello_status_text(status));
        return false;
    }
    char why[192];
    status = admit(c, h, why, sizeof why);
    if (status != HELLO_OK) {
        reject(c, status, why);
        return false;
    }
    return true;
}

/* Accept one connection and start its thread, unless MAX_PENDING_HELLOS
 * connections are already waiting for their hello: then it is closed at
 * once, so stalled hellos cannot multiply threads. */
void accept_one(struct server *s, int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
            warnx_("accept: %s", strerror(errno));
        return;
    }
    uint64_t accepted = now_ns();
    const char *why = NULL;
    char buf[128];
    pthread_mutex_lock(&s->lock);
    struct conn *c = NULL;
    if (s->pending >= MAX_PENDING_HELLOS) {
        why = "too many connections waiting for their hello";
    } else if (!(c = calloc(1, sizeof *c))) {
        why = "out of memory";
    } else {
        *c = (struct conn){ .srv = s, .fd = fd, .accept_ns = accepted, .pending = true };
        int r = pthread_create(&c->thread, NULL, conn_thread, c);
        if (r == 0) {
            s->pending++;
            c->next = s->active;
            s->active = c;
        } else {
            snprintf(buf, sizeof buf, "cannot start a thread: %s", strerror(r));
            why = buf;
            free(c);
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (why) {
        atomic_fetch_add(&s->rejected, 1);
        warnx_("connection %d rejected: %s", fd, why);
        close(fd);
    }
}
