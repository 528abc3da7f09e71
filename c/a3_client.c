/* a3_client: the zero_copy receiver (recvmsg into the 8 fields, as one_copy: zero-copy is a send-side technique). */
#include "paths.h"

int main(int argc, char **argv)
{
    return client_main(argc, argv, IMPL_ZERO_COPY, &one_copy_recv);
}
