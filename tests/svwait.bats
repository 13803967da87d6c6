#!/usr/bin/env bats
# svwait: waits without sending; never hangs on a planted file; fails at once without permission.

load helpers/common
load helpers/user

setup () { tend_setup ; }
teardown () { other_user_teardown ; tend_teardown ; }

@test "svwait: a FIFO as supervise/status never hangs: the timeout holds" {
  d=$(make_service web)
  mkdir -p "$d/supervise"
  mkfifo "$d/supervise/ok" "$d/supervise/status"
  exec 8<>"$d/supervise/ok"
  run timeout 10 svwait -u -t 300 "$d"
  exec 8<&-
  assert_failure 1
  assert_output "svwait: warning: $d did not become up: timed out"
}

@test "svwait: without permission it fails at once with 111, not at its timeout" {
  other_user_setup
  d=$(make_service web)
  start_supervise "$d"
  chmod 755 "$T" "$SVDIR" "$d"
  # supervise/ stays 0700: the other user can see the service dir, not its supervisor
  start=$(date +%s%N)
  run as_user svwait -d -t 5000 "$d"
  took=$(( ($(date +%s%N) - start) / 1000000 ))
  assert_failure 111
  assert_output "svwait: fatal: unable to open $d/supervise/ok: Permission denied"
  [ "$took" -lt 4000 ]
}

@test "svwait: a service whose supervisor is not there yet is still waited for" {
  d=$(make_service web)
  svwait -u -t 5000 "$d" &
  w=$! ; track_pid "$w"
  start_supervise "$d"
  RC=0 ; wait "$w" || RC=$?
  assert_equal "$RC" 0
}

@test "svwait: up, then exec the program" {
  d=$(make_service web)
  start_supervise "$d"
  run svwait -U -t 5000 "$d" -- echo ready
  assert_success
  assert_output "ready"
}

nwaiters () { [ "$(ls "$1/supervise/event" | grep -c '^tend-wait:')" -ge "$2" ] ; }
pid_changed () { local n ; n=$(svpid "$1") ; [ -n "$n" ] || return 1 ; [ "$n" != "$2" ] ; }

@test "svwait -d: a service that went down and came straight back counts as down (the event saw it)" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_up "$d"
  old=$(svpid "$d")
  svwait -d -t 30000 "$d" 2>"$T/svwait.err" &
  w=$! ; track_pid "$w"
  wait_for 5 nwaiters "$d" 1
  # frozen while the service goes down and back up: the status it reads next says up again,
  # only the events in its FIFO say it was down (make demo's "svc -t web ; svwait -d web")
  kill -STOP "$w"
  svc -t "$d"
  wait_for 10 pid_changed "$d" "$old"
  wait_for 10 is_up "$d"
  kill -CONT "$w"
  wait_for 10 dead "$w"
  RC=0 ; wait "$w" || RC=$?
  assert_equal "$RC" 0
  run cat "$T/svwait.err"
  assert_output ""
}
