#!/usr/bin/env bats
# setuidgid: accounts by name, UID, UID:GID, supplementary groups, files read directly, bad input.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in setuidgid ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
  # a private account database: the programs read these instead of /etc/passwd and /etc/group
  cat > "$T/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
# a comment line and a malformed one are skipped
broken:x:notanumber:1::/:/bin/sh
web:x:2001:2001:web:/srv:/bin/sh
2002:x:2003:2004:an account named with digits:/:/bin/sh
solo:x:2005:2005::/:/bin/sh
EOF
  cat > "$T/group" <<EOF
root:x:0:
web:x:2001:
www:x:3001:web
logs:x:3002:other,web,more
webby:x:3003:webby
solo:x:2005:
EOF
  export TEND_PASSWD="$T/passwd" TEND_GROUP="$T/group"
}
teardown () { tend_teardown ; }

needs_root () { [ "$(id -u)" = 0 ] || skip "needs root: setuidgid to another user (CI runs as root)" ; }

ids () { echo "$(id -u) $(id -g) $(id -G)" ; }
export -f ids

@test "setuidgid: a name gives its uid, gid and every group listing it, primary first" {
  needs_root
  run --separate-stderr setuidgid web bash -c ids
  assert_success
  assert_equal "$output" "2001 2001 2001 3001 3002"
  assert_equal "$stderr" ""
}

@test "setuidgid: -s keeps only the primary group, as daemontools' setuidgid" {
  needs_root
  run setuidgid -s web bash -c ids
  assert_success
  assert_output "2001 2001 2001"
}

@test "setuidgid: a name made of digits is looked up as a name first" {
  needs_root
  run setuidgid 2002 bash -c ids
  assert_success
  assert_output "2003 2004 2004"
}

@test "setuidgid: a UID with a passwd entry takes its group and groups" {
  needs_root
  run setuidgid 2001 bash -c ids
  assert_success
  assert_output "2001 2001 2001 3001 3002"
}

@test "setuidgid: a UID with no passwd entry runs with gid 0, as docker run --user does" {
  needs_root
  run setuidgid 4321 bash -c ids
  assert_success
  assert_output "4321 0 0"
}

@test "setuidgid: UID:GID is used as given, with no other group" {
  needs_root
  run setuidgid 4321:8765 bash -c ids
  assert_success
  assert_output "4321 8765 8765"
  run setuidgid 2001:7 bash -c ids
  assert_success
  assert_output "2001 7 7"
}

@test "setuidgid: works with no passwd or group file at all (scratch images)" {
  needs_root
  TEND_PASSWD="$T/none" TEND_GROUP="$T/none" run setuidgid 4321:8765 bash -c ids
  assert_success
  assert_output "4321 8765 8765"
  TEND_PASSWD="$T/none" TEND_GROUP="$T/none" run --separate-stderr setuidgid web true
  assert_failure 111
  assert_equal "$stderr" "setuidgid: fatal: unknown account web"
}

@test "setuidgid: a passwd entry with no group file gets its primary group only" {
  needs_root
  TEND_GROUP="$T/none" run setuidgid web bash -c ids
  assert_success
  assert_output "2001 2001 2001"
}

@test "setuidgid: the largest uid and gid (4294967294) are accepted" {
  needs_root
  run setuidgid 4294967294:4294967294 bash -c ids
  assert_success
  assert_output "4294967294 4294967294 4294967294"
}

@test "setuidgid: passes arguments and the program's exit code through" {
  needs_root
  run setuidgid web sh -c 'echo "$#:$1:$2" ; exit 7' sh 'a b' c
  assert_failure 7
  assert_output "2:a b:c"
}

@test "setuidgid: an unknown account exits 111 naming it" {
  run --separate-stderr setuidgid nosuch echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "setuidgid: fatal: unknown account nosuch"
  run --separate-stderr setuidgid '' echo ran
  assert_failure 111
  assert_regex "$stderr" "^setuidgid: fatal: unknown account ?$"
  for a in a:b 12:x :5 5: +1 1.5 0x10 ; do
    run --separate-stderr setuidgid "$a" echo ran
    assert_failure 111
    assert_equal "$stderr" "setuidgid: fatal: unknown account $a"
  done
}

@test "setuidgid: a numeric uid or gid out of range exits 111 naming it" {
  for a in 4294967295 4294967296 99999999999999999999999 5:4294967295 4294967296:5 ; do
    run --separate-stderr setuidgid "$a" echo ran
    assert_failure 111
    assert_equal "$output" ""
    assert_equal "$stderr" "setuidgid: fatal: invalid account $a: uid or gid out of range"
  done
}

@test "setuidgid: an unreadable passwd file is an error, exit 111" {
  mkdir "$T/dir"
  TEND_PASSWD="$T/dir" run --separate-stderr setuidgid web echo ran
  assert_failure 111
  assert_equal "$stderr" "setuidgid: fatal: unable to look up account web: Is a directory"
}

@test "setuidgid: without the right to change ids, exit 111" {
  if [ "$(id -u)" = 0 ] ; then
    # nobody may read the account files but not become anyone else
    chmod 755 "$T"
    run --separate-stderr setuidgid 65534:65534 setuidgid web echo ran
  else
    run --separate-stderr setuidgid web echo ran
  fi
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "setuidgid: fatal: unable to set groups: Operation not permitted"
}

@test "setuidgid: usage errors exit 100" {
  run --separate-stderr setuidgid
  assert_failure 100
  assert_equal "$stderr" "setuidgid: usage: setuidgid [ -s ] account prog..."
  run --separate-stderr setuidgid web
  assert_failure 100
  run --separate-stderr setuidgid -s
  assert_failure 100
  run --separate-stderr setuidgid -q web true
  assert_failure 100
  assert_equal "$stderr" "setuidgid: usage: setuidgid [ -s ] account prog..."
}

@test "setuidgid: PROG not found exits 127, not executable 126, naming it" {
  needs_root
  run -127 --separate-stderr setuidgid web tend-no-such-program
  assert_equal "$stderr" "setuidgid: fatal: unable to run tend-no-such-program: No such file or directory"
  run -126 --separate-stderr setuidgid web /etc/passwd
  assert_equal "$stderr" "setuidgid: fatal: unable to run /etc/passwd: Permission denied"
}

@test "setuidgid: works in a chroot holding only libc and the account files: no NSS needed" {
  needs_root
  [ "$TEND_SANITIZE" != 1 ] || skip "sanitizer runtimes need /proc, which the bare chroot lacks"
  r="$T/root"
  mkdir -p "$r/etc" "$r/bin"
  cp "$T/passwd" "$T/group" "$r/etc/"
  for f in "$TEND_BIN/setuidgid" "$TEND_TESTBIN/showids" ; do
    cp "$f" "$r/bin/"
    # a static build has no libraries to copy
    for l in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*') ; do cp --parents "$l" "$r" ; done
  done
  [ ! -e "$r/etc/nsswitch.conf" ] && ! ls "$r"/lib*/*/libnss_* "$r"/lib*/libnss_* 2>/dev/null
  run --separate-stderr env -u TEND_PASSWD -u TEND_GROUP chroot "$r" /bin/setuidgid web /bin/showids
  assert_success
  assert_equal "$output" "2001 2001 2001 3001 3002"
  run --separate-stderr env -u TEND_PASSWD -u TEND_GROUP chroot "$r" /bin/setuidgid nosuch /bin/showids
  assert_failure 111
  assert_equal "$stderr" "setuidgid: fatal: unknown account nosuch"
}
