/*
 * A lab helper for tests/lab/t_route.sh: prints what
 * route_first_hop_fanout() says about the address on the command line,
 * so the test can compare it with routes it installs in a namespace.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "net/route.h"

int main(int argc, char **argv)
{
	struct ip_addr dst;

	memset(&dst, 0, sizeof(dst));
	if (argc != 2) {
		fprintf(stderr, "usage: route_fanout ADDRESS\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], dst.b) == 1) {
		dst.family = AF_INET;
	} else if (inet_pton(AF_INET6, argv[1], dst.b) == 1) {
		dst.family = AF_INET6;
	} else {
		fprintf(stderr, "route_fanout: '%s' is not a numeric address\n", argv[1]);
		return 2;
	}
	bool shared;
	int fanout = route_first_hop_fanout(&dst, &shared);

	printf("%d%s\n", fanout, shared ? " shared" : "");
	return 0;
}
