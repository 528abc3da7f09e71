/* The server's command line: its options and their parsing. */
#ifndef COPYBENCH_SERVER_OPTS_H
#define COPYBENCH_SERVER_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "paths.h"

struct server_opts {
    const char *bind;
    const char *port;
    uint64_t connections; /* end after this many valid connections; 0: never */
    uint64_t max_memory;  /* bytes of message buffers over all connections */
    unsigned max_connections;
    double stall_timeout_s;
    double idle_timeout_s; /* give up after this long without a connection; 0: never */
    bool check;            /* --check: only say whether the send path can run here */
    struct send_opts send;
};

/* Parse argv into o; --help prints the usage and exits 0, a bad option is a
 * usage error (exit 2). */
void parse_server_opts(int argc, char **argv, struct server_opts *o);

#endif
