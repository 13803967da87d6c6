#!/usr/bin/env bats
# svwait: waits without sending; never hangs on a planted file; fails at once without permission.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

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
