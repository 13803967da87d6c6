# Makefile for tend: generic, finds every cmd/*/ by itself (never edited for a new program).
# make [all] | check | check-valgrind | demo | install | uninstall | lint-man | clean | distclean | bench | bench-svinit | fuzz | load
#   FUZZ_SECONDS=N  fuzz: run each libFuzzer target (tests/fuzz/) N seconds (default 60)
#   SANITIZE=1  build into build/san with ASan+UBSan (dynamic libc) and test that build
#   STATIC=1    build fully static programs into build/static (what a container image ships):
#               with musl when musl-gcc is here (skalibs built with musl on demand), LIBC=glibc
#               keeps glibc
# make skalibs-musl [SKALIBS_SRC=DIR] | dist-static | image
#   WERROR=1    warnings are errors (CI)
#   BUILD=DIR   build directory (default build, or build/san with SANITIZE=1)
#   LINTBATS=0  check: skip tests/lint-bats (assertions bats cannot fail) before the suite
#   JOBS=N      check: run N test files at a time (default 3, with GNU parallel; 1: one by one)
#   TEST_TIMEOUT=S  check: a test still running after S seconds fails (default 600): a hung
#               wait fails its test instead of holding CI until its own time limit
#   SUITE=build check: only the files that test the build at hand (CI's sanitizer and static
#               passes: the build system's, the fuzz targets' and the container tests, which
#               always run build/static, are the same in every pass and run in the first)
# make check-valgrind: opt-in, in neither check nor CI (10-20 minutes): the daemons' own test
#   files (tests/supervise*, svscan*, svlog*) with supervise, svscan and svlog run under valgrind
#   -q --error-exitcode=1 --track-fds=yes, one log per process in build/vg/vglogs; fails on a bats
#   failure or on any log that holds an error (printed). A plain build in build/vg whose svscan
#   starts the valgrind wrapper as its supervise (tests/valgrind/run; doc/reliability.md 3).
#   VG_FILES=...  the test files (default above)   VG_JOBS=N  files at a time (default 1)
#   VG_TIME_SCALE=N  every wait_for deadline N times longer (default 10)

SANITIZE ?= 0
STATIC ?= 0
WERROR ?= 0
LINTBATS ?= 1
TEST_TIMEOUT ?= 600
LIBC ?= auto
# skalibs compiled with musl, shared by every static build (make skalibs-musl)
SKALIBS_MUSL ?= build/skalibs-musl
MUSL_GCC ?= musl-gcc
ifeq ($(STATIC),1)
# LIBC=glibc builds beside the musl build, not over it
BUILD ?= build/static$(if $(filter glibc,$(LIBC)),-glibc)
CONFIG := $(BUILD)/config.mak
CONFARGS := --enable-static --with-libc=$(LIBC) --with-musl-skalibs=$(SKALIBS_MUSL) --output=$(CONFIG)
# a rebuilt musl skalibs reconfigures (and so recompiles) the static build
CONFDEPS := $(wildcard $(SKALIBS_MUSL)/lib/libskarnet.a)
else ifeq ($(SANITIZE),1)
BUILD ?= build/san
CONFIG := $(BUILD)/config.mak
CONFARGS := --enable-sanitize --output=$(CONFIG)
else
BUILD ?= build
CONFIG := config.mak
CONFARGS :=
endif

