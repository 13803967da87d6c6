#!/usr/bin/env bats
# envuidgid: UID, GID and GIDLIST of an account in the environment; ids unchanged; bad input.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in envuidgid ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'web:x:2001:2001:web:/srv:/bin/sh' > "$T/passwd"
  printf '%s\n' 'web:x:2001:' 'www:x:3001:web' 'logs:x:3002:other,web' > "$T/group"
  export TEND_PASSWD="$T/passwd" TEND_GROUP="$T/group"
}
teardown () { tend_teardown ; }

vars () { echo "UID=${UID-unset} GID=${GID-unset} GIDLIST=${GIDLIST-unset} euid=$(id -u)" ; }
export -f vars

@test "envuidgid: sets UID, GID and GIDLIST (primary first), keeps its own ids" {
  me=$(id -u)
  run --separate-stderr envuidgid web sh -c 'echo "UID=$UID GID=$GID GIDLIST=$GIDLIST euid=$(id -u)"'
  assert_success
  assert_equal "$output" "UID=2001 GID=2001 GIDLIST=2001,3001,3002 euid=$me"
  assert_equal "$stderr" ""
}

@test "envuidgid: -s lists the primary group only" {
  run envuidgid -s web sh -c 'echo "$UID $GID $GIDLIST"'
  assert_success
  assert_output "2001 2001 2001"
}

@test "envuidgid: UID and UID:GID forms need no passwd entry" {
  run envuidgid 4321 sh -c 'echo "$UID $GID $GIDLIST"'
  assert_output "4321 0 0"
  run envuidgid 4321:99 sh -c 'echo "$UID $GID $GIDLIST"'
  assert_output "4321 99 99"
  run envuidgid 2001 sh -c 'echo "$UID $GID $GIDLIST"'
  assert_output "2001 2001 2001,3001,3002"
}

@test "envuidgid: replaces UID, GID and GIDLIST already set" {
  run env UID=1 GID=2 GIDLIST=3 envuidgid web sh -c 'env | grep -E "^(UID|GID|GIDLIST)=" | sort'
  assert_success
  assert_output "$(printf 'GID=2001\nGIDLIST=2001,3001,3002\nUID=2001')"
}

@test "envuidgid: an unknown account exits 111 naming it" {
  run --separate-stderr envuidgid nosuch echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "envuidgid: fatal: unknown account nosuch"
}

@test "envuidgid: a numeric uid out of range exits 111 naming it" {
  run --separate-stderr envuidgid 4294967295 echo ran
  assert_failure 111
  assert_equal "$stderr" "envuidgid: fatal: invalid account 4294967295: uid or gid out of range"
}

@test "envuidgid: usage errors exit 100" {
  run --separate-stderr envuidgid
  assert_failure 100
  assert_equal "$stderr" "envuidgid: usage: envuidgid [ -s ] account prog..."
  run --separate-stderr envuidgid web
  assert_failure 100
}

@test "envuidgid: PROG not found exits 127, not executable 126" {
  run -127 --separate-stderr envuidgid web tend-no-such-program
  assert_equal "$stderr" "envuidgid: fatal: unable to run tend-no-such-program: No such file or directory"
  run -126 --separate-stderr envuidgid web /etc/passwd
  assert_equal "$stderr" "envuidgid: fatal: unable to run /etc/passwd: Permission denied"
}
