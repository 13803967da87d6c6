#!/usr/bin/env bats
# notification-fd: a service that streams bytes without a newline costs supervise nothing.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "notification-fd: a stream without a newline is read up to 4096 bytes, then no longer listened to" {
  d=$(make_service web 'trap "" PIPE ; while printf xxxxxxxx >&3 2>/dev/null ; do : ; done ; echo closed > out ; exec sleep 1000')
  echo 3 > "$d/notification-fd"
  start_supervise "$d"
  wait_for 10 grep -q "warning: notification-fd: 4096 bytes without a newline: no longer listening" "$T/supervise.err"
  # the service saw its fd closed (EPIPE), and lives on, up but not ready
  wait_for 5 test -s "$d/out"
  run svstat -l "$d"
  assert_output --partial ", state up"
  # supervise sleeps from now on: its CPU time over one second (a rate: measured over time)
  c0=$(cpu_ticks "$SUPERVISE_PID")
  sleep 1
  c1=$(cpu_ticks "$SUPERVISE_PID")
  echo "supervise used $((c1 - c0)) ticks in 1 s" >&2
  [ $((c1 - c0)) -le 2 ]
}
