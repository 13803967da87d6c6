#!/usr/bin/env bats
# Side by side with Debian's daemontools: envdir, setuidgid, envuidgid, softlimit, setlock,
# pgrphack, tai64n, tai64nlocal give the same stdout and exit codes for the same input.
# The deliberate differences are asserted at the end, so a change in them is noticed.

load ../helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  [ -x /usr/bin/tai64nlocal ] && [ -x /usr/bin/envdir ] || skip "Debian's daemontools is not installed"
  for p in envdir setuidgid envuidgid softlimit setlock pgrphack tai64n tai64nlocal ; do
    [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; }
  done
}
teardown () { tend_teardown ; }

# same PROG ARGS...: ours and daemontools' print the same stdout and exit with the same code
same () {
  local p=$1 ; shift
  local ours theirs rc_ours rc_theirs
  ours=$("$TEND_BIN/$p" "$@" 2>"$T/ours.err") && rc_ours=0 || rc_ours=$?
  theirs=$("/usr/bin/$p" "$@" 2>"$T/theirs.err") && rc_theirs=0 || rc_theirs=$?
  if [ "$ours" != "$theirs" ] || [ "$rc_ours" != "$rc_theirs" ] ; then
    echo "$p $*" >&2
    echo "ours   ($rc_ours): $ours" >&2 ; cat "$T/ours.err" >&2
    echo "theirs ($rc_theirs): $theirs" >&2 ; cat "$T/theirs.err" >&2
    return 1
  fi
  # a failure says something on stderr in both
  if [ "$rc_ours" != 0 ] && [ "$rc_ours" -lt 126 ] ; then [ -s "$T/ours.err" ] || [ "$p" = setlock ] ; fi
}

# same_stdin FILE PROG ARGS...: the same with FILE as stdin
same_stdin () {
  local f=$1 p=$2 ; shift 2
  "$TEND_BIN/$p" "$@" < "$f" > "$T/ours.out" 2>/dev/null && rc_ours=0 || rc_ours=$?
  "/usr/bin/$p" "$@" < "$f" > "$T/theirs.out" 2>/dev/null && rc_theirs=0 || rc_theirs=$?
  cmp "$T/ours.out" "$T/theirs.out" && [ "$rc_ours" = "$rc_theirs" ]
}

@test "compat envdir: the same environment from the same directory" {
  mkdir "$T/e"
  printf 'v1 \t\nline2' > "$T/e/A" ; : > "$T/e/EMPTY" ; printf '\n' > "$T/e/NL"
  printf '  lead' > "$T/e/LEAD" ; printf 'a\0b\0c' > "$T/e/NUL" ; printf x > "$T/e/.hidden"
  printf 'hi\r\n' > "$T/e/CR" ; printf ' \t ' > "$T/e/SP" ; ln -s "$T/nowhere" "$T/e/DANGLING"
  export EMPTY=was DANGLING=was
  same envdir "$T/e" sh -c 'env | grep -v ^_= | sort'
  same envdir "$T/e" sh -c 'echo "$#:$1"' sh 'a b'
}

@test "compat envdir: 10,000 variables" {
  mkdir "$T/e"
  awk -v d="$T/e" 'BEGIN { for (i = 1 ; i <= 10000 ; i++) { f = d "/V" i ; print "value" i > f ; close(f) } }'
  same envdir "$T/e" sh -c 'env | grep -v ^_= | sort | md5sum'
}

@test "compat envdir: errors and usage exit 111 in both" {
  mkdir -p "$T/e/SUB" "$T/ok"
  echo x > "$T/file"
  same envdir "$T/e" echo ran
  same envdir "$T/file" echo ran
  same envdir "$T/nope" echo ran
  same envdir
  same envdir "$T/ok"
}

