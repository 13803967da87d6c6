#!/usr/bin/env bats
# svstat: daemontools' exact line, -l, -j, -c; errors never print nonsense.

load helpers/common
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { tend_teardown ; }

is_ready () { grep -q ', ready' "$1/supervise/stat" ; }

@test "svstat: daemontools' lines for up, normally down, paused, want down, down" {
  d=$(make_service web 'trap "" TERM ; touch armed ; while : ; do sleep 0.05 ; done')
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  wait_for 5 is_ready "$d"
  pid=$(svpid "$d")
  run svstat "$d"
  assert_success
  assert_output --regexp "^$d: up \(pid $pid\) [0-9]+ seconds$"
  touch "$d/down"
  run svstat "$d"
  assert_output --regexp "^$d: up \(pid $pid\) [0-9]+ seconds, normally down$"
  rm "$d/down"
  svc -p "$d"
  wait_for 5 grep -q paused "$d/supervise/stat"
  run svstat "$d"
  assert_output --regexp "^$d: up \(pid $pid\) [0-9]+ seconds, paused$"
  svc -c "$d"
  wait_for 5 bash -c "! grep -q paused '$d/supervise/stat'"
  # the shell traps TERM away: it stays up, wanted down
  svc -d "$d"
  wait_for 5 grep -q 'want down' "$d/supervise/stat"
  run svstat "$d"
  assert_output --regexp "^$d: up \(pid [0-9]+\) [0-9]+ seconds, want down$"
  svc -k "$d"
  wait_for 5 no_pid "$d"
  run svstat "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds, normally up$"
}

@test "svstat: one line per argument, exit 111 if one could not be read" {
  d=$(make_service web)
  start_supervise "$d"
  mkdir "$T/plain"
  run svstat "$d" "$T/none" "$T/plain"
  assert_failure 111
  assert_line --index 0 --regexp "^$d: up \(pid [0-9]+\) [0-9]+ seconds$"
  assert_line --index 1 "$T/none: unable to chdir: No such file or directory"
  assert_line --index 2 "$T/plain: unable to open supervise/ok: No such file or directory"
}

@test "svstat: supervise not running" {
  d=$(make_service web)
  start_supervise "$d"
  svc -dx "$d"
  wait_for 5 bash -c "! kill -0 $SUPERVISE_PID 2>/dev/null"
  run svstat "$d"
  assert_success
  assert_output "$d: supervise not running"
}

@test "svstat: a truncated status file is 'bad format', exit 111" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_ready "$d"
  head -c 10 "$d/supervise/status" > "$T/s" && cp "$T/s" "$d/supervise/status.x" && mv "$d/supervise/status.x" "$d/supervise/status"
  run svstat "$d"
  assert_failure 111
  assert_output "$d: unable to read supervise/status: bad format"
}

@test "svstat: a garbage status file is 'bad format', never nonsense" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_ready "$d"
  head -c 52 /dev/urandom > "$d/supervise/status.x" && mv "$d/supervise/status.x" "$d/supervise/status"
  run svstat "$d"
  assert_failure 111
  assert_output "$d: unable to read supervise/status: bad format"
  run svstat -j "$d"
  assert_failure 111
  echo "$output" | python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert o["error"].endswith("bad format")'
}

@test "svstat -l: state, readiness, last exit, restarts, backoff, failed" {
  d=$(make_service web 'exit 7')
  echo "2000 4000" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 grep -q '^down' "$d/supervise/stat"
  wait_for 5 bash -c "svstat -l '$d' | grep -q 'state backoff'"
  run svstat -l "$d"
  assert_output --regexp "^$d: down [0-9]+ seconds, normally up, want up, state backoff, last exit 7, restarts 1, restart in [0-9]+ ms$"
}

@test "svstat -l: a ready service" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_ready "$d"
  run svstat -l "$d"
  assert_output --regexp "^$d: up \(pid [0-9]+\) [0-9]+ seconds, state ready, ready [0-9]+ seconds, restarts 0$"
}

@test "svstat -j: one valid JSON object per service with stable keys" {
  a=$(make_service a) ; b=$(make_service b)
  start_supervise "$a"
  wait_for 5 is_ready "$a"
  run svstat -j "$a" "$b"
  assert_failure 111
  echo "$output" | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
assert len(lines) == 2
a = json.loads(lines[0]); b = json.loads(lines[1])
keys = ("service","path","supervised","format","up","pid","seconds","state","want","normally_up","paused","got_term","finishing","ready","ready_seconds","last_exit_code","last_signal","last_signal_name","restarts","restart_in_ms","failed","exec_failed","critical","exiting","tend_version")
# in this order: new keys go at the end
assert tuple(a.keys()) == keys, list(a.keys())
assert a["up"] is True and a["state"] == "ready" and a["format"] == "tend" and isinstance(a["pid"], int)
assert b["error"].startswith("unable to open supervise/ok")
'
}

