#!/usr/bin/env bats
# svscan's table: entries of services that disappear, come back, or gain a logger later.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

start_svscan () {
  svscan "$@" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
}

nfails () { grep -c "unable to open a/supervise/lock" "$T/svscan.err" ; }
nfails_ge () { [ "$(nfails)" -ge "$1" ] ; }

@test "svscan: a service gone while its supervise cannot start frees its slot (-c 1)" {
  make_service a >/dev/null
  : > "$SVDIR/a/supervise"    # supervise a fails at once, and is retried every second
  start_svscan -c 1 -t 0 "$SVDIR"
  wait_for 5 nfails_ge 1
  mv "$SVDIR/a" "$T/a"
  # the rescan has been processed once the retries stop
  svscanctl -a "$SVDIR"
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
  wait_for 10 eval '[ -n "$(svpid "$SVDIR/a")" ] && [ "$(svpid "$SVDIR/a")" != "$p" ]'
}
