/* a4_client: the uring_zero_copy receiver (recvmsg into the 8 fields, as one_copy: zero-copy is a send-side technique). */
#include "paths.h"

int main(int argc, char **argv)
{
    return client_main(argc, argv, IMPL_URING_ZERO_COPY, &one_copy_recv);
}
