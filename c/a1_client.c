/* a1_client: the two_copy receiver. */
#include "paths.h"

int main(int argc, char **argv)
{
    return client_main(argc, argv, IMPL_TWO_COPY, &two_copy_recv);
}
