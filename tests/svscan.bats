#!/usr/bin/env bats
# svscan as an ordinary process (a child subreaper): scanning, log pipes, orderly stop, exit codes.

load helpers/common
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { tend_teardown ; }



# stop svscan with TERM and return its exit code in RC, and the time it took in MS
stop_svscan () {
  local t0 ; t0=$(date +%s%N)
  kill -TERM "$SVSCAN_PID"
  RC=0 ; wait "$SVSCAN_PID" || RC=$?
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

@test "svscan: usage errors exit 100" {
  run svscan -x
  assert_failure 100
  assert_output --partial "svscan: usage: svscan"
  run svscan -c 0 "$SVDIR"
  assert_failure 100
  run svscan a b
  assert_failure 100
}

@test "svscan: one supervise per service dir; dot names skipped; a symlinked dir is one service" {
  make_service a >/dev/null ; make_service b >/dev/null ; make_service .hidden >/dev/null
  ln -s a "$SVDIR/alias"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/a"
  wait_for 5 has_pid "$SVDIR/b"
  [ ! -e "$SVDIR/.hidden/supervise" ]
  # exactly one supervise runs on a (the alias shares its dev/ino)
  run svchildren "$SVSCAN_PID"
  assert_equal "${#lines[@]}" 2
}

@test "svscan and supervise are two programs: no dispatch on the name they are called by" {
  run "$TEND_BIN/supervise"
  assert_failure 100
  assert_output "supervise: usage: supervise dir"
  run cmp -s "$TEND_BIN/supervise" "$TEND_BIN/svscan"
  assert_failure
  # a copy of svscan under supervise's name is still svscan (a packager's rename cannot turn it
  # into the other program)
  cp "$TEND_BIN/svscan" "$T/supervise"
  run "$T/supervise" -x
  assert_failure 100
  assert_output --partial "svscan: usage: svscan"
}

@test "svscan: a second svscan on the same dir exits 100" {
  start_svscan -t 0 "$SVDIR"
  wait_for 5 test -p "$SVDIR/.svscan/control"
  run svscan "$SVDIR"
  assert_failure 100
  assert_output --partial "unable to lock .svscan/lock: another svscan is running"
}

@test "svscan: service output reaches its logger through the held pipe" {
  d=$(make_service web 'echo hello ; exec sleep 1000')
  mkdir "$d/log"
  printf '#!/bin/sh\nexec cat > out\n' > "$d/log/run" ; chmod +x "$d/log/run"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 grep -q hello "$d/log/out"
  wait_for 5 grep -qx "run, ready" "$d/log/supervise/stat"
}

@test "svscan: restarting the logger with svc -t loses nothing and duplicates nothing (100,000 lines)" {
  d=$(make_service web 'seq 1 100000 ; exec sleep 1000')
  mkdir "$d/log"
  # each logger instance appends whole lines it reads
  printf '#!/bin/sh\nexec cat >> out\n' > "$d/log/run" ; chmod +x "$d/log/run"
  echo "10 20" > "$d/log/restart-delay"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 test -s "$d/log/out"
  for i in $(seq 1 20) ; do svc -t "$d/log" ; done
  wait_for 30 nlines_ge "$d/log/out" 100000
  run sort -n -u "$d/log/out"
  assert_equal "$(sort -n "$d/log/out" | uniq | wc -l)" 100000
  assert_equal "$(wc -l < "$d/log/out")" 100000
}

@test "svscan: a SIGKILLed logger is restarted on the same pipe" {
  d=$(make_service web 'i=0 ; while [ $i -lt 3000 ] ; do echo "line $i" ; i=$((i+1)) ; done ; exec sleep 1000')
  mkdir "$d/log"
  printf '#!/bin/sh\nexec cat >> out\n' > "$d/log/run" ; chmod +x "$d/log/run"
  echo "10 20" > "$d/log/restart-delay"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 test -s "$d/log/out"
  newpid () { local q ; q=$(svpid "$d/log") ; [ -n "$q" ] && [ "$q" != "$1" ] ; }
  for i in 1 2 3 ; do
    wait_for 5 has_pid "$d/log"
    p=$(svpid "$d/log")
    kill -KILL "$p"
    wait_for 5 newpid "$p"
  done
  wait_for 10 grep -q "^line 2999$" "$d/log/out"
}

@test "svscan: rescans on svscanctl -a and SIGHUP; prunes a removed dir" {
  start_svscan -t 0 "$SVDIR"
  wait_for 5 test -p "$SVDIR/.svscan/control"
  d=$(make_service late)
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$d"
  e=$(make_service later)
  kill -HUP "$SVSCAN_PID"
  wait_for 5 has_pid "$e"
  pid=$(svpid "$d")
  sup=$(svchild "$SVSCAN_PID" late)
  rm -rf "$d"
  svscanctl -a "$SVDIR"
  wait_for 5 dead "$pid"
  wait_for 5 dead "$sup"
}

@test "svscan: rescans by itself every -t seconds" {
  start_svscan -t 1 "$SVDIR"
  wait_for 5 test -p "$SVDIR/.svscan/control"
  d=$(make_service late)
  wait_for 5 has_pid "$d"
}

@test "svscan: a supervise that dies is restarted" {
  d=$(make_service web)
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  sup=$(svchild "$SVSCAN_PID" web)
  kill -KILL "$sup"
  wait_for 5 svchild_other "$SVSCAN_PID" web "$sup"
}

# the fds of process $1 that are anonymous inodes of kind $2 (pidfd, eventpoll)
anon_fds () { find /proc/"$1"/fd -lname "anon_inode:\[$2\]" 2>/dev/null | wc -l ; }
only_supervise () { [ "$(pgrep -P "$SVSCAN_PID" | wc -l)" = "$(svchildren "$SVSCAN_PID" | wc -l)" ] ; }

@test "svscan: the kernel reaps for it; a pidfd per supervise tells it which one died" {
  skip_under_valgrind "valgrind 3.19 does not know pidfd_open: svscan reaps with waitpid there (the waitpid test covers that)"
  IFS=. read -r kmaj kmin _ <<< "$(uname -r)"
  [ "$kmaj" -gt 5 ] || { [ "$kmaj" = 5 ] && [ "${kmin%%[!0-9]*}" -ge 3 ] ; } || skip "Linux $(uname -r) has no pidfd_open (5.3): svscan reaps with waitpid there"
  a=$(make_service a) ; mkdir "$a/log" ; printf '#!/bin/sh\nexec cat > out\n' > "$a/log/run" ; chmod +x "$a/log/run"
  b=$(make_service b "mkorphans 200 50 ; touch made ; exec sleep 1000")
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$a" ; wait_for 5 has_pid "$a/log" ; wait_for 10 test -e "$b/made"
  # one epoll set, three pidfds: a, a/log, b
  assert_equal "$(anon_fds "$SVSCAN_PID" eventpoll)" 1
  assert_equal "$(anon_fds "$SVSCAN_PID" pidfd)" 3
  wait_for 5 only_supervise
  sup=$(svchild "$SVSCAN_PID" a/log)
  kill -KILL "$sup"
  wait_for 5 svchild_other "$SVSCAN_PID" a/log "$sup"
  assert_equal "$(anon_fds "$SVSCAN_PID" pidfd)" 3
  stop_svscan
  assert_equal "$RC" 0
  [ "$MS" -lt "$(scaled 1000)" ]
  # the one warning expected: the new supervise stops the run the killed one left (issue 15)
  run grep -v "the previous supervisor died leaving its run (pid [0-9]*) alive: stopping it before starting a new one" "$T/svscan.err"
  refute_output --partial warning
}

@test "svscan: without pidfds (Linux < 5.3, a seccomp filter) it reaps with waitpid; all else the same" {
  a=$(make_service a)
  b=$(make_service b "mkorphans 200 50 ; touch made ; exec sleep 1000")
  sysfail pidfd_open=ENOSYS -- svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 5 has_pid "$a" ; wait_for 10 test -e "$b/made"
  assert_equal "$(anon_fds "$SVSCAN_PID" eventpoll)" 0
  assert_equal "$(anon_fds "$SVSCAN_PID" pidfd)" 0
  wait_for 5 only_supervise
  sup=$(svchild "$SVSCAN_PID" a)
  kill -KILL "$sup"
  wait_for 5 svchild_other "$SVSCAN_PID" a "$sup"
  stop_svscan
  assert_equal "$RC" 0
  [ "$MS" -lt "$(scaled 1000)" ]
  # the one warning expected: the new supervise stops the run the killed one left (issue 15)
  run grep -v "the previous supervisor died leaving its run (pid [0-9]*) alive: stopping it before starting a new one" "$T/svscan.err"
  refute_output --partial warning
}

@test "svscan: a supervise it cannot watch (epoll_ctl fails): one warning, then waitpid for good" {
  skip_under_valgrind "valgrind 3.19 does not know pidfd_open: svscan reaps with waitpid there (the waitpid test covers that)"
  for s in a b c ; do make_service $s >/dev/null ; done
  sysfail epoll_ctl=ENOSPC -- svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  for s in a b c ; do wait_for 5 has_pid "$SVDIR/$s" ; done
  run grep -c "^svscan: warning: unable to watch the supervise of [abc] (reaping with waitpid from now on): No space left on device$" "$T/svscan.err"
  assert_output 1
  for s in a b c ; do
    sup=$(svchild "$SVSCAN_PID" "$s")
    kill -KILL "$sup"
    wait_for 5 svchild_other "$SVSCAN_PID" "$s" "$sup"
  done
  # no zombie left behind by the switch
  [ -z "$(ps -o stat= --ppid "$SVSCAN_PID" | grep Z)" ]
  stop_svscan
  assert_equal "$RC" 0
  [ "$MS" -lt "$(scaled 1000)" ]
}

@test "svscan runs the supervise it was built for, not one found through PATH" {
  d=$(make_service web "exec /bin/sleep 1000")
  mkdir "$T/pbin"
  printf '#!/bin/sh\ntouch %s/impostor\nexec /bin/sleep 1000\n' "$T" > "$T/pbin/supervise"
  chmod +x "$T/pbin/supervise"
  PATH="$T/pbin:$PATH" "$TEND_BIN/svscan" -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
  wait_for 5 has_pid "$d"
  # our supervise: it keeps the event dir daemontools' does not
  assert [ -d "$d/supervise/event" ]
  assert [ ! -e "$T/impostor" ]
}

@test "svscan moved away from the path it was built for runs the supervise beside it" {
  inst=$TEND_BIN/../inst/svscan
  [ -x "$inst" ] || skip "no installed-path svscan in the build ($inst)"
  # the recorded absolute path (not a bare "/supervise" suffix the code also holds)
  built=$(strings "$inst" | grep -m1 '^/.\+/supervise$')
  [ ! -e "$built" ] || skip "$built exists on this machine: the fallback would not be used"
  mkdir "$T/reloc"
  cp "$inst" "$T/reloc/svscan"
  d=$(make_service web "exec /bin/sleep 1000")
  PATH=/usr/bin:/bin "$T/reloc/svscan" -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
  wait_for 5 grep -q "^svscan: warning: unable to spawn $built for web (retrying in 1 second): No such file or directory$" "$T/svscan.err"
  assert [ ! -e "$d/supervise/pid" ]
  # supervise appears beside it: found at the next start, no PATH involved
  kill "$SVSCAN_PID"
  wait "$SVSCAN_PID" || true
  cp "$TEND_BIN/supervise" "$T/reloc/supervise"
  PATH=/usr/bin:/bin "$T/reloc/svscan" -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
  wait_for 5 has_pid "$d"
}

@test "svscan: -c reached: a warning, never a silent skip" {
  make_service a >/dev/null ; make_service b >/dev/null ; make_service c >/dev/null
  start_svscan -t 0 -c 2 "$SVDIR"
  wait_for 5 grep -q "and any further new service: table full (2 services, raise it with -c)" "$T/svscan.err"
}

@test "svscan: a read-only scan directory is a clear error" {
  mkdir "$T/ro"
  mount -t tmpfs -o size=1m tmpfs "$T/ro" || skip "cannot mount a tmpfs here"
  mkdir "$T/ro/web" && printf '#!/bin/sh\nexec sleep 1000\n' > "$T/ro/web/run" && chmod +x "$T/ro/web/run"
  mount -o remount,ro "$T/ro"
  run svscan "$T/ro"
  umount "$T/ro"
  assert_failure 111
  assert_output "svscan: fatal: unable to mkdir $T/ro/.svscan: Read-only file system"
}

@test "svscan: orderly stop of 20 services finishes as soon as the last exits; exit 0" {
  for i in $(seq 1 20) ; do make_service "s$i" >/dev/null ; done
  start_svscan -t 0 "$SVDIR"
  for i in $(seq 1 20) ; do wait_for 10 has_pid "$SVDIR/s$i" ; done
  pids=$(for i in $(seq 1 20) ; do svpid "$SVDIR/s$i" ; done)
  stop_svscan
  echo "stop took $MS ms" >&2
  assert_equal "$RC" 0
  [ "$MS" -lt "$(scaled 1000)" ]
  for p in $pids ; do dead "$p" ; done
}

@test "svscan: a supervise whose control FIFO is gone is stopped by signal at the stop" {
  d=$(make_service web)
  start_svscan -t 0 -g 5000 "$SVDIR"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  # svscan cannot write "dx" any more: it sends TERM (d then x) to that supervise, via its pidfd
  rm "$d/supervise/control"
  stop_svscan
  assert_equal "$RC" 0
  [ "$MS" -lt "$(scaled 2000)" ]
  dead "$pid"
  run ! grep -q "still running at the grace deadline" "$T/svscan.err"
}

@test "svscan: a service that ignores TERM is killed at the grace deadline; exit still 0" {
  d=$(make_service stubborn 'trap "" TERM ; touch armed ; while : ; do sleep 0.05 ; done')
  start_svscan -t 0 -g 300 "$SVDIR"
  wait_for 5 test -e "$d/armed"
  pid=$(svpid "$d")
  stop_svscan
  assert_equal "$RC" 0
  # the grace of 300 ms was waited for, and not much more
  [ "$MS" -ge 250 ]
  [ "$MS" -lt "$(scaled 3000)" ]
  dead "$pid"
  grep -q "service stubborn still running at the grace deadline: sending SIGKILL" "$T/svscan.err"
}

@test "svscan: a grandchild that needs 0.5 s to clean up on TERM gets its 0.5 s" {
  d=$(make_service web 'sh -c "trap \"sleep 0.5 ; echo cleaned > $PWD/cleaned ; exit 0\" TERM ; touch $PWD/armed ; while : ; do sleep 0.05 ; done" & wait')
  start_svscan -t 0 -g 5000 "$SVDIR"
  wait_for 5 test -e "$d/armed"
  stop_svscan
  assert_equal "$RC" 0
  [ -e "$d/cleaned" ]
  [ "$MS" -ge 400 ]
  [ "$MS" -lt "$(scaled 3000)" ]
}

@test "svscan: loggers drain to the last line on stop" {
  d=$(make_service web 'seq 1 20000 ; trap "echo last words ; exit 0" TERM ; touch armed ; while : ; do sleep 0.05 ; done')
  mkdir "$d/log"
  printf '#!/bin/sh\nexec cat > out\n' > "$d/log/run" ; chmod +x "$d/log/run"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 test -e "$d/armed"
  stop_svscan
  assert_equal "$RC" 0
  assert_equal "$(tail -n 1 "$d/log/out")" "last words"
  assert_equal "$(wc -l < "$d/log/out")" 20001
}

@test "svscan: critical service exit codes 0..255 become svscan's" {
  d=$(make_service main 'exit $(cat code)')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  touch "$d/critical"
  for c in $(seq 0 255) ; do
    echo "$c" > "$d/code"
    rc=0 ; svscan -t 0 "$SVDIR" 2>/dev/null || rc=$?
    [ "$rc" = "$c" ] || { echo "exit code $c came out as $rc" ; false ; }
  done
}

@test "svscan: a critical service killed by signal N gives 128+N" {
  d=$(make_service main 'kill -$(cat sig) $$')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  touch "$d/critical"
  for s in 1 2 3 6 9 10 11 12 13 14 15 ; do
    echo "$s" > "$d/sig"
    rc=0 ; svscan -t 0 "$SVDIR" 2>/dev/null || rc=$?
    [ "$rc" = $((128 + s)) ] || { echo "signal $s came out as $rc" ; false ; }
  done
}

@test "svscan: a critical service that gives up (max-restarts) stops the tree with its code" {
  d=$(make_service main 'exit 3')
  echo "10 20" > "$d/restart-delay"
  echo "2 60" > "$d/max-restarts"
  touch "$d/critical"
  make_service other >/dev/null
  run svscan -t 0 "$SVDIR"
  assert_failure 3
  assert_output --partial "critical service main stopped for good (exit code 3): stopping the tree"
}

@test "svscan: .svscan/finish is exec'd with the exit code" {
  d=$(make_service main 'exit 7')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  touch "$d/critical"
  mkdir -p "$SVDIR/.svscan"
  printf '#!/bin/sh\necho "finish $1" > %s/finished\nexit $1\n' "$T" > "$SVDIR/.svscan/finish"
  chmod +x "$SVDIR/.svscan/finish"
  run svscan -t 0 "$SVDIR"
  assert_failure 7
  assert_equal "$(cat "$T/finished")" "finish 7"
}

@test "svscan: svscanctl -t stops the tree; svscanctl errors" {
  make_service web >/dev/null
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/web"
  svscanctl -t "$SVDIR"
  RC=0 ; wait "$SVSCAN_PID" || RC=$?
  assert_equal "$RC" 0
  run svscanctl -t "$SVDIR"
  assert_failure 111
  assert_output "svscanctl: fatal: unable to control $SVDIR: svscan not running"
  run svscanctl "$SVDIR"
  assert_failure 100
}

@test "svscan: orphans of the tree are reaped at once (subreaper)" {
  d=$(make_service web "mkorphans 500 50 ; touch made ; exec sleep 1000")
  start_svscan -t 0 "$SVDIR"
  wait_for 10 test -e "$d/made"
  # every orphan exits after 50 ms; then only supervise processes may remain as children
  wait_for 5 only_supervise
}

@test "svscan: an orphan outside supervision gets TERM at the stop, at once, not KILL at the deadline" {
  # the orphan leaves the service's process group: only svscan's stop reaches it
  d=$(make_service web '( setsid sh -c "trap \"echo termed > $PWD/termed ; exit 0\" TERM ; touch $PWD/armed ; while : ; do sleep 0.05 ; done" & ) ; while [ ! -e armed ] ; do sleep 0.01 ; done ; exec sleep 1000')
  start_svscan -t 0 -g 5000 "$SVDIR"
  wait_for 5 test -e "$d/armed"
  # it is svscan's child now, beside the supervise
  wait_for 5 bash -c "ps -o comm= --ppid $SVSCAN_PID | grep -qx sh"
  stop_svscan
  assert_equal "$RC" 0
  [ "$MS" -lt "$(scaled 2000)" ]
  assert_equal "$(cat "$d/termed")" termed
  run ! grep -q "outside supervision" "$T/svscan.err"
}

@test "svscan: long names and add/remove cycles reuse the name storage" {
  long=$(printf 'n%.0s' $(seq 1 200))
  start_svscan -t 0 -c 2 "$SVDIR"
  wait_for 5 test -p "$SVDIR/.svscan/control"
  for i in 1 2 3 4 ; do
    d=$(make_service "$long$i")
    svscanctl -a "$SVDIR"
    wait_for 5 has_pid "$d"
    pid=$(svpid "$d")
    sup=$(svchild "$SVSCAN_PID" "$long$i")
    [ -n "$sup" ]
    rm -rf "$d"
    svscanctl -a "$SVDIR"
    wait_for 5 dead "$pid"
    # and its supervise reaped, its entry free: a slow one (valgrind) still holds it a while
    wait_for 5 dead "$sup"
  done
  run grep -c "name storage full" "$T/svscan.err"
  assert_output 0
}

@test "svscan: a stream through an svlog logger SIGKILLed 20 times: what arrives is in order, no duplicates" {
  [ -x "$TEND_BIN/svlog" ] || skip "svlog not built"
  # numbered lines, 1,000 at a time, until the test says go once its kills are done (a stream of
  # a fixed length ran out before 20 kill cycles on a loaded machine); then a last line that must
  # arrive, numbered above anything the stream can reach. Eight digits each, so that the tail of
  # a line a killed logger's lost read cut (the pipe has no framing: the next logger starts
  # mid-line) is told from a whole line
  d=$(make_service web 'i=0 ; while [ ! -e go ] && [ $i -lt 2000 ] ; do seq $((10000000 + i * 1000 + 1)) $((10000000 + i * 1000 + 1000)) ; i=$((i + 1)) ; sleep 0.05 ; done ; echo 99999999 ; exec sleep 1000')
  mkdir "$d/log"
  printf '#!/bin/sh\nexec svlog s16777215 ./main\n' > "$d/log/run" ; chmod +x "$d/log/run"
  echo "10 20" > "$d/log/restart-delay"
  # hold the service until the logger is up, so the kills land mid-stream
  touch "$d/down"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d/log"
  # the logger's supervise starts first: the service's may not be listening yet
  wait_for 5 svok "$d"
  svc -u "$d"
  # each kill lands once the logger has written more since the previous one: mid-stream
  grown () { [ "$(cat "$d/log/main"/@* "$d/log/main/current" 2>/dev/null | wc -c)" -gt "$1" ] ; }
  for i in $(seq 1 20) ; do
    wait_for 5 has_pid "$d/log"
    size=$(cat "$d/log/main"/@* "$d/log/main/current" 2>/dev/null | wc -c)
    wait_for 10 grown "$size"
    kill -KILL "$(svpid "$d/log")" 2>/dev/null || true
  done
  wait_for 5 has_pid "$d/log"
  touch "$d/go"
  wait_for 30 grep -qx 99999999 "$d/log/main/current"
  # each file closed with a newline here, so a line cut at a file's end stands alone
  : > "$T/all"
  for f in $(ls "$d"/log/main/@* 2>/dev/null) "$d/log/main/current" ; do
    cat "$f" >> "$T/all"
    if [ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] ; then echo >> "$T/all" ; fi
  done
  grep -x '[0-9]\{8\}' "$T/all" > "$T/whole" || true
  n=$(wc -l < "$T/whole")
  bad=$(grep -cvx '[0-9]\{8\}' "$T/all" || true)
  echo "arrived: $n whole lines and $bad fragments after 20 SIGKILLs of the logger" >&2
  # the whole lines: nothing duplicated, order kept (strictly increasing)
  sort -n -c -u "$T/whole"
  # at most one fragment per kill, each only the tail of a number
  run test "$bad" -le 20
  assert_success
  run bash -c "grep -vx '[0-9]\{8\}' '$T/all' | grep -c '[^0-9]\|[0-9]\{8\}' || true"
  assert_output 0
  echo "$n" > "$BATS_RUN_TMPDIR/svlog-sigkill-count" 2>/dev/null || true
}

@test "svscan: Ctrl-C to the whole foreground group still stops in order: loggers drain" {
  d=$(make_service web 'trap "echo last words ; exit 0" TERM INT ; touch armed ; while : ; do sleep 0.05 ; done')
  mkdir "$d/log"
  printf '#!/bin/sh\nexec cat > out\n' > "$d/log/run" ; chmod +x "$d/log/run"
  setsid svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  SVSCAN_PID=$! ; track_pid "$SVSCAN_PID"
  wait_for 5 test -e "$d/armed"
  wait_for 5 has_pid "$d/log"
  # what a terminal does on Ctrl-C: SIGINT to every process of the foreground group
  kill -INT -- "-$SVSCAN_PID"
  RC=0 ; wait "$SVSCAN_PID" || RC=$?
  assert_equal "$RC" 0
  assert_equal "$(tail -n 1 "$d/log/out")" "last words"
}

@test "svscan: -t beyond range is a usage error" {
  run svscan -t 3000000000 "$SVDIR"
  assert_failure 100
}

@test "svscan: removing one service leaves the orphans of others alone" {
  d=$(make_service a 'setsid sh -c "trap \"echo TERM > $PWD/gotterm ; exit 0\" TERM ; touch $PWD/armed ; while : ; do sleep 0.05 ; echo >> $PWD/beat ; done" & while [ ! -e armed ] ; do sleep 0.01 ; done ; exec sleep 1000')
  e=$(make_service b)
  start_svscan -t 0 "$SVDIR"
  wait_for 5 test -e "$d/armed"
  wait_for 5 has_pid "$e"
  # kill a's run script: its setsid child becomes svscan's orphan
  svc -dx "$d"
  wait_for 5 no_pid "$d"
  sup=$(svchild "$SVSCAN_PID" b)
  rm -rf "$e"
  svscanctl -a "$SVDIR"
  wait_for 5 dead "$sup"
  # evidence that svscan has handled that death: two rescans after it, each seen to be done
  # (each starts a new service), then two beats of the orphan, which would have run a pending
  # TERM's trap in between
  make_service c1 >/dev/null ; svscanctl -a "$SVDIR" ; wait_for 5 has_pid "$SVDIR/c1"
  make_service c2 >/dev/null ; svscanctl -a "$SVDIR" ; wait_for 5 has_pid "$SVDIR/c2"
  n=$(wc -l < "$d/beat")
  wait_for 5 nlines_ge "$d/beat" $((n + 2))
  [ ! -e "$d/gotterm" ]
  stop_svscan
  wait_for 5 test -e "$d/gotterm"
}

@test "svscan: a service dir renamed in the scan dir is followed under its new name" {
  d=$(make_service old)
  touch "$d/critical"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  pid=$(svpid "$d")
  mv "$d" "$SVDIR/new"
  # a service added beside the rename: once it runs, the rescan that saw the rename was processed
  make_service c >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/c"
  # still the same service: not restarted, not told to go down or exit
  assert_equal "$(svpid "$SVDIR/new")" "$pid"
  run cat "$SVDIR/new/supervise/stat"
  assert_output "run, ready"
  # and still watched as critical under its new name: run once, it ends the tree (the o taken,
  # want byte 0, before the kill: a slow supervise would otherwise restart the run)
  svc -o "$SVDIR/new"
  wait_for 5 bash -c "od -An -tx1 -j17 -N1 '$SVDIR/new/supervise/status' | grep -qx ' 00'"
  kill -TERM "$pid"
  wait_for 5 dead "$SVSCAN_PID"
  RC=0 ; wait "$SVSCAN_PID" || RC=$?
  assert_equal "$RC" 143
}

@test "svscan: a dangling symlink is not a service and draws no warning" {
  ln -s "$T/nowhere" "$SVDIR/disabled"
  make_service web >/dev/null
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$SVDIR/web"
  # two rescans, each seen to be done: each starts a new service
  make_service c1 >/dev/null
  svscanctl -a "$SVDIR"
  wait_for 5 has_pid "$SVDIR/c1"
  make_service c2 >/dev/null
  kill -HUP "$SVSCAN_PID"
  wait_for 5 has_pid "$SVDIR/c2"
  run ! grep -q "disabled" "$T/svscan.err"
}

@test "svscan: its event FIFO in a critical service's supervise/event/ is removed when it stops watching" {
  d=$(make_service main)
  touch "$d/critical"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  fifos () { find "$d/supervise/event" -name "tend-wait:$SVSCAN_PID:*" -type p | wc -l ; }
  assert_equal "$(fifos)" 1
  # no longer critical: the next supervise is not watched, the FIFO goes
  rm "$d/critical"
  sup=$(svchild "$SVSCAN_PID" main)
  kill -KILL "$sup"
  wait_for 5 svchild_other "$SVSCAN_PID" main "$sup"
  assert_equal "$(fifos)" 0
  touch "$d/critical"
  sup=$(svchild "$SVSCAN_PID" main)
  kill -KILL "$sup"
  wait_for 5 svchild_other "$SVSCAN_PID" main "$sup"
  assert_equal "$(fifos)" 1
  # the stop ends every watch
  stop_svscan
  assert_equal "$RC" 0
  assert_equal "$(fifos)" 0
}

@test "svscan: critical is read again when a service's supervise starts" {
  d=$(make_service main 'exit 5')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  make_service other >/dev/null
  start_svscan -t 0 "$SVDIR"
  wait_for 5 bash -c "svstat -l '$d' | grep -q 'state failed'"
  kill -0 "$SVSCAN_PID"
  # made critical later: its next supervise is watched
  touch "$d/critical"
  sup=$(svchild "$SVSCAN_PID" main)
  kill -TERM "$sup"
  wait_for 10 dead "$SVSCAN_PID"
  RC=0 ; wait "$SVSCAN_PID" || RC=$?
  assert_equal "$RC" 5
}
