#!/usr/bin/env bats
# supervise run as root on a service directory another user can write: what that user plants
# in supervise/ (symlinks, a 0777 directory, a 0666 control FIFO) must give them nothing.
# The other user is an account the test creates (tests/helpers/user.bash) and removes after.

load helpers/common
load helpers/user

setup () {
  tend_setup
  [ "$(id -u)" = 0 ] || skip "needs root (to run supervise as root beside an unprivileged uid)"
  command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
  other_user_setup
  OTHER=$UID_U
  # a sticky, world-writable service dir: the other user can create entries, not replace ours
  chmod 755 "$T" "$SVDIR"
}
teardown () { other_user_teardown ; tend_teardown ; }

as_other () { setpriv --reuid=$OTHER --regid=$OTHER --clear-groups -- "$@" ; }

@test "security: planted status.new/stat.new/pid.new symlinks are never written through" {
  d=$(make_service web)
  chmod 1777 "$d"
  echo secret > "$T/target1" ; echo secret > "$T/target2" ; echo secret > "$T/target3"
  chmod 600 "$T/target1" "$T/target2" "$T/target3"
  as_other mkdir -m 0777 "$d/supervise"
  as_other ln -s "$T/target1" "$d/supervise/status.new"
  as_other ln -s "$T/target2" "$d/supervise/stat.new"
  as_other ln -s "$T/target3" "$d/supervise/pid.new"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  svc -d "$d"
  wait_for 5 no_pid "$d"
  run cat "$T/target1" "$T/target2" "$T/target3"
  assert_output "$(printf 'secret\nsecret\nsecret')"
  [ -f "$d/supervise/status" ]
  [ ! -L "$d/supervise/status" ]
  [ "$(stat -c %s "$d/supervise/status")" = 52 ]
  run cat "$T/supervise.err"
  assert_output --partial "supervise $d: warning: $d/supervise was owned by uid $OTHER: taking it over (owner uid 0, mode 0700)"
  assert_output --partial "supervise $d: warning: $d/supervise/status.new is not a regular file of ours: removing it"
}

@test "security: a planted 0777 supervise/ with a 0666 control FIFO does not let the other user control the service" {
  d=$(make_service web)
  chmod 1777 "$d"
  as_other mkdir -m 0777 "$d/supervise"
  as_other mkfifo -m 0666 "$d/supervise/control"
  as_other mkfifo -m 0666 "$d/supervise/ok"
  as_other mkdir -m 0777 "$d/supervise/event"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  assert_equal "$(stat -c '%u %a' "$d/supervise")" "0 700"
  assert_equal "$(stat -c '%u %a' "$d/supervise/control")" "0 600"
  assert_equal "$(stat -c '%u %a' "$d/supervise/ok")" "0 600"
  assert_equal "$(stat -c '%u %a' "$d/supervise/event")" "0 700"
  pid=$(svpid "$d")
  run as_other sh -c "echo d > '$d/supervise/control'"
  assert_failure
  run as_other svc -d "$d"
  assert_failure
  # root's own control still works, and the service was up all along
  svc -p "$d"
  wait_for 5 grep -q paused "$d/supervise/stat"
  assert_equal "$(svpid "$d")" "$pid"
  svc -c "$d"
  run cat "$T/supervise.err"
  assert_output --partial "$d/supervise/control is owned by uid $OTHER: replacing it"
  assert_output --partial "$d/supervise/ok is owned by uid $OTHER: replacing it"
}

@test "security: a supervise/ of ours with loose modes is tightened, with a warning" {
  d=$(make_service web)
  mkdir -m 0777 "$d/supervise"
  mkfifo -m 0666 "$d/supervise/control"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  assert_equal "$(stat -c %a "$d/supervise")" 700
  assert_equal "$(stat -c %a "$d/supervise/control")" 600
  run cat "$T/supervise.err"
  assert_output --partial "warning: $d/supervise had mode 0777 (others could control the service): setting it to 0700"
  assert_output --partial "warning: $d/supervise/control had mode 0666: setting it to 0600"
}

@test "security: a supervise symlink another user planted is not followed" {
  d=$(make_service web)
  chmod 1777 "$d"
  mkdir "$T/elsewhere"
  as_other ln -s "$T/elsewhere" "$d/supervise"
  # (a supervise that accepted it would run on: the timeout ends the test then)
  run timeout 5 supervise "$d"
  assert_failure 111
  assert_output "supervise $d: fatal: unable to use $d/supervise: it is a symbolic link owned by uid $OTHER: refusing to follow it"
  [ -z "$(ls -A "$T/elsewhere")" ]
}

@test "security: supervise run as another user refuses a supervise/ it does not own" {
  d=$(make_service web)
  mkdir -m 0755 "$d/supervise"
  chmod 777 "$d"
  run timeout 5 setpriv --reuid=$OTHER --regid=$OTHER --clear-groups -- supervise "$d"
  assert_failure 111
  assert_output "supervise $d: fatal: unable to use $d/supervise: it is owned by uid 0, not by uid $OTHER: remove it, or run supervise as its owner"
}

@test "security: a planted event/ entry that is a symlink or a regular file is never written" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  echo secret > "$T/target"
  ln -s "$T/target" "$d/supervise/event/tend-wait:1:1"
  echo keep > "$d/supervise/event/tend-wait:1:2"
  svc -d "$d"
  wait_for 5 no_pid "$d"
  # the stop's events went out (a waiter of ours sees them) before we look
  svc -u -wu -T 5000 "$d"
  assert_equal "$(cat "$T/target")" secret
  assert_equal "$(cat "$d/supervise/event/tend-wait:1:2")" keep
}

@test "security: svc -D does not truncate the target of a ./down symlink" {
  d=$(make_service web)
  echo secret > "$T/target"
  ln -s "$T/target" "$d/down"
  start_supervise "$d"
  svc -D "$d"
  svc -wd -T 5000 "$d"
  assert_equal "$(cat "$T/target")" secret
}

restarts_ge () { local r ; r=$(svstat -j "$1" | sed -n 's/.*"restarts":\([0-9]*\).*/\1/p') ; [ -n "$r" ] && [ "$r" -ge "$2" ] ; }

@test "security: a run that group or others can write draws a warning, once per file and mode, not at every restart" {
  d=$(make_service web "sleep 0.05 ; exit 1")
  echo "20 20" > "$d/restart-delay"
  chmod 0777 "$d/run"
  start_supervise "$d"
  wait_for 10 restarts_ge "$d" 5
  run grep -c "warning: ./run has mode" "$T/supervise.err"
  assert_output 1
  run grep "warning: ./run has mode" "$T/supervise.err"
  assert_output "supervise $d: warning: ./run has mode 0777: group or others can write it, and so choose what runs as uid 0"
  # group-writable only: another mode, another warning
  chmod 0775 "$d/run"
  wait_for 10 grep -q "./run has mode 0775" "$T/supervise.err"
  # as it should be: no more warnings
  chmod 0755 "$d/run"
  r=$(svstat -j "$d" | sed -n 's/.*"restarts":\([0-9]*\).*/\1/p')
  wait_for 10 restarts_ge "$d" $(( r + 3 ))
  run grep -c "warning: ./run has mode" "$T/supervise.err"
  assert_output 2
}

@test "security: a run only its owner can write draws no warning" {
  d=$(make_service web)
  chmod 0755 "$d/run"
  start_supervise "$d"
  wait_for 5 is_up "$d"
  run cat "$T/supervise.err"
  assert_output ""
}
