#!/usr/bin/env bats
# svscanctl: bytes into .svscan/control through lib/control: never blocks, clear errors.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

fill_fifo () {
  python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
for size in (4096, 1):
    try:
        while True: os.write(fd, b"\0" * size)
    except BlockingIOError:
        pass
' "$1"
}

@test "svscanctl: bytes reach the FIFO in order of first appearance" {
  mkdir -p "$SVDIR/.svscan" && mkfifo "$SVDIR/.svscan/control"
  exec 8<>"$SVDIR/.svscan/control"
  run svscanctl -t -a -n -a "$SVDIR"
  assert_success
  assert_output ""
  assert_equal "$(timeout 5 head -c 3 <&8)" "tan"
  exec 8<&-
}

@test "svscanctl: a FIFO full of unread bytes fails at once with 111, never hangs" {
  mkdir -p "$SVDIR/.svscan" && mkfifo "$SVDIR/.svscan/control"
  exec 8<>"$SVDIR/.svscan/control"
  fill_fifo "$SVDIR/.svscan/control"
  run timeout 10 svscanctl -a "$SVDIR"
  exec 8<&-
  assert_failure 111
  assert_output "svscanctl: fatal: unable to control $SVDIR: $SVDIR/.svscan/control is full: svscan is not reading it"
}

@test "svscanctl: no reader, not a FIFO, missing: each its message and 111" {
  mkdir -p "$SVDIR/.svscan"
  run svscanctl -a "$SVDIR"
  assert_failure 111
  assert_output "svscanctl: fatal: unable to open $SVDIR/.svscan/control: No such file or directory"
  : > "$SVDIR/.svscan/control"
  run svscanctl -a "$SVDIR"
  assert_failure 111
  assert_output "svscanctl: fatal: unable to control $SVDIR: $SVDIR/.svscan/control is not a FIFO"
  assert_equal "$(stat -c %s "$SVDIR/.svscan/control")" 0
  rm "$SVDIR/.svscan/control" ; mkfifo "$SVDIR/.svscan/control"
  run svscanctl -a "$SVDIR"
  assert_failure 111
  assert_output "svscanctl: fatal: unable to control $SVDIR: svscan not running"
}

@test "svscanctl: without a dir, the scan directory the other clients find (\$SVDIR, else the record)" {
  mkdir -p "$SVDIR/.svscan" && mkfifo "$SVDIR/.svscan/control"
  exec 8<>"$SVDIR/.svscan/control"
  cd "$T"
  run svscanctl -a
  assert_success
  assert_equal "$(timeout 5 head -c 1 <&8)" "a"
  mkdir -p "$TEND_RUNDIR" && ln -s "$SVDIR" "$TEND_RUNDIR/scandir"
  run env -u SVDIR svscanctl -n
  assert_success
  assert_equal "$(timeout 5 head -c 1 <&8)" "n"
  exec 8<&-
  run svscanctl -a "$SVDIR" extra
  assert_failure 100
}
