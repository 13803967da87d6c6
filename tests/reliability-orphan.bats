#!/usr/bin/env bats
# No duplicate instance after a supervisor crash (issue 15 item 2): supervise SIGKILLed while
# its service runs leaves the run alive; the next supervise for that directory stops it (and
# its process group) before starting a new run, so there is never a second copy.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

# processes "sleep MARK": the service's, MARK being a number unique to the test
copies () { local n=0 p ; for p in $(pgrep -fx -- "sleep $1") ; do n=$((n+1)) ; done ; echo $n ; }
copies_eq () { [ "$(copies "$1")" = "$2" ] ; }

@test "orphan: a new supervise after kill -9 stops the old run first: one copy only" {
  mark=$((100000 + RANDOM * 7 + $$ % 7))
  d=$(make_service web "exec sleep $mark")
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  old=$(svpid "$d")
  track_pid "$old"
  wait_for 5 copies_eq "$mark" 1
  kill -KILL "$SUPERVISE_PID"
  wait_for 5 dead "$SUPERVISE_PID"
  # the run survived its supervisor
  run kill -0 "$old"
  assert_success
  start_supervise "$d"
  wait_for 10 has_pid "$d"
  new=$(svpid "$d")
  track_pid "$new"
  refute [ "$new" = "$old" ]
  wait_for 5 dead "$old"
  run copies "$mark"
  assert_output 1
  run grep -F "leaving its run (pid $old) alive: stopping it" "$T/supervise.err"
  assert_success
}

@test "orphan: the old run's whole process group goes, and SIGKILL ends a run that ignores TERM" {
  mark=$((100000 + RANDOM * 7 + $$ % 7))
  d=$(make_service web "trap '' TERM ; sleep $mark & sleep $mark ; exit 0")
  start_supervise "$d"
  wait_for 5 copies_eq "$mark" 2
  kill -KILL "$SUPERVISE_PID"
  wait_for 5 dead "$SUPERVISE_PID"
  run copies "$mark"
  assert_output 2
  # not start_supervise: svok answers only after the 5 s the old run is given to stop
  supervise "$d" 2>>"$T/supervise.err" &
  track_pid $!
  wait_for 15 svok "$d"
  wait_for 5 copies_eq "$mark" 2
  wait_for 5 has_pid "$d"
  # the two copies now are the new run's: both in the new run's group
  for p in $(pgrep -fx -- "sleep $mark") ; do
    run ps -o pgid= -p "$p"
    assert_output --regexp "^ *$(svpid "$d")$"
  done
  run grep -F "outlived SIGTERM: sending SIGKILL" "$T/supervise.err"
  assert_success
}

@test "orphan: a pid in the status that another process got since is left alone" {
  d=$(make_service web "exec sleep 1000")
  touch "$d/down"
  start_supervise "$d"
  svc -dx "$d"
  wait_for 5 dead "$SUPERVISE_PID"
  # a stranger: not started from the service dir, started long after the stamp forged here
  (cd / && exec sleep 1000) &
  stranger=$!
  track_pid "$stranger"
  python3 - "$d/supervise/status" "$stranger" <<'PY'
import struct, sys, time
fn, pid = sys.argv[1], int(sys.argv[2])
b = bytearray(open(fn, 'rb').read())
b[0:12] = struct.pack('>QI', (1 << 62) + 10 + int(time.time()) - 3600, 0)
b[12:16] = struct.pack('<I', pid)
open(fn, 'wb').write(bytes(b))
PY
  start_supervise "$d"
  run grep -F "pid $stranger in supervise/status is no longer the service's run" "$T/supervise.err"
  assert_success
  run kill -0 "$stranger"
  assert_success
}
