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

@test "svok: for a reader, only a lock on supervise/lock counts, and without /proc/locks the refusal stands" {
  d=$(make_service web)
  start_supervise "$d"
  chmod 755 "$T" "$SVDIR" "$d"
  chmod 711 "$d/supervise"
  svc -dx "$d"
  wait_for 5 dead "$SUPERVISE_PID"
  # supervise gone; a lock held on another file of the same directory is not its lock
  touch "$d/supervise/other"
  # (setlock execs the holder: the pid to clean up is the one that holds the lock)
  setlock "$d/supervise/other" sleep 1000 &
  h=$! ; track_pid "$h"
  wait_for 5 grep -q ":$(stat -c %i "$d/supervise/other") " /proc/locks
  run setpriv --reuid=65534 --regid=65534 --clear-groups svok "$d"
  assert_failure 100
  # a lock on supervise/lock is
  setlock "$d/supervise/lock" sleep 1000 &
  l=$! ; track_pid "$l"
  wait_for 5 grep -q ":$(stat -c %i "$d/supervise/lock") " /proc/locks
  run setpriv --reuid=65534 --regid=65534 --clear-groups svok "$d"
  assert_success
  # /proc/locks unreadable (a mode 0000 file bound over it in a private mount namespace; the
  # rest of /proc stays, ASan reads it): no answer, so still "denied"
  install -m 0000 /dev/null "$T/nolocks"
  run unshare -m sh -c 'mount --bind "$2" /proc/locks && exec setpriv --reuid=65534 --regid=65534 --clear-groups svok "$1"' sh "$d" "$T/nolocks"
  assert_failure 111
  assert_output "svok: fatal: unable to open $d/supervise/ok: Permission denied"
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
