/* The client's command line: its options and their parsing. */
#ifndef COPYBENCH_CLIENT_OPTS_H
#define COPYBENCH_CLIENT_OPTS_H

#include <stdint.h>

#include "msg.h"
#include "wire.h"

struct client_opts {
    const char *host;
    const char *port;
    uint64_t size;
    unsigned threads;
    double duration_s, warmup_s;
    enum mode mode;
    enum msg_verify verify;
    enum rx_mode { RX_COPY, RX_ZEROCOPY } rx; /* how messages are received (rx_zerocopy.h) */
};

/* Parse argv into o; --help prints the usage and exits 0, a bad or missing
 * option is a usage error (exit 2). */
void parse_client_opts(int argc, char **argv, struct client_opts *o);

#endif
