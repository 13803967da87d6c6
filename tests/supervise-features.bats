#!/usr/bin/env bats
# supervise's service-directory settings: finish, readiness, kill timeouts, backoff, give-up,
# env/, nosetsid, and malformed setting files.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

stat_is () { [ "$(cat "$1/supervise/stat" 2>/dev/null)" = "$2" ] ; }
state_is () { svstat -l "$1" | grep -q ", state $2" ; }
nlines () { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] ; }
nfifos_ge () { [ "$(ls "$1/supervise/event" | wc -l)" -ge "$2" ] ; }

@test "finish: runs as ./finish EXIT SIG NAME after run exits, then the service restarts" {
  d=$(make_service web 'echo start >> log ; exit 3')
  printf '#!/bin/sh\necho "finish $1 $2 $3" >> log\n' > "$d/finish" ; chmod +x "$d/finish"
  echo "50 100" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 nlines "$d/log" 3
  run sed -n 2p "$d/log"
  assert_output "finish 3 0 $d"
  assert_equal "$(sed -n 3p "$d/log")" "start"
}

@test "finish: a signalled run gives EXIT 256 and the signal number" {
  d=$(make_service web 'exec sleep 1000')
  printf '#!/bin/sh\necho "finish $1 $2" >> log\n' > "$d/finish" ; chmod +x "$d/finish"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  svc -k "$d"
  wait_for 5 nlines "$d/log" 1
  run cat "$d/log"
  assert_output "finish 256 9"
}

@test "finish: exit 125 means do not restart: down and failed" {
  d=$(make_service web 'echo start >> log ; exit 1')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  start_supervise "$d"
  wait_for 5 state_is "$d" failed
  run svstat -l "$d"
  assert_output --partial ", failed"
  assert_equal "$(wc -l < "$d/log")" 1
  # u revives it
  svc -u "$d"
  wait_for 5 nlines "$d/log" 2
}

@test "finish: a hanging finish is killed at timeout-finish; its pid is in the status meanwhile" {
  d=$(make_service web 'exit 0')
  printf '#!/bin/sh\necho $$ > finpid\nexec sleep 1000\n' > "$d/finish" ; chmod +x "$d/finish"
  # long enough that the status is read before the kill on a loaded machine (300 ms was not)
  echo 2000 > "$d/timeout-finish"
  touch "$d/down"
  start_supervise "$d"
  svc -o "$d"
  wait_for 5 test -s "$d/finpid"
  fp=$(cat "$d/finpid")
  wait_for 5 stat_is "$d" "finish"
  assert_equal "$(svpid "$d")" "$fp"
  run od -An -tx1 -j19 -N1 "$d/supervise/status"
  assert_output " 02"
  wait_for 10 dead "$fp"
  wait_for 5 stat_is "$d" "down"
  grep -q "finish still running after 2000 ms: killing it" "$T/supervise.err"
}

@test "finish: a finish that is not executable is reported and the service still restarts" {
  d=$(make_service web 'echo start >> log ; exit 0')
  printf '#!/bin/sh\nexit 0\n' > "$d/finish"
  echo "50 100" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 nlines "$d/log" 2
  grep -q "unable to spawn ./finish: Permission denied" "$T/supervise.err"
}

@test "notification-fd: ready when the service writes a newline; svwait -U wakes" {
  d=$(make_service web 'sleep 0.3 ; echo > /dev/fd/5 ; exec sleep 1000')
  echo 5 > "$d/notification-fd"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  run svstat -l "$d"
  assert_output --partial "state up"
  run svwait -U -t 5000 "$d"
  assert_success
  assert_equal "$(cat "$d/supervise/stat")" "run, ready"
}

@test "notification-fd: garbage without a newline never makes it ready" {
  d=$(make_service web 'printf garbage > /dev/fd/4 ; exec 4>&- ; exec sleep 1000')
  echo 4 > "$d/notification-fd"
  start_supervise "$d"
  wait_for 5 state_is "$d" up
  run svwait -U -t 300 "$d"
  assert_failure 1
  assert_output "svwait: warning: $d did not become up and ready: timed out"
}

@test "notification-fd: 0, 1, 2 and junk are refused with a warning naming file and value" {
  for v in 0 1 2 abc 99999 ; do
    d=$(make_service "web$v")
    echo "$v" > "$d/notification-fd"
    start_supervise "$d"
    wait_for 5 grep -q "invalid value in notification-fd: \"$v\"" "$T/supervise.err"
    # the default (no notification) is used: ready as soon as up
    wait_for 5 stat_is "$d" "run, ready"
  done
}

@test "check: readiness for programs that cannot notify" {
  d=$(make_service web 'exec sleep 1000')
  printf '#!/bin/sh\n[ -e ready-now ]\n' > "$d/check" ; chmod +x "$d/check"
  echo 20 > "$d/check-interval"
  start_supervise "$d"
  wait_for 5 state_is "$d" up
  touch "$d/ready-now"
  run svwait -U -t 5000 "$d"
  assert_success
}

