#!/usr/bin/env bats
# Who can do what (issue 15 item 5, doc/security.md): the files supervise and svscan make are
# their user's alone; another user's clients are refused at once with 111 and change nothing.
# The other user is an account the test creates (tests/helpers/user.bash) and removes after.

load helpers/common
load helpers/user

setup () {
  tend_setup
  other_user_setup
  command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
  chmod 755 "$SVDIR"
}
teardown () { other_user_teardown ; tend_teardown ; }

# owner uid and mode of each of supervise's files in DIR
modes () {
  local f
  for f in supervise supervise/control supervise/ok supervise/lock supervise/event ; do
    echo "$f $(stat -c '%u %a' "$1/$f")"
  done
}

@test "permissions: supervise/, control, ok, lock, event/ belong to supervise's user, root or not, and nobody else can write them" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_up "$d"
  run modes "$d"
  assert_output "supervise 0 700
supervise/control 0 600
supervise/ok 0 600
supervise/lock 0 600
supervise/event 0 700"
  # the same for a supervise run as an unprivileged user, on a service dir of its own
  d2=$(make_service other)
  chown -R "$UID_U" "$d2"
  as_user supervise "$d2" 2>>"$T/other.err" &
  p=$!
  track_pid "$p"
  wait_for 5 svok "$d2"
  wait_for 5 is_up "$d2"
  run modes "$d2"
  assert_output "supervise $UID_U 700
supervise/control $UID_U 600
supervise/ok $UID_U 600
supervise/lock $UID_U 600
supervise/event $UID_U 700"
  # and that user's svc works on its own service, not on root's
  as_user svc -d -wd -T 5000 "$d2"
  run as_user svc -d "$d"
  assert_failure 111
  run cat "$T/other.err"
  assert_output ""
}

@test "permissions: another user's svc on a root service: permission denied, 111, and nothing changes" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_up "$d"
  # the other user may see the service dir, not inside supervise/
  chmod 755 "$d"
  pid=$(svpid "$d")
  sum=$(md5sum < "$d/supervise/status")
  for o in u d o p c h a i t k q 1 2 r U D x ; do
    run as_user svc "-$o" "$d"
    assert_failure 111
    assert_output "svc: warning: unable to control $d: Permission denied"
  done
  run as_user svc -r -wr -T 2000 "$d"
  assert_failure 111
  run test -e "$d/down"
  assert_failure
  # same process, same status bytes, no FIFO left in event/, supervise still there
  assert_equal "$(svpid "$d")" "$pid"
  assert_equal "$(md5sum < "$d/supervise/status")" "$sum"
  run ls -A "$d/supervise/event"
  assert_output ""
  run kill -0 "$SUPERVISE_PID"
  assert_success
  run is_up "$d"
  assert_success
}

@test "permissions: svstat and svok answer whoever may read supervise/, through the kernel's lock table; svwait and control stay the owner's" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_up "$d"
  chmod 755 "$d"
  # supervise/ is 0700: nobody else may look
  run as_user svstat "$d"
  assert_failure 111
  assert_output "$d: unable to open supervise/ok: Permission denied"
  run as_user svok "$d"
  assert_failure 111
  run as_user svwait -u -t 2000 "$d"
  assert_failure 111
  # an administrator lets group 65534 read supervise/: the files are 0644, readable then
  chgrp 65534 "$d/supervise"
  chmod 750 "$d/supervise"
  run as_user cat "$d/supervise/stat"
  assert_success
  assert_output "run, ready"
  run as_user cat "$d/supervise/pid"
  assert_output "$(svpid "$d")"
  run as_user od -An -tx1 -N1 -j20 "$d/supervise/status"
  assert_output " 01"
  # ok stays 0600, so svstat and svok cannot write it: they find supervise's lock in
  # /proc/locks instead, and say what the owner's svstat says
  run as_user svstat "$d"
  assert_success
  assert_output --regexp "^$d: up \(pid $(svpid "$d")\) [0-9]+ seconds\$"
  run as_user svstat -l "$d"
  assert_success
  assert_output --partial ", state ready,"
  run as_user svok "$d"
  assert_success
  # controlling needs control: still the owner's
  run as_user svc -d "$d"
  assert_failure 111
  run is_up "$d"
  assert_success
  # a wait already met needs nothing more than the status
  run as_user svwait -u -t 2000 "$d"
  assert_success
  # one not met yet cannot put its FIFO in event/: it polls the status, as for a peer's
  # supervise, and sees the owner's svc -d
  run as_user svwait -d -t 300 "$d"
  assert_failure 1
  as_user svwait -d -t 10000 "$d" 2>"$T/wait.err" &
  w=$! ; track_pid "$w"
  wait_for 5 pgrep -P "$w" -x svwait
  svc -d "$d"
  RC=0 ; wait "$w" || RC=$?
  assert_equal "$RC" 0
  run ls "$d/supervise/event"
  assert_output ""
  # supervise gone, its lock with it: not running, as the owner would be told
  svc -dx "$d"
  wait_for 5 dead "$SUPERVISE_PID"
  run as_user svstat "$d"
  assert_success
  assert_output "$d: supervise not running"
  run as_user svok "$d"
  assert_failure 100
  # the mode an administrator chose for reading is kept by the next supervise
  start_supervise "$d"
  assert_equal "$(stat -c '%g %a' "$d/supervise")" "65534 750"
  run svstat "$d"
  assert_success
  run as_user svok "$d"
  assert_success
}

