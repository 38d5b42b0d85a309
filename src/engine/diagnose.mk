# Diagnosis: findings from a results snapshot, and the exact tests it uses.
libcore_a_SOURCES += \
	src/engine/diagnose.c src/engine/diagnose_int.h \
	src/engine/diag_evidence.c src/engine/diag_loss.c src/engine/diag_return.c src/engine/diag_say.c \
	src/engine/diag_silent.c src/engine/diag_common.c \
	src/engine/standing.c src/engine/standing.h \
	src/engine/statistics.c src/engine/statistics.h