@test "timeout-kill: a service that ignores TERM gets SIGKILL" {
  d=$(make_service web 'trap "" TERM ; touch armed ; while : ; do sleep 0.05 ; done')
  echo 200 > "$d/timeout-kill"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  t0=$(date +%s%N)
  run svc -d -wd -T 5000 "$d"
  assert_success
  el=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$el" -ge 150 ]
  run svstat -l "$d"
  assert_output --partial "last signal KILL"
}

@test "settings: a service dir that cannot be listed still has its setting files read" {
  [ "$(id -u)" = 0 ] || skip "needs root to run supervise as nobody"
  chmod 755 "$T" "$SVDIR"
  d=$(make_service web 'exec sleep 1000')
  echo NOPE > "$d/down-signal"
  chown -R nobody "$d"
  # write and search but no read: the listing fails, files can still be opened by name
  chmod 0300 "$d"
  setuidgid nobody supervise "$d" 2>>"$T/supervise.err" &
  track_pid $!
  wait_for 5 grep -q 'invalid value in down-signal: "NOPE"' "$T/supervise.err"
  wait_for 5 has_pid "$d"
}

@test "down-signal: d sends the configured signal; bad values fall back to TERM with a warning" {
  d=$(make_service web 'trap "echo USR1 >> sigs ; exit 0" USR1 ; touch armed ; while : ; do sleep 0.05 ; done')
  echo USR1 > "$d/down-signal"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -d -wd "$d"
  grep -q USR1 "$d/sigs"
  e=$(make_service bad)
  echo NOPE > "$e/down-signal"
  start_supervise "$e"
  wait_for 5 grep -q 'invalid value in down-signal: "NOPE"' "$T/supervise.err"
}

@test "stopped service receiving d gets SIGCONT so it can die" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  svc -p "$d"
  wait_for 5 grep -q '^State:.*T (stopped)' "/proc/$pid/status"
  run svc -d -wd -T 5000 "$d"
  assert_success
  dead "$pid"
}

@test "restart-delay: a crash loop backs off (delays grow, then cap) at next to no CPU" {
  d=$(make_service web 'date +%s%N >> starts ; exit 1')
  echo "50 400" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 10 nlines "$d/starts" 7
  # intervals between starts, in ms: about 50 100 200 400 400 400
  mapfile -t s < "$d/starts"
  for i in 1 2 3 4 5 6 ; do iv[$i]=$(( (s[i] - s[i-1]) / 1000000 )) ; done
  echo "intervals: ${iv[*]}" >&2
  # start-to-start times wobble by the script's own start-up (tens of ms on a loaded machine: a
  # late start makes the next interval look short), so the growth is checked on sums from the
  # first start: 50+100 and 50+100+200, which a constant delay of 50 would miss by far
  [ "${iv[1]}" -ge 30 ]
  [ "${iv[1]}" -lt 250 ]
  [ $(( iv[1] + iv[2] )) -ge 110 ]
  [ $(( iv[1] + iv[2] + iv[3] )) -ge 260 ]
  [ "${iv[4]}" -ge 350 ]
  [ "${iv[4]}" -lt 900 ]
  [ "${iv[6]}" -ge 350 ]
  [ "${iv[6]}" -lt 900 ]
  run svstat -l "$d"
  assert_output --regexp "restarts [0-9]+"
  # (not under valgrind: its own start-up and translation of the program are in that count)
  if [ "$TEND_VALGRIND" != 1 ] ; then
    [ "$(cpu_ticks "$SUPERVISE_PID")" -le 20 ]
  fi
}

@test "restart-delay: u cancels a pending delay" {
  d=$(make_service web 'echo x >> starts ; exit 1')
  echo "5000 10000" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 state_is "$d" backoff
  t0=$(date +%s%N)
  svc -u "$d"
  wait_for 2 nlines "$d/starts" 2
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000 ]
}

@test "max-restarts: gives up (failed, event F, svstat says so), u revives" {
  d=$(make_service web 'echo x >> starts ; exit 1')
  echo "10 20" > "$d/restart-delay"
  echo "3 60" > "$d/max-restarts"
  start_supervise "$d"
  wait_for 10 state_is "$d" failed
  assert_equal "$(wc -l < "$d/starts")" 4
  grep -q "more than 3 deaths within the max-restarts window: giving up" "$T/supervise.err"
  run svstat -j "$d"
  echo "$output" | python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert o["failed"] is True and o["want"] == "down"'
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds, normally up$"
  svc -u "$d"
  wait_for 5 nlines "$d/starts" 5
}

@test "malformed settings: warnings name the file and the value; defaults are used" {
  d=$(make_service web 'exec sleep 1000')
  echo "abc" > "$d/timeout-kill"
  echo "9 1" > "$d/restart-delay"
  echo "x y" > "$d/max-restarts"
  echo "-5" > "$d/check-interval"
  echo "99999999999" > "$d/timeout-finish"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  for f in timeout-kill restart-delay max-restarts timeout-finish ; do
    grep -q "invalid value in $f: " "$T/supervise.err"
  done
  kill -0 "$SUPERVISE_PID"
}

@test "critical: recorded in the status" {
  d=$(make_service web)
  touch "$d/critical"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  run svstat -j "$d"
  echo "$output" | python3 -c 'import json,sys; assert json.loads(sys.stdin.read())["critical"] is True'
}

