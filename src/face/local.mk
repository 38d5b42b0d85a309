# Faces: read-only views of the engine's results.
libface_a_SOURCES += \
	src/face/columns.c src/face/columns.h \
	src/face/vocab.c src/face/vocab.h \
	src/face/names.c src/face/names.h \
	src/face/reproduce.c src/face/reproduce.h \
	src/face/report.c src/face/report.h \
	src/face/json.c src/face/json.h \
	src/face/json_stream.c src/face/json_stream.h \
	src/face/json_run.c src/face/json_run.h \
	src/face/csv.c src/face/csv.h \
	src/face/dot.c src/face/dot.h
# Prometheus metrics: totals kept from snapshots, the exposition formats.
libface_a_SOURCES += src/face/metrics.c src/face/metrics.h src/face/metrics_text.c
# The exporter face (--listen, --textfile): libmicrohttpd in its own thread.
libface_a_SOURCES += src/face/exporter.c src/face/exporter.h src/face/textfile.c src/face/textfile.h

# The live view (ncursesw): life cycle and keys, rows, drawing, RTT history.
libface_a_SOURCES += src/face/tui.c src/face/tui.h src/face/tui_int.h \
	src/face/tui_rows.c \
	src/face/tui_draw.c src/face/tui_draw.h src/face/tui_table.c src/face/tui_text.c \
	src/face/tui_chart.c src/face/tui_detail.c src/face/tui_findings.c src/face/tui_help.c \
	src/face/tui_hist.c src/face/tui_hist.h src/face/tui_targets.c
