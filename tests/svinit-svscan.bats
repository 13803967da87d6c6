#!/usr/bin/env bats
# What svinit needs from svscan and supervise: -e (exit-code map), -m (the main service gets
# HUP, USR1, USR2, WINCH, QUIT), a second TERM/INT during the stop kills at once, and the
# messages of a critical main command that is done.

load helpers/common
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { tend_teardown ; }


critical_service () {
  local d
  d=$(make_service "$1" "$2")
  : > "$d/critical"
  echo "0 60" > "$d/max-restarts"
  echo "$d"
}

@test "svscan -e: a critical service's exit code is mapped; others pass unchanged" {
  critical_service main 'kill -TERM $$' >/dev/null
  run svscan -t 0 -e 143=0 -e 3=5 "$SVDIR"
  assert_equal "$status" 0
  critical_service main 'exit 3' >/dev/null
  run svscan -t 0 -e 143=0 -e 3=5 "$SVDIR"
  assert_equal "$status" 5
  critical_service main 'exit 4' >/dev/null
  run svscan -t 0 -e 143=0 "$SVDIR"
  assert_equal "$status" 4
  run svscan -e 143 "$SVDIR"
  assert_equal "$status" 100
  run svscan -e 256=0 "$SVDIR"
  assert_equal "$status" 100
}

@test "svscan: a critical service done with exit 0 is information, with no 'svc -u revives it' hint" {
  critical_service main 'exit 0' >/dev/null
  run svscan -t 0 "$SVDIR"
  assert_equal "$status" 0
  assert_output --partial "svscan: info: critical service main stopped for good (exit code 0): stopping the tree"
  assert_output --partial "supervise main: info: exited 0"
  refute_output --partial "warning"
  refute_output --partial "svc -u revives it"
  critical_service main 'exit 2' >/dev/null
  run svscan -t 0 "$SVDIR"
  assert_equal "$status" 2
  assert_output --partial "svscan: warning: critical service main stopped for good (exit code 2)"
  assert_output --partial "giving up (critical: svscan stops the tree)"
  refute_output --partial "svc -u revives it"
}

@test "svscan -m: HUP, USR1, USR2, WINCH and QUIT go to the main service's process group" {
  d=$(make_service main 'for s in HUP USR1 USR2 WINCH QUIT ; do trap "echo $s >> got" $s ; done ; touch ready ; while : ; do sleep 0.05 ; done')
  start_svscan -t 0 -m main "$SVDIR"
  wait_for 5 test -e "$d/ready"
  for s in HUP USR1 USR2 WINCH QUIT ; do
    kill -$s "$SVSCAN_PID"
    wait_for 5 grep -qx $s "$d/got"
  done
  # none of them stopped or rescanned the tree, or was reported ignored
  kill -0 "$SVSCAN_PID"
  run ! grep -q "ignored\|stopping the tree" "$T/svscan.err"
}

@test "svscan: a second SIGTERM or SIGINT during the stop kills what is left at once" {
  for sig in TERM INT ; do
    d=$(make_service stubborn 'trap "" TERM ; touch armed ; exec sleep 1000')
    rm -f "$d/armed"
    start_svscan -t 0 -g 60000 "$SVDIR"
    wait_for 5 test -e "$d/armed"
    t0=$(date +%s%N)
    kill -$sig "$SVSCAN_PID"
    wait_for 5 grep -q "SIG$sig received: stopping the tree" "$T/svscan.err"
    kill -$sig "$SVSCAN_PID"
    wait_for 10 dead "$SVSCAN_PID"
    rc=0 ; wait "$SVSCAN_PID" || rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    assert_equal "$rc" 0
    [ "$ms" -lt 5000 ]
    grep -q "SIG$sig received during the stop: killing what is left now" "$T/svscan.err"
    : > "$T/svscan.err"
  done
}

@test "svscan: stop-after: a service stops only after the ones it names are down; others in parallel" {
  # db drains for 0.3 s after TERM, app must be gone first; cache stops at once, unordered
  make_service app "trap 'sleep 0.3 ; echo app >> $T/order ; exit 0' TERM ; touch up ; while : ; do sleep 0.02 ; done" >/dev/null
  d=$(make_service db "trap 'echo db >> $T/order ; exit 0' TERM ; touch up ; while : ; do sleep 0.02 ; done")
  make_service cache "trap 'echo cache >> $T/order ; exit 0' TERM ; touch up ; while : ; do sleep 0.02 ; done" >/dev/null
  printf 'app\nnotaservice\n' > "$d/stop-after"
  start_svscan -t 0 -g 10000 "$SVDIR"
  for s in app db cache ; do wait_for 5 test -e "$SVDIR/$s/up" ; done
  t0=$(date +%s%N)
  kill -TERM "$SVSCAN_PID"
  rc=0 ; wait "$SVSCAN_PID" || rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  assert_equal "$rc" 0
  assert_equal "$(tr '\n' ' ' < "$T/order")" "cache app db "
  [ "$ms" -lt 3000 ]
}

@test "svscan: a stop-after cycle is reported and stopped, not waited on until the deadline" {
  a=$(make_service a "touch up ; exec sleep 1000")
  b=$(make_service b "touch up ; exec sleep 1000")
  echo b > "$a/stop-after"
  echo a > "$b/stop-after"
  start_svscan -t 0 -g 20000 "$SVDIR"
  wait_for 5 test -e "$a/up"
  wait_for 5 test -e "$b/up"
  t0=$(date +%s%N)
  kill -TERM "$SVSCAN_PID"
  rc=0 ; wait "$SVSCAN_PID" || rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  assert_equal "$rc" 0
  [ "$ms" -lt 5000 ]
  grep -q "svscan: warning: stop-after of a waits for services that wait for it (a cycle): stopping it now" "$T/svscan.err"
  run ! grep -q "grace deadline" "$T/svscan.err"
}
