/* Serving one connection: its thread admits the hello, then sends through
 * the variant's send path until the client ends the run. */
#ifndef COPYBENCH_SERVE_H
#define COPYBENCH_SERVE_H

/* A connection thread's body (arg: its struct conn). On return it marks the
 * connection finished and writes one byte to srv->done_pipe. */
void *conn_thread(void *arg);

#endif
