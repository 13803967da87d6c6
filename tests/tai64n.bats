#!/usr/bin/env bats
# tai64n: a TAI64N label (daemontools' +10 offset) before each line, taken as the line arrives.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in tai64n tai64nlocal ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
}
teardown () { tend_teardown ; }

LABEL='@4[0-9a-f]{23}'
# Unix seconds of the label starting a line
label_unix () { local h=${1:1:16} ; echo $(( 0x$h - 0x400000000000000a )) ; }

@test "tai64n: each line, empty ones too, gets a label and a space; data unchanged" {
  run --separate-stderr sh -c 'printf "a\n\nb c\n" | tai64n'
  assert_success
  assert_equal "$stderr" ""
  assert_equal "${#lines[@]}" 3
  assert_regex "${lines[0]}" "^$LABEL a\$"
  assert_regex "${lines[1]}" "^$LABEL \$"
  assert_regex "${lines[2]}" "^$LABEL b c\$"
}

@test "tai64n: the label is the current time with daemontools' offset" {
  before=$(date +%s)
  out=$(echo x | tai64n)
  after=$(date +%s)
  t=$(label_unix "$out")
  [ "$t" -ge "$before" ]
  [ "$t" -le "$after" ]
  # nanoseconds below 10^9
  [ $(( 0x${out:17:8} )) -lt 1000000000 ]
}

@test "tai64n: a partial last line is labelled and gets no newline; empty input gives nothing" {
  printf 'one\ntwo' | tai64n > "$T/out"
  [ "$(tail -c 4 "$T/out")" = " two" ]
  [ "$(wc -l < "$T/out")" = 1 ]
  printf '' | tai64n > "$T/out"
  [ ! -s "$T/out" ]
}

@test "tai64n: bytes pass through unchanged, NULs and long lines included" {
  { printf 'a\0b\n' ; head -c 100000 /dev/zero | tr '\0' x ; printf '\n' ; } > "$T/in"
  tai64n < "$T/in" > "$T/out"
  cut -c 27- "$T/out" | cmp - "$T/in"
  [ "$(wc -l < "$T/out")" = 2 ]
}

@test "tai64n: each line is written as it arrives, with its own time" {
  mkfifo "$T/fifo"
  tai64n < "$T/fifo" > "$T/out" &
  p=$!
  track_pid "$p"
  exec 7> "$T/fifo"
  echo one >&7
  # seen before the input ends: tai64n flushes before it waits for more
  wait_for 5 grep -q one "$T/out"
  echo two >&7
  exec 7>&-
  wait "$p"
  l1=$(sed -n 1p "$T/out") ; l2=$(sed -n 2p "$T/out")
  assert_regex "$l1" "^$LABEL one\$"
  assert_regex "$l2" "^$LABEL two\$"
  [[ "${l1:0:25}" < "${l2:0:25}" ]]
}

@test "tai64n: labels are read by tai64nlocal (ours and daemontools')" {
  out=$(echo hello | tai64n)
  want=$(TZ=UTC date -d "@$(label_unix "$out")" '+%Y-%m-%d %H:%M:%S')
  run sh -c 'echo "$1" | TZ=UTC tai64nlocal' sh "$out"
  assert_regex "$output" "^$want\\.[0-9]{9} hello\$"
  [ -x /usr/bin/tai64nlocal ] || skip "daemontools not installed"
  run sh -c 'echo "$1" | TZ=UTC /usr/bin/tai64nlocal' sh "$out"
  assert_regex "$output" "^$want\\.[0-9]{9} hello\$"
}

@test "tai64n: arguments are ignored, as daemontools' tai64n does" {
  run sh -c 'echo x | tai64n -z foo'
  assert_success
  assert_regex "$output" "^$LABEL x\$"
}

@test "tai64n: a write error exits 111" {
  run --separate-stderr sh -c 'echo x | tai64n >&-'
  assert_failure 111
  assert_equal "$stderr" "tai64n: fatal: unable to write to stdout: Bad file descriptor"
}

@test "tai64n: a read error exits 111" {
  run --separate-stderr sh -c 'tai64n < /'
  assert_failure 111
  assert_equal "$stderr" "tai64n: fatal: unable to read from stdin: Is a directory"
}
