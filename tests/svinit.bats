#!/usr/bin/env bats
# svinit: settings checked before anything starts, the live scan dir built from a read-only
# image tree, the record, init.d one-shots, the main command, and the exec into svscan.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  IMG="$T/img"
  mkdir -p "$IMG" "$T/init"
  export SVINIT_SERVICES="$IMG" SVINIT_LIVE_DIR="$T/live" SVINIT_INIT_DIR="$T/init" SVINIT_GRACE_MS=500
  export TMPDIR="$T/tmp"
  mkdir -p "$TMPDIR"
  unset SVDIR
}
teardown () { tend_teardown ; }

img_service () {
  mkdir -p "$IMG/$1"
  printf '#!/bin/sh\n%s\n' "${2:-exec sleep 1000}" > "$IMG/$1/run"
  chmod +x "$IMG/$1/run"
}
init_script () {
  printf '#!/bin/sh\n%s\n' "$2" > "$T/init/$1"
  chmod +x "$T/init/$1"
}
# svinit in the background (it becomes svscan), output in $T/out and $T/err
start_svinit () {
  svinit "$@" >"$T/out" 2>"$T/err" &
  SVINIT_PID=$!
  track_pid "$SVINIT_PID"
}
stop_svinit () {
  kill -TERM "$SVINIT_PID"
  rc=0 ; wait "$SVINIT_PID" || rc=$?
}

