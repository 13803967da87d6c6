#!/usr/bin/env bats
# svscan as PID 1 of a PID namespace (what a container gives it), through our pidns helper,
# which reports the raw wait status.

load ../helpers/common

setup () {
  tend_setup
  # LeakSanitizer cannot run inside a PID namespace (it aborts at exit); ASan and UBSan stay on
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
  [ "$(id -u)" = 0 ] || skip "PID namespaces need root here"
  pidns true 2>/dev/null || skip "cannot create a PID namespace here"
}
teardown () { tend_teardown ; }


start_pid1 () {
  pidns -p "$T/nspid" -r "$T/report" svscan "$@" 2>>"$T/svscan.err" &
  NS_HELPER=$!
  track_pid "$NS_HELPER"
  wait_for 5 test -s "$T/nspid"
  NS_PID=$(cat "$T/nspid")
  track_pid "$NS_PID"
}

@test "pid1: svscan reaps 5,000 orphaned zombies" {
  d=$(make_service web "mkorphans 5000 20 ; touch made ; exec sleep 1000")
  start_pid1 -t 0 "$SVDIR"
  wait_for 60 test -e "$d/made"
  # inside the namespace every orphan was svscan's child; none may stay a zombie
  no_zombies () { ! ps -o stat= --ppid "$NS_PID" | grep -q '^Z' ; }
  wait_for 10 no_zombies
  kill -TERM "$NS_PID"
  wait "$NS_HELPER"
  assert_equal "$(cat "$T/report")" "exit 0"
}

@test "pid1: TERM from outside stops the tree in order; exit 0" {
  for i in 1 2 3 ; do make_service "s$i" >/dev/null ; done
  start_pid1 -t 0 "$SVDIR"
  for i in 1 2 3 ; do wait_for 5 has_pid "$SVDIR/s$i" ; done
  t0=$(date +%s%N)
  kill -TERM "$NS_PID"
  rc=0 ; wait "$NS_HELPER" || rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  assert_equal "$rc" 0
  assert_equal "$(cat "$T/report")" "exit 0"
  [ "$ms" -lt 1000 ]
}

@test "pid1: an orphan that ignores TERM is killed at the grace deadline" {
  # the orphan leaves the service's process group, so only svscan's stop can reach it
  d=$(make_service web 'setsid sh -c "trap \"\" TERM ; touch $PWD/armed ; while : ; do sleep 0.05 ; done" & while [ ! -e armed ] ; do sleep 0.01 ; done ; exit 0')
  echo "5000 10000" > "$d/restart-delay"
  start_pid1 -t 0 -g 300 "$SVDIR"
  wait_for 5 test -e "$d/armed"
  kill -TERM "$NS_PID"
  rc=0 ; wait "$NS_HELPER" || rc=$?
  assert_equal "$rc" 0
  grep -q "outside supervision still running at the grace deadline: sending SIGKILL" "$T/svscan.err"
}

@test "pid1: a critical service's exit code and signal become the namespace's" {
  d=$(make_service main 'exit 42')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  touch "$d/critical"
  make_service other >/dev/null
  rc=0 ; pidns -r "$T/report" svscan -t 0 "$SVDIR" 2>/dev/null || rc=$?
  assert_equal "$rc" 42
  assert_equal "$(cat "$T/report")" "exit 42"
  printf '#!/bin/sh\nkill -KILL $$\n' > "$d/run"
  rc=0 ; pidns -r "$T/report" svscan -t 0 "$SVDIR" 2>/dev/null || rc=$?
  assert_equal "$rc" 137
  assert_equal "$(cat "$T/report")" "exit 137"
}

@test "pid1: SIGINT (Ctrl-C) stops the tree too" {
  make_service web >/dev/null
  start_pid1 -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/web"
  kill -INT "$NS_PID"
  rc=0 ; wait "$NS_HELPER" || rc=$?
  assert_equal "$rc" 0
  grep -q "SIGINT received: stopping the tree" "$T/svscan.err"
}
