# copybench: compile only. `make` builds bin/, `make asan` builds the same
# binaries with AddressSanitizer and UBSan into bin/asan/. a4 (io_uring)
# links liburing (Debian: liburing-dev); the other variants do not.
CC      ?= cc
CFLAGS  ?= -O2
CFLAGS  += -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -MMD -MP
LDFLAGS += -pthread
LDLIBS  += -lm
ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

# a4 is built where liburing's header is found (scripts/setup.sh installs
# liburing-dev); without it the others still build, and a run that asks for
# a4 is stopped by the orchestrator's preflight, which says what to install.
HAVE_LIBURING := $(shell printf '\043include <liburing.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
VARIANTS := a1 a2 a3 $(if $(HAVE_LIBURING),a4)
ROLES    := server client
BINS     := $(foreach v,$(VARIANTS),$(foreach r,$(ROLES),$(v)_$(r)))
ENGINE   := util histo msg io wire zc tcpinfo queue json server server_opts admission serve client client_opts worker two_copy one_copy zero_copy uring_zc msg_stream rx_zerocopy
URING    := uring_zero_copy
TESTS    := unit_tests queue_tests uring_tests rx_tests

all: $(addprefix bin/,$(BINS)) $(addprefix bin/,$(TESTS))
asan: $(addprefix bin/asan/,$(BINS)) $(addprefix bin/asan/,$(TESTS))

# Normal build: objects in bin/obj/
bin/obj/%.o: c/%.c | bin/obj
	$(CC) $(CFLAGS) -c -o $@ $<
bin/obj/test_%.o: c/test/%.c | bin/obj
	$(CC) $(CFLAGS) -Ic -c -o $@ $<
bin/%: bin/obj/%.o $(addprefix bin/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bin/a4_%: bin/obj/a4_%.o $(addprefix bin/obj/,$(addsuffix .o,$(ENGINE) $(URING)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -luring
bin/unit_tests: bin/obj/test_unit_tests.o $(addprefix bin/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bin/queue_tests: bin/obj/test_queue_tests.o $(addprefix bin/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bin/uring_tests: bin/obj/test_uring_tests.o $(addprefix bin/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bin/rx_tests: bin/obj/test_rx_tests.o $(addprefix bin/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Sanitizer build: objects in bin/asan/obj/
bin/asan/obj/%.o: c/%.c | bin/asan/obj
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<
bin/asan/obj/test_%.o: c/test/%.c | bin/asan/obj
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -Ic -c -o $@ $<
bin/asan/%: bin/asan/obj/%.o $(addprefix bin/asan/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)
bin/asan/a4_%: bin/asan/obj/a4_%.o $(addprefix bin/asan/obj/,$(addsuffix .o,$(ENGINE) $(URING)))
	$(CC) $(LDFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS) -luring
bin/asan/unit_tests: bin/asan/obj/test_unit_tests.o $(addprefix bin/asan/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)
bin/asan/queue_tests: bin/asan/obj/test_queue_tests.o $(addprefix bin/asan/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)
bin/asan/uring_tests: bin/asan/obj/test_uring_tests.o $(addprefix bin/asan/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)
bin/asan/rx_tests: bin/asan/obj/test_rx_tests.o $(addprefix bin/asan/obj/,$(addsuffix .o,$(ENGINE)))
	$(CC) $(LDFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)

bin/obj bin/asan/obj:
	mkdir -p $@

clean:
	rm -rf bin

.PHONY: all asan clean
.SECONDARY:
-include $(wildcard bin/obj/*.d bin/asan/obj/*.d)
