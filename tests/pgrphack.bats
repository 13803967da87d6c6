#!/usr/bin/env bats
# pgrphack: the program leads a new session and process group; exec failures (shared by all chainloaders).

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in pgrphack setuidgid ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
}
teardown () { tend_teardown ; }

@test "pgrphack: the program is its own session and process group leader" {
  run --separate-stderr pgrphack sh -c 'echo $$ $(ps -o sid= -p $$) $(ps -o pgid= -p $$)'
  assert_success
  read -r pid sid pgid <<<"$output"
  assert_equal "$sid" "$pid"
  assert_equal "$pgid" "$pid"
  assert_equal "$stderr" ""
}

@test "pgrphack: passes arguments and the exit code through" {
  run pgrphack sh -c 'echo "$#:$1:$2" ; exit 9' sh 'a b' c
  assert_failure 9
  assert_output "2:a b:c"
}

@test "pgrphack: usage error exits 100" {
  run --separate-stderr pgrphack
  assert_failure 100
  assert_equal "$stderr" "pgrphack: usage: pgrphack prog..."
}

@test "pgrphack: PROG not found exits 127, not executable 126, naming it" {
  run -127 --separate-stderr pgrphack tend-no-such-program
  assert_equal "$stderr" "pgrphack: fatal: unable to run tend-no-such-program: No such file or directory"
  run -127 --separate-stderr pgrphack "$T/nope/prog"
  assert_equal "$stderr" "pgrphack: fatal: unable to run $T/nope/prog: No such file or directory"
  run -126 --separate-stderr pgrphack /etc/passwd
  assert_equal "$stderr" "pgrphack: fatal: unable to run /etc/passwd: Permission denied"
  run -126 --separate-stderr pgrphack /
  assert_equal "$stderr" "pgrphack: fatal: unable to run /: Permission denied"
  printf '\177ELF garbage' > "$T/badexec" ; chmod +x "$T/badexec"
  run -126 --separate-stderr pgrphack "$T/badexec"
  assert_equal "$stderr" "pgrphack: fatal: unable to run $T/badexec: Exec format error"
}

@test "pgrphack: PATH search as a shell: skips a non-executable file for a later one, 126 if only that" {
  mkdir "$T/a" "$T/b"
  printf '#!/bin/sh\necho a\n' > "$T/a/prog"
  printf '#!/bin/sh\necho b\n' > "$T/b/prog"
  chmod +x "$T/b/prog"
  PATH="$T/a:$T/b:$TEND_BIN:/usr/bin:/bin" run pgrphack prog
  assert_success
  assert_output "b"
  PATH="$T/a:$TEND_BIN:/usr/bin:/bin" run -126 --separate-stderr pgrphack prog
  assert_equal "$stderr" "pgrphack: fatal: unable to run prog: Permission denied"
  # an empty PATH element is the current directory
  PATH=":$TEND_BIN:/usr/bin:/bin" run sh -c 'cd "$1" && exec pgrphack prog' sh "$T/b"
  assert_success
  assert_output "b"
}

@test "pgrphack: a PATH directory we may not search means not found (127), as bash says" {
  mkdir -m 700 "$T/private"
  chmod 755 "$T"
  if [ "$(id -u)" = 0 ] ; then
    # root searches anything: check as nobody
    PATH="$T/private:$TEND_BIN:/usr/bin:/bin" run -127 --separate-stderr setuidgid 65534:65534 pgrphack tend-no-such-program
  else
    chmod 000 "$T/private"
    PATH="$T/private:$TEND_BIN:/usr/bin:/bin" run -127 --separate-stderr pgrphack tend-no-such-program
  fi
  assert_equal "$stderr" "pgrphack: fatal: unable to run tend-no-such-program: No such file or directory"
}

@test "pgrphack: with PATH unset, the usual system directories are searched" {
  # env(1) lives in /usr/bin; it prints the empty environment it was given
  run env -i "$TEND_BIN/pgrphack" env
  assert_success
  assert_output ""
}

@test "chainloaders: a PATH element far beyond PATH_MAX is skipped, the next one found" {
  long=/$(printf 'x%.0s' $(seq 1 20000))
  run --separate-stderr env PATH="$long:/usr/bin:/bin" "$TEND_BIN/pgrphack" echo found
  assert_success
  assert_output found
  assert_equal "$stderr" ""
}
