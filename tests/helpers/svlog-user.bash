# A second, unprivileged user for svlog's security tests: created by the test, removed after.
# svlog_user_setup: skips unless root; sets U (name) and UID_U; svlog_user_teardown removes it.

svlog_user_setup () {
  [ "$(id -u)" = 0 ] || skip "needs root: the tests run svlog as root against another user"
  command -v useradd >/dev/null || skip "useradd not installed"
  U="tsvl$$${BATS_TEST_NUMBER:-0}"
  useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$U" || skip "useradd $U failed"
  UID_U=$(id -u "$U")
  export U UID_U
  # the test's temp dir must be reachable by that user
  chmod 755 "$T"
}

svlog_user_teardown () {
  [ -n "${U-}" ] || return 0
  # processes of that user are ours: kill them by pid before removing the account
  local p
  for p in $(ps -o pid= -u "$U" 2>/dev/null) ; do kill -KILL "$p" 2>/dev/null || true ; done
  userdel "$U" 2>/dev/null || true
  U=
}

# as_user CMD...: run CMD as that user, without any of root's groups
as_user () { setpriv --reuid="$UID_U" --regid=65534 --clear-groups -- "$@" ; }