NOCONF_GOALS := clean distclean skalibs-musl dist-static image fuzz
ifneq ($(filter-out $(NOCONF_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(CONFIG)
endif
ifeq ($(WERROR),1)
CFLAGS += -Werror
endif

# V=1 shows the full commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

prefix ?= /usr/local
bindir ?= $(prefix)/bin
mandir ?= $(prefix)/share/man
DESTDIR ?=

PROGS := $(sort $(notdir $(patsubst %/,%,$(wildcard cmd/*/))))
LIBSRC := $(wildcard lib/*/*.c)
LIBOBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBSRC))
BINS := $(addprefix $(BUILD)/bin/,$(PROGS))
TESTSRC := $(wildcard tests/helpers/*.c)
TESTBINS := $(patsubst tests/helpers/%.c,$(BUILD)/testbin/%,$(TESTSRC))
TESTOBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TESTSRC))
MANPAGES := $(wildcard doc/*.[18])
BATS_FILES := $(sort $(wildcard tests/*.bats tests/compat/*.bats tests/integration/*.bats tests/container/*.bats))
SUITE ?= all
SHARED_BATS := tests/build.bats tests/reliability-fuzz.bats $(wildcard tests/container/*.bats)
BATS_RUN := $(if $(filter build,$(SUITE)),$(filter-out $(SHARED_BATS),$(BATS_FILES)),$(BATS_FILES))
# Most of a test's time is spent waiting for a deadline or a child, not on a CPU: three files at
# a time (the tests of one file still one after another) take half the time on two cores.
JOBS ?= 3
BATSJOBS = $(if $(filter-out 0 1,$(JOBS)),$(if $(shell command -v parallel),--jobs $(JOBS) --no-parallelize-within-files))

.PHONY: FORCE all check check-valgrind demo install uninstall lint-man clean distclean bench bench-svinit fuzz load deps-build deps-test \
  skalibs-musl dist-static dist-static-inner image image-inner
.DELETE_ON_ERROR:
# The test helpers' objects are made only through the pattern rule, so make would take them
# for intermediate files, delete them after linking, and relink every helper on the next run.
.SECONDARY: $(TESTOBJ)

all: $(BINS) $(TESTBINS) $(BUILD)/inst/svscan $(BUILD)/inst/svinit

# A static build wants musl: its skalibs is built here first when musl-gcc is present and
# the library is missing (configure then picks musl, and says so).
$(CONFIG): configure $(CONFDEPS)
	@sh package/deps $(if $(filter 1,$(STATIC)),static,build)
	$(if $(filter 1,$(STATIC)),$(Q)if [ "$(LIBC)" != glibc ] && command -v $(MUSL_GCC) >/dev/null 2>&1 && \
	  [ ! -f $(SKALIBS_MUSL)/lib/libskarnet.a ] ; then MAKE="$(MAKE)" MUSL_GCC=$(MUSL_GCC) sh package/skalibs-musl $(SKALIBS_MUSL) ; fi)
	MUSL_GCC=$(MUSL_GCC) ./configure $(CONFARGS)

# skalibs built with musl into $(SKALIBS_MUSL): from Debian's source package (apt-get source,
# private apt state), or from SKALIBS_SRC=DIR. Always rebuilds: it is asked for by name.
skalibs-musl:
	MAKE="$(MAKE)" MUSL_GCC=$(MUSL_GCC) sh package/skalibs-musl $(SKALIBS_MUSL)

$(BUILD)/libtend.a: $(LIBOBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/obj/%.o: %.c $(CONFIG)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# svlog's per-line copies, inlined where the libc's memcpy is slow on short copies (configure)
$(BUILD)/obj/cmd/svlog/%.o: CFLAGS += $(SVLOG_CFLAGS)

# svscan starts supervise by the path it was built for, never through PATH (another package's
# supervise, daemontools' say, could win there). The build tree's svscan runs the build tree's
# supervise; the installed svscan, linked from objects compiled a second time, runs
# $(bindir)/supervise. gen/paths.h is rewritten only when the path changes, so a changed
# prefix recompiles what uses it.
SUPERVISE_BUILD := $(abspath $(BUILD)/bin/supervise)
SUPERVISE_INST := $(bindir)/supervise
SVSCANSRC := $(wildcard cmd/svscan/*.c)
# svinit execs svscan the same way: the build tree's, or $(bindir)/svscan once installed.
SVSCAN_BUILD := $(abspath $(BUILD)/bin/svscan)
SVSCAN_INST := $(bindir)/svscan
SVINITSRC := $(wildcard cmd/svinit/*.c)

$(BUILD)/gen/build/tend-paths.h $(BUILD)/gen/inst/tend-paths.h: FORCE
	@mkdir -p $(@D)
	@printf '#define TEND_SUPERVISE_PATH "%s"\n#define TEND_SVSCAN_PATH "%s"\n' '$(if $(findstring /inst/,$@),$(SUPERVISE_INST),$(SUPERVISE_BUILD))' '$(if $(findstring /inst/,$@),$(SVSCAN_INST),$(SVSCAN_BUILD))' > $@.new
	@if cmp -s $@.new $@ ; then rm -f $@.new ; else mv -f $@.new $@ ; fi

# The release's name and version come from package/info only: lib/usage compiles them in
# (--version, svstat -j) from a header rewritten only when they change; tests/man.bats checks
# the man pages' .TH lines against the same file.
PKG_NAME := $(shell sed -n 's/^name=//p' package/info)
PKG_VERSION := $(shell sed -n 's/^version=//p' package/info)

$(BUILD)/gen/version/tend-version.h: FORCE
	$(if $(and $(PKG_NAME),$(PKG_VERSION)),,$(error package/info needs name= and version= lines))
	@mkdir -p $(@D)
	@printf '#define TEND_NAME "%s"\n#define TEND_VERSION "%s"\n' '$(PKG_NAME)' '$(PKG_VERSION)' > $@.new
	@if cmp -s $@.new $@ ; then rm -f $@.new ; else mv -f $@.new $@ ; fi

$(BUILD)/obj/lib/usage/%.o: lib/usage/%.c $(CONFIG) $(BUILD)/gen/version/tend-version.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -I$(BUILD)/gen/version $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/cmd/svscan/%.o: cmd/svscan/%.c $(CONFIG) $(BUILD)/gen/build/tend-paths.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -I$(BUILD)/gen/build $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj-inst/cmd/svscan/%.o: cmd/svscan/%.c $(CONFIG) $(BUILD)/gen/inst/tend-paths.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (installed paths)")
	$(Q)$(CC) -I$(BUILD)/gen/inst $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/inst/svscan: $(patsubst %.c,$(BUILD)/obj-inst/%.o,$(SVSCANSRC)) $(BUILD)/libtend.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libtend.a $(LDLIBS)

$(BUILD)/obj/cmd/svinit/%.o: cmd/svinit/%.c $(CONFIG) $(BUILD)/gen/build/tend-paths.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -I$(BUILD)/gen/build $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj-inst/cmd/svinit/%.o: cmd/svinit/%.c $(CONFIG) $(BUILD)/gen/inst/tend-paths.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (installed paths)")
	$(Q)$(CC) -I$(BUILD)/gen/inst $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/inst/svinit: $(patsubst %.c,$(BUILD)/obj-inst/%.o,$(SVINITSRC)) $(BUILD)/libtend.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libtend.a $(LDLIBS)

define PROG_template
$(BUILD)/bin/$(1): $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard cmd/$(1)/*.c)) $(BUILD)/libtend.a
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(BUILD)/libtend.a $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call PROG_template,$(p))))

$(BUILD)/testbin/%: $(BUILD)/obj/tests/helpers/%.o $(BUILD)/libtend.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libtend.a $(LDLIBS)

-include $(shell find $(BUILD)/obj $(BUILD)/obj-inst -name '*.d' 2>/dev/null)

# The whole suite. TEND_BIN and TEND_TESTBIN tell the tests which build to run.
check: all
	@sh package/deps test
	$(if $(filter 1,$(LINTBATS)),sh tests/lint-bats $(BATS_RUN))
	TEND_BIN=$(abspath $(BUILD)/bin) TEND_TESTBIN=$(abspath $(BUILD)/testbin) \
	TEND_SANITIZE=$(SANITIZE) BATS_TEST_TIMEOUT=$(TEST_TIMEOUT) bats $(BATSJOBS) $(BATSFLAGS) $(BATS_RUN)

# The valgrind build: build/vg, plain flags, its svscan compiled to start vgwrap/supervise (the
# wrapper tests/valgrind/run writes) instead of bin/supervise. Production code has no override:
# the path is a build-time choice, as for an install.
VG_BUILD := build/vg
VG_FILES ?= $(wildcard tests/supervise*.bats tests/svscan*.bats tests/svlog*.bats)
VG_JOBS ?= 1
VG_TIME_SCALE ?= 10
check-valgrind:
	$(if $(filter 1,$(SANITIZE) $(STATIC)),$(error check-valgrind runs the plain build: ASan and valgrind do not mix))
	$(MAKE) --no-print-directory BUILD=$(VG_BUILD) SUPERVISE_BUILD=$(abspath $(VG_BUILD))/vgwrap/supervise all
	@sh package/deps test
	sh tests/valgrind/run $(VG_BUILD) $(VG_JOBS) $(VG_TIME_SCALE) $(VG_FILES)

# The main job: a live supervision demo on the shipped example, then the svinit example tree as
# a container (podman when it works, else a PID namespace; root only, skipped otherwise).
demo: all
	sh doc/examples/demo.sh $(abspath $(BUILD)/bin)
	sh doc/examples/svinit/demo.sh $(abspath $(BUILD)/bin)

bench: all
	sh tests/bench/run $(if $(QUICK),--quick)

# svinit as a container's PID 1 against supervisord and tini + sh, alone (part of make bench)
bench-svinit: all
	sh tests/bench/run --only svinit $(if $(QUICK),--quick)

# 1,000 services and 10 clients for 60 s (LOAD_SERVICES, LOAD_CLIENTS, LOAD_SECONDS): not in check.
load: all
	TEND_BIN=$(abspath $(BUILD)/bin) bash tests/load/run

# Each fuzz target for FUZZ_SECONDS (make check runs each for 3 s: tests/reliability-fuzz.bats).
FUZZ_SECONDS ?= 60
fuzz:
	sh tests/fuzz/run $(FUZZ_SECONDS)

# A release: the static programs (prefix /usr) and man pages in one tarball that is the same bytes
# from the same commit: stripped programs (build IDs are content hashes; -ffile-prefix-map keeps
# the build directory out), names sorted, owner 0, every mtime the commit's (SOURCE_DATE_EPOCH),
# gzip -n. The name and version come from package/info only.
PKG_NAME := $(shell sed -n 's/^name=//p' package/info)
PKG_VERSION := $(shell sed -n 's/^version=//p' package/info)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
STRIP ?= strip
DIST_STAGE = $(BUILD)/dist
DIST_NAME = $(PKG_NAME)-$(PKG_VERSION)-$(firstword $(subst -, ,$(shell $(CC) -dumpmachine)))-static
DIST_TARBALL = $(if $(filter build/static,$(BUILD)),build,$(BUILD))/$(DIST_NAME).tar.gz

# both run in a make of the static build for prefix /usr (svscan then runs /usr/bin/supervise)
dist-static image:
	$(Q)$(if $(filter image,$@),sh package/image --check && )$(MAKE) --no-print-directory STATIC=1 \
	  prefix=/usr bindir=/usr/bin mandir=/usr/share/man $@-inner

dist-static-inner: all $(BUILD)/inst/svscan $(BUILD)/inst/svinit
	$(if $(filter 1,$(STATIC)),,$(error $@ is internal: use make dist-static))
	$(Q)rm -rf $(DIST_STAGE)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(abspath $(DIST_STAGE))
	$(Q)$(STRIP) $(DIST_STAGE)$(bindir)/*
	$(Q)cd $(DIST_STAGE) && find usr -type f | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
	$(Q)tar --sort=name --format=gnu --owner=0 --group=0 --numeric-owner --mode=u+w,go-w,a+rX \
	  --mtime=@$(SOURCE_DATE_EPOCH) -C $(DIST_STAGE) -cf - SHA256SUMS usr | gzip -9 -n > $(DIST_TARBALL).new
	$(Q)mv -f $(DIST_TARBALL).new $(DIST_TARBALL)
	@echo "dist-static: wrote $(DIST_TARBALL) ($(LIBC), $$(du -cb $(DIST_STAGE)$(bindir)/* | tail -n 1 | cut -f1) bytes of programs)"

# The release tarball as an OCI image FROM scratch (tag NAME:VERSION), for
# COPY --from=tend:VERSION /usr/bin/ /usr/local/bin/ in any Dockerfile. Needs podman or docker:
# without either, package/image --check says so and exits 100.
IMAGE_TAG ?= $(PKG_NAME):$(PKG_VERSION)
image-inner: dist-static-inner
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) sh package/image $(DIST_TARBALL) $(IMAGE_TAG)

install: all $(BUILD)/inst/svscan $(BUILD)/inst/svinit
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man8
	install -m 0755 $(filter-out $(BUILD)/bin/svscan $(BUILD)/bin/svinit,$(BINS)) $(BUILD)/inst/svscan $(BUILD)/inst/svinit $(DESTDIR)$(bindir)/
	$(if $(MANPAGES),install -m 0644 $(MANPAGES) $(DESTDIR)$(mandir)/man8/)

# What install put, and only that: the programs and pages of this tree (directories stay, they
# may hold other packages' files).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(bindir)/,$(PROGS)) $(addprefix $(DESTDIR)$(mandir)/man8/,$(notdir $(MANPAGES)))

# The pages as mandoc reads them (tests/man.bats runs the same check in make check).
lint-man:
	mandoc -T lint -W warning $(MANPAGES)

# clean keeps build/skalibs-musl (a fetched dependency, not tend's output); distclean removes it
clean:
	$(if $(wildcard build),find build -mindepth 1 -maxdepth 1 ! -name skalibs-musl -exec rm -rf {} +)
	$(if $(filter-out build build/%,$(BUILD)),rm -rf $(filter-out build build/%,$(BUILD)))

distclean: clean
	rm -rf config.mak build
