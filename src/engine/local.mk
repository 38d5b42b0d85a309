# The engine: flows, scheduling, matching, statistics, snapshots.
libcore_a_SOURCES += \
	src/engine/rtt_stats.c src/engine/rtt_stats.h \
	src/engine/rtt_recent.c src/engine/rtt_recent.h \
	src/engine/pmtu.c src/engine/pmtu.h \
	src/engine/flow.c src/engine/flow.h \
	src/engine/auth.c src/engine/auth.h \
	src/engine/engine.c src/engine/engine_control.c src/engine/engine_reply.c src/engine/engine.h \
	src/engine/engine_int.h \
	src/engine/lane.c src/engine/lane.h \
	src/engine/rounds.c \
	src/engine/mda.c src/engine/mda.h src/engine/mda_int.h src/engine/mda_ttl.c \
	src/engine/mda_pick.c src/engine/mda_pace.c src/engine/mda_pass.c \
	src/engine/limiter.c src/engine/limiter.h \
	src/engine/linkcheck.c src/engine/linkcheck.h \
	src/engine/mpls.c src/engine/mpls.h \
	src/engine/results.c src/engine/results.h src/engine/results_routers.c \
	src/engine/results_findings.c \
	src/engine/diagnose.h

# Diagnosis: findings from a results snapshot, and the exact tests it uses.
libcore_a_SOURCES += \
	src/engine/diagnose.c src/engine/diagnose_int.h \
	src/engine/diag_evidence.c src/engine/diag_loss.c src/engine/diag_return.c src/engine/diag_own.c src/engine/diag_say.c \
	src/engine/diag_silent.c src/engine/diag_common.c \
	src/engine/standing.c src/engine/standing.h \
	src/engine/statistics.c src/engine/statistics.h \
	src/engine/rank_test.c src/engine/rank_test.h \
	src/engine/diag_slow.c src/engine/diag_mtu.c