@test "svstat -c: 0 when every named service is up and ready, 1 otherwise" {
  a=$(make_service a)
  b=$(make_service b 'exec sleep 1000')
  echo 3 > "$b/notification-fd"
  start_supervise "$a"
  start_supervise "$b"
  wait_for 5 is_ready "$a"
  run svstat -c "$a"
  assert_success
  assert_output ""
  run svstat -c "$a" "$b"
  assert_failure 1
  assert_output --regexp "^$b: up .*state up"
}

@test "svstat -c: with no service named, checks the whole scan directory" {
  a=$(make_service a) ; b=$(make_service b)
  start_supervise "$a"
  start_supervise "$b"
  wait_for 5 is_ready "$a"
  wait_for 5 is_ready "$b"
  run svstat -c
  assert_success
  # wanted up and not up: unhealthy
  echo 3 > "$b/notification-fd"
  svc -r -wr "$b"
  run svstat -c
  assert_failure 1
  assert_output --regexp "^b: up .*state up"
}

@test "svstat -c: a service down on purpose (down file, svc -d) is healthy" {
  a=$(make_service a) ; b=$(make_service b) ; c=$(make_service c)
  touch "$b/down"
  start_supervise "$a"
  start_supervise "$b"
  start_supervise "$c"
  wait_for 5 is_ready "$a"
  wait_for 5 is_ready "$c"
  # normally down, never started: in the state it is wanted in
  run svstat -c "$b"
  assert_success
  assert_output ""
  # taken down with svc -d
  svc -d -wD "$c"
  run svstat -c "$c"
  assert_success
  assert_output ""
  run svstat -c
  assert_success
  assert_output ""
  # wanted up again and not up yet is not healthy; up and ready again is
  echo 3 > "$c/notification-fd"
  svc -u -wu "$c"
  run svstat -c "$c"
  assert_failure 1
  assert_output --regexp "^$c: up .*state up"
}

@test "svstat -c: a service supervise gave up on (failed) is unhealthy, though its want is down" {
  d=$(make_service web 'exit 3')
  printf '#!/bin/sh\nexit 125\n' > "$d/finish" ; chmod +x "$d/finish"
  start_supervise "$d"
  wait_for 5 sh -c "svstat -l '$d' | grep -q ', failed'"
  run svstat -c "$d"
  assert_failure 1
  assert_output --regexp "^$d: down .*failed"
}

@test "svstat: usage" {
  run svstat -z x
  assert_failure 100
  assert_output --partial "svstat: usage:"
}

# a service dir $d whose supervise/ looks alive: an ok FIFO with a reader (fd 8 of the test)
fake_alive () {
  d=$(make_service web)
  mkdir -p "$d/supervise"
  mkfifo "$d/supervise/ok"
  exec 8<>"$d/supervise/ok"
}

@test "svstat: a FIFO as supervise/status is refused at once, never waited on" {
  fake_alive
  mkfifo "$d/supervise/status"
  run timeout 10 svstat "$d"
  assert_failure 111
  assert_output "$d: unable to read supervise/status: not a regular file"
  run timeout 10 svstat -c "$d"
  assert_failure 1
  assert_output "$d: unable to read supervise/status: not a regular file"
  run timeout 10 svstat -j "$d"
  assert_failure 111
  assert_output "{\"service\":\"$d\",\"path\":\"$d\",\"error\":\"unable to read supervise/status: not a regular file\",\"tend_version\":\"$(sed -n "s/^version=//p" "$_tend_root/package/info")\"}"
  exec 8<&-
}

@test "svstat: a supervise/ok that is not a FIFO says so, never 'up'" {
  d=$(make_service web)
  mkdir -p "$d/supervise"
  : > "$d/supervise/ok"
  run timeout 10 svstat "$d"
  assert_failure 111
  assert_output "$d: unable to open supervise/ok: not a FIFO"
}

@test "svstat -j: a name that is not UTF-8 (or has quotes, controls) still gives JSON that parses" {
  name=$(printf 'w\xffe\xc3\x28b\xed\xa0\x80"q\\\x01\xe2\x82\xacz')
  d=$(make_service "$name")
  start_supervise "$d"
  run svstat -j "$d" "$T/no$name"
  assert_failure 111
  printf '%s\n' "$output" | python3 -c '
import json, sys
lines = sys.stdin.buffer.read().decode("utf-8").splitlines()
assert len(lines) == 2, lines
a = json.loads(lines[0]); b = json.loads(lines[1])
want = "w\ufffde\ufffd(b\ufffd\ufffd\ufffd\"q\\\x01\u20acz"
assert a["service"].endswith("/" + want), repr(a["service"])
assert a["supervised"] is True
assert b["path"].endswith("/no" + want), repr(b["path"])
'
}