# Private accounts for both sides: daemontools' programs look accounts up through libc, ours
# read /etc/passwd and /etc/group directly, so a private mount namespace with these files bound
# over the host's gives both the same accounts, whatever the host has (the host's nobody may
# have a supplementary group, and then the two differ by design).
private_accounts () {
  [ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace (CI runs as root)"
  unshare -m --propagation private true 2>/dev/null || skip "no mount namespace here"
  cat > "$T/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
plain:x:2001:2001::/:/bin/sh
member:x:2002:2002::/:/bin/sh
EOF
  cat > "$T/group" <<EOF
root:x:0:
daemon:x:1:
nogroup:x:65534:
plain:x:2001:
member:x:2002:
extra:x:3001:member,nobody
more:x:3002:member
EOF
}
# in_accounts CMD...: CMD with the private files over /etc/passwd and /etc/group
in_accounts () {
  unshare -m --propagation private sh -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
    sh "$T/passwd" "$T/group" "$@"
}
# same_accounts PROG ARGS...: as same, both sides in the private accounts
same_accounts () {
  local p=$1 ; shift
  local ours theirs rc_ours rc_theirs
  ours=$(in_accounts "$TEND_BIN/$p" "$@" 2>"$T/ours.err") && rc_ours=0 || rc_ours=$?
  theirs=$(in_accounts "/usr/bin/$p" "$@" 2>"$T/theirs.err") && rc_theirs=0 || rc_theirs=$?
  if [ "$ours" != "$theirs" ] || [ "$rc_ours" != "$rc_theirs" ] ; then
    echo "$p $*" >&2
    echo "ours   ($rc_ours): $ours" >&2 ; cat "$T/ours.err" >&2
    echo "theirs ($rc_theirs): $theirs" >&2 ; cat "$T/theirs.err" >&2
    return 1
  fi
  if [ "$rc_ours" != 0 ] ; then [ -s "$T/ours.err" ] ; fi
}

@test "compat setuidgid: the same ids, and the same errors" {
  private_accounts
  # the private files are what both see
  assert_equal "$(in_accounts "$TEND_BIN/setuidgid" plain id -u)" 2001
  assert_equal "$(in_accounts /usr/bin/setuidgid plain id -u)" 2001
  for u in root daemon plain ; do
    same_accounts setuidgid "$u" id
  done
  same_accounts setuidgid nosuch-tend-user id
  same_accounts setuidgid '' id
  same_accounts setuidgid plain
  same_accounts setuidgid
}

@test "compat setuidgid -s: daemontools' primary-group-only behaviour for any account" {
  private_accounts
  # accounts with and without supplementary groups: ours with -s, theirs as it is
  while IFS=: read -r name _ ; do
    assert_equal "$(in_accounts "$TEND_BIN/setuidgid" -s "$name" id 2>&1)" "$(in_accounts /usr/bin/setuidgid "$name" id 2>&1)"
  done < "$T/passwd"
}

@test "difference: setuidgid gives an account its supplementary groups; daemontools only the primary" {
  private_accounts
  for u in member nobody ; do
    ours=$(in_accounts "$TEND_BIN/setuidgid" "$u" id -G)
    theirs=$(in_accounts /usr/bin/setuidgid "$u" id -G)
    assert_equal "$theirs" "$(in_accounts /usr/bin/setuidgid "$u" id -g)"
    assert_equal "$(in_accounts "$TEND_BIN/setuidgid" -s "$u" id -G)" "$theirs"
    assert_not_equal "$ours" "$theirs"
  done
  assert_equal "$(in_accounts "$TEND_BIN/setuidgid" member id -G)" "2002 3001 3002"
  assert_equal "$(in_accounts "$TEND_BIN/setuidgid" nobody id -G)" "65534 3001"
}

@test "compat envuidgid: the same UID and GID" {
  private_accounts
  for u in root daemon nobody member ; do
    same_accounts envuidgid "$u" sh -c 'env | grep -E "^(UID|GID)=" | sort'
  done
  same_accounts envuidgid nosuch-tend-user true
  same_accounts envuidgid nobody
  same_accounts envuidgid
}

@test "compat softlimit: the same limits for every option" {
  same softlimit -a 500000000 -c 1000 -d 400000000 -f 3000 -l 4000 -o 50 -p 60 -r 7000 -s 800000 -t 9 sh -c 'ulimit -a'
  same softlimit -m 200000000 sh -c 'ulimit -a'
  same softlimit -m100000000 -o= sh -c 'ulimit -a'
  same softlimit -o 99999999999 sh -c 'ulimit -a'
  # "=" raises a lowered soft limit back to the hard one
  ours=$(sh -c 'ulimit -S -n 20 ; exec "$1" -o = sh -c "ulimit -S -n"' sh "$TEND_BIN/softlimit")
  theirs=$(sh -c 'ulimit -S -n 20 ; exec "$1" -o = sh -c "ulimit -S -n"' sh /usr/bin/softlimit)
  assert_equal "$ours" "$theirs"
  assert_equal "$ours" "$(ulimit -H -n)"
  same softlimit -p0 echo ran
}

@test "compat softlimit: the same usage errors" {
  same softlimit -m 1x true
  same softlimit -z 1 true
  same softlimit -m
  same softlimit -m 5
  same softlimit
}

@test "compat setlock: the same results, and each excludes the other" {
  same setlock "$T/lk" sh -c 'echo "$#:$1"' sh a
  # the same file left behind: created 0600, empty; an existing one kept as it was
  "$TEND_BIN/setlock" "$T/lk1" true ; /usr/bin/setlock "$T/lk2" true
  assert_equal "$(stat -c '%a %s' "$T/lk1")" "$(stat -c '%a %s' "$T/lk2")"
  echo keep > "$T/lk1" ; echo keep > "$T/lk2" ; chmod 640 "$T/lk1" "$T/lk2"
  "$TEND_BIN/setlock" "$T/lk1" true ; /usr/bin/setlock "$T/lk2" true
  assert_equal "$(stat -c '%a %s' "$T/lk1") $(cat "$T/lk1")" "$(stat -c '%a %s' "$T/lk2") $(cat "$T/lk2")"
  mkdir "$T/dir"
  same setlock "$T/dir" echo ran
  same setlock -x "$T/dir" echo ran
  same setlock "$T/nope/lk" echo ran
  same setlock
  same setlock "$T/lk"
  same setlock -z "$T/lk" true
  mkfifo "$T/fifo"
  for holder in "$TEND_BIN/setlock" /usr/bin/setlock ; do
    rm -f "$T/held"
    "$holder" "$T/lk" sh -c 'echo > "$1/held" ; read x < "$1/fifo"' sh "$T" &
    h=$!
    track_pid "$h"
    wait_for 5 test -f "$T/held"
    same setlock -n "$T/lk" echo ran
    same setlock -nx "$T/lk" echo ran
    run "$TEND_BIN/setlock" -n "$T/lk" echo ran
    assert_failure 111
    run /usr/bin/setlock -n "$T/lk" echo ran
    assert_failure 111
    echo > "$T/fifo"
    wait "$h"
  done
}

@test "compat pgrphack: the same session leadership and usage" {
  same pgrphack sh -c '[ $$ = $(ps -o sid= -p $$) ] && [ $$ = $(ps -o pgid= -p $$) ] && echo leader'
  same pgrphack
}

@test "compat tai64n: the same lines after labels of the same shape; each reads the other's labels" {
  printf 'a\n\nb c\0d\npartial' > "$T/in"
  "$TEND_BIN/tai64n" < "$T/in" > "$T/ours"
  /usr/bin/tai64n < "$T/in" > "$T/theirs"
  cmp <(cut -c 27- "$T/ours") <(cut -c 27- "$T/theirs")
  cmp <(sed 's/^@4[0-9a-f]\{23\} /L /' "$T/ours") <(sed 's/^@4[0-9a-f]\{23\} /L /' "$T/theirs")
  # the same clock: daemontools' tai64nlocal reads our labels as the time now
  now=$(TZ=UTC0 date '+%Y-%m-%d %H')
  TZ=UTC0 /usr/bin/tai64nlocal < "$T/ours" | grep -q "^$now"
  same_stdin /dev/null tai64n
  same_stdin /dev/null tai64n -x foo
}

# Two zones where the C library, not tai64nlocal, decides: compared when ours links one that
# behaves as glibc does (daemontools' is glibc's), left out for musl (the static build; see
# tai64nlocal(8)). The glibc runs of the suite keep both comparisons.
# right/UTC: glibc applies the zone's leap seconds, musl ignores them.
leap_zones () {
  [ -e /usr/share/zoneinfo/right/UTC ] || return 0
  local l='@4000000069287a3c2a5f6d4c x'
  [ "$(echo "$l" | TZ=right/UTC tai64nlocal)" != "$(echo "$l" | TZ=UTC0 tai64nlocal)" ] && echo right/UTC
  return 0
}
# a POSIX TZ with DST rules: glibc applies them from 1970 on, musl to every year (1969-07-01 12:00 UTC)
rule_zones () {
  local l='@3fffffffff0e14ca00000000 x' z='EST5EDT,M3.2.0,M11.1.0'
  [ "$(echo "$l" | TZ=$z tai64nlocal)" = "$(echo "$l" | TZ=$z /usr/bin/tai64nlocal)" ] && echo "$z"
  return 0
}

@test "compat tai64nlocal: byte for byte on labels, odd values, lines without labels, partial lines" {
  printf '%s\n' \
    '@4000000069287a3c2a5f6d4c hello' '@400000000000000a00000000 epoch' \
    '@40000045d964b80a00000005 far' '@3ffffff54a2fb40a00000005 old' '@3ffffff18497520a00000005 bc' \
    '@40f0c29d8688b1ca00000005 max' '@0000004000000069287a3c2a5f6d4c long' \
    '@4000000069287a3c2a5f6d4c:colon' '@4000000069287a3c2a5f6d4c' 'no label' ' x @4000000069287a3c2a5f6d4c' \
    '' > "$T/in"
  printf '@4000000069287a3c2a5f6d4c partial' >> "$T/in"
  # and labels of now
  for i in 1 2 3 ; do echo "line $i" ; done | /usr/bin/tai64n >> "$T/in2"
  for tz in UTC0 IST-5:30 $(rule_zones) ; do
    TZ=$tz same_stdin "$T/in" tai64nlocal
    TZ=$tz same_stdin "$T/in2" tai64nlocal
  done
  for tz in UTC Europe/Paris America/New_York $(leap_zones) ; do
    [ -e "/usr/share/zoneinfo/$tz" ] || continue
    TZ=$tz same_stdin "$T/in" tai64nlocal
  done
  same_stdin /dev/null tai64nlocal -x foo
}

@test "compat tai64nlocal: byte for byte on 20,000 random lines (fixed seed), in several zones" {
  command -v python3 >/dev/null || skip "python3 is not installed"
  python3 - "$T/rand" <<'PY'
import random, sys
random.seed(7)
out = bytearray()
for i in range(20000):
    if random.random() < 0.5:
        # a label of any second within some 3000 years, sometimes extra leading digits; ended
        # by any byte (nanoseconds of 10^9 and over: a deliberate difference, tested below)
        sec = (1 << 62) + 10 + random.randint(-10**11, 10**11)
        nano = random.randint(0, 999999999)
        lab = '@%016x%08x' % (sec, nano)
        if random.random() < 0.1:
            lab = '@' + ''.join(random.choice('0123456789abcdef') for _ in range(random.randint(1, 6))) + lab[1:]
        term = random.choice([' ', ' ', ' ', '\n', ':', '\t', 'x', '@', '\0'])
        rest = ''.join(random.choice('abc \t:') for _ in range(random.randint(0, 10)))
        # never start a line with a short label: daemontools' tai64nlocal crashes on those
        if term == '\n': rest = 'z' + rest
        line = (lab + term + rest).encode()
    else:
        line = bytes(random.randint(1, 255) for _ in range(random.randint(0, 30))).replace(b'\n', b'')
        if line.startswith(b'@'): line = b'x' + line
    out += line + b'\n'
open(sys.argv[1], 'wb').write(out)
PY
  [ "$(wc -l < "$T/rand")" -ge 20000 ]
  for tz in UTC0 IST-5:30 $(rule_zones) Europe/Paris $(leap_zones) ; do
    TZ=$tz same_stdin "$T/rand" tai64nlocal
  done
}

# ---- deliberate differences (documented in the man pages) ----

@test "difference: tai64nlocal leaves a label with nanoseconds >= 10^9 as it is; daemontools prints the digits" {
  printf '%s\n' '@4000000069287a3cffffffff x' > "$T/in"
  run sh -c 'TZ=UTC0 /usr/bin/tai64nlocal < "$1"' sh "$T/in"
  assert_output "2025-11-27 16:20:02.4294967295 x"
  run sh -c 'TZ=UTC0 "$TEND_BIN/tai64nlocal" < "$1"' sh "$T/in"
  assert_output "@4000000069287a3cffffffff x"
}

@test "difference: exec failure is 127 (not found) or 126 (not executable), daemontools says 111" {
  mkdir "$T/e"
  for p in "envdir $T/e" "setuidgid root" "envuidgid root" "softlimit -o 100" "setlock $T/lk" "pgrphack" ; do
    [ "$(id -u)" = 0 ] || [ "${p%% *}" != setuidgid ] || continue
    run -127 "$TEND_BIN/"$p tend-no-such-program
    run -111 /usr/bin/$p tend-no-such-program
    run -126 "$TEND_BIN/"$p /etc/passwd
    run -111 /usr/bin/$p /etc/passwd
  done
}

@test "difference: envdir refuses a file named with =, daemontools sets a mangled variable" {
  mkdir "$T/e"
  echo v > "$T/e/A=B"
  run -111 "$TEND_BIN/envdir" "$T/e" true
  run -0 /usr/bin/envdir "$T/e" sh -c 'echo "$A"'
  assert_output "B=v"
}

@test "difference: a numeric account with no passwd entry is a uid for us, unknown to daemontools" {
  run -0 "$TEND_BIN/envuidgid" 4321:99 sh -c 'echo "$UID $GID"'
  assert_output "4321 99"
  run -111 /usr/bin/envuidgid 4321:99 true
}

@test "difference: tai64nlocal copies what it cannot convert; daemontools crashes or drops it" {
  printf '@400000006928 short\n' > "$T/short"
  run -0 sh -c '"$1/tai64nlocal" < "$2"' sh "$TEND_BIN" "$T/short"
  assert_output "@400000006928 short"
  run sh -c '/usr/bin/tai64nlocal < "$1"' sh "$T/short"
  [ "$status" != 0 ]
  printf '@4000000069287a3c2a5f6d4c' > "$T/cut"
  run -0 sh -c 'TZ=UTC0 "$1/tai64nlocal" < "$2"' sh "$TEND_BIN" "$T/cut"
  assert_output "@4000000069287a3c2a5f6d4c"
  run -0 sh -c 'TZ=UTC0 /usr/bin/tai64nlocal < "$1"' sh "$T/cut"
  assert_output ""
}
