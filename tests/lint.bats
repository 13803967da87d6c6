#!/usr/bin/env bats
# The build and the suite themselves: make keeps what it built; tests/lint-bats finds assertions
# that cannot fail.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "make: the test helpers' objects are kept (.SECONDARY), so they are not relinked each run" {
  objdir=$(dirname "$TEND_TESTBIN")/obj/tests/helpers
  for c in "$_tend_root"/tests/helpers/*.c ; do
    n=$(basename "$c" .c)
    [ -x "$TEND_TESTBIN/$n" ] || skip "helpers not built in $TEND_TESTBIN"
    assert [ -f "$objdir/$n.o" ]
  done
}
