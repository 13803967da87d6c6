#!/usr/bin/env bats
# supervise: start-up, the supervise/ directory, control bytes, restarts, bad input.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

# a new, non-empty pid
pid_changed () { local p ; p=$(svpid "$1") ; [ -n "$p" ] && [ "$p" != "$2" ] ; }
# lines in a file
count () { [ -f "$1" ] && wc -l < "$1" || echo 0 ; }
at_least () { [ "$(count "$1")" -ge "$2" ] ; }

@test "supervise: usage errors exit 100" {
  run supervise
  assert_failure 100
  assert_output --partial "supervise: usage: supervise dir"
  run supervise a b
  assert_failure 100
}

@test "supervise: a missing directory is a clear error, exit 111" {
  run supervise "$T/nope"
  assert_failure 111
  assert_output "supervise: fatal: unable to chdir to $T/nope: No such file or directory"
}

@test "supervise: runs ./run NAME in a new session with the service dir as cwd" {
  d=$(make_service web 'echo "$0 $1 $$ $(ps -o sid= -p $$) $(ps -o pgid= -p $$) $PWD" > out ; exec sleep 1000')
  start_supervise "$d"
  wait_for 5 test -s "$d/out"
  read -r a0 a1 pid sid pgid cwd < "$d/out"
  assert_equal "$a0" "./run"
  assert_equal "$a1" "$d"
  assert_equal "$sid" "$pid"
  assert_equal "$pgid" "$pid"
  assert_equal "$cwd" "$d"
}

@test "supervise: creates supervise/ with lock, control, ok, status, stat, pid, event/" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  [ "$(stat -c %a "$d/supervise")" = 700 ]
  [ -p "$d/supervise/control" ]
  [ "$(stat -c %a "$d/supervise/control")" = 600 ]
  [ -p "$d/supervise/ok" ]
  [ "$(stat -c %a "$d/supervise/ok")" = 600 ]
  [ -f "$d/supervise/lock" ]
  [ "$(stat -c %a "$d/supervise/lock")" = 600 ]
  [ -d "$d/supervise/event" ]
  [ "$(stat -c %s "$d/supervise/status")" = 52 ]
  run cat "$d/supervise/stat"
  assert_output "run, ready"
  pid=$(svpid "$d")
  kill -0 "$pid"
  assert_equal "$(status_pid "$d")" "$pid"
}