@test "svinit: an invalid SVINIT_* value is fatal 100, names the variable and the allowed values, starts nothing" {
  img_service web
  init_script 10-mark "touch $T/ran"
  for v in "SVINIT_LOG_FORMAT=xml:plain, tagged (the default), stamped, json" \
           "SVINIT_INIT_FAILURE=maybe:stop (the default), warn" \
           "SVINIT_GRACE_MS=5s:milliseconds from 0 to 3600000" \
           "SVINIT_CMD_WAIT_MS=-1:milliseconds from 0 to 3600000" \
           "SVINIT_EXIT_MAP=143:CODE=CODE pairs" \
           "SVINIT_EXIT_MAP=143=0 300=1:CODE=CODE pairs" \
           "SVINIT_MAIN_NAME=a/b:a service name" \
           "SVINIT_MAIN_NAME=.x:a service name" \
           "SVINIT_SERVICES=relative:an absolute path" ; do
    assign=${v%%:*} ; allowed=${v#*:}
    run timeout 30 env "$assign" svinit
    assert_equal "$status" 100
    assert_output --partial "svinit: fatal: invalid ${assign%%=*}=${assign#*=}: allowed values: "
    assert_output --partial "$allowed"
  done
  [ ! -e "$T/live" ]
  [ ! -e "$T/ran" ]
}

@test "svinit: an unknown SVINIT_ variable (a typo) is fatal 100, naming it and the known ones" {
  img_service web
  run timeout 30 env SVINIT_LOGFORMAT=json svinit
  assert_equal "$status" 100
  assert_output --partial "svinit: fatal: unknown variable SVINIT_LOGFORMAT: known are SVINIT_SERVICES"
  assert_output --partial "SVINIT_LOG_FORMAT"
  [ ! -e "$T/live" ]
}

@test "svinit: a missing services dir is fatal 100; one that cannot be read is fatal 111" {
  run timeout 30 env SVINIT_SERVICES="$T/nope" svinit
  assert_equal "$status" 100
  assert_output --partial "svinit: fatal: unable to open directory $T/nope: no such directory"
  : > "$T/afile"
  run timeout 30 env SVINIT_SERVICES="$T/afile" svinit
  assert_equal "$status" 111
  assert_output --partial "svinit: fatal: unable to open directory $T/afile: "
}

@test "svinit: a service dir without run is fatal 100, naming it" {
  img_service web
  mkdir -p "$IMG/broken"
  run timeout 30 svinit
  assert_equal "$status" 100
  assert_output --partial "svinit: fatal: service $IMG/broken has no run file"
}

@test "svinit: the live dir has real dirs (service and log/) with links to the image's files; svscan runs them" {
  img_service web "echo started > $T/web.started ; exec sleep 1000"
  mkdir -p "$IMG/web/env" "$IMG/db/log"
  img_service db
  printf '#!/bin/sh\nexec cat > /dev/null\n' > "$IMG/db/log/run" ; chmod +x "$IMG/db/log/run"
  chmod -R a-w "$IMG"
  start_svinit
  wait_for 5 test -e "$T/web.started"
  wait_for 5 has_pid "$T/live/db/log"
  [ -d "$T/live/web" ]
  [ ! -L "$T/live/web" ]
  [ -d "$T/live/db/log" ]
  [ ! -L "$T/live/db/log" ]
  # no log/: the run is svinit's wrapper, the image's run beside it
  assert_equal "$(readlink "$T/live/web/svinit-run")" "$IMG/web/run"
  assert_equal "$(readlink "$T/live/db/run")" "$IMG/db/run"
  assert_equal "$(readlink "$T/live/web/env")" "$IMG/web/env"
  assert_equal "$(readlink "$T/live/db/log/run")" "$IMG/db/log/run"
  [ -d "$T/live/web/supervise" ]
  [ ! -e "$IMG/web/supervise" ]
  # the record: bare names from outside (docker exec) find the live dir
  assert_equal "$(readlink "$TEND_RUNDIR/scandir")" "$T/live"
  run svstat web
  assert_output --partial "web: up (pid "
  svc -d web
  wait_for 5 no_pid "$T/live/web"
  stop_svinit
  assert_equal "$rc" 0
  chmod -R u+w "$IMG"
}

@test "svinit: the environment reaches services, with SVDIR set to the live dir" {
  img_service web "echo \"\$FOO \$SVDIR\" > $T/env.out ; exec sleep 1000"
  FOO=bar start_svinit
  wait_for 5 test -s "$T/env.out"
  assert_equal "$(cat "$T/env.out")" "bar $T/live"
  stop_svinit
}

@test "svinit: an unwritable live dir falls back to a private dir under TMPDIR; both unwritable is fatal 111" {
  img_service web "touch $T/web.started ; exec sleep 1000"
  SVINIT_LIVE_DIR=/proc/nope/service start_svinit
  wait_for 5 test -e "$T/web.started"
  live=$(readlink "$TEND_RUNDIR/scandir")
  [[ "$live" == "$TMPDIR"/svinit.*/service ]]
  [ -d "$live/web/supervise" ]
  stop_svinit
  assert_equal "$rc" 0
  run timeout 30 env SVINIT_LIVE_DIR=/proc/nope/service TMPDIR=/proc/nope svinit
  assert_equal "$status" 111
  assert_output --partial "svinit: fatal: unable to create the live scan directory /proc/nope/service or a private one under /proc/nope: "
}

@test "svinit: init.d scripts run in name order, before the services, output tagged per stream" {
  img_service web "cat $T/order > $T/web.saw ; exec sleep 1000"
  init_script 20-b "echo b >> $T/order ; echo from-b"
  init_script 10-a "echo a >> $T/order ; echo from-a ; echo err-a >&2"
  init_script .hidden "echo hidden >> $T/order"
  start_svinit
  wait_for 5 test -s "$T/web.saw"
  assert_equal "$(cat "$T/web.saw" | tr '\n' ' ')" "a b "
  assert_equal "$(cat "$T/out")" "init.d/10-a | from-a
init.d/20-b | from-b"
  grep -qx "init.d/10-a | err-a" "$T/err"
  stop_svinit
}

@test "svinit: a failing init.d script stops the container with its code and a line naming it" {
  img_service web "touch $T/web.started ; exec sleep 1000"
  init_script 10-a "exit 7"
  init_script 20-b "touch $T/b.ran"
  run timeout 30 svinit
  assert_equal "$status" 7
  assert_output --partial "svinit: warning: init.d/10-a exited 7: stopping the container"
  [ ! -e "$T/b.ran" ]
  [ ! -e "$T/web.started" ]
}

@test "svinit: SVINIT_INIT_FAILURE=warn only warns; a non-executable entry counts as a failure (126)" {
  img_service web "touch $T/web.started ; exec sleep 1000"
  init_script 10-a "exit 7"
  printf 'echo x\n' > "$T/init/15-noexec"
  init_script 20-b "touch $T/b.ran"
  SVINIT_INIT_FAILURE=warn start_svinit
  wait_for 5 test -e "$T/web.started"
  [ -e "$T/b.ran" ]
  grep -q "svinit: warning: init.d/10-a exited 7: going on" "$T/err"
  grep -q "svinit: warning: init.d/15-noexec exited 126: going on" "$T/err"
  stop_svinit
  run timeout 30 svinit
  assert_equal "$status" 7
  chmod -x "$T/init/10-a"
  run timeout 30 svinit
  assert_equal "$status" 126
  assert_output --partial "svinit: warning: unable to execute $T/init/10-a: "
}

@test "svinit: JSON lines from init.d parse, for any bytes; stamped lines carry an ISO 8601 UTC time" {
  img_service web "exec sleep 1000"
  init_script 10-a "printf 'quote\" back\\\\ tab\\t bad\\377\\376 ctl\\001 \\303\\251\\n' ; echo e >&2"
  SVINIT_LOG_FORMAT=json SVINIT_INIT_FAILURE=stop run svinit true
  assert_equal "$status" 0
  echo "$output" | grep '^{' > "$T/json"
  assert_equal "$(wc -l < "$T/json")" 2
  python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    assert o["service"] == "init.d/10-a", o
    assert o["time"].endswith("Z") and "T" in o["time"], o
    if o["stream"] == "stdout":
        assert o["line"] == "quote\" back\\ tab\t bad\ufffd\ufffd ctl\x01 \u00e9", repr(o["line"])
    else:
        assert o["stream"] == "stderr" and o["line"] == "e", o
' "$T/json"
  SVINIT_LOG_FORMAT=stamped run svinit true
  assert_output --regexp '(^|
)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z init.d/10-a \| e'
  SVINIT_LOG_FORMAT=plain run svinit true
  assert_output --partial "quote"
  refute_output --partial "init.d/10-a"
}

