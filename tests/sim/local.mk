# Simulation tests: the engine driven through a simulated ECMP network
# (simnet) in virtual time, without sockets.  Each program links its own
# copy of the simulator (simnet: the network; simloop: it as the program's
# transport, with a virtual clock; simrun: a case run by the program's loop).
SIM_CORE = tests/sim/simnet.c tests/sim/simnet.h tests/sim/simrun.c tests/sim/simrun.h \
	tests/sim/simloop.c tests/sim/simloop.h

check_PROGRAMS += \
	tests/sim/sim_simnet \
	tests/sim/sim_dissect \
	tests/sim/sim_engine_paths \
	tests/sim/sim_engine_loss \
	tests/sim/sim_engine_faults \
	tests/sim/sim_engine_proto \
	tests/sim/sim_engine_control \
	tests/sim/sim_diagnose \
	tests/sim/sim_mda \
	tests/sim/sim_lane \
	tests/sim/sim_limiter \
	tests/sim/sim_loop \
	tests/sim/sim_pmtu \
	tests/sim/sim_exporter

# The simulator alone, and its replies checked against reply_dissect.
tests_sim_sim_simnet_SOURCES = tests/sim/sim_simnet.c $(SIM_CORE)
tests_sim_sim_simnet_LDADD = libcore.a $(LIBS)
tests_sim_sim_dissect_SOURCES = tests/sim/sim_dissect.c $(SIM_CORE)
tests_sim_sim_dissect_LDADD = libcore.a $(LIBS)
# The engine against the simulator.
tests_sim_sim_engine_paths_SOURCES = tests/sim/sim_engine_paths.c $(SIM_CORE)
tests_sim_sim_engine_paths_LDADD = libcore.a $(LIBS)
tests_sim_sim_engine_loss_SOURCES = tests/sim/sim_engine_loss.c $(SIM_CORE)
tests_sim_sim_engine_loss_LDADD = libcore.a $(LIBS)
tests_sim_sim_engine_faults_SOURCES = tests/sim/sim_engine_faults.c $(SIM_CORE)
tests_sim_sim_engine_faults_LDADD = libcore.a $(LIBS)
tests_sim_sim_engine_proto_SOURCES = tests/sim/sim_engine_proto.c $(SIM_CORE)
tests_sim_sim_engine_proto_LDADD = libcore.a $(LIBS)
tests_sim_sim_engine_control_SOURCES = tests/sim/sim_engine_control.c $(SIM_CORE)
tests_sim_sim_engine_control_LDADD = libcore.a $(LIBS)
# Field cases end to end: network -> engine -> snapshot -> diagnosis.
tests_sim_sim_diagnose_SOURCES = tests/sim/sim_diagnose.c $(SIM_CORE)
tests_sim_sim_diagnose_LDADD = libcore.a $(LIBS)
# Branch discovery (MDA) over generated topologies: miss rate and probe counts.
tests_sim_sim_mda_SOURCES = tests/sim/sim_mda.c $(SIM_CORE)
tests_sim_sim_mda_LDADD = libcore.a $(LIBS)
# The defaults' verdict: how soon and how completely (the end-to-end lane).
tests_sim_sim_lane_SOURCES = tests/sim/sim_lane.c $(SIM_CORE)
tests_sim_sim_lane_LDADD = libcore.a $(LIBS)
# Rate limiters per router: a merge router answering from several addresses.
tests_sim_sim_limiter_SOURCES = tests/sim/sim_limiter.c $(SIM_CORE)
tests_sim_sim_limiter_LDADD = libcore.a $(LIBS)
# The program's event loop over the simulator: batches, ticks, neighbour
# questions, several engines, input and early ends - without root.
tests_sim_sim_loop_SOURCES = tests/sim/sim_loop.c $(SIM_CORE)
tests_sim_sim_loop_LDADD = libcore.a $(LIBS)
# The export faces (CSV, Graphviz) and the JSON over random simulated
# networks: sim_export writes them, t_export.sh renders, parses, compares.
noinst_PROGRAMS += tests/sim/sim_export
tests_sim_sim_export_SOURCES = tests/sim/sim_export.c $(SIM_CORE)
tests_sim_sim_export_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_sim_sim_export_LDADD = libface.a libcore.a $(CJSON_LIBS) -lm $(LIBS)
TESTS += tests/sim/t_export.sh
EXTRA_DIST += tests/sim/t_export.sh
# Path MTU per path and the mtu-branch finding: a member with a smaller
# MTU (frag-needed / packet-too-big, or a black hole), loss that is not MTU.
tests_sim_sim_pmtu_SOURCES = tests/sim/sim_pmtu.c $(SIM_CORE)
tests_sim_sim_pmtu_LDADD = libcore.a $(LIBS)
# The exporter face with two engines on the program's loop (src/face/exporter.c).
tests_sim_sim_exporter_SOURCES = tests/sim/sim_exporter.c $(SIM_CORE)
tests_sim_sim_exporter_CFLAGS = $(AM_CFLAGS) -pthread
tests_sim_sim_exporter_LDADD = libface.a libcore.a $(MHD_LIBS) -lm $(LIBS)
