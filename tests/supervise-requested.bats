#!/usr/bin/env bats
# max-restarts 0, and deaths supervise caused on request (svc -r, -t, -k, -d ...): not crashes.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

state_is () { svstat -l "$1" | grep -q ", state $2" ; }
pid_changed () { local p ; p=$(svpid "$1") ; [ -n "$p" ] && [ "$p" != "$2" ] && is_up "$1" ; }
# flags, 16 bits big-endian at offset 22 of supervise/status
flags () { echo $(( 16#$(od -An -tx1 -j22 -N2 "$1/supervise/status" | tr -d ' \n') )) ; }
# run itself is running (not starting, not finish): the pid in supervise/pid is run's
running () { svstat -l "$1" | grep -Eq ', state (up|ready)' ; }
requested () { [ $(( $(flags "$1") & 0x100 )) != 0 ] ; }

@test "max-restarts 0 SECONDS: the first death is final" {
  d=$(make_service web 'echo x >> starts ; exit 1')
  echo "10 20" > "$d/restart-delay"
  echo "0 60" > "$d/max-restarts"
  start_supervise "$d"
  wait_for 5 state_is "$d" failed
  assert_equal "$(wc -l < "$d/starts")" 1
  run grep -c "invalid value in max-restarts" "$T/supervise.err"
  assert_output 0
  grep -q "more than 0 deaths within the max-restarts window: giving up" "$T/supervise.err"
}

@test "requested deaths: svc -r, -t, -k, -i, -q do not count toward max-restarts; a crash still does" {
  d=$(make_service web)
  echo "10 20" > "$d/restart-delay"
  echo "1 60" > "$d/max-restarts"
  start_supervise "$d"
  wait_for 5 is_up "$d"
  for c in r t k i q r t ; do
    pid=$(svpid "$d")
    svc -$c "$d"
    wait_for 5 pid_changed "$d" "$pid"
    requested "$d"
  done
  state_is "$d" ready
  # deaths it was not asked for are counted: the second within the window gives up
  kill -KILL "$(svpid "$d")"
  wait_for 5 pid_changed "$d" "$pid"
  run requested "$d"
  assert_failure
  kill -KILL "$(svpid "$d")"
  wait_for 5 state_is "$d" failed
}

@test "requested deaths: a requested death restarts at once, without backoff" {
  d=$(make_service web)
  echo "3000 3000" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 is_up "$d"
  pid=$(svpid "$d")
  t0=$(date +%s%N)
  svc -t "$d"
  wait_for 5 pid_changed "$d" "$pid"
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2500 ]
}

@test "requested deaths: h, a, 1, 2 count as requested only if that signal killed the service" {
  d=$(make_service web 'trap "echo hup >> log" HUP ; touch armed ; while : ; do sleep 0.05 ; done')
  echo "10 20" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -h "$d"
  wait_for 5 grep -q hup "$d/log"
  # it handled HUP and lives on; when it later dies on its own, that is not requested
  pid=$(svpid "$d")
  kill -KILL "$pid"
  wait_for 5 pid_changed "$d" "$pid"
  run requested "$d"
  assert_failure
  # a service that does not handle USR1 dies of it: that death was requested
  e=$(make_service plain)
  echo "10 20" > "$e/restart-delay"
  start_supervise "$e"
  wait_for 5 is_up "$e"
  pid=$(svpid "$e")
  svc -1 "$e"
  wait_for 5 pid_changed "$e" "$pid"
  requested "$e"
}

@test "requested deaths: finish gets TEND_REQUESTED (the control letter), unset for a crash" {
  d=$(make_service web)
  printf '#!/bin/sh\necho "$1 $2 ${TEND_REQUESTED-unset}" >> log\n' > "$d/finish" ; chmod +x "$d/finish"
  echo "10 20" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 is_up "$d"
  # after each restart, wait until run itself runs: while finish runs, supervise/pid names finish
  pid=$(svpid "$d") ; svc -r "$d" ; wait_for 5 pid_changed "$d" "$pid" ; wait_for 5 running "$d"
  pid=$(svpid "$d") ; svc -t "$d" ; wait_for 5 pid_changed "$d" "$pid" ; wait_for 5 running "$d"
  pid=$(svpid "$d") ; kill -KILL "$pid" ; wait_for 5 pid_changed "$d" "$pid" ; wait_for 5 running "$d"
  svc -d "$d" ; wait_for 5 nlines_ge "$d/log" 4
  run cat "$d/log"
  assert_output "$(printf '256 15 r\n256 15 t\n256 9 unset\n256 15 d')"
}

@test "requested deaths: a TEND_REQUESTED in supervise's own environment does not reach finish" {
  d=$(make_service web)
  printf '#!/bin/sh\necho "${TEND_REQUESTED-unset}" >> log\n' > "$d/finish" ; chmod +x "$d/finish"
  echo "10 20" > "$d/restart-delay"
  TEND_REQUESTED=r start_supervise "$d"
  wait_for 5 is_up "$d"
  kill -KILL "$(svpid "$d")"
  wait_for 5 nlines_ge "$d/log" 1
  assert_equal "$(cat "$d/log")" unset
}

@test "containers: reloads of a critical service (svc -r / -t) do not take the tree down" {
  d=$(make_service web)
  touch "$d/critical"
  echo "3 60" > "$d/max-restarts"
  echo "10 20" > "$d/restart-delay"
  # the reload-safe recipe of doc/containers.md: stop for good on a crash, not on a reload
  printf '#!/bin/sh\n[ -n "$TEND_REQUESTED" ] && exit 0\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  p=$!
  track_pid $p
  wait_for 5 is_up "$d"
  for c in r t r t r t ; do
    pid=$(svpid "$d")
    svc -$c "$d"
    wait_for 5 pid_changed "$d" "$pid"
    # run itself, not finish (whose pid supervise/pid names while it runs): the next letter
    # must reach the run
    wait_for 5 running "$d"
  done
  kill -0 "$p"
  # a crash is final: the tree stops with the service's code (SIGKILL: 137)
  kill -KILL "$(svpid "$d")"
  rc=0 ; wait "$p" || rc=$?
  assert_equal "$rc" 137
}
