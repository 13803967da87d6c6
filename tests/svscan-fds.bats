#!/usr/bin/env bats
# svscan under a tight open-files limit, and the limit its children get.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

# 40 services, each with a logger
make_40 () {
  local i d
  for i in $(seq 1 40) ; do
    d=$(make_service "s$i")
    mkdir "$d/log"
    printf '#!/bin/sh\nexec cat >/dev/null\n' > "$d/log/run" ; chmod +x "$d/log/run"
  done
}

nstarted () { local n=0 d ; for d in "$SVDIR"/s*/ ; do [ -s "$d/supervise/pid" ] && n=$((n+1)) ; done ; echo $n ; }
nstarted_ge () { [ "$(nstarted)" -ge "$1" ] ; }
nwarn () { grep -c "svscan: warning" "$T/svscan.err" ; }
# descriptors svscan has free under its limit of 64
nfree () { echo $(( 64 - $(ls "/proc/$SVSCAN_PID/fd" | wc -l) )) ; }

@test "svscan: out of descriptors (40 logged services, nofile 64), it still sees removals and starts a new service" {
  make_40
  prlimit --nofile=64 svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 10 nstarted_ge 5
  wait_for 10 grep -q "unable to start the supervise processes of" "$T/svscan.err"
  # it keeps retrying what it could not start, every second, for 3 seconds; the loop is woken
  # in between too (SIGUSR1 is ignored, with a line), which must not restart the warning
  for i in $(seq 1 30) ; do kill -USR1 "$SVSCAN_PID" ; sleep 0.1 ; done
  wait_for 5 eval '[ "$(grep -c "SIGUSR1 received" "$T/svscan.err")" -ge 10 ]'
  run grep -c "unable to start the supervise processes of" "$T/svscan.err"
  assert_output 1
  run grep -c "descriptors are free again" "$T/svscan.err"
  assert_output 0
  # the reserve: with services held back, descriptors are still free for a scan and a spawn.
  # (Without it the count runs to the limit or one short of it, depending on how many fds
  # svscan inherited; one short still lets the scan below succeed, so the outcome alone
  # would not show a missing reserve.)
  run nfree
  [ "$output" -ge 4 ]
  mkdir "$T/old"
  mv "$SVDIR"/s* "$T/old/"
  make_service new >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 10 has_pid "$SVDIR/new"
  # one warning about the shortage (rate-limited), not one per retry and service
  run nwarn
  [ "$output" -le 4 ]
}

@test "svscan: out of descriptors, services held back start by themselves once descriptors free up" {
  make_40
  prlimit --nofile=64 svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 10 nstarted_ge 5
  run nstarted
  [ "$output" -lt 40 ]
  mkdir "$T/old"
  for i in $(seq 1 30) ; do mv "$SVDIR/s$i" "$T/old/" ; done
  svscanctl -n "$SVDIR"
  for i in $(seq 31 40) ; do
    wait_for 15 has_pid "$SVDIR/s$i"
    wait_for 15 has_pid "$SVDIR/s$i/log"
  done
}

@test "svscan: services get the open-files limit svscan was started with, not the one it raised for itself" {
  skip_under_valgrind "valgrind emulates the open-files limit (it keeps descriptors of its own above it): the service gets valgrind's, not the one svscan set"
  d=$(make_service lim 'echo "$(ulimit -Sn) $(ulimit -Hn)" > out ; exec sleep 1000')
  prlimit --nofile=1024:20000 svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 5 test -s "$d/out"
  run cat "$d/out"
  assert_output "1024 20000"
  # svscan itself runs with the soft limit raised to the hard one
  run prlimit --nofile --noheadings --output SOFT -p "$SVSCAN_PID"
  assert_output --regexp '^ *20000$'
}
