/* a2_client: the one_copy receiver. */
#include "paths.h"

int main(int argc, char **argv)
{
    return client_main(argc, argv, IMPL_ONE_COPY, &one_copy_recv);
}