@test "supervise: the status prefix is daemontools' and runit's layout" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  # bytes 0-7: TAI64 label, 2^62 + 10 + unix time, big-endian
  label=$(od -An -tx1 -N8 "$d/supervise/status" | tr -d ' \n')
  secs=$(( 16#${label} - (1 << 62) - 10 ))
  now=$(date +%s)
  [ $((now - secs)) -ge 0 ]
  [ $((now - secs)) -le 5 ]
  # bytes 12-15: pid, little-endian
  le=$(od -An -tu4 --endian=little -j12 -N4 "$d/supervise/status" | tr -d ' ')
  assert_equal "$le" "$pid"
  # byte 16 paused, 17 want, 18 got TERM, 19 state, 20 version
  run od -An -tx1 -j16 -N5 "$d/supervise/status"
  assert_output " 00 75 00 01 01"
}

@test "supervise: a second supervise on the same dir exits 100 and names the lock" {
  d=$(make_service web)
  start_supervise "$d"
  run supervise "$d"
  assert_failure 100
  assert_output --partial "unable to lock $d/supervise/lock: another supervisor is running"
}

@test "supervise: the flock is visible to flock(1), as daemontools and runit take it" {
  d=$(make_service web)
  start_supervise "$d"
  run flock -n "$d/supervise/lock" true
  assert_failure
}

@test "supervise: no run script: warns with the reason, stays up, starts it once it appears" {
  skip_under_valgrind "valgrind runs vfork as fork: the exec error the child leaves in shared memory never reaches supervise"
  mkdir -p "$SVDIR/web"
  d=$SVDIR/web
  cat > "$d/restart-delay" <<< "100 200"
  start_supervise "$d"
  wait_for 5 grep -q "unable to spawn ./run: No such file or directory" "$T/supervise.err"
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds, normally up, want up$"
  svok "$d"
  printf '#!/bin/sh\nexec sleep 1000\n' > "$d/run.tmp" ; chmod +x "$d/run.tmp" ; mv "$d/run.tmp" "$d/run"
  wait_for 5 grep -qx "run, ready" "$d/supervise/stat"
}

@test "supervise: run not executable: the reason is reported and the start retried" {
  skip_under_valgrind "valgrind runs vfork as fork: the exec error the child leaves in shared memory never reaches supervise"
  d=$(make_service web)
  chmod -x "$d/run"
  echo "100 200" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 grep -q "supervise $d: warning: unable to spawn ./run: Permission denied" "$T/supervise.err"
  chmod +x "$d/run"
  wait_for 5 has_pid "$d"
}

@test "supervise: run is a directory: reported, retried, supervise stays" {
  skip_under_valgrind "valgrind runs vfork as fork: the exec error the child leaves in shared memory never reaches supervise"
  mkdir -p "$SVDIR/web/run"
  d=$SVDIR/web
  start_supervise "$d"
  wait_for 5 grep -q "unable to spawn ./run: Permission denied" "$T/supervise.err"
  kill -0 "$SUPERVISE_PID"
  run svstat -l "$d"
  assert_output --partial "exec failed"
}

@test "supervise: a regular file in place of supervise/control is replaced at start" {
  d=$(make_service web)
  mkdir -p "$d/supervise"
  echo junk > "$d/supervise/control"
  start_supervise "$d"
  [ -p "$d/supervise/control" ]
  grep -q "supervise/control exists and is not a FIFO: replacing it" "$T/supervise.err"
  svc -d "$d"
  wait_for 5 no_pid "$d"
}

@test "supervise: control replaced by a regular file while running: svc refuses, exit 111" {
  d=$(make_service web)
  start_supervise "$d"
  rm "$d/supervise/control" ; echo junk > "$d/supervise/control"
  run svc -d "$d"
  assert_failure 111
  assert_output "svc: warning: unable to control $d: supervise/control is not a FIFO"
  [ "$(cat "$d/supervise/control")" = junk ]
}

@test "supervise: unwritable service dir is a clear error" {
  d=$(make_service web)
  chmod 755 "$T" "$SVDIR"
  chmod 555 "$d"
  run setpriv --reuid=65534 --regid=65534 --clear-groups supervise "$d"
  assert_failure 111
  assert_output "supervise $d: fatal: unable to mkdir $d/supervise: Permission denied"
}

@test "supervise: an overlong path is a clear error" {
  long=$(printf 'x%.0s' $(seq 1 5000))
  run supervise "$T/$long"
  assert_failure 111
  assert_output --partial "fatal: unable to chdir to $T/xxxx"
  # ENAMETOOLONG's text is the C library's: glibc's, then musl's
  assert_output --regexp "(File name too long|Filename too long)$"
}

@test "supervise: a run script that exits at once is throttled; supervise uses next to no CPU" {
  d=$(make_service web 'date +%s%N >> starts ; exit 1')
  start_supervise "$d"
  # the delays double: 1 s, then 2 s: a third start is due 3 s after the first (the times the
  # starts wrote, not when the test saw them: a slow supervise, under valgrind, is seen late)
  wait_for 10 at_least "$d/starts" 3
  mapfile -t s < "$d/starts"
  el=$(( (s[2] - s[0]) / 1000000 ))
  [ "$el" -ge 2700 ]
  n=$(count "$d/starts")
  [ "$n" -le 4 ]
  # utime + stime of supervise, in clock ticks (100/s): far below 0.1 s (not under valgrind,
  # whose own start-up and translation of the program are in that count)
  if [ "$TEND_VALGRIND" != 1 ] ; then
    [ "$(cpu_ticks "$SUPERVISE_PID")" -le 10 ]
  fi
}

@test "supervise: a service that ran longer than 2*MIN restarts at once after a kill" {
  # the run script marks when it has run 1.1 s (> 2*MIN = 1 s); MIN is large so that the bound
  # below tells "at once" from "after MIN" even on a loaded machine
  d=$(make_service web 'echo x >> starts ; sleep 1.1 ; touch ran ; exec sleep 1000')
  echo "500 5000" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 test -e "$d/ran"
  pid=$(svpid "$d")
  rm "$d/ran"
  t0=$(date +%s%N)
  kill -KILL "$pid"
  wait_for 2 at_least "$d/starts" 2
  t1=$(date +%s%N)
  # restarted at once: well under MIN (500 ms), not after a backoff
  [ $(( (t1 - t0) / 1000000 )) -lt 400 ]
}

@test "supervise: d sends TERM then CONT to the group and keeps it down; u brings it back" {
  d=$(make_service web 'trap "echo term >> sigs ; exit 0" TERM ; sleep 1000 & wait')
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  svc -d "$d"
  wait_for 5 no_pid "$d"
  grep -q term "$d/sigs"
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds, normally up$"
  od -An -tx1 -j17 -N1 "$d/supervise/status" | grep -q 64
  svc -u "$d"
  wait_for 5 has_pid "$d"
}

@test "supervise: a stop the service ignores is published within 20 ms, not held for a death" {
  d=$(make_service stubborn 'trap "" TERM ; touch armed ; while : ; do sleep 0.05 ; done')
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  pid=$(svpid "$d")
  svc -d "$d"
  wait_for 1 grep -qx "run, got TERM, want down" "$d/supervise/stat"
  run svstat "$d"
  assert_output --regexp "^$d: up \(pid $pid\) [0-9]+ seconds, want down$"
  od -An -tx1 -j17 -N2 "$d/supervise/status" | grep -q "64 01"
  svc -k "$d"
  wait_for 5 no_pid "$d"
  assert_equal "$(cat "$d/supervise/stat")" "down"
}

@test "supervise: a run script's children do not outlive it after d" {
  d=$(make_service web 'sleep 1001 & sleep 1002 & echo $! > child ; exec sleep 1000')
  start_supervise "$d"
  wait_for 5 test -s "$d/child"
  child=$(cat "$d/child")
  kill -0 "$child"
  svc -d "$d"
  wait_for 5 no_pid "$d"
  wait_for 5 bash -c "! kill -0 $child 2>/dev/null"
  run pgrep -f 'sleep 100[12]'
  refute_output --partial "$child"
}

@test "supervise: o runs once: byte 17 is 0, the service is not restarted" {
  d=$(make_service web 'echo x >> starts ; exec sleep 1000')
  touch "$d/down"
  start_supervise "$d"
  svc -o "$d"
  wait_for 5 has_pid "$d"
  wait_for 5 test -s "$d/starts"
  od -An -tx1 -j17 -N1 "$d/supervise/status" | grep -q 00
  pid=$(svpid "$d")
  kill "$pid"
  wait_for 5 no_pid "$d"
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds$"
  [ "$(count "$d/starts")" = 1 ]
}

@test "supervise: p and c stop and continue the service" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  svc -p "$d"
  wait_for 5 grep -q '^State:.*T (stopped)' "/proc/$pid/status"
  run svstat "$d"
  assert_output --regexp ", paused$"
  svc -c "$d"
  wait_for 5 bash -c "! grep -q 'T (stopped)' /proc/$pid/status"
  run svstat "$d"
  refute_output --partial paused
}

