#!/usr/bin/env bats
# svok: 0 running, 100 not running, 111 error.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "svok: usage exits 100" {
  run svok
  assert_failure 100
  assert_output --partial "svok: usage: svok service"
}

@test "svok: 0 while supervise runs, 100 after it exits" {
  d=$(make_service web)
  start_supervise "$d"
  run svok "$d"
  assert_success
  assert_output ""
  svc -dx "$d"
  wait_for 5 bash -c "! kill -0 $SUPERVISE_PID 2>/dev/null"
  run svok "$d"
  assert_failure 100
  assert_output ""
}

@test "svok: a directory that was never supervised is 100" {
  d=$(make_service web)
  run svok "$d"
  assert_failure 100
}

@test "svok: permission trouble is 111 with a message" {
  d=$(make_service web)
  start_supervise "$d"
  chmod 755 "$T" "$SVDIR" "$d"
  # supervise/ is 0700: neither ok nor lock can be reached
  run setpriv --reuid=65534 --regid=65534 --clear-groups svok "$d"
  assert_failure 111
  assert_output "svok: fatal: unable to open $d/supervise/ok: Permission denied"
  # search on supervise/ reaches lock (and status): the kernel's lock table answers
  chmod 711 "$d/supervise"
  run setpriv --reuid=65534 --regid=65534 --clear-groups svok "$d"
  assert_success
  assert_output ""
}

@test "svok: bare names resolve under \$SVDIR" {
  d=$(make_service web)
  start_supervise "$d"
  cd "$T"
  run svok web
  assert_success
}

@test "svok: a supervise/ok that is not a FIFO is an error (111), not 'running'" {
  d=$(make_service web)
  mkdir -p "$d/supervise"
  : > "$d/supervise/ok"
  run svok "$d"
  assert_failure 111
  assert_output "svok: fatal: unable to open $d/supervise/ok: not a FIFO"
}
