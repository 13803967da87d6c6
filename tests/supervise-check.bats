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
