/* The server engine, shared by every variant: listen, hand each accepted
 * connection to its own thread (admission.c admits it, serve.c serves it),
 * reap the threads that end, and print one JSON result when done. */
#include "admission.h"
#include "common.h"
#include "json.h"
#include "paths.h"
#include "server_state.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_on(const struct server_opts *o, unsigned *port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
    struct addrinfo *ai;
    int r = getaddrinfo(o->bind, o->port, &hints, &ai);
    if (r != 0)
        usage_error("--bind: \"%s\" is not a numeric IPv4 or IPv6 address (%s)", o->bind, gai_strerror(r));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die_errno("socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        die_errno("setsockopt(SO_REUSEADDR)");
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        die_errno("bind %s port %s", o->bind, o->port);
    freeaddrinfo(ai);
    if (listen(fd, 1024) != 0)
        die_errno("listen");
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        die_errno("getsockname");
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                            : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void add_to_totals(struct totals *t, const struct conn *c)
{
    if (!c->valid)
        return;
    t->connections++;
    t->failed += c->failed;
    t->bytes_sent += c->bytes_sent;
    t->messages_sent += c->messages_sent;
    if (!t->first_start_ns || c->start_ns < t->first_start_ns)
        t->first_start_ns = c->start_ns;
    if (c->end_ns > t->last_end_ns)
        t->last_end_ns = c->end_ns;
    if (!t->have_mode) {
        t->have_mode = true;
        t->mode = c->mode;
        t->msg_size = c->msg_size;
    }
    t->zc.sends += c->zc.sends;
    t->zc.completions += c->zc.completions;
    t->zc.copied += c->zc.copied;
    t->zc.enobufs += c->zc.enobufs;
    t->zc.enabled |= c->zc.enabled;
    t->zc_all_enabled &= c->zc.enabled;
    tcp_account_add(&t->tcp, &c->tcp_start, &c->tcp_end);
}

/* Join and free every finished connection thread. */
static void reap(struct server *s, bool all)
{
    pthread_mutex_lock(&s->lock);
    struct conn **pp = &s->active;
    while (*pp) {
        struct conn *c = *pp;
        if (!all && !c->finished) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        pthread_mutex_unlock(&s->lock);
        pthread_join(c->thread, NULL);
        close(c->fd);
        add_to_totals(&s->total, c);
        free(c);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
}

static void print_result(const struct server *s)
{
    const struct totals *t = &s->total;
    double window = t->last_end_ns > t->first_start_ns ? (double)(t->last_end_ns - t->first_start_ns) / 1e9 : 0;
    struct json j;
    json_begin(&j);
    json_str(&j, "impl", impl_name(s->path->impl));
    json_str(&j, "role", "server");
    if (t->have_mode) {
        json_str(&j, "mode", mode_name(t->mode));
        json_u64(&j, "msg_size", t->msg_size);
    } else {
        json_null(&j, "mode");
        json_null(&j, "msg_size");
    }
    json_u64(&j, "threads", t->connections);
    json_num(&j, "window_s", window);
    json_u64(&j, "bytes", t->bytes_sent);
    json_u64(&j, "messages", t->messages_sent);
    json_num(&j, "throughput_gbps", window > 0 ? (double)t->bytes_sent * 8 / window / 1e9 : 0);
    json_null(&j, "latency_us");
    json_u64(&j, "connections", t->connections);
    json_u64(&j, "rejected", atomic_load(&s->rejected));
    json_u64(&j, "bytes_sent", t->bytes_sent);
    json_u64(&j, "messages_sent", t->messages_sent);
    json_open(&j, "zerocopy");
    json_bool(&j, "enabled", t->zc.enabled && t->zc_all_enabled);
    json_u64(&j, "sends", t->zc.sends);
    json_u64(&j, "completions", t->zc.completions);
    json_u64(&j, "copied", t->zc.copied);
    json_u64(&j, "enobufs", t->zc.enobufs);
    json_close(&j);
    tcp_account_json(&j, &t->tcp, true);
    if (t->have_mode && t->mode == MODE_STREAM)
        queue_json(&j, &s->queue.stats);
    else
        json_null(&j, "queue");
    json_u64(&j, "max_rss_kib", peak_rss_kib());
    json_emit(&j);
}

/* The sender's probe (queue.h): SIOCOUTQ summed over the stream
 * connections, taken only when as many connections as their run has
 * threads are past their warm-up, so that the window matches the client's
 * (which starts once every thread has connected, plus the warm-up, and ends
 * with the stop frames that end the connections' windows here). */
static enum queue_tick server_probe(void *ctx, struct queue_reader *r, uint64_t now, uint64_t *bytes)
{
    struct server *s = ctx;
    unsigned streaming = 0, in_window = 0, want = 0;
    bool all_read = true;
    uint64_t sum = 0;
    pthread_mutex_lock(&s->lock);
    for (struct conn *c = s->active; c; c = c->next) {
        uint64_t from = atomic_load(&c->queue_from_ns);
        if (!from)
            continue;
        streaming++;
        if (now < from)
            continue;
        in_window++;
        if (c->queue_threads > want)
            want = c->queue_threads;
        uint64_t b;
        if (queue_bytes(r, c->fd, true, &b))
            sum += b;
        else
            all_read = false;
    }
    pthread_mutex_unlock(&s->lock);
    if (!streaming)
        return QUEUE_IDLE;
    if (!all_read || in_window == 0 || in_window < want)
        return QUEUE_WAIT;
    *bytes = sum;
    return QUEUE_TAKEN;
}

/* poll's timeout: until --idle-timeout runs out while no connection is
 * being served; -1 (wait for ever) when off or while serving one. */
static int idle_wait_ms(struct server *s, uint64_t idle_since)
{
    if (s->opt.idle_timeout_s <= 0)
        return -1;
    pthread_mutex_lock(&s->lock);
    bool serving = s->active != NULL;
    pthread_mutex_unlock(&s->lock);
    if (serving)
        return -1;
    double left_ms = s->opt.idle_timeout_s * 1e3 - (double)(now_ns() - idle_since) / 1e6;
    return left_ms <= 0 ? 0 : (int)left_ms + 1;
}

/* Unblock every connection thread still running, collect them all, then
 * stop the queue sampler (it reads their sockets until they are reaped). */
static void stop_serving(struct server *s)
{
    atomic_store(&s->stopping, true);
    pthread_mutex_lock(&s->lock);
    for (struct conn *c = s->active; c; c = c->next)
        shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_unlock(&s->lock);
    reap(s, true);
    queue_sampler_stop(&s->queue);
}

/* What the send path needs beyond TCP (paths.h: available): unmet, exit 1
 * with the reason before listening; with --check, exit 0 once met. */
static void check_path(const struct send_path *path, bool check_only)
{
    char why[256];
    if (path->available && path->available(why, sizeof why) < 0)
        die("%s", why);
    if (check_only)
        exit(EXIT_OK);
}

/* SIGINT/SIGTERM arrive on a signalfd read by the main loop; blocked before
 * any thread starts, so every thread inherits the mask. */
static int stop_signals(void)
{
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0)
        die("pthread_sigmask failed");
    int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    if (sfd < 0)
        die_errno("signalfd");
    return sfd;
}

int server_main(int argc, char **argv, const struct send_path *path)
{
    prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    struct server s = { .path = path, .total = { .zc_all_enabled = true } };
    parse_server_opts(argc, argv, &s.opt);
    check_path(path, s.opt.check);
    signal(SIGPIPE, SIG_IGN);
    int sfd = stop_signals();
    if (pipe2(s.done_pipe, O_CLOEXEC) != 0)
        die_errno("pipe");
    xmutex_init(&s.lock, "the server's connection list");

    queue_sampler_start(&s.queue, server_probe, &s);
    unsigned port;
    int lfd = listen_on(&s.opt, &port);
    printf("{\"event\":\"ready\",\"port\":%u}\n", port);
    if (fflush(stdout) == EOF)
        die_errno("writing the ready line");

    bool idle_exit = false;
    uint64_t idle_since = now_ns();
    for (;;) {
        struct pollfd p[3] = { { .fd = lfd, .events = POLLIN },
                               { .fd = sfd, .events = POLLIN },
                               { .fd = s.done_pipe[0], .events = POLLIN } };
        int ready = poll(p, 3, idle_wait_ms(&s, idle_since));
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            die_errno("poll");
        }
        if (ready == 0) { /* idle for --idle-timeout with no connection */
            idle_exit = true;
            break;
        }
        if (p[1].revents & POLLIN)
            break;
        if (p[2].revents & POLLIN) {
            char bytes[64];
            if (read(s.done_pipe[0], bytes, sizeof bytes) < 0 && errno != EINTR)
                die_errno("read");
            reap(&s, false);
            if (s.opt.connections && s.total.connections >= s.opt.connections)
                break;
            idle_since = now_ns();
        }
        if (p[0].revents & POLLIN) {
            accept_one(&s, lfd);
            idle_since = now_ns();
        }
    }

    stop_serving(&s);
    close(lfd);
    close(sfd);
    close(s.done_pipe[0]);
    close(s.done_pipe[1]);
    pthread_mutex_destroy(&s.lock);

    print_result(&s);
    if (idle_exit) {
        warnx_("no connection for %g s (--idle-timeout): giving up", s.opt.idle_timeout_s);
        return EXIT_RUNTIME;
    }
    if (s.total.failed) {
        warnx_("%llu of %llu connections failed", (unsigned long long)s.total.failed,
               (unsigned long long)s.total.connections);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
