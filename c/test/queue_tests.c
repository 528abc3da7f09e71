/* Unit tests of the queue sampler (queue.h): the statistics, a scripted
 * probe's ticks (only taken ones count; an idle sampler waits for a poke; a
 * finished window ends the thread) and the socket reading. Prints
 * "N passed, N failed"; exit 1 on any failure. */
#include "queue.h"

#include "check.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
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

static enum queue_tick scripted_probe(void *ctx, uint64_t now, uint64_t *bytes)
{
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

static void test_queue_bytes_reads_the_socket(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    char data[100] = { 0 };
    CHECK(write(sv[0], data, sizeof data) == (ssize_t)sizeof data);
    uint64_t in = 0;
    CHECK(queue_bytes(sv[1], false, &in) && in == sizeof data);
    CHECK(read(sv[1], data, 40) == 40);
    CHECK(queue_bytes(sv[1], false, &in) && in == 60);
    close(sv[0]);
    close(sv[1]);
    CHECK(!queue_bytes(sv[1], false, &in)); /* a closed descriptor */
}

int main(void)
{
    test_queue_stats_mean_and_max();
    test_queue_sampler_counts_only_taken_ticks();
    test_queue_bytes_reads_the_socket();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
