#!/usr/bin/env bats
# --help and --version for every program (every cmd/*/), the version from package/info, the
# synopsis and exit 100 on a wrong option.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # svinit, should it ever take -Z for a command, prepares and runs nothing of this machine's
  export SVINIT_SERVICES="$T/none" SVINIT_LIVE_DIR="$T/live" SVINIT_INIT_DIR="$T/init" SVINIT_FINISH_DIR="$T/finish"
}
teardown () { tend_teardown ; }

progs () { for d in "$_tend_root"/cmd/*/ ; do basename "$d" ; done ; }
pkgversion () { sed -n 's/^version=//p' "$_tend_root/package/info" ; }

# the option letters a program's parser takes: its subgetopt string, sorted (none without one)
parsedletters () {
  grep -ho 'subgetopt_r(argc, argv, "[^"]*"' "$_tend_root"/cmd/"$1"/*.c | sed 's/.*"\(.*\)"/\1/' | tr -d ':' | fold -w1 | LC_ALL=C sort -u | tr -d '\n'
}
# the option letters a program's --help lists ("  -X" then a blank or the end of the line)
helpletters () { "$1" --help | sed -n 's/^  -\([A-Za-z0-9]\)\( .*\)\{0,1\}$/\1/p' | LC_ALL=C sort -u | tr -d '\n' ; }
# the programs that refuse an unknown option: every one with a parser; svok and supervise,
# whose one argument is never an option; svinit, whose command follows -- if it starts with one
optprogs () {
  for p in $(progs) ; do [ -z "$(parsedletters "$p")" ] || echo "$p" ; done
  echo svok supervise svinit
}

# stdin that is open and never ends: a program that read it would wait until the timeout
endless_stdin () {
  mkfifo "$T/in"
  exec 8<>"$T/in"
}

@test "help: every program answers --help on stdout: its synopsis, one line per option, exit 0" {
  n=0
  for p in $(progs) ; do
    run --separate-stderr "$p" --help
    assert_success
    assert_equal "$stderr" ""
    # the synopsis first, as the usage error gives it
    assert_regex "${lines[0]}" "^usage: $p( |\$)"
    assert_line "  --help     print this help and exit"
    assert_line "  --version  print the version and exit"
    n=$((n + 1))
  done
  [ "$n" -ge 16 ]
}

@test "help: every program answers --version with the version of package/info, exit 0" {
  v=$(pkgversion)
  [ -n "$v" ]
  for p in $(progs) ; do
    run --separate-stderr "$p" --version
    assert_success
    assert_equal "$stderr" ""
    assert_output "$p (tend) $v"
  done
}

@test "help: a wrong option gives the synopsis on stderr and exit 100" {
  n=0
  for p in $(optprogs) ; do
    n=$((n + 1))
    run --separate-stderr timeout 10 "$p" -Z x y
    assert_failure 100
    assert_equal "$output" ""
    assert_regex "$stderr" "^$p: usage: $p( |\$)"
  done
  [ "$n" -ge 12 ]
}

@test "help: the usage error's synopsis is the --help one" {
  for p in $(optprogs) ; do
    run --separate-stderr timeout 10 "$p" -Z x y
    u=${stderr#"$p: usage: "}
    run "$p" --help
    assert_equal "${lines[0]}" "usage: $u"
  done
}

@test "help: stdin readers (tai64n, tai64nlocal, svlog) answer --help and --version without reading stdin" {
  endless_stdin
  for p in tai64n tai64nlocal svlog ; do
    run timeout 10 "$p" --help < "$T/in"
    assert_success
    assert_line --index 0 --regexp "^usage: $p"
    run timeout 10 "$p" --version < "$T/in"
    assert_success
    assert_output "$p (tend) $(pkgversion)"
  done
}

@test "help: chainloaders answer --help as the first argument, and pass it on after it" {
  # coreutils' echo answers --help itself: a program that only prints its arguments
  printf '#!/bin/sh\necho "$@"\n' > "$T/say" ; chmod +x "$T/say"
  run pgrphack --help
  assert_success
  assert_line --index 0 "usage: pgrphack prog..."
  # anywhere else it belongs to the program run
  run pgrphack "$T/say" --help
  assert_success
  assert_output "--help"
  mkdir "$T/env"
  run envdir "$T/env" "$T/say" --version
  assert_success
  assert_output "--version"
  run softlimit -o 100 "$T/say" --help
  assert_success
  assert_output "--help"
  run setlock "$T/lock" "$T/say" --version
  assert_success
  assert_output "--version"
  run svwait --help
  assert_success
  assert_line --index 0 --regexp "^usage: svwait "
}

@test "help: supervise --help prints help; it does not take --help for a directory" {
  run supervise --help
  assert_success
  assert_line --index 0 "usage: supervise dir"
  [ ! -e "$T/--help" ]
}

@test "help: single letters keep daemontools' meanings: svc -h sends SIGHUP" {
  d=$(make_service web "trap 'echo hup >> \"$T/got\"' HUP
echo ready > \"$T/started\"
while : ; do sleep 0.05 ; done")
  start_supervise "$d"
  wait_for 5 test -s "$T/started"
  run --separate-stderr svc -h "$d"
  assert_success
  assert_output ""
  wait_for 5 grep -q hup "$T/got"
}

@test "help: --help lists exactly the option letters the program's parser takes (its subgetopt string)" {
  n=0
  for p in $(progs) ; do
    parsed=$(parsedletters "$p")
    listed=$(helpletters "$p")
    assert_equal "$p: $listed" "$p: $parsed"
    [ -z "$parsed" ] || n=$((n + 1))
  done
  [ "$n" -ge 9 ]
}

