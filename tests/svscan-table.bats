#!/usr/bin/env bats
# svscan's table: entries of services that disappear, come back, or gain a logger later.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }


nfails () { grep -c "unable to open a/supervise" "$T/svscan.err" ; }
nfails_ge () { [ "$(nfails)" -ge "$1" ] ; }
no_children () { [ -z "$(pgrep -P "$SVSCAN_PID")" ] ; }

@test "svscan: a service gone while its supervise cannot start frees its slot (-c 1)" {
  make_service a >/dev/null
  : > "$SVDIR/a/supervise"    # supervise a fails at once, and is retried every second
  start_svscan -c 1 -t 0 "$SVDIR"
  wait_for 5 nfails_ge 1
  mv "$SVDIR/a" "$T/a"
  # the rescan has been processed once the retries stop
  svscanctl -a "$SVDIR"
  # and the try in progress, if any, is over: a supervise that has not failed yet still holds
  # the slot (for a second under valgrind, a moment otherwise), and b would rightly find the
  # table full
  wait_for 5 no_children
  make_service b >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/b"
  run grep -c "table full" "$T/svscan.err"
  assert_output 0
}

@test "svscan: a service moved out and back while its supervise is not running is supervised again" {
  make_service a >/dev/null
  : > "$SVDIR/a/supervise"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 nfails_ge 1
  mv "$SVDIR/a" "$T/a"
  svscanctl -a "$SVDIR"
  # evidence the scan that saw it gone ran: a new service is started by it
  make_service c >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/c"
  rm "$T/a/supervise"
  mv "$T/a" "$SVDIR/a"
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/a"
}

@test "svscan: a service moved back while its supervise is still exiting is supervised again" {
  # its run ignores TERM: after the scan that sees it gone, its supervise (told dx) lingers
  make_service a 'trap "" TERM ; exec sleep 1000' >/dev/null
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/a"
  p=$(svpid "$SVDIR/a")
  mv "$SVDIR/a" "$T/a"
  svscanctl -a "$SVDIR"
  wait_for 5 eval 'svstat "$T/a" | grep -q "want down"'
  mv "$T/a" "$SVDIR/a"
  make_service c >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/c"
  # the service ends: its supervise exits (x), and svscan starts a new one without a rescan
  kill -KILL "$p"
  newpid () { local q ; q=$(svpid "$SVDIR/a") ; [[ -n $q && $q != "$p" ]] ; }
  wait_for 10 newpid
}

@test "svscan: a log/ added later gets its logger; the output switches at the next start of the service's supervise" {
  d=$(make_service web 'echo hello ; exec sleep 1000')
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  mkdir "$d/log"
  printf '#!/bin/sh\nexec cat > out\n' > "$d/log/run" ; chmod +x "$d/log/run"
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$d/log"
  # the running supervise keeps the stdout it was given; a new one is given the pipe
  svc -dx "$d"
  wait_for 10 grep -q hello "$d/log/out"
}

@test "svscan: a log that is not a directory is warned about once, not at every scan" {
  d=$(make_service web)
  : > "$d/log"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  make_service c1 >/dev/null ; svscanctl -a "$SVDIR" ; wait_for 5 has_pid "$SVDIR/c1"
  make_service c2 >/dev/null ; svscanctl -a "$SVDIR" ; wait_for 5 has_pid "$SVDIR/c2"
  run grep -c "web/log: not a directory" "$T/svscan.err"
  assert_output 1
}

@test "svscan: a log that is a symlink to another service: one warning saying why, no logger, output not piped" {
  make_service other >/dev/null
  d=$(make_service web 'echo to-svscan-stdout ; exec sleep 1000')
  ln -s ../other "$d/log"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  wait_for 5 has_pid "$SVDIR/other"
  # two more scans, each seen to be processed (it starts a new service)
  make_service c1 >/dev/null ; svscanctl -a "$SVDIR" ; wait_for 5 has_pid "$SVDIR/c1"
  make_service c2 >/dev/null ; svscanctl -a "$SVDIR" ; wait_for 5 has_pid "$SVDIR/c2"
  run grep -c "^svscan: warning: not starting a logger for web, its output not piped: web/log is the service directory of other$" "$T/svscan.err"
  assert_output 1
  # no second supervise was ever tried on other's dir
  run grep -c "supervise web/log" "$T/svscan.err"
  assert_output 0
  # the output went to svscan's own standard output, not into a pipe nobody reads
  wait_for 5 grep -q to-svscan-stdout "$T/svscan.out"
}

@test "svscan: a critical service renamed in the scan dir: its event FIFO still goes at the stop" {
  nofifo () { [ -z "$(find "$SVDIR/main2/supervise/event" -name "tend-wait:$SVSCAN_PID:*")" ] ; }
  d=$(make_service main)
  touch "$d/critical"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  mv "$d" "$SVDIR/main2"
  make_service c >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/c"
  run find "$SVDIR/main2/supervise/event" -name "tend-wait:$SVSCAN_PID:*" -type p
  assert_equal "${#lines[@]}" 1
  # supervise removes a FIFO whose reader is gone when it next notifies: stopped, it cannot,
  # so only svscan's own unlink, at the start of the stop, under the new name, removes it
  sup=$(svchild "$SVSCAN_PID" main)
  kill -STOP "$sup"
  kill -TERM "$SVSCAN_PID"
  wait_for 5 nofifo
  kill -CONT "$sup"
  wait_for 15 dead "$SVSCAN_PID"
  rc=0 ; wait "$SVSCAN_PID" || rc=$?
  assert_equal "$rc" 0
  run find "$SVDIR/main2/supervise/event" -name "tend-wait:$SVSCAN_PID:*" -type p
  assert_output ""
}