@test "permissions: .svscan/, its control and lock belong to svscan's user; a foreign or loose one is repaired, a planted link never followed" {
  mkdir -m 0777 "$SVDIR/.svscan"
  chown "$UID_U" "$SVDIR/.svscan"
  as_user mkfifo -m 0666 "$SVDIR/.svscan/control"
  as_user ln -s "$T/created-by-root" "$SVDIR/.svscan/lock"
  start_svscan "$SVDIR"
  wait_for 5 test -p "$SVDIR/.svscan/control"
  wait_for 5 bash -c "[ \"\$(stat -c %u '$SVDIR/.svscan/control')\" = 0 ]"
  assert_equal "$(stat -c '%u %a' "$SVDIR/.svscan")" "0 700"
  assert_equal "$(stat -c '%u %a %F' "$SVDIR/.svscan/control")" "0 600 fifo"
  assert_equal "$(stat -c '%u %a %F' "$SVDIR/.svscan/lock")" "0 600 regular empty file"
  run test -e "$T/created-by-root"
  assert_failure
  run cat "$T/svscan.err"
  assert_output --partial "svscan: warning: $SVDIR/.svscan was owned by uid $UID_U: taking it over (owner uid 0, mode 0700)"
  assert_output --partial "svscan: warning: $SVDIR/.svscan/lock is not a regular file of ours: replacing it"
  assert_output --partial "svscan: warning: $SVDIR/.svscan/control is not a FIFO of ours: replacing it"
  # the other user cannot stop the tree
  run as_user svscanctl -t "$SVDIR"
  assert_failure 111
  assert_output --partial "Permission denied"
  run kill -0 "$SVSCAN_PID"
  assert_success
}

@test "permissions: svscan as another user refuses a .svscan/ it does not own; root's loose one is set to 0700" {
  mkdir -m 0777 "$SVDIR/.svscan"
  mkfifo -m 0622 "$SVDIR/.svscan/control"
  chmod 1777 "$SVDIR"
  run timeout 5 setpriv --reuid="$UID_U" --regid=65534 --clear-groups svscan "$SVDIR"
  assert_failure 111
  assert_output "svscan: fatal: unable to use $SVDIR/.svscan: it is owned by uid 0, not by uid $UID_U: remove it, or run svscan as its owner"
  chmod 755 "$SVDIR"
  start_svscan "$SVDIR"
  wait_for 5 grep -q "control had mode" "$T/svscan.err"
  assert_equal "$(stat -c '%a' "$SVDIR/.svscan")" 700
  assert_equal "$(stat -c '%a' "$SVDIR/.svscan/control")" 600
  run cat "$T/svscan.err"
  assert_output "svscan: warning: $SVDIR/.svscan had mode 0777 (others could stop the tree): setting it to 0700
svscan: warning: $SVDIR/.svscan/control had mode 0622: setting it to 0600"
}

@test "permissions: a .svscan/finish another user left is not run at svscan's exit" {
  mkdir -m 0700 "$SVDIR/.svscan"
  printf '#!/bin/sh\ntouch %s/finish-ran\n' "$T" > "$SVDIR/.svscan/finish"
  chmod 755 "$SVDIR/.svscan/finish"
  chown "$UID_U" "$SVDIR/.svscan/finish"
  start_svscan "$SVDIR"
  # running once it reads its control FIFO (the FIFO alone may be the last run's)
  wait_for 10 svscanctl -a "$SVDIR"
  svscanctl -t "$SVDIR"
  wait_for 10 dead "$SVSCAN_PID"
  run test -e "$T/finish-ran"
  assert_failure
  run cat "$T/svscan.err"
  assert_output --partial "svscan: warning: not running ./.svscan/finish: it is owned by uid $UID_U"
  # root's own is run
  chown 0 "$SVDIR/.svscan/finish"
  start_svscan "$SVDIR"
  # running once it reads its control FIFO (the FIFO alone may be the last run's)
  wait_for 10 svscanctl -a "$SVDIR"
  svscanctl -t "$SVDIR"
  wait_for 10 dead "$SVSCAN_PID"
  run test -e "$T/finish-ran"
  assert_success
}
