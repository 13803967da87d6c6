# Makefile for tend: generic, finds every cmd/*/ by itself (never edited for a new program).
# make [all] | check | demo | install | clean | distclean | bench
#   SANITIZE=1  build into build/san with ASan+UBSan (dynamic libc) and test that build
#   STATIC=1    build fully static programs into build/static (what a container image ships)
#   WERROR=1    warnings are errors (CI)
#   BUILD=DIR   build directory (default build, or build/san with SANITIZE=1)
#   LINTBATS=0  check: skip tests/lint-bats (assertions bats cannot fail) before the suite

SANITIZE ?= 0
STATIC ?= 0
WERROR ?= 0
LINTBATS ?= 1
ifeq ($(STATIC),1)
BUILD ?= build/static
CONFIG := $(BUILD)/config.mak
CONFARGS := --enable-static --output=$(CONFIG)
else ifeq ($(SANITIZE),1)
BUILD ?= build/san
CONFIG := $(BUILD)/config.mak
CONFARGS := --enable-sanitize --output=$(CONFIG)
else
BUILD ?= build
CONFIG := config.mak
CONFARGS :=
endif

NOCONF_GOALS := clean distclean
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

.PHONY: all check demo install clean distclean bench deps-build deps-test
.DELETE_ON_ERROR:
# The test helpers' objects are made only through the pattern rule, so make would take them
# for intermediate files, delete them after linking, and relink every helper on the next run.
.SECONDARY: $(TESTOBJ)

all: $(BINS) $(TESTBINS)

$(CONFIG): configure
	@sh package/deps build
	./configure $(CONFARGS)

$(BUILD)/libtend.a: $(LIBOBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/obj/%.o: %.c $(CONFIG)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# Static builds (configure sets HOTLAYOUT): the section order of package/layout/static-hot-PROG.ld if there is
# one (the long-running programs), else package/layout/static-hot.ld; the file says why.
comma := ,
hotld = $(if $(HOTLAYOUT),$(firstword $(wildcard $(HOTLAYOUT)-$(1).ld) $(HOTLAYOUT).ld))
hotflag = $(if $(call hotld,$(1)),-Wl$(comma)-T$(comma)$(call hotld,$(1)))

# supervise lives in svscan's file (bin/supervise is a hard link to bin/svscan): the two run side
# by side in every tree, and the pages of one file are shared by every process that maps it, so
# svscan's own memory is then its data alone. supervise.c is compiled a second time with its main
# renamed, and svscan's main hands over when it is called by that name.
JOINED := supervise
JOINEDOBJ := $(patsubst %.c,$(BUILD)/obj/joined/%.o,$(foreach j,$(JOINED),$(wildcard cmd/$(j)/*.c)))

$(BUILD)/obj/joined/%.o: %.c $(CONFIG)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (in svscan)")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -Dmain=tend_$(notdir $(*D))_main -MMD -MP -c -o $@ $<

define PROG_template
$(BUILD)/bin/$(1): $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard cmd/$(1)/*.c)) $(if $(filter svscan,$(1)),$(JOINEDOBJ)) $(BUILD)/libtend.a $(call hotld,$(1))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(CFLAGS) $$(LDFLAGS) $(call hotflag,$(1)) -o $$@ $$(filter %.o,$$^) $(BUILD)/libtend.a $$(LDLIBS)
endef
$(foreach p,$(filter-out $(JOINED),$(PROGS)),$(eval $(call PROG_template,$(p))))

$(addprefix $(BUILD)/bin/,$(JOINED)): $(BUILD)/bin/svscan
	@$(if $(Q),echo "  LN      $@")
	$(Q)ln -f $< $@

$(BUILD)/testbin/%: $(BUILD)/obj/tests/helpers/%.o $(BUILD)/libtend.a $(call hotld,testbin)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(call hotflag,testbin) -o $@ $< $(BUILD)/libtend.a $(LDLIBS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The whole suite. TEND_BIN and TEND_TESTBIN tell the tests which build to run.
check: all
	@sh package/deps test
	$(if $(filter 1,$(LINTBATS)),sh tests/lint-bats $(BATS_FILES))
	TEND_BIN=$(abspath $(BUILD)/bin) TEND_TESTBIN=$(abspath $(BUILD)/testbin) \
	TEND_SANITIZE=$(SANITIZE) bats $(BATSFLAGS) $(BATS_FILES)

# The main job: a live supervision demo on the shipped example.
demo: all
	sh doc/examples/demo.sh $(abspath $(BUILD)/bin)

bench: all
	sh tests/bench/run $(if $(QUICK),--quick)

install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man8
	install -m 0755 $(filter-out $(addprefix $(BUILD)/bin/,$(JOINED)),$(BINS)) $(DESTDIR)$(bindir)/
	$(foreach j,$(JOINED),ln -f $(DESTDIR)$(bindir)/svscan $(DESTDIR)$(bindir)/$(j) ;)
	$(if $(MANPAGES),install -m 0644 $(MANPAGES) $(DESTDIR)$(mandir)/man8/)

clean:
	rm -rf build $(filter-out build build/%,$(BUILD))

distclean: clean
	rm -f config.mak
