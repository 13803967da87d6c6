#!/usr/bin/env bats
# tai64nlocal: TAI64N labels and svlog's RFC 3339 stamps to local time, daemontools' exact format.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in tai64nlocal ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
  # labels with odd values (nanoseconds over 10^9: left as they are, years past 9999, before 1000 and before
  # 1 AD, the last one localtime takes), more than 24 digits, other terminators, no label
  printf '%s\n' \
    '@4000000069287a3c2a5f6d4c hello' \
    '@4000000069287a3cffffffff x' \
    '@400000000000000a00000000 epoch' \
    '@40000045d964b80a00000005 far' \
    '@3ffffff54a2fb40a00000005 old' \
    '@3ffffff18497520a00000005 bc' \
    '@40f0c29d8688b1ca00000005 max' \
    '@0000004000000069287a3c2a5f6d4c long' \
    '@4000000069287a3c2a5f6d4c:colon' \
    '@4000000069287a3c2a5f6d4c' \
    'no label' \
    ' x @4000000069287a3c2a5f6d4c' \
    '' > "$T/in"
  printf '@4000000069287a3c2a5f6d4c partial' >> "$T/in"
}
teardown () { tend_teardown ; }

# POSIX TZ strings: no dependency on the tzdata package
@test "tai64nlocal: labels to UTC, byte for byte as daemontools prints them" {
  printf '%s\n' \
    '2025-11-27 16:20:02.710896972 hello' \
    '@4000000069287a3cffffffff x' \
    '1970-01-01 00:00:00.000000000 epoch' \
    '11476-08-15 05:20:00.000000005 far' \
    '512-04-26 14:13:20.000000005 old' \
    '18446744073709551614-12-17 14:13:20.000000005 bc' \
    '2147483647-12-29 12:00:00.000000005 max' \
    '2025-11-27 16:20:02.710896972 long' \
    '2025-11-27 16:20:02.710896972:colon' \
    '2025-11-27 16:20:02.710896972' \
    'no label' \
    ' x @4000000069287a3c2a5f6d4c' \
    '' > "$T/want"
  printf '2025-11-27 16:20:02.710896972 partial' >> "$T/want"
  TZ=UTC0 run --separate-stderr tai64nlocal < "$T/in"
  assert_success
  assert_equal "$stderr" ""
  TZ=UTC0 tai64nlocal < "$T/in" | cmp - "$T/want"
}

@test "tai64nlocal: TZ is honoured" {
  printf '%s\n' \
    '2025-11-27 21:50:02.710896972 hello' \
    '@4000000069287a3cffffffff x' \
    '1970-01-01 05:30:00.000000000 epoch' \
    '11476-08-15 10:50:00.000000005 far' \
    '512-04-26 19:43:20.000000005 old' \
    '18446744073709551614-12-17 19:43:20.000000005 bc' \
    '2147483647-12-29 17:30:00.000000005 max' \
    '2025-11-27 21:50:02.710896972 long' \
    '2025-11-27 21:50:02.710896972:colon' \
    '2025-11-27 21:50:02.710896972' \
    'no label' \
    ' x @4000000069287a3c2a5f6d4c' \
    '' > "$T/want"
  printf '2025-11-27 21:50:02.710896972 partial' >> "$T/want"
  TZ=IST-5:30 tai64nlocal < "$T/in" | cmp - "$T/want"
}

@test "tai64nlocal: a label localtime cannot convert is copied as it came (daemontools crashes)" {
  printf '%s\n' '@400000006928 short' '@zz' '@ x' '@0 x' '@ffffffffffffffffffffffff x' \
    '@4000000069287A3c2a5f6d4c upper' '@40f0c2ab7c54ad7100000005 too far' > "$T/bad"
  run --separate-stderr sh -c 'TZ=UTC0 tai64nlocal < "$1" | cmp - "$1"' sh "$T/bad"
  assert_success
}

@test "tai64nlocal: nanoseconds of 10^9 or more are not a time: the line passes unchanged" {
  printf '%s\n' '@4000000069287a3c3b9aca00 ten to the ninth' '@4000000069287a3cffffffff max' \
    '@0000004000000069287a3c3b9aca00 long' '@4000000069287a3c3b9aca00' > "$T/bad"
  run --separate-stderr sh -c 'TZ=UTC0 tai64nlocal < "$1" | cmp - "$1"' sh "$T/bad"
  assert_success
  # the largest valid count still converts
  run sh -c 'echo "@4000000069287a3c3b9ac9ff ok" | TZ=UTC0 tai64nlocal'
  assert_output "2025-11-27 16:20:02.999999999 ok"
}

