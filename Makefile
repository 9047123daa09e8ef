# kubectl-inplace: build, test, demo, benchmark and install.
# Every target installs the two system libraries first when they are missing (Debian/Ubuntu).

PREFIX ?= /usr/local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE := .build/release

.PHONY: deps build test demo bench install install-files dist dist-package image man completions clean fuzz fuzz-build test-asan test-tsan

VERSION := $(shell sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/InplaceCLI/Entry/Version.swift)
# Where `make dist` puts the release archive, its sha256 and the krew manifest (plugins/inplace.yaml).
DIST ?= dist
# The gate keeper's image; `controller --print-manifest` names the same one by default.
IMAGE ?= ghcr.io/kubectl-inplace/kubectl-inplace:$(VERSION)

# The binary `install-files` copies (the release build by default).
BIN ?= $(RELEASE)/kubectl-inplace

deps:
	@pkg-config --exists libcurl yaml-0.1 && command -v socat >/dev/null && command -v openssl >/dev/null || { \
		echo "installing libcurl4-openssl-dev libyaml-dev socat openssl"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcurl4-openssl-dev libyaml-dev socat openssl pkg-config >/dev/null; }

build: deps
	$(SWIFT) build -c release --product kubectl-inplace
	$(SWIFT) build -c release --product kube-sim

# The whole suite, including the checks of the release binary `make dist` builds.
test: deps dist
	$(SWIFT) build --build-tests
	INPLACE_DIST_BINARY=$(CURDIR)/$(DIST)/bin/kubectl-inplace $(SWIFT) test --skip-build

demo: build
	@examples/demo.sh $(RELEASE)

# Measures the binary users install (`make dist`'s, static Swift runtime), unstripped for `perf`.
bench: deps
	$(SWIFT) build -c release --product kubectl-inplace --static-swift-stdlib --scratch-path .build-dist
	$(SWIFT) build -c release --product kube-sim
	$(SWIFT) build -c release --product inplace-bench
	$(RELEASE)/inplace-bench .build-dist/release/kubectl-inplace $(BENCH)

# The release: the binary linked with --static-swift-stdlib (its own build folder), then packed.
dist: deps
	$(SWIFT) build -c release --product kubectl-inplace --static-swift-stdlib --scratch-path .build-dist
	install -D -s -m 755 .build-dist/release/kubectl-inplace $(DIST)/bin/kubectl-inplace
	packaging/dist.sh $(DIST)/bin/kubectl-inplace $(DIST)

# Packs BIN as a release archive without building (what `dist` runs after its build).
dist-package:
	packaging/dist.sh $(BIN) $(DIST)

image: dist
	docker build -t $(IMAGE) --build-arg BINARY=$(DIST)/bin/kubectl-inplace .

man:
	$(SWIFT) run kubectl-inplace __man > man/kubectl-inplace.1

completions:
	for s in bash zsh fish; do $(SWIFT) run kubectl-inplace completion $$s > completions/kubectl-inplace.$$s; done

install: build install-files

# Installs BIN, the completion helper for kubectl, the shell completions and the man page under PREFIX.
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kubectl-inplace
	install -m 755 completions/kubectl_complete-inplace $(DESTDIR)$(PREFIX)/bin/kubectl_complete-inplace
	install -m 644 man/kubectl-inplace.1 $(DESTDIR)$(PREFIX)/share/man/man1/kubectl-inplace.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 644 completions/kubectl-inplace.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kubectl-inplace
	install -m 644 completions/kubectl-inplace.zsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_kubectl-inplace
	install -m 644 completions/kubectl-inplace.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/kubectl-inplace.fish

# Fuzzing (libFuzzer): each target of Fuzz/inplace-fuzz runs FUZZ_SECONDS from its seed corpus
# (Fuzz/Corpus/<target>, read only); new inputs go to .build-fuzz/corpus/<target>, findings to
# .build-fuzz/findings/<target>-*. Replay one with: swift run inplace-fuzz <target> <file>.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= yaml json kubeconfig watch status
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=2048 -max_len=8192

fuzz-build: deps
	$(SWIFT) build -c release --product inplace-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$t .build-fuzz/findings; \
		echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
		INPLACE_FUZZ_TARGET=$$t .build-fuzz/release/inplace-fuzz $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=.build-fuzz/findings/$$t- \
			.build-fuzz/corpus/$$t Fuzz/Corpus/$$t > .build-fuzz/$$t.log 2>&1; \
		rc=$$?; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' .build-fuzz/$$t.log); \
		echo "fuzz $$t: $${runs:-?} executions, exit $$rc"; \
		if [ $$rc != 0 ]; then tail -40 .build-fuzz/$$t.log; exit 1; fi; \
	done

# The unit suites under AddressSanitizer / ThreadSanitizer, each in its own build folder.
# EndToEndTests are left out: they drive the CLI binary and KubeSim over real HTTP for minutes
# unsanitized already, and their timing-based waits do not hold at sanitizer speed (x5-x15).
# So are the tests that measure speed (they assert wall-clock budgets, meaningless when sanitized).
SANITIZER_SUITES ?= JSONTests KubeFormatsTests YAMLTests KubeClientTests InplaceCoreTests InplaceCLITests KubeSimTests
SANITIZER_FILTER = $(shell echo $(SANITIZER_SUITES) | sed 's/ /|/g')
SANITIZER_SKIP ?= YAMLTests\.PerformanceTests|KubeSimTests\.PerformanceTests|KubeSimTests\.SeedingTests/bulk

test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS="$(LSAN_OPTIONS) suppressions=$(CURDIR)/Tests/lsan.supp" \
		$(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --filter '^($(SANITIZER_FILTER))\.' --skip '$(SANITIZER_SKIP)'

test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="$(TSAN_OPTIONS) halt_on_error=0" \
		$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter '^($(SANITIZER_FILTER))\.' --skip '$(SANITIZER_SKIP)'

clean:
	rm -rf .build .build-dist .build-fuzz .build-asan .build-tsan $(DIST)
