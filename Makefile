# The two README commands: `make run` and `make check`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

.PHONY: all deps build run check check-plain check-asan clean bench fuzz fuzz-run deb

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja:
	CC=clang meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dwerror_strict=true $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	./$(BUILD)/tlsprobe serve --http $(ARGS)

check: deps
	$(MAKE) check-plain
	$(MAKE) check-asan

check-plain: $(BUILD)/build.ninja
	ninja -C $(BUILD)
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

check-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2

# libFuzzer build: the library is built a second time with
# -fsanitize=fuzzer-no-link (fuzz/meson.build), so the fuzzers see its coverage.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false $(MESON_OPTS)

fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

# Each target for FUZZ_SECONDS seconds (FUZZ_MERGE=1: merge new inputs into fuzz/corpus/).
fuzz-run: fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz-run.sh $(FUZZ_BUILD)

bench: build
	./bench/run-all

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# The Debian package (debian/): tlsprobe_VERSION_ARCH.deb in the parent directory.
deb: deps
	DEB_BUILD_OPTIONS="nocheck parallel=2 $(DEB_BUILD_OPTIONS)" dpkg-buildpackage -us -uc -b
