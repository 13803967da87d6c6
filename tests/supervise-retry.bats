#!/usr/bin/env bats
# A status write that fails is retried a second later; the retry wakes the waiters again.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

nwaiters () { [ "$(ls "$1/supervise/event" | grep -c '^tend-wait:')" -ge "$2" ] ; }

@test "status retry: after a failed write, the rewrite a second later wakes the waiters" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_up "$d"
  # the next status write fails: status.new is a directory
  mkdir "$d/supervise/status.new"
  svc -d "$d"
  wait_for 5 grep -q "warning: unable to write supervise/status" "$T/supervise.err"
  # a waiter that comes now missed the d event and reads the stale status (up): only the events
  # the retry sends again with the rewritten files can wake it (a waiter subscribed before the
  # stop is woken by the d itself: svwait counts a state an event announced)
  svc -wd -T 8000 "$d" 2>"$T/waiter.err" &
  w=$!
  track_pid $w
  wait_for 5 nwaiters "$d" 1
  run svstat "$d"
  assert_output --partial ": up (pid "
  kill -0 $w
  t0=$(date +%s%N)
  rmdir "$d/supervise/status.new"
  rc=0 ; wait $w || rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "waiter woke $ms ms after the fix" >&2
  assert_equal "$rc" 0
  [ "$ms" -lt 3000 ]
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds, normally up$"
}
