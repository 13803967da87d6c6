#!/usr/bin/env bats
# setlock: flock held for the program's life, -n/-N, -x/-X, file handling, bad input.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in setlock ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
  mkfifo "$T/fifo"
}
teardown () { tend_teardown ; }

# start a holder of $T/lk that waits on the fifo; returns once it holds the lock
hold () {
  setlock "$T/lk" sh -c 'echo held > "$1/held" ; read x < "$1/fifo"' sh "$T" &
  HOLDER=$!
  track_pid "$HOLDER"
  wait_for 5 test -f "$T/held"
}
release () { echo go > "$T/fifo" ; wait "$HOLDER" ; }
# pid $1 is waiting for an flock (the kernel lists waiters with "->")
blocked () { grep -q -- "-> FLOCK *ADVISORY *WRITE $1 " /proc/locks ; }

@test "setlock: creates the file 0600, runs the program, passes arguments and exit code" {
  run --separate-stderr setlock "$T/lk" sh -c 'echo "$#:$1:$2" ; exit 5' sh 'a b' c
  assert_failure 5
  assert_equal "$output" "2:a b:c"
  assert_equal "$stderr" ""
  [ "$(stat -c %a "$T/lk")" = 600 ]
}

@test "setlock: never truncates an existing file" {
  echo keep > "$T/lk"
  run setlock "$T/lk" true
  assert_success
  [ "$(cat "$T/lk")" = keep ]
}

@test "setlock: the program holds the lock (inherited descriptor) until it ends" {
  hold
  run --separate-stderr setlock -n "$T/lk" echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "setlock: fatal: unable to lock $T/lk: Resource temporarily unavailable"
  release
  run setlock -n "$T/lk" echo ran
  assert_success
  assert_output "ran"
}

@test "setlock: the lock file is open in the program" {
  run setlock "$T/lk" sh -c 'ls -l /proc/$$/fd/ | grep -c " -> $1/lk$"' sh "$T"
  assert_success
  assert_output "1"
}

@test "setlock: waits for the lock by default (-N), and runs when it is released" {
  hold
  setlock "$T/lk" sh -c 'echo got > "$1/got"' sh "$T" &
  w=$!
  track_pid "$w"
  wait_for 5 blocked "$w"
  [ ! -e "$T/got" ]
  release
  wait_for 5 test -f "$T/got"
  wait "$w"
}

@test "setlock: -n then -N: the last option wins" {
  hold
  setlock -n -N "$T/lk" sh -c 'echo got > "$1/got"' sh "$T" &
  w=$!
  track_pid "$w"
  wait_for 5 blocked "$w"
  release
  wait_for 5 test -f "$T/got"
}

@test "setlock: -x exits 0 silently when the lock is busy, without running the program" {
  hold
  run --separate-stderr setlock -nx "$T/lk" echo ran
  assert_success
  assert_equal "$output" ""
  assert_equal "$stderr" ""
  run --separate-stderr setlock -x -X -n "$T/lk" echo ran
  assert_failure 111
  release
}

@test "setlock: on a directory, exit 111 naming it; -x makes it exit 0" {
  mkdir "$T/dir"
  run --separate-stderr setlock "$T/dir" echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "setlock: fatal: unable to open $T/dir: Is a directory"
  run --separate-stderr setlock -x "$T/dir" echo ran
  assert_success
  assert_equal "$output" ""
  assert_equal "$stderr" ""
}

@test "setlock: a file in a missing directory, exit 111" {
  run --separate-stderr setlock "$T/nope/lk" echo ran
  assert_failure 111
  assert_equal "$stderr" "setlock: fatal: unable to open $T/nope/lk: No such file or directory"
}

@test "setlock: usage errors exit 100" {
  run --separate-stderr setlock
  assert_failure 100
  assert_equal "$stderr" "setlock: usage: setlock [ -nNxX ] file prog..."
  run --separate-stderr setlock "$T/lk"
  assert_failure 100
  run --separate-stderr setlock -q "$T/lk" true
  assert_failure 100
  assert_equal "$stderr" "setlock: usage: setlock [ -nNxX ] file prog..."
  [ ! -e "$T/lk" ]
}

@test "setlock: PROG not found exits 127 (even with -x), not executable 126" {
  run -127 --separate-stderr setlock -x "$T/lk" tend-no-such-program
  assert_equal "$stderr" "setlock: fatal: unable to run tend-no-such-program: No such file or directory"
  run -126 --separate-stderr setlock "$T/lk" /etc/passwd
  assert_equal "$stderr" "setlock: fatal: unable to run /etc/passwd: Permission denied"
}

@test "setlock: a FIFO is refused at once (with -n too), never waited on; -x makes it exit 0" {
  mkfifo "$T/lkfifo"
  for opt in -n -N ; do
    run --separate-stderr timeout 10 setlock $opt "$T/lkfifo" echo ran
    assert_failure 111
    assert_equal "$output" ""
    assert_equal "$stderr" "setlock: fatal: unable to open $T/lkfifo: not a regular file"
  done
  # with a reader the open succeeds: still refused, nothing written
  exec 8<>"$T/lkfifo"
  run --separate-stderr timeout 10 setlock -n "$T/lkfifo" echo ran
  assert_failure 111
  assert_equal "$stderr" "setlock: fatal: unable to open $T/lkfifo: not a regular file"
  exec 8<&-
  run --separate-stderr timeout 10 setlock -x "$T/lkfifo" echo ran
  assert_success
  assert_equal "$output" ""
  assert_equal "$stderr" ""
}

@test "setlock: a symlink to a regular file is followed, as daemontools does; the program gets a blocking fd" {
  : > "$T/real"
  ln -s real "$T/link"
  # the flags of the descriptor the program inherited on the lock file
  run setlock "$T/link" sh -c 'for f in /proc/$$/fd/* ; do [ "$(readlink "$f")" = "$1" ] && sed -n "s/^flags:[[:space:]]*//p" "/proc/$$/fdinfo/${f##*/}" ; done ; true' sh "$T/real"
  assert_success
  assert_output --regexp '^[0-7]+$'
  # O_NONBLOCK (04000 octal) is cleared
  assert_equal $(( 0$output & 04000 )) 0
  run setlock -n "$T/link" true
  assert_success
}
