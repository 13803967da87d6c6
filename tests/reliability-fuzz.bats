#!/usr/bin/env bats
# A short run of every fuzz target (tests/fuzz/, issue 15): each from its committed seed corpus
# for FUZZ_CHECK_SECONDS (3 by default), so a change that breaks an invariant the long runs
# proved is caught by make check. Skipped, saying why, when clang or libFuzzer is missing.
# The long runs: make fuzz FUZZ_SECONDS=N, or FUZZ_RUNS=10000000 sh tests/fuzz/run.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

fuzz_one () {
  run sh "$_tend_root/tests/fuzz/build" "$_tend_root/build/fuzz"
  if [ "$status" = 77 ] ; then skip "$output" ; fi
  assert_success
  FUZZ_TARGETS=$1 run sh "$_tend_root/tests/fuzz/run" "${FUZZ_CHECK_SECONDS:-3}"
  assert_success
  assert_output --regexp "^fuzz $1: [0-9]+ executions in [0-9]+ s, no finding$"
}

@test "fuzz: status decoding by every reader (lib/status, svwait, svstat -j's JSON)" { fuzz_one status ; }
@test "fuzz: svlog script parsing and line selection" { fuzz_one svlog ; }
@test "fuzz: envdir" { fuzz_one envdir ; }
@test "fuzz: supervise's setting files" { fuzz_one settings ; }
@test "fuzz: TAI64N labels and tai64nlocal" { fuzz_one tai ; }
@test "fuzz: supervise's state machine under random event sequences" { fuzz_one supervise ; }
