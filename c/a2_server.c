/* a2_server: the one_copy sender. */
#include "paths.h"

int main(int argc, char **argv)
{
    return server_main(argc, argv, &one_copy_send);
}