@test "env/: an envdir applied to run, finish and check" {
  d=$(make_service web 'echo "run $GREETING ${GONE-unset}" >> log ; exit 0')
  mkdir "$d/env"
  echo "hello  " > "$d/env/GREETING"
  : > "$d/env/GONE"
  printf '#!/bin/sh\necho "finish $GREETING" >> log\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  GONE=present start_supervise "$d"
  wait_for 5 nlines "$d/log" 2
  run cat "$d/log"
  assert_output "$(printf 'run hello unset\nfinish hello')"
}

@test "env/: an unreadable env dir is reported and the start retried" {
  d=$(make_service web 'exec sleep 1000')
  mkdir "$d/env" "$d/env/SUBDIR"
  echo "50 100" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 grep -q "warning: ./run was not started: unable to read env/SUBDIR: Is a directory" "$T/supervise.err"
  rmdir "$d/env/SUBDIR"
  wait_for 5 stat_is "$d" "run, ready"
}

@test "nosetsid: run stays in supervise's process group" {
  d=$(make_service web 'echo "$(ps -o pgid= -p $$)" > pg ; exec sleep 1000')
  touch "$d/nosetsid"
  setsid supervise "$d" 2>>"$T/supervise.err" &
  track_pid $!
  wait_for 5 test -s "$d/pg"
  pg=$(tr -d ' ' < "$d/pg")
  spg=$(ps -o pgid= -p "$(svchild "" "$d" | head -1)" | tr -d ' ')
  assert_equal "$pg" "$spg"
}

@test "events: waiters wake on every change; 200 concurrent waiters all wake" {
  d=$(make_service web)
  touch "$d/down"
  start_supervise "$d"
  pids=()
  for i in $(seq 1 200) ; do
    svwait -u -t 20000 "$d" && echo ok >> "$T/woke" &
    pids+=($!)
  done
  for p in "${pids[@]}" ; do track_pid "$p" ; done
  wait_for 20 nfifos_ge "$d" 200
  svc -u "$d"
  for p in "${pids[@]}" ; do wait "$p" || true ; done
  assert_equal "$(wc -l < "$T/woke")" 200
  # every waiter cleaned up its FIFO
  assert_equal "$(ls "$d/supervise/event" | wc -l)" 0
}

@test "events: a waiter whose FIFO is removed still sees the change" {
  d=$(make_service web)
  touch "$d/down"
  start_supervise "$d"
  svwait -u -t 10000 "$d" &
  w=$!
  track_pid "$w"
  wait_for 5 nfifos_ge "$d" 1
  rm -f "$d/supervise/event/"*
  svc -u "$d"
  wait "$w"
}

@test "svwait: -o waits for one; -- execs the program only on success" {
  a=$(make_service a) ; b=$(make_service b)
  touch "$b/down"
  start_supervise "$a"
  start_supervise "$b"
  run svwait -u -o -t 5000 "$a" "$b" -- echo launched
  assert_success
  assert_output "launched"
  run svwait -u -t 200 "$a" "$b" -- echo launched
  assert_failure 1
  assert_output "svwait: warning: $b did not become up: timed out"
}

@test "svwait: usage and a supervisor that is not there" {
  run svwait
  assert_failure 100
  run svwait -u "$T" --
  assert_failure 100
  d=$(make_service web)
  run svwait -u -t 300 "$d"
  assert_failure 1
  assert_output "svwait: warning: $d did not become up: timed out"
  run svwait -d -t 300 "$d"
  assert_success
}

@test "svwait: waits for a supervisor that starts later (run scripts waiting on peers)" {
  d=$(make_service web)
  svwait -U -t 10000 "$d" -- touch "$T/launched" &
  w=$! ; track_pid "$w"
  start_supervise "$d"
  wait "$w"
  [ -e "$T/launched" ]
}

@test "svwait: a supervisor that exits ends a wait for up" {
  d=$(make_service web)
  touch "$d/down"
  start_supervise "$d"
  svwait -u -t 10000 "$d" 2>"$T/w.err" &
  w=$! ; track_pid "$w"
  wait_for 5 nfifos_ge "$d" 1
  svc -x "$d"
  rc=0 ; wait "$w" || rc=$?
  assert_equal "$rc" 1
  run cat "$T/w.err"
  assert_output "svwait: warning: $d did not become up: supervise exited"
}

@test "svwait and svc: timeouts beyond 2^31-1 ms are usage errors" {
  run svwait -t 3000000000 x
  assert_failure 100
  run svc -wu -T 3000000000 x
  assert_failure 100
}

@test "restart-delay: MIN below 10 ms is refused (it would spin)" {
  d=$(make_service web 'echo x >> starts ; exit 1')
  echo "0 0" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 grep -q 'invalid value in restart-delay: "0 0"' "$T/supervise.err"
  # the default (1 s) applies: no more than 2 starts in the first second or so
  wait_for 5 test -s "$d/starts"
  [ "$(grep -c 'invalid value in restart-delay' "$T/supervise.err")" = 1 ]
}
