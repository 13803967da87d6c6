#!/usr/bin/env bats
# svlog against daemontools' multilog (/usr/bin/multilog): same input, same script, same results.

load ../helpers/common
bats_require_minimum_version 1.5.0

ML=/usr/bin/multilog

setup () {
  tend_setup
  [ -x $ML ] || skip "daemontools' multilog is not installed (Debian package daemontools)"
  mkdir "$T/m" "$T/s"
}
teardown () { cd / ; tend_teardown ; }

TAI='@4000[0-9a-f]{20}'

# both INPUT SCRIPT...: run multilog in $T/m and svlog in $T/s, stderr to err, exit codes kept
both () {
  local in=$1 ; shift
  ( cd "$T/m" && $ML "$@" < "$in" 2> err ; echo $? > rc )
  ( cd "$T/s" && svlog "$@" < "$in" 2> err ; echo $? > rc )
}
# unstamped file contents
plain () { sed -E "s/^$TAI //" "$1" ; }
archives () { ls "$1" | grep -E '^@4000[0-9a-f]{20}\.[su]$' ; }
# the kinds (.s/.u) of a dir's archives, oldest first
kinds () { archives "$1" | sed 's/.*\.//' | tr -d '\n' ; }
# same contents (stamps stripped) in both trees for each named file
same () {
  local f
  for f ; do
    diff <(plain "$T/m/$f") <(plain "$T/s/$f") || { echo "differs: $f" >&2 ; return 1 ; }
  done
}
same_rc () { [ "$(cat "$T/m/rc")" = "$(cat "$T/s/rc")" ] ; }

@test "compat: plain copy, final line without newline, modes of the log dir" {
  printf 'one\ntwo\n\nthree' > "$T/in"
  both "$T/in" ./d
  same_rc
  same d/current d/state
  for f in d d/current d/lock d/state ; do
    [ "$(stat -c %a "$T/m/$f")" = "$(stat -c %a "$T/s/$f")" ]
  done
}

@test "compat: t stamps and selection with multilog patterns, per directory" {
  printf '%s\n' 'info: a' 'fatal: b' 'x fatal: c' '  one' 'x y one' 'abcbc' 'onetwo' '' 'one' > "$T/in"
  both "$T/in" t ./all '-*' '+* fatal: *' ./bad '-*' '+* * one' ./two '+*one*' ./three '-*c' ./four
  same_rc
  same all/current bad/current two/current three/current four/current
  grep -qE "^$TAI info: a\$" "$T/s/all/current"
}

@test "compat: patterns without t, including * at the end and in the middle" {
  printf '%s\n' one on onetwo 'xy one' '  one' 'xy one ' 'x y one' '   one' abcbc '' 'a**b' 'a*b' > "$T/in"
  for p in 'one' 'one*' '* one' '* * one' 'a*c' '*' '' 'a**b' '*b' ; do
    i=$((i + 1))
    both "$T/in" '-*' "+$p" "./d$i"
    same "d$i/current"
  done
}

@test "compat: e output on stderr, long lines cut at 200 bytes, patterns see 1000 bytes" {
  long=$(head -c 1500 /dev/zero | tr '\0' x)
  printf 'short\n%sEND\nlast\n' "$long" > "$T/in"
  both "$T/in" t '-*END' e ./d
  same_rc
  diff <(plain "$T/m/err") <(plain "$T/s/err")
  same d/current
  both "$T/in" e
  diff "$T/m/err" "$T/s/err"
}

@test "compat: =file contents, 1001 bytes, mode" {
  long=$(head -c 1200 /dev/zero | tr '\0' y)
  printf 'a\nbb\n%s\nzz\n' "$long" > "$T/in"
  both "$T/in" '-z*' =st
  cmp "$T/m/st" "$T/s/st"
  [ "$(stat -c %a "$T/m/st")" = "$(stat -c %a "$T/s/st")" ]
  printf 'a\nbb\n' > "$T/in"
  both "$T/in" =st2
  cmp "$T/m/st2" "$T/s/st2"
}

@test "compat: rotation and pruning: same counts, sizes in the same bounds, nothing lost" {
  seq 1 40000 > "$T/in"
  for n in 2 3 5 ; do
    rm -rf "$T/m/d" "$T/s/d"
    both "$T/in" s4096 n$n ./d
    [ "$(archives "$T/m/d" | wc -l)" = $((n - 1)) ]
    [ "$(archives "$T/s/d" | wc -l)" = $((n - 1)) ]
    [ "$(kinds "$T/m/d")" = "$(kinds "$T/s/d")" ]
    for t in m s ; do
      for f in $(archives "$T/$t/d") ; do
        sz=$(stat -c %s "$T/$t/d/$f")
        [ "$sz" -ge 2096 ]
        [ "$sz" -le 4096 ]
        [ "$(stat -c %a "$T/$t/d/$f")" = 744 ]
      done
      # kept files are the input's tail, in order
      cat $(archives "$T/$t/d" | sed "s|^|$T/$t/d/|") "$T/$t/d/current" > "$T/$t/kept"
      tail -n "$(wc -l < "$T/$t/kept")" "$T/in" | cmp - "$T/$t/kept"
    done
  done
}

