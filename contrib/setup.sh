#!/bin/sh
# Installs what building and testing ecmptrace needs on Debian 12 (only the
# packages that are missing) and builds it in the source tree.
# Usage: contrib/setup.sh [configure options...]      (run as root for apt-get)
set -eu
cd "$(dirname "$0")/.."

# Build: compiler, autotools, the five libraries (libcap and libseccomp for
# the privilege drop).  Lab and tests: iproute2, nftables, tmux, nc, python3
# with jsonschema; peers for benchmarks.
PACKAGES="build-essential autoconf automake pkg-config libncurses-dev libpcap-dev
libcjson-dev libcap-dev libseccomp-dev libcap2-bin iproute2 nftables tmux netcat-openbsd procps
python3 python3-jsonschema iputils-ping util-linux"
# The export and install tests: Graphviz renders --dot, the shells load the
# completions, dnsmasq answers (and fails to answer) the exit-status test's names.
PACKAGES="$PACKAGES graphviz bash-completion zsh dnsmasq-base"
# The exporter: libmicrohttpd serves /metrics; the lab test runs a real Prometheus.
PACKAGES="$PACKAGES libmicrohttpd-dev prometheus curl"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing packages:$missing; run as root (sudo) to install them" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -x configure ] || autoreconf -fi
if [ ! -f Makefile ] || [ "$#" -gt 0 ]; then
	./configure -q "$@"
fi
make -j"$(nproc)" >/dev/null
echo "setup: built $(pwd)/ecmptrace"