@test "svinit: a line longer than the buffer is split into marked records, none lost" {
  img_service web
  init_script 10-a "head -c 10000 /dev/zero | tr '\\0' x ; echo"
  run svinit true
  assert_equal "$status" 0
  total=$(grep '^init.d/10-a [|+] ' <<<"$output" | sed 's/^init.d\/10-a [|+] //' | tr -d '\n' | wc -c)
  assert_equal "$total" 10000
  grep -q '^init.d/10-a + x' <<<"$output"
  # every record fits in PIPE_BUF, so concurrent writers never cut into it
  [ "$(awk '{ if (length($0) + 1 > m) m = length($0) + 1 } END { print m }' <<<"$output")" -le 4096 ]
}

@test "svinit: the main command's exit code ends the container; other services ran meanwhile" {
  img_service web "touch $T/web.started ; exec sleep 1000"
  run svinit sh -c "while [ ! -e $T/web.started ] ; do sleep 0.01 ; done ; exit 3"
  assert_equal "$status" 3
  run svinit sh -c 'kill -KILL $$'
  assert_equal "$status" 137
  run svinit true
  assert_equal "$status" 0
}

@test "svinit: a first argument with a dash is a usage error, prepares nothing; after -- it is the main command" {
  img_service web
  run --separate-stderr svinit -h
  assert_failure 100
  assert_equal "$stderr" "svinit: usage: svinit [ -- ] [ prog args... ]"
  run test -e "$T/live"
  assert_failure
  # a command whose name starts with a dash, after --
  mkdir -p "$T/bin"
  printf '#!/bin/sh\nexit 5\n' > "$T/bin/-job" ; chmod +x "$T/bin/-job"
  PATH=$T/bin:$PATH run svinit -- -job
  assert_equal "$status" 5
}

@test "svinit: a main command that does not exist is 127, named; a name collision is fatal 100" {
  img_service web
  run -127 svinit /nonexistent/prog
  assert_equal "$status" 127
  assert_output --partial "svinit: fatal: unable to run the main command /nonexistent/prog: "
  img_service main
  run timeout 30 svinit true
  assert_equal "$status" 100
  assert_output --partial "svinit: fatal: the main command's service name main is taken by $IMG/main: set SVINIT_MAIN_NAME to another name"
  SVINIT_MAIN_NAME=job run svinit sh -c 'exit 4'
  assert_equal "$status" 4
}

@test "svinit: the main command starts once the services are ready, or at SVINIT_CMD_WAIT_MS with a warning" {
  img_service web "sleep 0.3 ; touch $T/web.ready ; echo > /proc/self/fd/3 ; exec sleep 1000"
  echo 3 > "$IMG/web/notification-fd"
  run svinit sh -c "test -e $T/web.ready"
  assert_equal "$status" 0
  img_service web "exec sleep 1000"
  SVINIT_CMD_WAIT_MS=100 run svinit true
  assert_equal "$status" 0
  assert_output --partial "svinit: warning: not ready after SVINIT_CMD_WAIT_MS=100 ms: web: starting the main command anyway"
}

@test "svinit: services without log/ get stdout and stderr as whole tagged lines; log/ and the opt-out file keep theirs" {
  img_service web 'i=0 ; while [ $i -lt 50 ] ; do echo "GET /$i 200" ; echo "warn $i" >&2 ; i=$((i+1)) ; done ; exec sleep 1000'
  img_service agent 'echo "agent up" ; echo "agent err" >&2 ; exec sleep 1000'
  img_service flap 'exit 1'
  echo "0 60" > "$IMG/flap/max-restarts"
  img_service raw 'echo "{\"raw\":1}" ; exec sleep 1000'
  : > "$IMG/raw/svinit-untagged"
  img_service own 'echo "to my logger" ; exec sleep 1000'
  mkdir -p "$IMG/own/log"
  printf '#!/bin/sh\nexec cat > %s\n' "$T/own.log" > "$IMG/own/log/run" ; chmod +x "$IMG/own/log/run"
  start_svinit
  wait_for 5 grep -qx "web | GET /49 200" "$T/out"
  wait_for 5 grep -qx "web | warn 49" "$T/err"
  wait_for 5 grep -qx "agent | agent up" "$T/out"
  wait_for 5 grep -qx "agent | agent err" "$T/err"
  wait_for 5 grep -qx '{"raw":1}' "$T/out"
  wait_for 5 grep -qx "to my logger" "$T/own.log"
  assert_equal "$(grep -c '^web | GET /[0-9]* 200$' "$T/out")" 50
  assert_equal "$(grep -c '^web | warn [0-9]*$' "$T/err")" 50
  run ! grep -q "to my logger" "$T/out"
  # supervise's own warnings stay on svscan's stderr, never in a service's pipe or FIFO
  wait_for 5 grep -q "^supervise flap: warning: more than 0 deaths" "$T/err"
  stop_svinit
  assert_equal "$rc" 0
}

