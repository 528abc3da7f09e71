/* a1_server: the two_copy sender. */
#include "paths.h"

int main(int argc, char **argv)
{
    return server_main(argc, argv, &two_copy_send);
}
