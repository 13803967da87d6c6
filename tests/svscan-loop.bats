#!/usr/bin/env bats
# svscan's event loop: errors of its blocking point, the signals it traps.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }


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
  # ENOMEM in glibc's words or musl's
  run grep "unable to iopause" "$T/svscan.err"
  assert_output --regexp "^svscan: warning: unable to iopause \(backing off up to 1 second, warning again in a minute\): (Cannot allocate memory|Out of memory)$"
}

# a 32 KiB read-write mapping right above a PROT_NONE page, in PID's maps
has_guarded_stack () {
  local prevend="" prevperm="" range perm rest s e
  while read -r range perm rest ; do
    s=$((16#${range%-*})) ; e=$((16#${range#*-}))
    if [[ $prevperm = ---p && $prevend = "$s" && ${perm:0:2} = rw && $((e - s)) = 32768 ]] ; then
      return 0
    fi
    prevend=$e ; prevperm=$perm
  done < "/proc/$1/maps"
  return 1
}

@test "svscan: supervise is cloned onto a stack with a guard page, mapped for the pass that starts it and unmapped after" {
  skip_under_valgrind "strace would see valgrind's own mappings and clones, and valgrind runs the clone as a fork"
  command -v strace >/dev/null || fail "strace is missing: apt-get install strace (sh package/deps test)"
  make_service a >/dev/null ; make_service b >/dev/null
  # svscan alone is traced (no -f): with its supervise children traced too, a busy machine
  # splits svscan's lines into "<unfinished ...>" and "<... resumed>" halves the greps miss
  ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" strace -e trace=mmap,mprotect,munmap,clone,clone3 -o "$T/trace" svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 30 has_pid "$SVDIR/a"
  wait_for 30 has_pid "$SVDIR/b"
  # one mapping with MAP_STACK for both starts, its lowest page made PROT_NONE, unmapped after
  # (strace writes its log as it goes: wait for the lines)
  wait_for 30 grep -q 'MAP_STACK' "$T/trace"
  local addr len
  addr=$(sed -n 's/.*mmap(NULL, \([0-9]*\), PROT_READ|PROT_WRITE, [^)]*MAP_STACK.*) = \(0x[0-9a-f]*\)$/\2/p' "$T/trace")
  len=$(sed -n 's/.*mmap(NULL, \([0-9]*\), PROT_READ|PROT_WRITE, [^)]*MAP_STACK.*/\1/p' "$T/trace")
  [ -n "$addr" ]
  [ "$len" -gt 32768 ]
  run grep -c "mprotect($addr, $((len - 32768)), PROT_NONE) *= 0" "$T/trace"
  assert_output 1
  wait_for 30 grep -q "munmap($addr, $len) *= 0" "$T/trace"
  run grep -c 'MAP_STACK' "$T/trace"
  assert_output 1
  # the clones come between the mapping and the unmapping
  run awk -v a="$addr" '/MAP_STACK/ { m = NR } /clone/ && m && !u { c++ } index($0, "munmap(" a ",") { u = NR } END { print (m && u > m && c >= 2) ? "ok" : "no" }' "$T/trace"
  assert_output ok
  # idle, svscan keeps no such stack
  svpid=$(pgrep -x -P "$SVSCAN_PID" svscan || true)
  [ -n "$svpid" ]
  run has_guarded_stack "$svpid"
  assert_failure
}

@test "svscan: SIGUSR1 and SIGUSR2 are trapped and ignored (they would kill it when not PID 1)" {
  make_service a >/dev/null
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/a"
  kill -USR1 "$SVSCAN_PID"
  wait_for 5 grep -q "svscan: info: SIGUSR1 received: ignored" "$T/svscan.err"
  kill -USR2 "$SVSCAN_PID"
  wait_for 5 grep -q "svscan: info: SIGUSR2 received: ignored" "$T/svscan.err"
  kill -0 "$SVSCAN_PID"
  run svok "$SVDIR/a"
  assert_success
}

@test "svscan: SIGQUIT stops the tree now: no grace period; exit 0" {
  d=$(make_service stubborn 'trap "" TERM ; exec sleep 1000')
  start_svscan -t 0 -g 60000 "$SVDIR"
  wait_for 5 has_pid "$d"
  t0=$(date +%s%N)
  kill -QUIT "$SVSCAN_PID"
  wait_for 10 dead "$SVSCAN_PID"
  rc=0 ; wait "$SVSCAN_PID" || rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  assert_equal "$rc" 0
  [ "$ms" -lt "$(scaled 5000)" ]
  grep -q "SIGQUIT received: stopping the tree now, without the grace period" "$T/svscan.err"
  grep -q "service stubborn still running at the grace deadline: sending SIGKILL" "$T/svscan.err"
}
