#!/usr/bin/env bats
# svc: control bytes, exit codes, name resolution, waiting.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

nlines () { [ -f "$1" ] && [ "$(wc -l < "$1")" = "$2" ] ; }

@test "svc: usage: an unknown option or no service exits 100" {
  run svc -Z x
  assert_failure 100
  assert_output --partial "svc: usage: svc"
  run svc -d
  assert_failure 100
  run svc -w z x
  assert_failure 100
  run svc -T 100 x
  assert_failure 100
}

@test "svc: a service without supervisor: a warning and exit 111 (daemontools exits 0)" {
  d=$(make_service web)
  mkdir -p "$d/supervise" && mkfifo "$d/supervise/control"
  run svc -u "$d"
  assert_failure 111
  assert_output "svc: warning: unable to control $d: supervise not running"
  run svc -u "$T/none"
  assert_failure 111
  assert_output "svc: warning: unable to control $T/none: No such file or directory"
}

@test "svc: 0 only if every service got the command; the others still get it" {
  a=$(make_service a) ; b=$(make_service b)
  touch "$a/down" "$b/down"
  start_supervise "$a"
  start_supervise "$b"
  run svc -u "$a" "$T/missing" "$b"
  assert_failure 111
  wait_for 5 has_pid "$a"
  wait_for 5 has_pid "$b"
  run svc -d "$a" "$b"
  assert_success
  assert_output ""
}

@test "svc: bare names resolve under \$SVDIR" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  cd "$T"
  run svc -d web
  assert_success
  wait_for 5 no_pid "$d"
}

@test "svc: without \$SVDIR, bare names resolve in the recorded live scan dir" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  mkdir -p "$TEND_RUNDIR"
  ln -s "$SVDIR" "$TEND_RUNDIR/scandir"
  cd "$T"
  SVDIR= run svc -d web
  assert_success
  wait_for 5 no_pid "$d"
}

@test "svc: -wd sends and waits until down; -wu until up; -wr until a new pid" {
  d=$(make_service web)
  start_supervise "$d"
  run svc -u -wU "$d"
  assert_success
  has_pid "$d"
  pid=$(svpid "$d")
  run svc -d -wd "$d"
  assert_success
  no_pid "$d"
  run svc -u -wu "$d"
  assert_success
  has_pid "$d"
  pid=$(svpid "$d")
  run svc -r -wr -T 5000 "$d"
  assert_success
  [ "$(svpid "$d")" != "$pid" ] && has_pid "$d"
}

@test "svc: -w alone sends nothing; a timeout exits 1 and names the service" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  run svc -wd -T 200 "$d"
  assert_failure 1
  assert_output "svc: warning: $d did not become down: timed out"
  has_pid "$d"
}

@test "svc: waiting for up ends at once with 1 when the service fails for good" {
  # run cannot be executed: it never comes up, and dies twice
  d=$(make_service web 'exit 3')
  chmod -x "$d/run"
  touch "$d/down"
  echo "1 1000" > "$d/max-restarts"
  echo "10 20" > "$d/restart-delay"
  start_supervise "$d"
  run svc -u -wu -T 10000 "$d"
  assert_failure 1
  assert_output "svc: warning: $d did not become up: failed for good"
}

@test "svc: letters are sent once each, in order of first appearance" {
  d=$(make_service web 'trap "echo HUP >> sigs" HUP ; trap "echo ALRM >> sigs" ALRM ; touch armed ; while : ; do sleep 0.05 ; done')
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -hah "$d"
  wait_for 5 nlines "$d/sigs" 2
  run cat "$d/sigs"
  assert_output "$(printf 'HUP\nALRM')"
}

# fill FIFO $1 to the brim through a non-blocking writer (the caller holds a reader open)
fill_fifo () {
  python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
try:
    while True: os.write(fd, b"\0" * 4096)
except BlockingIOError:
    pass
try:
    while True: os.write(fd, b"\0")
except BlockingIOError:
    pass
' "$1"
}

@test "svc: a control FIFO whose reader does not read fails at once, never hangs" {
  d=$(make_service web)
  mkdir -p "$d/supervise" && mkfifo "$d/supervise/control"
  # a reader that never reads: this shell, read-write so the open cannot block
  exec 8<>"$d/supervise/control"
  fill_fifo "$d/supervise/control"
  run timeout 10 svc -u "$d"
  exec 8<&-
  assert_failure 111
  assert_output "svc: warning: unable to control $d: supervise/control is full: supervise is not reading it"
}

@test "svc: a control that is not a FIFO is refused; permission denied is said" {
  d=$(make_service web)
  mkdir -p "$d/supervise" && : > "$d/supervise/control"
  run svc -u "$d"
  assert_failure 111
  assert_output "svc: warning: unable to control $d: supervise/control is not a FIFO"
  assert_equal "$(stat -c %s "$d/supervise/control")" 0
  [ "$(id -u)" = 0 ] || skip "needs root to act as another user"
  rm "$d/supervise/control"
  start_supervise "$d"
  chmod 755 "$T" "$SVDIR" "$d" "$d/supervise"
  run setpriv --reuid=65534 --regid=65534 --clear-groups svc -d "$d"
  assert_failure 111
  assert_output "svc: warning: unable to control $d: Permission denied"
}

@test "svc, svstat, svok, svwait: NAME/log is the logger of the service NAME in the scan dir" {
  d=$(make_service web)
  mkdir "$d/log" && printf '#!/bin/sh\nexec sleep 1000\n' > "$d/log/run" && chmod +x "$d/log/run"
  start_supervise "$d/log"
  cd "$T"
  [ ! -e web/log ]
  run svc -d web/log
  assert_success
  assert_output ""
  wait_for 5 no_pid "$d/log"
  run svstat web/log
  assert_success
  assert_output --regexp "^web/log: down [0-9]+ seconds, normally up$"
  run svok web/log
  assert_success
  run svwait -d -t 5000 web/log
  assert_success
  run svc -u -wu -T 5000 web/log
  assert_success
  # a path that exists from here is still a path: the scan dir is not looked at
  mkdir -p "$T/here/web/log/supervise" && mkfifo "$T/here/web/log/supervise/control"
  cd "$T/here"
  run svc -d web/log
  assert_failure 111
  assert_output "svc: warning: unable to control web/log: supervise not running"
  # only NAME/log: other paths stay paths
  run svc -d web/other
  assert_failure 111
  assert_output "svc: warning: unable to control web/other: No such file or directory"
}

@test "svc: a control that is a symbolic link is never followed (another service's FIFO stays untouched)" {
  a=$(make_service a)
  b=$(make_service b)
  start_supervise "$b"
  mkdir -p "$a/supervise"
  ln -s "$b/supervise/control" "$a/supervise/control"
  run svc -d "$a"
  assert_failure 111
  assert_output --partial "svc: warning: unable to control $a: "
  # b got nothing. Evidence first: a later byte to b (pause) is processed, so a 'd' written
  # before it would have been too
  pid=$(svpid "$b")
  run svc -p "$b"
  assert_success
  wait_for 5 sh -c "svstat '$b' | grep -q paused"
  run svstat "$b"
  assert_output --partial "up (pid $pid)"
  refute_output --partial "want down"
  run svc -c "$b"
  assert_success
}
