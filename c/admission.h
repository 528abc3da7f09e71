/* Admission control: the pending-hello cap at accept, the hello deadline,
 * and the connection cap and memory budget reserved before a connection is
 * served. A refused connection is counted in srv->rejected and warned about. */
#ifndef COPYBENCH_ADMISSION_H
#define COPYBENCH_ADMISSION_H

#include <stdbool.h>

#include "server_state.h"
#include "wire.h"

/* Accept one connection on lfd and start its thread (conn_thread), unless
 * MAX_PENDING_HELLOS connections are already waiting for their hello. */
void accept_one(struct server *s, int lfd);

/* Receive c's hello within HELLO_TIMEOUT_S of its accept, validate it and
 * reserve its place and memory: true if it is admitted (h holds the hello),
 * false if it was refused (the client told why, when it can be told). */
bool admit_hello(struct conn *c, struct hello *h);

/* Give back what admit_hello reserved for c, if anything. */
void release_admission(struct conn *c);

#endif
