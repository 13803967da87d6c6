#!/usr/bin/env bats
# svscan's event loop: errors of its blocking point, the signals it traps.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

start_svscan () {
  svscan "$@" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
}

@test "svscan: when iopause fails for good it backs off instead of spinning, and warns once a minute" {
  pollfail svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 5 grep -q "unable to iopause" "$T/svscan.err"
  t0=$(cpu_ticks "$SVSCAN_PID")
  # the window the CPU time is measured over
  sleep 2
  t1=$(cpu_ticks "$SVSCAN_PID")
  # a spinning loop takes the 200 ticks of 2 s; backing off to 1 s takes next to nothing
  [ $((t1 - t0)) -le 20 ]
  run grep -c "unable to iopause" "$T/svscan.err"
  assert_output 1
  assert_equal "$(grep "unable to iopause" "$T/svscan.err")" "svscan: warning: unable to iopause (backing off up to 1 second, warning again in a minute): Cannot allocate memory"
}

# a PROT_NONE page right below a 32 KiB read-write mapping, in PID's maps
has_guarded_stack () {
  local prevend="" prevperm="" range perm rest s e
  while read -r range perm rest ; do
    s=$((16#${range%-*})) ; e=$((16#${range#*-}))
    if [ "$prevperm" = "---p" ] && [ "$prevend" = "$s" ] && [ "${perm:0:2}" = rw ] && [ $((e - s)) = 32768 ] ; then
      return 0
    fi
    prevend=$e ; prevperm=$perm
  done < "/proc/$1/maps"
  return 1
}

@test "svscan: supervise is cloned onto a stack with a guard page, mapped once" {
  make_service a >/dev/null ; make_service b >/dev/null
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/a"
  wait_for 5 has_pid "$SVDIR/b"
  has_guarded_stack "$SVSCAN_PID"
}
