#!/usr/bin/env bats
# svlog as root on a log directory another user could write: no link followed, no such
# directory used.

load helpers/common
load helpers/user

setup () {
  tend_setup
  other_user_setup
  cd "$T"
  export SVLOG_RETRY=50
}
teardown () {
  cd /
  other_user_teardown
  tend_teardown
}

archives () { ls "$1" | grep -E '^@4000[0-9a-f]{20}\.[su]$' ; }
start_fifo () {
  mkfifo "$T/in"
  svlog "$@" < "$T/in" 2> "$T/err" &
  SVPID=$!
  track_pid $SVPID
  exec 7> "$T/in"
  wait_for 5 trapped $SVPID
}

# a root script that the other user must not be able to make root append to
make_target () {
  printf '#!/bin/sh\necho root script\n' > "$T/target"
  chmod 700 "$T/target"
  cp "$T/target" "$T/target.orig"
}
target_untouched () {
  cmp "$T/target" "$T/target.orig"
  [ "$(stat -c %a "$T/target")" = 700 ]
}

@test "svlog security: a log directory owned by another user is refused; its current link is not followed" {
  make_target
  mkdir d
  chown "$U" d
  as_user ln -s "$T/target" d/current
  run sh -c 'echo "rm -rf /" | svlog ./d 2>&1'
  assert_failure 100
  assert_output "svlog: fatal: unable to use log directory ./d: it belongs to uid $UID_U, not to svlog's uid 0"
  target_untouched
  [ -L d/current ]
}

@test "svlog security: a log directory others can write is refused; a planted lock link creates nothing" {
  mkdir -m 777 d
  as_user ln -s "$T/created" d/lock
  run sh -c 'echo x | svlog ./d 2>&1'
  assert_failure 100
  assert_output "svlog: fatal: unable to use log directory ./d: mode 0777 lets group or others write in it"
  run test -e "$T/created"
  assert_failure
  # group-writable is refused the same way
  mkdir e ; chmod 770 e
  run sh -c 'echo x | svlog ./e 2>&1'
  assert_failure 100
  assert_output "svlog: fatal: unable to use log directory ./e: mode 0770 lets group or others write in it"
}

@test "svlog security: a symbolic link left in the directory (current, lock, state...) is refused, never followed" {
  make_target
  for f in current lock previous processed state newstate ; do
    rm -rf d ; mkdir -m 700 d
    ln -s "$T/target" "d/$f"
    run sh -c 'echo "echo owned" | svlog "!cat" ./d 2>&1'
    assert_failure 111
    case $f in
      lock) assert_output "svlog: fatal: unable to open ./d/lock: it is a symbolic link, which svlog does not follow" ;;
      *) assert_output "svlog: fatal: unable to use ./d/$f: it is a symbolic link, which svlog does not follow" ;;
    esac
    target_untouched
  done
  # a dangling one creates nothing (a lock link once made a root-owned file where it pointed)
  for f in current lock previous processed state newstate ; do
    rm -rf d ; mkdir -m 700 d
    ln -s "$T/created" "d/$f"
    run sh -c 'echo x | svlog "!cat" ./d 2>&1'
    st=$status
    run test -e "$T/created"
    assert_failure
    assert_equal "$st" 111
  done
}

@test "svlog security: current swapped for a link mid-run: the rotation neither follows nor chmods it" {
  printf 'secret\n' > "$T/secret" ; chmod 600 "$T/secret"
  start_fifo ./d
  echo first >&7
  wait_for 5 grep -q first d/current
  # the directory is opened up for a moment: the other user swaps current for a link
  chmod 777 d
  as_user sh -c "ln -s '$T/secret' d/new && mv -T d/new d/current"
  chmod 700 d
  [ -L d/current ]
  kill -ALRM $SVPID
  wait_for 5 grep -q 'replaced or removed' "$T/err"
  wait_for 5 test -f d/current
  run test -L d/current
  assert_failure
  [ "$(stat -c %a "$T/secret")" = 600 ]
  [ "$(cat "$T/secret")" = secret ]
  echo second >&7
  wait_for 5 grep -q second d/current
  exec 7>&-
  wait $SVPID
  # no archive is a link, and none holds the secret
  for f in $(archives d) ; do
    run test -L "d/$f"
    assert_failure
  done
  run grep -rq secret d
  assert_failure
  run cat "$T/err"
  assert_output "svlog: warning: ./d/current was replaced or removed behind svlog's back: not following it, dropping that name and starting a new current"
}

@test "svlog security: a processor never gets a planted link as previous or processed" {
  printf 'secret\n' > "$T/secret" ; chmod 600 "$T/secret"
  start_fifo '!cat' ./d
  echo first >&7
  wait_for 5 grep -q first d/current
  # processed planted as a link to the secret: the processor's output must not land there
  ln -s "$T/secret" d/processed
  kill -ALRM $SVPID
  wait_for 5 grep -q 'unable to process' "$T/err"
  [ "$(cat "$T/secret")" = secret ]
  [ "$(stat -c %a "$T/secret")" = 600 ]
  rm d/processed
  wait_for 5 sh -c "ls d | grep -qE '^@4000[0-9a-f]{20}\.s\$'"
  [ "$(cat d/@*.s)" = first ]
  exec 7>&-
  wait $SVPID
}

@test "svlog security: a =file that is a link is refused" {
  make_target
  ln -s "$T/target" st
  run sh -c 'echo x | svlog =st 2>&1'
  assert_failure 111
  assert_output "svlog: fatal: unable to create st: it is a symbolic link, which svlog does not follow"
  target_untouched
}
