#!/usr/bin/env bats
# supervise's setting files as hostile input: FIFOs, overlong values, NUL bytes, escapes.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

# a service that records which of HUP, TERM it got, then exits
sigsvc () {
  make_service "$1" 'trap "echo HUP >> sigs ; exit 0" HUP ; trap "echo TERM >> sigs ; exit 0" TERM ; touch armed ; while : ; do sleep 0.05 ; done'
}

@test "settings: a FIFO where a setting file belongs does not hang supervise; the default is used" {
  d=$(make_service web)
  mkfifo "$d/timeout-kill"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  run svstat "$d"
  assert_output --regexp "^$d: up \(pid [0-9]+\) "
  grep -q "supervise $d: warning: timeout-kill is not a regular file: using the default" "$T/supervise.err"
  # and it obeys control bytes
  run svc -d -wd -T 5000 "$d"
  assert_success
}

@test "settings: a setting file that is a symlink to a FIFO or a device is not read" {
  d=$(make_service web)
  mkfifo "$T/fifo"
  ln -s "$T/fifo" "$d/down-signal"
  ln -s /dev/zero "$d/check-interval"
  start_supervise "$d"
  wait_for 5 has_pid "$d"
  grep -q "warning: down-signal is not a regular file: using the default" "$T/supervise.err"
  grep -q "warning: check-interval is not a regular file: using the default" "$T/supervise.err"
}

@test "settings: a symlink to a regular setting file is followed" {
  d=$(sigsvc web)
  echo HUP > "$T/shared-down-signal"
  ln -s "$T/shared-down-signal" "$d/down-signal"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -d -wD -T 5000 "$d"
  assert_equal "$(cat "$d/sigs")" HUP
}

@test "settings: '1', 100 spaces, '5' in down-signal is refused whole, not read as 1 (HUP)" {
  d=$(sigsvc web)
  { printf 1 ; printf '%100s' '' ; printf '5\n' ; } > "$d/down-signal"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -d -wD -T 5000 "$d"
  assert_equal "$(cat "$d/sigs")" TERM
  grep -q 'warning: invalid value in down-signal: "1 \{100\}5" (a signal name' "$T/supervise.err"
}

@test "settings: a setting file longer than 255 bytes is refused, not cut" {
  d=$(sigsvc web)
  { printf 1 ; printf '%300s' '' ; printf '5\n' ; } > "$d/down-signal"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -d -wD -T 5000 "$d"
  assert_equal "$(cat "$d/sigs")" TERM
  grep -q "warning: down-signal is longer than 255 bytes: using the default" "$T/supervise.err"
}

@test "settings: a NUL byte ends nothing: HUP\\0TERM is refused, the default (TERM) is used" {
  d=$(sigsvc web)
  printf 'HUP\0TERM\n' > "$d/down-signal"
  start_supervise "$d"
  wait_for 5 test -e "$d/armed"
  svc -d -wD -T 5000 "$d"
  assert_equal "$(cat "$d/sigs")" TERM
  grep -q 'warning: invalid value in down-signal: "HUP\\x00TERM" (no NUL bytes): using the default' "$T/supervise.err"
}

@test "settings: warnings escape the bytes of a value: no forged line, no raw control byte" {
  d=$(make_service web)
  printf 'NOPE\nsupervise web: fatal: forged\033[2J\n' > "$d/down-signal"
  start_supervise "$d"
  wait_for 5 grep -q "invalid value in down-signal" "$T/supervise.err"
  run grep -c '^supervise web: fatal: forged' "$T/supervise.err"
  assert_output 0
  run grep -c $'\033' "$T/supervise.err"
  assert_output 0
  grep -qF 'invalid value in down-signal: "NOPE\nsupervise web: fatal: forged\x1b[2J" (a signal name' "$T/supervise.err"
}
