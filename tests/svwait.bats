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
