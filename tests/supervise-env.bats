#!/usr/bin/env bats
# supervise's env/: lib/envdir, as envdir(8) reads it, with the same messages.

load helpers/common
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "env/: a dangling symlink removes the variable (as envdir does); the service starts" {
  d=$(make_service web 'echo "run ${DANGLING-unset} $A" > out ; exec sleep 1000')
  mkdir "$d/env"
  ln -s "$T/nowhere" "$d/env/DANGLING"
  echo a > "$d/env/A"
  DANGLING=inherited start_supervise "$d"
  wait_for 5 test -s "$d/out"
  assert_equal "$(cat "$d/out")" "run unset a"
  run envdir "$d/env" sh -c 'echo "run ${DANGLING-unset} $A"'
  assert_output "run unset a"
}

@test "env/: a file named A=B is refused as envdir refuses it, with the same text" {
  d=$(make_service web 'echo started > out ; exec sleep 1000')
  mkdir "$d/env"
  echo x > "$d/env/A=B"
  echo "50 100" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 grep -q "warning: ./run was not started: unable to read env/A=B: invalid variable name: it contains =" "$T/supervise.err"
  [ ! -e "$d/out" ]
  run --separate-stderr envdir "$d/env" true
  assert_equal "$stderr" "envdir: fatal: unable to read $d/env/A=B: invalid variable name: it contains ="
  rm "$d/env/A=B"
  wait_for 5 test -e "$d/out"
}

@test "env/: a FIFO or /dev/zero in env/ neither hangs supervise nor is read" {
  d=$(make_service web 'echo started > out ; exec sleep 1000')
  mkdir "$d/env"
  mkfifo "$d/env/FIFO"
  echo "50 100" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 grep -q "warning: ./run was not started: unable to read env/FIFO: not a regular file" "$T/supervise.err"
  # the link first: env/ is never empty, so no start can slip in between
  ln -s /dev/zero "$d/env/ZERO"
  rm "$d/env/FIFO"
  wait_for 5 grep -q "warning: ./run was not started: unable to read env/ZERO: not a regular file" "$T/supervise.err"
  # supervise still answers
  svc -d -wd -T 5000 "$d"
  [ ! -e "$d/out" ]
}

@test "env/: finish reads env/ the same way and says so when it cannot" {
  d=$(make_service web 'exit 0')
  mkdir "$d/env"
  echo hello > "$d/env/GREETING"
  printf '#!/bin/sh\necho "finish $GREETING" >> log\n' > "$d/finish" ; chmod +x "$d/finish"
  echo "50 100" > "$d/restart-delay"
  start_supervise "$d"
  wait_for 5 nlines_ge "$d/log" 1
  assert_equal "$(head -1 "$d/log")" "finish hello"
}