@test "svinit: 2 x 20,000 lines at full speed from two services: none lost, none split, none mixed" {
  for s in a b ; do
    img_service $s "i=0 ; while [ \$i -lt 20000 ] ; do echo \"$s-line-\$i-padding-padding-padding\" ; i=\$((i+1)) ; done ; touch $T/$s.done ; exec sleep 1000"
  done
  start_svinit
  wait_for 60 test -e "$T/a.done"
  wait_for 60 test -e "$T/b.done"
  count () { [ "$(grep -c "^$1 | $1-line-[0-9]*-padding-padding-padding\$" "$T/out")" = 20000 ] ; }
  wait_for 30 count a
  wait_for 30 count b
  # every line of the output is a whole record of one service
  assert_equal "$(grep -cv '^[ab] | [ab]-line-[0-9]*-padding-padding-padding$' "$T/out")" 0
  # in order, each number once
  assert_equal "$(grep '^a | ' "$T/out" | sed 's/^a | a-line-\([0-9]*\)-.*/\1/' | awk '$1 != NR - 1 { bad++ } END { print bad + 0 }')" 0
  stop_svinit
}

@test "svinit: a burst of lines goes out several lines a write, whole records of at most PIPE_BUF bytes" {
  # seq writes into the pipe in big blocks; the logger then writes whole tagged records, many
  # a write (one write per line made the tagged stream 15 times slower than supervisord's)
  img_service web "seq -f 'line %g padding padding padding' 1 3000 ; touch $T/web.done ; exec sleep 1000"
  start_svinit
  wait_for 30 test -e "$T/web.done"
  count () { [ "$(grep -c '^web | line [0-9]* padding padding padding$' "$T/out")" = 3000 ] ; }
  wait_for 30 count
  assert_equal "$(grep -cv '^web | line [0-9]* padding padding padding$' "$T/out")" 0
  run svstat "$T/live/web/log"
  logger=$(sed -n 's/.*up (pid \([0-9]*\)).*/\1/p' <<<"$output")
  [ -n "$logger" ]
  # /proc/PID/io: the write system calls the logger made: 3000 lines of 42 bytes are 31 full
  # records' worth of output; one write per line would be 3000
  writes=$(awk '$1 == "syscw:" { print $2 }' "/proc/$logger/io")
  echo "logger $logger: $writes writes for 3000 lines"
  [ "$writes" -lt 300 ]
  stop_svinit
}

@test "svinit: SVINIT_EXIT_MAP maps the main command's code; 143 unmapped stays 143" {
  img_service web
  run svinit sh -c 'kill -TERM $$'
  assert_equal "$status" 143
  SVINIT_EXIT_MAP="143=0 130=0" run svinit sh -c 'kill -TERM $$'
  assert_equal "$status" 0
  SVINIT_EXIT_MAP="143=0 130=0" run svinit sh -c 'exit 3'
  assert_equal "$status" 3
}

@test "svinit: with a main command, USR1 to PID 1 reaches it; TERM stops the tree with exit 0" {
  img_service web
  start_svinit sh -c "trap 'echo USR1 > $T/got' USR1 ; touch $T/main.up ; while : ; do sleep 0.05 ; done"
  wait_for 5 test -e "$T/main.up"
  kill -USR1 "$SVINIT_PID"
  wait_for 5 grep -qx USR1 "$T/got"
  stop_svinit
  assert_equal "$rc" 0
}

@test "svinit: finish.d scripts run after the services are down, tagged, and the exit code is kept" {
  img_service web "trap 'sleep 0.2 ; echo web-down > $T/web.down ; exit 0' TERM ; touch $T/web.up ; while : ; do sleep 0.05 ; done"
  mkdir -p "$T/finish"
  printf '#!/bin/sh\ncat %s/web.down\necho second\n' "$T" > "$T/finish/10-a" ; chmod +x "$T/finish/10-a"
  SVINIT_FINISH_DIR="$T/finish" run svinit sh -c "while [ ! -e $T/web.up ] ; do sleep 0.01 ; done ; exit 3"
  assert_equal "$status" 3
  assert_output --partial "finish.d/10-a | web-down"
  assert_output --partial "finish.d/10-a | second"
}

