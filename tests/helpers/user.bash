# A second, unprivileged user for the security tests: created by the test, removed after.
# other_user_setup: skips unless root; sets U (name) and UID_U; other_user_teardown removes it.

other_user_setup () {
  [ "$(id -u)" = 0 ] || skip "needs root: the test creates a second user and acts as it"
  command -v useradd >/dev/null || skip "useradd not installed"
  U="tend$$${BATS_TEST_NUMBER:-0}"
  useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$U" || skip "useradd $U failed"
  UID_U=$(id -u "$U")
  export U UID_U
  # the test's temp dir must be reachable by that user
  chmod 755 "$T"
}

other_user_teardown () {
  [ -n "${U-}" ] || return 0
  # processes of that user are ours: kill them by pid before removing the account
  local p
  for p in $(ps -o pid= -u "$U" 2>/dev/null) ; do kill -KILL "$p" 2>/dev/null || true ; done
  userdel "$U" 2>/dev/null || true
  U=
}

# as_user CMD...: run CMD as that user, without any of root's groups
as_user () { setpriv --reuid="$UID_U" --regid=65534 --clear-groups -- "$@" ; }