@test "supervise: h a i t q 1 2 k deliver their signals" {
  d=$(make_service web 'for s in HUP ALRM INT QUIT USR1 USR2 ; do trap "echo $s >> sigs" $s ; done ; trap "echo TERM >> sigs" TERM ; while : ; do sleep 0.05 ; done')
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  for l in h a i q 1 2 t ; do
    n=$(count "$d/sigs")
    svc -$l "$d"
    wait_for 5 at_least "$d/sigs" $((n + 1))
  done
  run cat "$d/sigs"
  assert_output "$(printf 'HUP\nALRM\nINT\nQUIT\nUSR1\nUSR2\nTERM')"
  svc -k "$d"
  wait_for 5 pid_changed "$d" "$pid"
}

@test "supervise: U and D make the choice survive a restart through ./down" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  svc -D "$d"
  wait_for 5 no_pid "$d"
  [ -e "$d/down" ]
  svc -U "$d"
  wait_for 5 has_pid "$d"
  [ ! -e "$d/down" ]
}

@test "supervise: r restarts the service with a new pid" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  svc -r "$d"
  wait_for 5 pid_changed "$d" "$pid"
}

@test "supervise: x while up waits for the service to die, then exits 0" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  svc -x "$d"
  # evidence that x was read before looking: the status says so
  wait_for 5 grep -q "want exit" "$d/supervise/stat"
  kill -0 "$SUPERVISE_PID"
  svok "$d"
  assert_equal "$(cat "$d/supervise/stat")" "run, want exit, ready"
  svc -d "$d"
  wait_for 5 bash -c "! kill -0 $SUPERVISE_PID 2>/dev/null"
  wait "$SUPERVISE_PID" || rc=$?
  assert_equal "${rc:-0}" 0
  run svok "$d"
  assert_failure 100
}