@test "svinit: finish.d is bounded by SVINIT_GRACE_MS: a hanging script is killed" {
  img_service web
  mkdir -p "$T/finish"
  printf '#!/bin/sh\necho hanging\nexec sleep 1000\n' > "$T/finish/10-a" ; chmod +x "$T/finish/10-a"
  t0=$(date +%s%N)
  SVINIT_FINISH_DIR="$T/finish" SVINIT_GRACE_MS=300 run svinit sh -c 'exit 4'
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  assert_equal "$status" 4
  assert_output --partial "svinit: warning: finish.d still running after SVINIT_GRACE_MS=300 ms: killing it"
  [ "$ms" -lt 5000 ]
}

@test "svinit: as PID 1 of a PID namespace: services run, the CMD's code is the exit, orphans reaped" {
  [ "$(id -u)" = 0 ] || skip "PID namespaces need root here"
  pidns true 2>/dev/null || skip "cannot create a PID namespace here"
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
  img_service web "touch $T/web.up ; exec sleep 1000"
  run pidns -r "$T/report" svinit sh -c "while [ ! -e $T/web.up ] ; do sleep 0.01 ; done ; (sleep 0.1 &) ; [ \$\$ != 1 ] && exit 3"
  assert_equal "$status" 3
  assert_equal "$(cat "$T/report")" "exit 3"
}

