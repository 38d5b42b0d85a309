# Namespace lab tests: routed topologies built from network namespaces
# (tests/lab/lab.sh), the real binary run inside the client namespace,
# its JSON checked by tests/lab/labcheck.py against the kernel's own ECMP
# choice.  Each test needs root and skips ("1..0 # SKIP") without it.
# t_topology.sh checks the lab itself and needs no ecmptrace.
LAB_TESTS = \
	tests/lab/t_topology.sh \
	tests/lab/t_ecmp2_branches.sh \
	tests/lab/t_ecmp2_lossy.sh \
	tests/lab/t_tcp.sh \
	tests/lab/t_icmp.sh \
	tests/lab/t_report.sh \
	tests/lab/t_diamond.sh \
	tests/lab/t_chain.sh \
	tests/lab/t_return_loss.sh \
	tests/lab/t_ratelimit.sh \
	tests/lab/t_alias.sh \
	tests/lab/t_ipv6.sh \
	tests/lab/t_stream.sh \
	tests/lab/t_demo.sh \
	tests/lab/t_mda.sh \
	tests/lab/t_ipv6_flows.sh \
	tests/lab/t_route.sh \
	tests/lab/t_host_ecmp.sh \
	tests/lab/t_shared_gw.sh \
	tests/lab/t_source.sh \
	tests/lab/t_aslookup.sh \
	tests/lab/t_linklayer.sh \
	tests/lab/t_outputs.sh \
	tests/lab/t_leaks.sh \
	tests/lab/t_targets.sh \
	tests/lab/t_sandbox.sh \
	tests/lab/t_verdict.sh \
	tests/lab/t_forgery.sh \
	tests/lab/t_scenarios.sh \
	tests/lab/t_fleet.sh \
	tests/lab/t_export.sh \
	tests/lab/t_exit_status.sh \
	tests/lab/t_install.sh \
	tests/lab/t_delay.sh \
	tests/lab/t_slow.sh \
	tests/lab/t_psize.sh \
	tests/lab/t_mtu_lab.sh \
	tests/lab/t_pmtu.sh \
	tests/lab/t_pmtu_icmp.sh \
	tests/lab/t_prometheus.sh \
	tests/lab/t_unprivileged.sh
TESTS += $(LAB_TESTS)
EXTRA_DIST += $(LAB_TESTS) tests/lab/lab.sh tests/lab/labcheck.py \
	tests/lab/flowtrace.py tests/lab/verdict.py tests/lab/scenario.py \
	tests/lab/scenario_gen.py tests/lab/scenario_score.py \
	contrib/prometheus/ecmptrace-rules.yml contrib/prometheus/ecmptrace-rules.test.yml \
	contrib/prometheus/ecmptrace-dashboard.json contrib/prometheus/prometheus-scrape.yml \
	contrib/prometheus/ecmptrace@.service
# The demo network (contrib/demo-network.sh) builds on the same ideas and
# is tested by tests/lab/t_demo.sh, so it is distributed from here.
EXTRA_DIST += contrib/demo-network.sh
# route_fanout prints route_first_hop_fanout() for an address, for
# t_route.sh; built with the program, not run as a test of its own.

noinst_PROGRAMS += tests/lab/route_fanout
tests_lab_route_fanout_SOURCES = tests/lab/route_fanout.c src/net/route.c src/net/route.h
tests_lab_route_fanout_LDADD = libcore.a $(LIBS)
# forge floods a prober with forged answers (t_forgery.sh, bench/forgery.sh).
noinst_PROGRAMS += tests/lab/forge
tests_lab_forge_SOURCES = tests/lab/forge.c
tests_lab_forge_LDADD = libcore.a $(LIBS)
# delayfwd is the lab's delay element (no netem here): a namespace that
# copies frames between two interfaces after a delay (lab_link_delayed).
noinst_PROGRAMS += tests/lab/delayfwd
tests_lab_delayfwd_SOURCES = tests/lab/delayfwd.c
tests_lab_delayfwd_LDADD = libcore.a $(LIBS)
