/* a3_server: the zero_copy sender. */
#include "paths.h"

int main(int argc, char **argv)
{
    return server_main(argc, argv, &zero_copy_send);
}