@test "svinit: the environment reaches every service, logger, init.d, finish.d and the CMD unchanged (plus SVDIR); env/ adds to one" {
  # each one saves the environment it was executed with (/proc/$$/environ: what the shell got,
  # before it adds PWD and the like), NUL-separated
  img_service tagged "cat /proc/\$\$/environ > $T/env.tagged ; exec sleep 1000"
  img_service logged "cat /proc/\$\$/environ > $T/env.logged ; exec sleep 1000"
  mkdir -p "$IMG/logged/log"
  printf '#!/bin/sh\ncat /proc/$$/environ > %s/env.logger\nexec cat > /dev/null\n' "$T" > "$IMG/logged/log/run"
  chmod +x "$IMG/logged/log/run"
  img_service extra "cat /proc/\$\$/environ > $T/env.extra ; exec sleep 1000"
  mkdir -p "$IMG/extra/env" "$T/finish"
  echo "from env dir" > "$IMG/extra/env/EXTRA"
  init_script 10-a "cat /proc/\$\$/environ > $T/env.init"
  printf '#!/bin/sh\ncat /proc/$$/environ > %s/env.finish\n' "$T" > "$T/finish/10-a"
  chmod +x "$T/finish/10-a"
  local vars=(PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" TEND_RUNDIR="$TEND_RUNDIR"
    TMPDIR="$TMPDIR" SVINIT_SERVICES="$IMG" SVINIT_LIVE_DIR="$T/live" SVINIT_INIT_DIR="$T/init"
    SVINIT_FINISH_DIR="$T/finish" SVINIT_GRACE_MS=500 'ODD=a b=c  "q" $x *' EMPTY= 'NL=one
two')
  run env -i "${vars[@]}" svinit sh -c "for s in tagged logged logger extra init ; do while [ ! -s $T/env.\$s ] ; do sleep 0.01 ; done ; done ; cat /proc/\$\$/environ > $T/env.main"
  assert_success
  local s v
  for v in "${vars[@]}" SVDIR="$T/live" ; do printf '%s\0' "$v" ; done | LC_ALL=C sort -z > "$T/want"
  for s in tagged logged logger extra init main finish ; do
    [ -s "$T/env.$s" ]
    if [ $s = extra ] ; then
      printf 'EXTRA=from env dir\0' | cat - "$T/want" | LC_ALL=C sort -z > "$T/want.$s"
    else
      cp "$T/want" "$T/want.$s"
    fi
    LC_ALL=C sort -z "$T/env.$s" > "$T/got.$s"
    run cmp "$T/want.$s" "$T/got.$s"
    assert_success
  done
}

@test "svinit: not PID 1: svinit (as svscan) is the subreaper of its tree: an orphan of a service is its child, and reaped" {
  img_service web "(exec sleep 4444 &) ; touch $T/web.up ; exec sleep 1000"
  start_svinit
  wait_for 5 test -e "$T/web.up"
  orphan_pid () { ps -o pid=,ppid=,args= --ppid "$SVINIT_PID" | awk '$3 == "sleep" && $4 == "4444" { print $1 }' ; }
  wait_for 5 eval '[ -n "$(orphan_pid)" ]'
  o=$(orphan_pid)
  track_pid "$o"
  kill -KILL "$o"
  # reaped: no zombie left behind under svinit
  wait_for 5 eval '! kill -0 '"$o"
  stop_svinit
  assert_equal "$rc" 0
}

@test "svinit: a main command that exits 0 is information, not a warning, and no 'svc -u revives it' hint" {
  img_service web
  run svinit true
  assert_success
  assert_output --partial "svscan: info: critical service main stopped for good (exit code 0): stopping the tree"
  refute_output --partial "warning"
  refute_output --partial "svc -u revives it"
  run svinit sh -c 'exit 5'
  assert_equal "$status" 5
  assert_output --partial "svscan: warning: critical service main stopped for good (exit code 5): stopping the tree"
  refute_output --partial "svc -u revives it"
}

@test "svinit: a services dir the user cannot read is fatal 111, named" {
  [ "$(id -u)" = 0 ] || skip "needs root to run svinit as another user"
  img_service web
  chmod 700 "$IMG"
  chmod 755 "$T" "$T/init"
  chmod 1777 "$TMPDIR"
  run setpriv --reuid 1000 --regid 1000 --clear-groups timeout 30 env SVINIT_LIVE_DIR="$TMPDIR/live" TEND_RUNDIR="$TMPDIR/run" svinit
  assert_equal "$status" 111
  assert_output --partial "svinit: fatal: unable to open directory $IMG: Permission denied"
}

@test "svinit: every SVINIT_* variable svinit knows has its entry with a default in svinit(8)" {
  local man="$_tend_root/doc/svinit.8" v n=0
  for v in $(grep -o '"SVINIT_[A-Z][A-Z_]*"' "$_tend_root/cmd/svinit/svinit.c" | tr -d '"' | sort -u) ; do
    n=$((n + 1))
    # .TP / .B NAME, then its text up to the next .TP mentions a default
    run awk -v v="$v" '/^\.SH ENVIRONMENT/ { env = 1 } env && $0 == ".B " v { on = 1 ; next } on && /^\.(TP|SH)/ { exit } on { print }' "$man"
    assert_output --regexp '[Dd]efault'
  done
  [ "$n" -ge 10 ]
}

# svinit with its stdout a FIFO (a pipe, as a container's stdout is) read by cat into $T/out
start_svinit_pipe () {
  mkfifo "$T/fifo"
  # (each open of a FIFO waits for the other end: svinit first, then its reader)
  svinit "$@" > "$T/fifo" 2>"$T/err" &
  SVINIT_PID=$!
  track_pid "$SVINIT_PID"
  cat < "$T/fifo" > "$T/out" &
  reader=$!
  track_pid "$reader"
  wait_for 10 eval '[ "$(readlink /proc/$reader/fd/0)" = "$T/fifo" ]'
}

@test "svinit: a service writing faster than the container's stdout is read waits (back-pressure); nothing is lost" {
  img_service fast "i=0 ; while [ \$i -lt 20000 ] ; do echo \"fast-line-\$i-padding-padding-padding\" ; i=\$((i+1)) ; done ; touch $T/fast.done ; exec sleep 1000"
  start_svinit_pipe
  kill -STOP "$reader"
  # evidence it is held back: the service's shell sleeps in a pipe write, and has not finished
  blocked () {
    local p
    p=$(svpid "$T/live/fast") && [ -n "$p" ] || return 1
    grep -q pipe_write "/proc/$p/wchan"
  }
  wait_for 30 blocked
  [ ! -e "$T/fast.done" ]
  # the tagger holds no more than its buffers: its resident memory stays small (not measured
  # under ASan, whose shadow memory and allocator make any process larger than this bound)
  logger=$(svpid "$T/live/fast/log")
  if [ "${TEND_SANITIZE:-0}" != 1 ] ; then
    [ "$(awk '/^VmRSS:/ { print $2 }' "/proc/$logger/status")" -lt 4096 ]
  fi
  kill -CONT "$reader"
  wait_for 60 test -e "$T/fast.done"
  count () { [ "$(grep -c '^fast | fast-line-[0-9]*-padding-padding-padding$' "$T/out")" = 20000 ] ; }
  wait_for 30 count
  assert_equal "$(grep -cv '^fast | fast-line-[0-9]*-padding-padding-padding$' "$T/out")" 0
  assert_equal "$(sed 's/^fast | fast-line-\([0-9]*\)-.*/\1/' "$T/out" | awk '$1 != NR - 1 { bad++ } END { print bad + 0 }')" 0
  stop_svinit
  assert_equal "$rc" 0
}

@test "svinit: stdout a pipe that fills up, shared with an untagged writer: every line whole, none lost" {
  # a and b tagged (their loggers write whole records, up to PIPE_BUF bytes a write), raw
  # untagged (one write a line straight to stdout); the reader stops until the services are
  # blocked on a full pipe, so every writer waits on it and their writes land in turns
  for s in a b ; do
    img_service $s "while [ ! -e $T/go ] ; do sleep 0.05 ; done ; i=0 ; while [ \$i -lt 20000 ] ; do echo \"$s-line-\$i-padding-padding-padding\" ; i=\$((i+1)) ; done ; touch $T/$s.done ; exec sleep 1000"
  done
  img_service raw "while [ ! -e $T/go ] ; do sleep 0.05 ; done ; i=0 ; while [ \$i -lt 5000 ] ; do echo \"raw-line-\$i\" ; i=\$((i+1)) ; done ; touch $T/raw.done ; exec sleep 1000"
  : > "$IMG/raw/svinit-untagged"
  start_svinit_pipe
  wait_for 10 has_pid "$T/live/a/log"
  wait_for 10 has_pid "$T/live/b/log"
  kill -STOP "$reader"
  touch "$T/go"
  blocked () { grep -q pipe_write "/proc/$(svpid "$T/live/a")/wchan" ; }
  wait_for 30 blocked
  kill -CONT "$reader"
  for s in a b raw ; do wait_for 60 test -e "$T/$s.done" ; done
  count () { [ "$(grep -c "^$1" "$T/out")" = "$2" ] ; }
  wait_for 30 count "a | a-line-[0-9]*-padding-padding-padding\$" 20000
  wait_for 30 count "b | b-line-[0-9]*-padding-padding-padding\$" 20000
  wait_for 30 count "raw-line-[0-9]*\$" 5000
  assert_equal "$(grep -cvE '^(([ab]) \| \2-line-[0-9]+-padding-padding-padding|raw-line-[0-9]+)$' "$T/out")" 0
  assert_equal "$(grep '^a | ' "$T/out" | sed 's/^a | a-line-\([0-9]*\)-.*/\1/' | awk '$1 != NR - 1 { bad++ } END { print bad + 0 }')" 0
  stop_svinit
  assert_equal "$rc" 0
}

@test "svinit: a main command that makes the shared stdout non-blocking loses no line of a tagged service" {
  # node.js and others set O_NONBLOCK on their stdout: the container's, shared with every
  # logger. A full pipe then answers EAGAIN; the logger waits for room instead of dropping.
  img_service fast "while [ ! -e $T/go ] ; do sleep 0.05 ; done ; i=0 ; while [ \$i -lt 20000 ] ; do echo \"fast-line-\$i-padding-padding-padding\" ; i=\$((i+1)) ; done ; touch $T/fast.done ; exec sleep 1000"
  start_svinit_pipe python3 -c "import fcntl, os, time
fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)
open('$T/nb', 'w').close()
time.sleep(1000)"
  wait_for 10 test -e "$T/nb"
  # the reader stops before the service writes a line: else a quick service may be done first
  kill -STOP "$reader"
  touch "$T/go"
  # the logger waits for room, so the service blocks on its own full pipe before its end (a
  # logger that dropped on EAGAIN would let it run through)
  blocked () { grep -q pipe_write "/proc/$(svpid "$T/live/fast")/wchan" ; }
  wait_for 30 blocked
  [ ! -e "$T/fast.done" ]
  kill -CONT "$reader"
  wait_for 60 test -e "$T/fast.done"
  count () { [ "$(grep -c '^fast | fast-line-[0-9]*-padding-padding-padding$' "$T/out")" = 20000 ] ; }
  wait_for 30 count
  run ! grep -q 'unable to write' "$T/err"
  stop_svinit
}

