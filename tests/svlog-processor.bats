#!/usr/bin/env bats
# svlog with a processor (!prog): the SIGTERM bound holds, the processor never outlives svlog,
# a failing processor is warned about once per distinct failure.

load helpers/common

setup () {
  tend_setup
  cd "$T"
  export SVLOG_RETRY=50
}
teardown () {
  cd /
  tend_teardown
}

# gone, or dead and not yet reaped by whoever adopted it
gone () { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ] ; }
now_ms () { echo $(( $(date +%s%N) / 1000000 )) ; }

@test "svlog processor: SIGTERM with a slow processor: exit within the bound, processor and its children killed" {
  export SVLOG_TERM_TIMEOUT=300
  mkfifo in errp
  # svlog's stderr is a pipe: its reader sees the end only when every holder is gone, the
  # processor (which inherits stderr) included
  cat errp > err &
  CATPID=$!
  track_pid $CATPID
  svlog s4096 "!echo \$\$ > $T/procpid ; sleep 1000 & echo \$! > $T/kidpid ; wait" ./d < in 2> errp &
  SVPID=$!
  track_pid $SVPID
  exec 7> in
  wait_for 5 trapped $SVPID
  seq 1 1000 >&7
  wait_for 5 test -s kidpid
  P=$(cat procpid) K=$(cat kidpid)
  track_pid $P ; track_pid $K
  t0=$(now_ms)
  kill -TERM $SVPID
  rc=0 ; wait $SVPID || rc=$?
  wait $CATPID
  t1=$(now_ms)
  assert_equal "$rc" 111
  # the bound (300 ms) plus slack for a loaded machine, far below the processor's 1000 s
  [ $((t1 - t0)) -lt 1500 ]
  run gone $P
  assert_success
  run gone $K
  assert_success
  run cat err
  assert_output "svlog: fatal: rotation of ./d unfinished 300 ms after SIGTERM: processor killed, previous is left for the next start to recover"
  exec 7>&-
  # nothing lost: the next start recovers previous
  svlog ./d < /dev/null
  cat d/@*.u d/current | cmp - <(seq 1 1000)
}

@test "svlog processor: a failing processor is warned about once per distinct failure, not per retry" {
  # exit 1 for its first 5 runs, exit 2 for the next 3, then work
  echo 0 > count
  seq 1 1000 > in
  svlog s4096 "!n=\$(cat $T/count) ; echo \$((n + 1)) > $T/count ; [ \$n -ge 8 ] && exec cat ; [ \$n -ge 5 ] && exit 2 ; exit 1" ./d < in 2> err
  [ "$(cat count)" -ge 9 ]
  run cat err
  assert_output "svlog: warning: unable to process ./d/previous, keeping it and retrying every 50 ms: the processor exited 1
svlog: warning: unable to process ./d/previous, keeping it and retrying every 50 ms: the processor exited 2"
  cat d/@*.s d/current | cmp - in
}
