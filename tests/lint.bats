#!/usr/bin/env bats
# The build and the suite themselves: make keeps what it built; tests/lint-bats finds assertions
# that cannot fail.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "make: the test helpers' objects are kept (.SECONDARY), so they are not relinked each run" {
  objdir=$(dirname "$TEND_TESTBIN")/obj/tests/helpers
  for c in "$_tend_root"/tests/helpers/*.c ; do
    n=$(basename "$c" .c)
    [ -x "$TEND_TESTBIN/$n" ] || skip "helpers not built in $TEND_TESTBIN"
    assert [ -f "$objdir/$n.o" ]
  done
}

# a .bats file to lint, written to $T/$1 from stdin (with @TEST for @test: bats rewrites every
# line starting with @test, in heredocs too)
bats_file () { sed 's/^@TEST /@test /' > "$T/$1" ; }

@test "lint-bats: finds mid-test '! cmd' and '[ ] && [' chains, file:line each, exit 1" {
  bats_file bad.bats <<'EOF_BATS'
#!/usr/bin/env bats
helper () {
  [ -f x ] && [ -f y ]
}

@TEST "one" {
  ! grep -q x f
  [ "$a" = 1 ] && [ "$b" = 2 ]
  [[ $a == 1 ]] && [[ $b == 2 ]]
  test -f a && test -f b
  [ "${iv[1]}" -ge 30 ] && [ "${iv[1]}" -lt 250 ]
  for i in 1 2 ; do
    ! false
  done
  true
}
EOF_BATS
  run "$_tend_root/tests/lint-bats" "$T/bad.bats"
  assert_failure 1
  assert_output "$T/bad.bats:7: ! grep -q x f
$T/bad.bats:8: [ \"\$a\" = 1 ] && [ \"\$b\" = 2 ]
$T/bad.bats:9: [[ \$a == 1 ]] && [[ \$b == 2 ]]
$T/bad.bats:10: test -f a && test -f b
$T/bad.bats:11: [ \"\${iv[1]}\" -ge 30 ] && [ \"\${iv[1]}\" -lt 250 ]
$T/bad.bats:13: ! false"
}

@test "lint-bats: what bats does enforce passes: last commands, run !, || fallbacks, functions, heredocs" {
  bats_file good.bats <<'EOF_BATS'
#!/usr/bin/env bats
# outside tests: helpers return their status
nlines () { [ -f "$1" ] && [ "$(wc -l < "$1")" = "$2" ] ; }
helper () {
  ! grep -q x f
  [ -f x ] && [ -f y ]
}

@TEST "last command: its status counts" {
  run ! grep -q x f
  refute_output
  [ "$a" = 1 ] && [ "$b" = 2 ]
}

@TEST "a fallback decides; a function defined in a test returns its last status" {
  [ "$(id -u)" = 0 ] || { [ -x /bin/sh ] && [ -r /etc/passwd ] ; } || skip "no"
  settled () {
    ! grep -q '^Z' "$T/ps" && [ "$(grep -c x "$T/ps")" = 1 ]
  }
  wait_for 5 settled
  if ! true ; then false ; fi
  cat > f <<EOF
! not a command
[ a ] && [ b ]
EOF
  python3 - <<'PY'
! not a command either
PY
  true
}

@TEST "last" {
  ! false
}
EOF_BATS
  run "$_tend_root/tests/lint-bats" "$T/good.bats"
  assert_success
  assert_output ""
}

@test "lint-bats: an unreadable file is a usage error (100)" {
  run "$_tend_root/tests/lint-bats" "$T/none.bats"
  assert_failure 100
  assert_output "lint-bats: fatal: unable to read $T/none.bats"
}