# sh "$T/ns.sh" in a private mount namespace where /run is an empty root-owned tmpfs (no
# /run/tend, which uid 1000 cannot make) and /tmp a fresh one (no /tmp/tend-UID left by anybody
# else on this machine), with $T still at its path: the fixed places are the code under test
in_fresh_run_tmp () {
  unshare -m --propagation private sh -ec '
    mount -t tmpfs -o mode=755 none /run
    mkdir /run/hold ; mount --bind "$T" /run/hold
    mount -t tmpfs -o mode=1777 none /tmp
    mkdir -p "$T" ; mount --bind /run/hold "$T"
    exec sh "$T/ns.sh"'
}
# the scripts below: as_exec UID CMD... runs CMD as `docker exec --user UID` would, with the
# container's configured environment only (no TEND_RUNDIR, SVDIR or TMPDIR from svinit)
ns_prelude () {
  cat <<PRE
cd /
as_exec () { u=\$1 ; shift ; setpriv --reuid \$u --regid \$u --clear-groups env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" "\$@" ; }
poll () { i=0 ; while ! "\$@" >/dev/null 2>&1 ; do i=\$((i+1)) ; [ \$i -lt 2000 ] || { echo "timeout: \$*" ; return 1 ; } ; sleep 0.01 ; done ; }
lines () { [ "\$(wc -l < "\$1")" -ge "\$2" ] ; }
PRE
}

@test "svinit: as uid 1000 with /run/tend unwritable, the record goes to /tmp/tend-1000, where bare names from docker exec find it with no variable set" {
  [ "$(id -u)" = 0 ] || skip "needs root to run svinit as another user in a mount namespace"
  img_service web "echo x >> $T/starts/web ; exec sleep 1000"
  mkdir -p "$T/starts" ; chmod 777 "$T/starts"
  chmod 755 "$T" "$T/init" ; chmod 1777 "$TMPDIR"
  { ns_prelude ; cat <<EOS
# PID 1 of the container: uid 1000, the defaults (live dir /run/service, record in /run/tend)
setpriv --reuid 1000 --regid 1000 --clear-groups env -u TEND_RUNDIR -u SVDIR -u SVINIT_LIVE_DIR svinit >$T/out 2>$T/err &
pid=\$!
echo \$pid >> $T/.pids
poll lines $T/starts/web 1
echo "record: \$(stat -c '%u %a' /tmp/tend-1000) -> \$(readlink /tmp/tend-1000/scandir)"
echo "svstat: \$(as_exec 1000 svstat web 2>&1)"
as_exec 1000 svok web && echo "svok: 0"
as_exec 1000 svc -t web && echo "svc: 0"
poll lines $T/starts/web 2 && echo "restarted"
as_exec 1000 svwait -u -t 5000 web && echo "svwait: 0"
as_exec 1000 svscanctl -n && echo "svscanctl: 0"
# root does not follow a record of uid 1000 (see svc(8) FILES): its own fallback is /tmp/tend-0
echo "root: \$(as_exec 0 svok web 2>&1)"
kill -TERM \$pid ; wait \$pid ; echo "svinit: \$?"
EOS
  } > "$T/ns.sh"
  run in_fresh_run_tmp
  assert_line --regexp "^record: 1000 755 -> $TMPDIR/svinit\.[^/]*/service\$"
  assert_line --regexp "^svstat: web: up \(pid [0-9]+\)"
  assert_line "svok: 0"
  assert_line "svc: 0"
  assert_line "restarted"
  assert_line "svwait: 0"
  assert_line "svscanctl: 0"
  assert_line "root: svok: fatal: unable to chdir to /etc/service/web: No such file or directory"
  assert_line "svinit: 0"
  run cat "$T/err"
  refute_output --partial "warning"
}

@test "svinit and the clients ignore a /tmp/tend-UID another user planted, with a warning" {
  [ "$(id -u)" = 0 ] || skip "needs root to run as other users in a mount namespace"
  img_service web "echo x >> $T/starts/web ; exec sleep 1000"
  mkdir -p "$T/starts" "$T/evil/web" ; chmod 777 "$T/starts"
  chmod 755 "$T" "$T/init" ; chmod 1777 "$TMPDIR"
  { ns_prelude ; cat <<EOS
# another user's directory, a symlink, one anybody can write: a record in any of them would
# send uid 1000's bare names to a tree of somebody else's choosing
mkdir /tmp/tend-1000 ; ln -s $T/evil /tmp/tend-1000/scandir ; chown -h 2000 /tmp/tend-1000 /tmp/tend-1000/scandir
echo "owner: \$(as_exec 1000 svok web 2>&1)"
setpriv --reuid 1000 --regid 1000 --clear-groups env -u TEND_RUNDIR -u SVDIR -u SVINIT_LIVE_DIR svinit >$T/out 2>$T/err &
pid=\$!
echo \$pid >> $T/.pids
poll lines $T/starts/web 1
echo "planted: \$(readlink /tmp/tend-1000/scandir)"
kill -TERM \$pid ; wait \$pid ; echo "svinit: \$?"
rm -r /tmp/tend-1000 ; mkdir -m 777 /tmp/tend-1000 ; ln -s $T/evil /tmp/tend-1000/scandir
echo "mode: \$(as_exec 1000 svok web 2>&1)"
rm -r /tmp/tend-1000 ; mkdir /tmp/elsewhere ; ln -s $T/evil /tmp/elsewhere/scandir ; ln -s /tmp/elsewhere /tmp/tend-1000
echo "link: \$(as_exec 1000 svok web 2>&1)"
EOS
  } > "$T/ns.sh"
  run in_fresh_run_tmp
  assert_line --partial "owner: svok: warning: ignoring /tmp/tend-1000: owned by uid 2000"
  assert_line "planted: $T/evil"
  assert_line "svinit: 0"
  assert_line --partial "mode: svok: warning: ignoring /tmp/tend-1000: writable by group or others"
  assert_line --partial "link: svok: warning: ignoring /tmp/tend-1000: not a directory (a symlink or a file another user may have planted)"
  refute_output --partial "$T/evil/web"
  # each fell back to /etc/service, never the planted tree
  [ "$(grep -c 'svok: fatal: unable to chdir to /etc/service/web' <<< "$output")" -eq 3 ]
  # svinit said why its record is not there, and put it beside its live dir for its children
  run cat "$T/err"
  assert_line "svinit: warning: ignoring /tmp/tend-1000: owned by uid 2000"
  assert_line --partial "svinit: warning: unable to record the live scan directory in /run/tend or /tmp/tend-1000: bare names from docker exec need SVDIR"
}
