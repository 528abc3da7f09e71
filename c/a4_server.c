/* a4_server: the uring_zero_copy sender (io_uring zero-copy send). */
#include "paths.h"

int main(int argc, char **argv)
{
    return server_main(argc, argv, &uring_zero_copy_send);
}
