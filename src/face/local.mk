# Faces: read-only views of the engine's results.
libface_a_SOURCES += \
	src/face/columns.c src/face/columns.h \
	src/face/vocab.c src/face/vocab.h \
	src/face/names.c src/face/names.h \
	src/face/reproduce.c src/face/reproduce.h \
	src/face/report.c src/face/report.h \
	src/face/json.c src/face/json.h \
	src/face/json_stream.c src/face/json_stream.h