@test "supervise: SIGTERM brings the service down, then supervise exits" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  kill -TERM "$SUPERVISE_PID"
  wait_for 5 bash -c "! kill -0 $SUPERVISE_PID 2>/dev/null"
  wait_for 5 bash -c "! kill -0 $pid 2>/dev/null"
}

@test "supervise: unknown control bytes are ignored" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  printf 'Z?\n' > "$d/supervise/control"
  # a known byte after them: once it took effect, the unknown ones were read too
  svc -p "$d"
  wait_for 5 grep -q "paused" "$d/supervise/stat"
  kill -0 "$SUPERVISE_PID"
  assert_equal "$(svpid "$d")" "$pid"
  assert_equal "$(cat "$d/supervise/stat")" "run, paused, ready"
  svc -c "$d"
}

@test "supervise: a normally-down service is not started" {
  d=$(make_service web 'echo x >> starts ; exec sleep 1000')
  touch "$d/down"
  start_supervise "$d"
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds$"
  [ ! -e "$d/starts" ]
}

@test "supervise: signals ignored by whoever started supervise are not ignored by the service" {
  d=$(make_service web 'grep SigIgn /proc/$$/status > ign ; exec sleep 1000')
  (trap '' USR1 USR2 PIPE ; exec supervise "$d") 2>>"$T/supervise.err" &
  track_pid $!
  wait_for 5 test -s "$d/ign"
  run cat "$d/ign"
  assert_output "$(printf 'SigIgn:\t0000000000000000')"
}

@test "supervise and svscan are plain programs: a copy under the other's name (or tend-supervise) does its own job" {
  d=$(make_service web "exec /bin/sleep 1000")
  # a directory of the service that a program taking itself for svscan would start a supervise on
  mkdir "$d/env"
  mkdir "$T/r"
  cp "$TEND_BIN/supervise" "$T/r/tend-supervise"
  cp "$TEND_BIN/supervise" "$T/r/svscan"
  local name p
  for name in tend-supervise svscan ; do
    "$T/r/$name" "$d" 2>>"$T/supervise.err" &
    p=$!
    track_pid "$p"
    wait_for 5 has_pid "$d"
    assert [ -d "$d/supervise/event" ]
    # no scanner's control dir, nothing supervised below the service dir
    assert [ ! -e "$d/.svscan" ]
    assert [ ! -e "$d/env/supervise" ]
    svc -dx "$d"
    wait_for 10 dead "$p"
    rm -rf "$d/supervise"
  done
  # and svscan under supervise's name scans
  cp "$TEND_BIN/svscan" "$T/r/supervise"
  "$T/r/supervise" -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  p=$!
  track_pid "$p"
  wait_for 5 has_pid "$d"
  assert [ -d "$SVDIR/.svscan" ]
}
