#!/bin/bash
# Source rules that keep the layers honest (see STYLE.md): the engine and
# the wire codec are pure - only the C library's non-I/O headers, no
# printing, no exiting, no clock, no sockets, no mutable globals - and no
# file anywhere in src/ calls a banned function.
. "$top_srcdir/tests/tap.sh"
cd "$top_srcdir/src" || exit 1
pure="engine wire"

# Headers the pure layers may use: types, strings, maths, snprintf, and the
# kernel's rtnetlink ABI headers (structs and macros of a wire format, as
# the RFCs' are for packets; src/wire/rtnl.c reads and builds those bytes).
allowed='#include <((math|stdarg|stdbool|stddef|stdint|stdio|stdlib|string|limits)|linux/(netlink|rtnetlink|neighbour|fib_rules))\.h>'
bad=$(grep -Hn '^#include <' $(find $pure -name '*.[ch]') | grep -Ev ":[0-9]+:$allowed")
[ -z "$bad" ]
ok $? "engine and wire include only non-I/O C library headers${bad:+: $bad}"

# Calls that do I/O, read the clock or end the process.
io='\b(printf|fprintf|vfprintf|puts|fputs|putchar|fwrite|fopen|perror|exit|abort|socket|sendto|recvfrom|clock_gettime|gettimeofday|time|getenv)\s*\('
bad=$(grep -HnE "$io" $(find $pure -name '*.c') | grep -v '__attribute__')
[ -z "$bad" ]
ok $? "engine and wire do no I/O, read no clock, never exit${bad:+: $bad}"

# File-scope variables that are not const (a global is state shared by every engine).
bad=$(grep -HnE '^(static )?(struct |unsigned |signed )?[a-z_][a-z_0-9]* +\**[a-z_][a-z_0-9]*(\[[^]]*\])*( =.*)?;$' \
	$(find $pure -name '*.c') | grep -v ':[^:]*const ')
[ -z "$bad" ]
ok $? "engine and wire keep no mutable globals${bad:+: $bad}"

# Banned everywhere: unbounded string functions and unchecked number parsing.
bad=$(grep -HnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atoll)\s*\(' $(find . -name '*.[ch]'))
[ -z "$bad" ]
ok $? "no sprintf/strcpy/strcat/gets/atoi in src/${bad:+: $bad}"

# The faces never include the kernel layer's capture or socket code.
bad=$(grep -Hn '#include "net/\(capture\|rawsock\|net\|privdrop\)\.h"' face/*.c)
[ -z "$bad" ]
ok $? "faces read results only, not sockets or the capture${bad:+: $bad}"

# The kernel layer never calls up into the event loop; it gets "now" from the caller.
bad=$(grep -Hn '#include "run\.h"\|\brun_[a-z_]*(' net/*.[ch])
[ -z "$bad" ]
ok $? "src/net does not call up into the event loop${bad:+: $bad}"

# The loop's time and waiting are injected (clock.h), so tests run the very same loop.
bad=$(grep -HnE '\b(clock_gettime|gettimeofday|time|poll|ppoll|select|sleep|usleep|nanosleep|printf|fprintf)\s*\(' run.c |
	grep -vE '^run\.c:[0-9]+:\s*/?\*')
[ -z "$bad" ]
ok $? "the event loop reads no clock, waits on nothing and prints nothing itself${bad:+: $bad}"

tap_done
