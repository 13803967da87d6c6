#!/usr/bin/env bats
# ./check: killed when it runs longer than timeout-check; its verdict counts for its own run only.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "timeout-check: a hung check is killed with what it started; the next one makes the service ready" {
  d=$(make_service web)
  # the first check hangs in a child (a curl without a timeout); later ones succeed
  printf '#!/bin/sh\nif [ ! -e hung ] ; then touch hung ; sleep 1000 & echo $! > child ; wait ; fi\nexit 0\n' > "$d/check"
  chmod +x "$d/check"
  echo 300 > "$d/timeout-check"
  echo 20 > "$d/check-interval"
  start_supervise "$d"
  run svc -wU -T 5000 "$d"
  assert_success
  grep -q "supervise $d: warning: ./check still running after 300 ms: killing it" "$T/supervise.err"
  wait_for 5 dead "$(cat "$d/child")"
}

@test "timeout-check: 0 means never" {
  d=$(make_service web)
  printf '#!/bin/sh\necho $$ > checkpid\nexec sleep 1000\n' > "$d/check" ; chmod +x "$d/check"
  echo 0 > "$d/timeout-check"
  start_supervise "$d"
  wait_for 5 test -s "$d/checkpid"
  run svc -wU -T 800 "$d"
  assert_failure 1
  kill -0 "$(cat "$d/checkpid")"
  run grep -c "still running" "$T/supervise.err"
  assert_output 0
}

@test "check generation: a check that outlives its run does not make the next run ready" {
  d=$(make_service web)
  # the first check (run 1's) waits for a release, then says ready; every later one says not
  # ready, leaving a mark, so the test knows when one ran
  printf '#!/bin/sh\nif [ ! -e first ] ; then touch first ; while [ ! -e release ] ; do sleep 0.05 ; done ; exit 0 ; fi\necho >> later\nexit 1\n' > "$d/check"
  chmod +x "$d/check"
  echo 20 > "$d/check-interval"
  echo 0 > "$d/timeout-check"
  echo "10 20" > "$d/restart-delay"
  # supervise's kill() fails, so the check it would kill at the run's death lives on into the
  # next run, as one that had already exited but was not yet reaped would
  sysfail kill=EPERM -- supervise "$d" 2>>"$T/supervise.err" &
  track_pid $!
  wait_for 5 svok "$d"
  wait_for 5 test -e "$d/first"
  p=$(svpid "$d")
  kill -KILL "$p"
  wait_for 5 eval 'svstat -l "$d" | grep -q "state up" && [ "$(svpid "$d")" != "$p" ]'
  touch "$d/release"
  # run 2's own check runs only once run 1's is reaped: its mark is evidence the old verdict
  # was read (a wrongly accepted verdict makes the run ready, and no check runs again)
  wait_for 5 eval 'test -s "$d/later" || svstat -l "$d" | grep -q "state ready"'
  run svstat -l "$d"
  assert_output --regexp ', state up,'
}