@test "compat: s and n out of range are clamped the same way" {
  seq 1 20000 > "$T/in"
  both "$T/in" s10 n0 ./d
  [ "$(archives "$T/m/d" | wc -l)" = 1 ]
  [ "$(archives "$T/s/d" | wc -l)" = 1 ]
  for t in m s ; do
    for f in $(archives "$T/$t/d") "current" ; do [ "$(stat -c %s "$T/$t/d/$f")" -le 4096 ] ; done
  done
}

@test "compat: a line longer than s is split across files at s" {
  head -c 10000 /dev/zero | tr '\0' z > "$T/in" ; echo >> "$T/in"
  both "$T/in" s4096 ./d
  [ "$(archives "$T/m/d" | wc -l)" = "$(archives "$T/s/d" | wc -l)" ]
  for t in m s ; do cat $(archives "$T/$t/d" | sed "s|^|$T/$t/d/|") "$T/$t/d/current" | cmp - "$T/in" ; done
  for f in $(archives "$T/s/d") ; do [ "$(stat -c %s "$T/s/d/$f")" = 4096 ] ; done
}

@test "compat: unknown directives and t not first are ignored (svlog warns)" {
  printf 'x\n' > "$T/in"
  both "$T/in" N5 Q ./d t
  same d/current
  [ ! -s "$T/m/err" ]
  [ "$(wc -l < "$T/s/err")" = 3 ]
}

@test "compat: start-up recovery of current, previous, processed" {
  for t in m s ; do
    mkdir "$T/$t/d" "$T/$t/e"
    printf 'c\n' > "$T/$t/d/current" ; printf 'p\n' > "$T/$t/d/previous" ; printf 'q\n' > "$T/$t/d/processed"
    printf 'c\n' > "$T/$t/e/current" ; printf 'p\n' > "$T/$t/e/previous" ; printf 'q\n' > "$T/$t/e/processed"
    chmod 744 "$T/$t/e/processed"
  done
  printf 'new\n' > "$T/in"
  both "$T/in" ./d ./e
  same_rc
  for t in m s ; do
    for x in d e ; do
      ls "$T/$t/$x" | grep -v '^@' | tr '\n' ' ' > "$T/$t/$x.names"
      for f in $(archives "$T/$t/$x") ; do cat "$T/$t/$x/$f" ; done > "$T/$t/$x.arch"
    done
  done
  for x in d e ; do
    cmp "$T/m/$x.names" "$T/s/$x.names"
    cmp "$T/m/$x.arch" "$T/s/$x.arch"
    [ "$(kinds "$T/m/$x")" = "$(kinds "$T/s/$x")" ]
    same "$x/current"
  done
}

@test "compat: a processor transforms each archive; state goes fd 4 -> fd 5" {
  seq 1 5000 > "$T/in"
  both "$T/in" s4096 n100 '!tr 0-9 a-j; cat <&4 >&5; echo x >&5' ./d
  same_rc
  [ "$(archives "$T/m/d" | wc -l)" -ge 3 ]
  for t in m s ; do
    run ! grep -q '[0-9]' "$T/$t/d"/@*.s
    [ "$(wc -l < "$T/$t/d/state")" = "$(archives "$T/$t/d" | wc -l)" ]
    [ ! -e "$T/$t/d/previous" ]
    [ ! -e "$T/$t/d/processed" ]
    [ ! -e "$T/$t/d/newstate" ]
    cat "$T/$t/d"/@*.s | tr a-j 0-9 | cat - "$T/$t/d/current" | cmp - "$T/in"
  done
}

@test "compat: each sees the other's lock" {
  mkfifo "$T/fifo"
  cd "$T"
  $ML ./d < "$T/fifo" 2>/dev/null &
  p=$!
  track_pid $p
  exec 7> "$T/fifo"
  wait_for 5 test -f d/current
  run sh -c 'echo x | svlog ./d 2>&1'
  assert_failure 111
  assert_output "svlog: fatal: unable to lock ./d/lock: another logger is running on ./d"
  exec 7>&-
  wait $p
  # and multilog sees svlog's
  svlog ./e < "$T/fifo" &
  p=$!
  track_pid $p
  exec 7> "$T/fifo"
  wait_for 5 test -f e/current
  run sh -c "echo x | $ML ./e 2>&1"
  assert_failure 111
  assert_output --partial "unable to lock directory ./e"
  exec 7>&-
  wait $p
}

@test "compat: SIGALRM rotates in both" {
  for t in m s ; do
    mkfifo "$T/$t/fifo"
    cd "$T/$t"
    if [ $t = m ] ; then $ML ./d < fifo & else svlog ./d < fifo & fi
    p=$!
    track_pid $p
    exec 7> fifo
    echo line >&7
    wait_for 5 grep -q line d/current
    kill -ALRM $p
    wait_for 5 sh -c "ls d | grep -qE '^@4000[0-9a-f]{20}\.s\$'"
    exec 7>&-
    wait $p
    [ ! -s d/current ]
    [ "$(cat d/@*.s)" = line ]
  done
}
