#!/bin/sh
# README command (1): set everything up and watch the built-in demo network
# live.  The demo reproduces the field case: a database on TCP 3306 behind a
# 2-way ECMP where one member drops the replies, so some source ports always
# fail while ping stays clean.  It lives in network namespaces that are
# removed when you quit (q).
# Usage: sudo contrib/demo.sh [ecmptrace options...]
set -eu
cd "$(dirname "$0")/.."
contrib/setup.sh
trap 'contrib/demo-network.sh down >/dev/null 2>&1 || true' EXIT INT TERM
contrib/demo-network.sh up
ECMPTRACE="$(pwd)/ecmptrace"
export ECMPTRACE
if [ "$#" -eq 0 ]; then
	# What a user types for the field case: TCP SYNs to the database
	# port, every other setting left at its default.
	set -- -T -P 3306
	if [ -t 0 ] && [ -t 1 ]; then
		set -- -t "$@"
	else
		# No terminal (CI, a pipe): the same measurement as a text report.
		set -- -r -c 10 "$@"
	fi
fi
contrib/demo-network.sh run "$@"
