# galley: build, test, install. `make demo` and `make check` also install missing Debian packages when run as root.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKGS = libxml-2.0 libutf8proc libzip
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -pthread $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Isrc
LDLIBS = $(PKG_LIBS) -pthread
BUILD ?= build

LIB_SRC = $(wildcard src/*.c src/readers/*.c src/writers/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
HEADERS = $(wildcard src/*.h src/readers/*.h src/writers/*.h src/cli/*.h)
CLI_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/cli/*.c))

# Debian packages the build and the tests need (checked with dpkg, installed with apt when root)
DEB_BUILD = gcc make pkg-config libxml2-dev libutf8proc-dev libzip-dev
DEB_TEST = cmark cmark-gfm libxml2-utils epubcheck default-jre-headless parallel python3

.PHONY: all check demo install clean asan tsan fuzz deps deps-test bench bench-tools
all: $(BUILD)/galley

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libgalley.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/galley: $(CLI_OBJ) $(BUILD)/libgalley.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(LDFLAGS)

$(BUILD)/tests/runtest.o: tests/runtest_epub.c tests/runtest_charset.c tests/runtest_batch.c tests/runtest_dom.c tests/dom_compare.h

$(BUILD)/runtest: $(BUILD)/tests/runtest.o $(BUILD)/libgalley.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(LDFLAGS)

deps:
	@sh tests/deps.sh $(DEB_BUILD)

deps-test:
	@sh tests/deps.sh $(DEB_BUILD) $(DEB_TEST)

demo: deps
	@$(MAKE) --no-print-directory all
	@echo "== examples/story.html -> text"
	@$(BUILD)/galley examples/story.html
	@echo
	@echo "== examples/story.html -> Markdown (standalone)"
	@$(BUILD)/galley -s -t markdown examples/story.html

check: deps-test
	@$(MAKE) --no-print-directory $(BUILD)/galley $(BUILD)/runtest
	@$(BUILD)/runtest --galley $(BUILD)/galley

# AddressSanitizer + UndefinedBehaviorSanitizer build of everything, then the whole suite
asan: deps-test
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/galley build-asan/runtest
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		build-asan/runtest --galley build-asan/galley

# ThreadSanitizer build, then the batch tests (threads at work); by hand, not part of check or CI.
# tests/tsan.supp: glibc's own locked time zone reload (mktime, from libzip), which TSan cannot see locked.
tsan: deps-test
	@$(MAKE) --no-print-directory BUILD=build-tsan CFLAGS="-O1 -g -fsanitize=thread -Wno-format-truncation" \
		LDFLAGS="-fsanitize=thread" build-tsan/galley build-tsan/runtest
	@TSAN_OPTIONS=suppressions=$(CURDIR)/tests/tsan.supp build-tsan/runtest --galley build-tsan/galley --only batch

FUZZERS = fuzz_html fuzz_nitf fuzz_epub
fuzz: deps
	@sh tests/deps.sh clang libclang-rt-14-dev
	@mkdir -p build-fuzz
	@for f in $(FUZZERS); do \
		clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc $(PKG_CFLAGS) \
			-o build-fuzz/$$f tests/fuzz/$$f.c $(LIB_SRC) $(PKG_LIBS) || exit 1; \
	done
	@echo "built: $(addprefix build-fuzz/,$(FUZZERS)); run e.g. build-fuzz/fuzz_html -max_total_time=60 tests/fuzz/corpus-html, build-fuzz/fuzz_nitf -max_total_time=60 -dict=tests/fuzz/nitf.dict tests/fuzz/corpus-nitf, build-fuzz/fuzz_epub -max_total_time=60 -dict=tests/fuzz/epub.dict tests/fuzz/corpus-epub"

# Benchmarks (not part of check): bench/run (throughput against pandoc and libxml2's parse-only speed) and
# bench/extract/run (extraction quality and speed against Mozilla Readability; needs node and npm, installs the peer
# into bench/extract/node_modules). Both build their programs with bench-tools.
BENCH_TOOLS = $(BUILD)/bench/gtime $(BUILD)/bench/gencorpus $(BUILD)/bench/parseonly
bench: all
	@sh bench/run
	@sh bench/extract/run

bench-tools: $(BENCH_TOOLS)

$(BUILD)/bench/gtime: bench/extract/gtime.c $(BUILD)/libgalley.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(LDFLAGS)

$(BUILD)/bench/gencorpus: bench/gencorpus.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS)

$(BUILD)/bench/parseonly: bench/parseonly.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS) $(LDFLAGS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(BUILD)/galley $(DESTDIR)$(PREFIX)/bin/galley
	install -m 644 docs/galley.1 $(DESTDIR)$(PREFIX)/share/man/man1/galley.1
	install -m 644 src/galley.h $(DESTDIR)$(PREFIX)/include/galley.h
	install -m 644 $(BUILD)/libgalley.a $(DESTDIR)$(PREFIX)/lib/libgalley.a

clean:
	rm -rf build build-asan build-tsan build-fuzz