@test "tai64nlocal: a label cut short by the end of input is copied, not dropped" {
  run sh -c 'printf "a\n@4000000069287a3c2a5f" | TZ=UTC0 tai64nlocal'
  assert_success
  assert_output "$(printf 'a\n@4000000069287a3c2a5f')"
  run sh -c 'printf "@4000000069287a3c2a5f6d4c" | TZ=UTC0 tai64nlocal | od -c | head -1'
  assert_output --partial "@   4   0   0"
}

@test "tai64nlocal: svlog's RFC 3339 stamps become local time in the same format" {
  printf '%s\n' \
    '2026-11-28T17:55:26.635360Z svlog line' \
    '2026-11-28T17:55:26Z no fraction' \
    '2026-11-28T17:55:26.1Z one digit' \
    '2026-11-28T17:55:26.123456789Z nine digits' \
    '2026-11-28T18:55:26.5+01:00 plus' \
    '2026-11-28T12:55:26.5-05:00 minus' \
    '2024-02-29T23:59:60Z leap' \
    '2026-11-28T17:55:26ZX glued' \
    '2026-11-28T17:55:26.635360Z' > "$T/iso"
  printf '2026-11-28T17:55:26.635360Z partial' >> "$T/iso"
  printf '%s\n' \
    '2026-11-28 23:25:26.635360000 svlog line' \
    '2026-11-28 23:25:26.000000000 no fraction' \
    '2026-11-28 23:25:26.100000000 one digit' \
    '2026-11-28 23:25:26.123456789 nine digits' \
    '2026-11-28 23:25:26.500000000 plus' \
    '2026-11-28 23:25:26.500000000 minus' \
    '2024-03-01 05:30:00.000000000 leap' \
    '2026-11-28 23:25:26.000000000X glued' \
    '2026-11-28 23:25:26.635360000' > "$T/want"
  printf '2026-11-28 23:25:26.635360000 partial' >> "$T/want"
  TZ=IST-5:30 tai64nlocal < "$T/iso" | cmp - "$T/want"
}

@test "tai64nlocal: what is not a whole valid stamp passes unchanged" {
  printf '%s\n' \
    '2026-11-28T17:55:26.1234567890Z ten digits' \
    '2026-02-29T00:00:00Z not a leap year' \
    '2026-13-01T00:00:00Z month' \
    '2026-11-31T00:00:00Z day' \
    '2026-11-28T24:00:00Z hour' \
    '2026-11-28T17:55:26.Z empty fraction' \
    '2026-11-28 17:55:26Z space' \
    '2026-11-28t17:55:26Z lower t' \
    '2026-11-28T17:55:26z lower z' \
    '2026-11-28T17:55:26 no zone' \
    '2026-11-28T17:55:26+0100 short offset' \
    '2026-11-28T17:55:26+24:00 offset hour' \
    '12345' \
    '2026-11-28' > "$T/iso"
  printf '2026-11-28T17:55' >> "$T/iso"
  TZ=UTC0 tai64nlocal < "$T/iso" | cmp - "$T/iso"
}

@test "tai64nlocal: long lines and NULs pass through" {
  { printf '@4000000069287a3c2a5f6d4c a\0b ' ; head -c 100000 /dev/zero | tr '\0' y ; printf '\nplain\0\n' ; } > "$T/long"
  TZ=UTC0 tai64nlocal < "$T/long" > "$T/out"
  { printf '2025-11-27 16:20:02.710896972 a\0b ' ; head -c 100000 /dev/zero | tr '\0' y ; printf '\nplain\0\n' ; } | cmp - "$T/out"
}

@test "tai64nlocal: each line is written as it arrives" {
  mkfifo "$T/fifo"
  TZ=UTC0 tai64nlocal < "$T/fifo" > "$T/out" &
  p=$!
  track_pid "$p"
  exec 7> "$T/fifo"
  echo '@4000000069287a3c2a5f6d4c one' >&7
  wait_for 5 grep -q '^2025-11-27 16:20:02.710896972 one$' "$T/out"
  exec 7>&-
  wait "$p"
}

@test "tai64nlocal: arguments are ignored; write and read errors exit 111" {
  run sh -c 'echo "@4000000069287a3c2a5f6d4c x" | TZ=UTC0 tai64nlocal -z foo'
  assert_success
  assert_output "2025-11-27 16:20:02.710896972 x"
  run --separate-stderr sh -c 'echo x | tai64nlocal >&-'
  assert_failure 111
  assert_equal "$stderr" "tai64nlocal: fatal: unable to write to stdout: Bad file descriptor"
  run --separate-stderr sh -c 'tai64nlocal < /'
  assert_failure 111
  assert_equal "$stderr" "tai64nlocal: fatal: unable to read from stdin: Is a directory"
}
