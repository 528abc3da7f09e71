/* Unit tests of the queue sampler (queue.h): the statistics, a scripted
 * probe's ticks (only taken ones count; an idle sampler waits for a poke; a
 * finished window ends the thread) and the lockless socket reading, checked
 * against the ioctls on a quiet socket. Prints
 * "N passed, N failed"; exit 1 on any failure. */
#include "queue.h"

#include "check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <math.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void test_queue_stats_mean_and_max(void)
{
    struct queue_stats s = { 0 };
    queue_stats_add(&s, 100);
    queue_stats_add(&s, 0);
    queue_stats_add(&s, 500);
    CHECK(s.samples == 3 && s.max == 500);
    CHECK(fabs(s.sum / (double)s.samples - 200.0) < 1e-9);
}

/* A scripted probe: WAIT twice, IDLE once (until poked), then the listed
 * samples, then DONE. */
struct script {
    atomic_uint tick; /* read by the test while the sampler runs */
    bool idled;       /* read after the sampler is joined */
};

static enum queue_tick scripted_probe(void *ctx, struct queue_reader *r, uint64_t now, uint64_t *bytes)
{
    (void)r;
    (void)now;
    struct script *sc = ctx;
    static const uint64_t samples[] = { 10, 30, 20 };
    unsigned t = sc->tick++;
    if (t < 2)
        return QUEUE_WAIT;
    if (t == 2) {
        sc->idled = true;
        return QUEUE_IDLE;
    }
    if (t - 3 < sizeof samples / sizeof samples[0]) {
        *bytes = samples[t - 3];
        return QUEUE_TAKEN;
    }
    return QUEUE_DONE;
}

static void test_queue_sampler_counts_only_taken_ticks(void)
{
    struct script sc = { 0 };
    struct queue_sampler q;
    queue_sampler_start(&q, scripted_probe, &sc);
    /* Poke until the sampler has gone idle and woken: the poke is what ends
     * an idle wait, so the scripted samples follow only after it. */
    for (int i = 0; i < 200 && sc.tick < 4; i++) {
        queue_sampler_poke(&q);
        usleep(5000);
    }
    for (int i = 0; i < 200 && sc.tick < 7; i++)
        usleep(5000);
    queue_sampler_stop(&q);
    CHECK(sc.idled);
    CHECK(sc.tick == 7); /* DONE ended the thread: no tick after it */
    CHECK(q.stats.samples == 3 && q.stats.max == 30);
    CHECK(fabs(q.stats.sum - 60.0) < 1e-9);
}

/* A connected TCP pair over loopback: *a connects, *b is accepted. */
static bool tcp_pair(int *a, int *b)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)&sa, &len) != 0)
        return false;
    *a = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = *a >= 0 && connect(*a, (struct sockaddr *)&sa, sizeof sa) == 0 && (*b = accept(l, NULL, NULL)) >= 0;
    close(l);
    return ok;
}

/* What the ioctl says about a socket nobody is using, which is when it is
 * exact: the lockless read must agree. */
static uint64_t ioctl_bytes(int fd, bool outgoing)
{
    int n = -1;
    ioctl(fd, outgoing ? SIOCOUTQ : SIOCINQ, &n);
    return (uint64_t)n;
}

static void test_queue_bytes_agrees_with_the_ioctls(void)
{
    struct queue_reader r;
    CHECK(queue_reader_open(&r));
    int a = -1, b = -1;
    CHECK(tcp_pair(&a, &b));
    char data[1000] = { 0 };
    CHECK(write(a, data, sizeof data) == (ssize_t)sizeof data);
    uint64_t in = 0, out = 1;
    for (int i = 0; i < 100 && ioctl_bytes(b, false) < sizeof data; i++)
        usleep(1000);
    CHECK(queue_bytes(&r, b, false, &in) && in == sizeof data && in == ioctl_bytes(b, false));
    CHECK(read(b, data, 400) == 400);
    CHECK(queue_bytes(&r, b, false, &in) && in == 600);
    /* Fill both buffers without reading: the sender is left with bytes not
     * yet acknowledged (written beyond the receiver's window). */
    fcntl(a, F_SETFL, O_NONBLOCK);
    static char chunk[65536];
    while (write(a, chunk, sizeof chunk) > 0)
        ;
    usleep(20000);
    CHECK(queue_bytes(&r, a, true, &out) && out > 0 && out == ioctl_bytes(a, true));
    CHECK(queue_bytes(&r, b, false, &in) && in == ioctl_bytes(b, false));
    close(a);
    close(b);
    CHECK(!queue_bytes(&r, b, false, &in)); /* a closed descriptor */
    queue_reader_close(&r);
    CHECK(!queue_bytes(&r, a, true, &out)); /* a closed reader */
}

int main(void)
{
    test_queue_stats_mean_and_max();
    test_queue_sampler_counts_only_taken_ticks();
    test_queue_bytes_agrees_with_the_ioctls();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