# The scan directory of the listing tests: a, b (with b/log), c (down file, never supervised),
# a dot-name and a plain file (neither is a service), made in an order that is not name order.
listing_tree () {
  c=$(make_service c) ; touch "$c/down"
  b=$(make_service b) ; bl=$(make_service b/log)
  a=$(make_service a)
  make_service .hidden >/dev/null
  : > "$SVDIR/zfile"
  start_supervise "$a"
  start_supervise "$b"
  start_supervise "$bl"
  wait_for 5 is_ready "$a"
  wait_for 5 is_ready "$b"
  wait_for 5 is_ready "$bl"
}

@test "svstat: with no service named, every service of the scan directory, in name order, NAME/log under its parent" {
  listing_tree
  run --separate-stderr svstat
  assert_failure 111
  assert_equal "${#lines[@]}" 4
  assert_line --index 0 --regexp '^a: up \(pid [0-9]+\) [0-9]+ seconds$'
  assert_line --index 1 --regexp '^b: up \(pid [0-9]+\) [0-9]+ seconds$'
  assert_line --index 2 --regexp '^b/log: up \(pid [0-9]+\) [0-9]+ seconds$'
  # never supervised: no supervise/ok, as svstat c says it
  assert_line --index 3 'c: unable to open supervise/ok: No such file or directory'
  # every service readable: 0; -l lists the same services
  mkdir -p "$c/supervise" ; mkfifo "$c/supervise/ok"
  run --separate-stderr svstat -l
  assert_success
  assert_equal "${#lines[@]}" 4
  assert_line --index 2 --regexp '^b/log: up .*, state ready, ready [0-9]+ seconds, restarts 0$'
  assert_line --index 3 'c: supervise not running'
}

@test "svstat -j: with no service named, one JSON object per service, with tend's version" {
  listing_tree
  run --separate-stderr svstat -j
  assert_failure 111
  v=$(sed -n 's/^version=//p' "$_tend_root/package/info")
  echo "$output" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin.read().splitlines()]
assert [o["service"] for o in objs] == ["a", "b", "b/log", "c"], objs
assert all(o["tend_version"] == sys.argv[1] for o in objs), objs
assert objs[2]["up"] is True and objs[2]["path"].endswith("/b/log")
assert objs[3]["error"].startswith("unable to open supervise/ok")
' "$v"
}

# run svstat on a pseudo-terminal (util-linux script): the output is what a person sees
svstat_tty () { script -qec "svstat $*" /dev/null | tr -d '\r' ; }

@test "svstat: with no service named, on a terminal, an aligned table" {
  listing_tree
  svc -d -wD "$b"
  svstat_tty > "$T/table"
  cat "$T/table"
  run cat "$T/table"
  assert_equal "${#lines[@]}" 5
  assert_line --index 0 --regexp '^NAME +STATE +PID +UPTIME +READY +RESTARTS +LAST EXIT +NOTES$'
  assert_line --index 1 --regexp '^a +ready +[0-9]+ +[0-9]+s +yes +0 +-$'
  assert_line --index 2 --regexp '^b +down +- +- +- +1 +signal TERM +normally up$'
  assert_line --index 3 --regexp '^b/log +ready +[0-9]+ +[0-9]+s +yes +0 +-$'
  assert_line --index 4 --regexp '^c +error +- +- +- +- +- +unable to open supervise/ok: No such file or directory$'
  # aligned: every cell starts where its heading does
  python3 - "$T/table" <<'EOF_PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
head = rows[0]
starts = [head.index(h) for h in ("STATE", "PID", "UPTIME", "READY", "RESTARTS", "LAST EXIT", "NOTES")]
for r in rows[1:]:
    for s in starts:
        if s >= len(r): continue
        assert r[s - 1] == " " and r[s] != " ", (r, s)
    assert r == r.rstrip(), "trailing blanks: %r" % r
EOF_PY
}

@test "svstat: named services on a terminal keep daemontools' line; -j and -c never make a table" {
  listing_tree
  run svstat_tty "$a"
  assert_output --regexp "^$a: up \(pid [0-9]+\) [0-9]+ seconds$"
  run svstat_tty -j
  assert_line --index 0 --regexp '^\{"service":"a",'
  run svstat_tty -c
  assert_output "c: unable to open supervise/ok: No such file or directory"
}

@test "svstat: an empty scan directory lists nothing, says so on stderr, exit 0; a missing one is 111" {
  run --separate-stderr svstat
  assert_success
  assert_output ""
  assert_equal "$stderr" "svstat: warning: no service in the scan directory $SVDIR"
  SVDIR=$T/nothere run --separate-stderr svstat
  assert_failure 111
  assert_regex "$stderr" "^svstat: fatal: unable to open the scan directory $T/nothere: No such file or directory$"
}
