#!/usr/bin/env bats
# envdir: variables from the files of a directory, exit codes, bad input.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in envdir setuidgid ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
  mkdir "$T/env"
}
teardown () { tend_teardown ; }

# prints VAR's value between brackets, or "unset"
show () { sh -c 'for v ; do eval "if [ \"\${$v+x}\" ] ; then printf \"%s=[%s]\\n\" \$v \"\$$v\" ; else echo \$v unset ; fi" ; done' sh "$@" ; }
export -f show

@test "envdir: the first line of each file sets a variable, trailing blanks trimmed, leading kept" {
  printf 'v1 \t \nline2\n' > "$T/env/A"
  printf '  lead' > "$T/env/LEAD"
  printf 'cr\r\n' > "$T/env/CR"
  printf ' \t ' > "$T/env/BLANK"
  printf '\n' > "$T/env/NL"
  run --separate-stderr envdir "$T/env" bash -c 'show A LEAD CR BLANK NL'
  assert_success
  assert_equal "$output" "$(printf 'A=[v1]\nLEAD=[  lead]\nCR=[cr\r]\nBLANK=[]\nNL=[]')"
  assert_equal "$stderr" ""
}

@test "envdir: NUL bytes become newlines" {
  printf 'a\0b\0c\nnot this' > "$T/env/NUL"
  run envdir "$T/env" bash -c 'printf "%s" "$NUL" | od -An -c | tr -s " "'
  assert_success
  assert_output " a \\n b \\n c"
}

@test "envdir: an empty file removes the variable, a file holding a newline sets it empty" {
  : > "$T/env/GONE"
  printf '\n' > "$T/env/EMPTY"
  GONE=was EMPTY=was run envdir "$T/env" bash -c 'show GONE EMPTY'
  assert_success
  assert_output "$(printf 'GONE unset\nEMPTY=[]')"
}

@test "envdir: replaces existing values, leaves other variables alone, passes arguments" {
  echo new > "$T/env/KEEPME_NOT"
  KEEPME=old KEEPME_NOT=old run envdir "$T/env" bash -c 'show KEEPME KEEPME_NOT ; echo "$#:$1:$2"' sh 'a b' c
  assert_success
  assert_output "$(printf 'KEEPME=[old]\nKEEPME_NOT=[new]\n2:a b:c')"
}

@test "envdir: names starting with a dot are ignored" {
  echo x > "$T/env/.hidden"
  echo y > "$T/env/VISIBLE"
  run envdir "$T/env" bash -c 'show VISIBLE ; env | grep -c "^\.hidden=" || true'
  assert_success
  assert_output "$(printf 'VISIBLE=[y]\n0')"
}

@test "envdir: a dangling symlink removes the variable, as daemontools does" {
  ln -s "$T/nowhere" "$T/env/DANGLING"
  DANGLING=was run envdir "$T/env" bash -c 'show DANGLING'
  assert_success
  assert_output "DANGLING unset"
}

@test "envdir: the program is found in the original PATH, and gets the envdir's PATH" {
  mkdir "$T/bin"
  printf '#!/bin/sh\necho "from T/bin PATH=$PATH"\n' > "$T/bin/where"
  chmod +x "$T/bin/where"
  echo /nonexistent > "$T/env/PATH"
  PATH="$T/bin:$PATH" run envdir "$T/env" where
  assert_success
  assert_output "from T/bin PATH=/nonexistent"
}

@test "envdir: 10,000 variables" {
  awk -v d="$T/env" 'BEGIN { for (i = 1 ; i <= 10000 ; i++) { f = d "/V" i ; print "value" i > f ; close(f) } }'
  run envdir "$T/env" bash -c 'env | grep -c "^V[0-9]*=value[0-9]*$" ; echo "$V1 $V5000 $V10000"'
  assert_success
  assert_output "$(printf '10000\nvalue1 value5000 value10000')"
}

@test "envdir: a file named with = is a fatal error naming it, exit 111" {
  echo x > "$T/env/A=B"
  run --separate-stderr envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/A=B: invalid variable name: it contains ="
}

@test "envdir: a subdirectory is a fatal error naming it, exit 111" {
  mkdir "$T/env/SUB"
  run --separate-stderr envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/SUB: Is a directory"
}

@test "envdir: an unreadable file is a fatal error naming it, exit 111" {
  echo secret > "$T/env/SECRET"
  chmod 000 "$T/env/SECRET"
  if [ "$(id -u)" = 0 ] ; then
    # root reads anything: drop to nobody for this test
    chmod 755 "$T"
    run --separate-stderr setuidgid nobody envdir "$T/env" echo ran
  else
    run --separate-stderr envdir "$T/env" echo ran
  fi
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/SECRET: Permission denied"
}

@test "envdir: a symlink loop is a fatal error naming it, exit 111" {
  ln -s LOOP2 "$T/env/LOOP1"
  ln -s LOOP1 "$T/env/LOOP2"
  run --separate-stderr envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$output" ""
  # ELOOP's text is the C library's: glibc's, then musl's
  assert_regex "$stderr" "^envdir: fatal: unable to read $T/env/LOOP[12]: (Too many levels of symbolic links|Symbolic link loop)$"
}

@test "envdir: pointing at a file or a missing directory, exit 111" {
  echo x > "$T/file"
  run --separate-stderr envdir "$T/file" echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "envdir: fatal: unable to open directory $T/file: Not a directory"
  run --separate-stderr envdir "$T/nope" echo ran
  assert_failure 111
  assert_equal "$stderr" "envdir: fatal: unable to open directory $T/nope: No such file or directory"
}

@test "envdir: usage error exits 111, as daemontools' envdir" {
  run --separate-stderr envdir
  assert_failure 111
  assert_equal "$stderr" "envdir: usage: envdir dir prog..."
  run --separate-stderr envdir "$T/env"
  assert_failure 111
  assert_equal "$stderr" "envdir: usage: envdir dir prog..."
}

@test "envdir: PROG not found exits 127, not executable 126, naming it" {
  run -127 --separate-stderr envdir "$T/env" tend-no-such-program
  assert_failure 127
  assert_equal "$stderr" "envdir: fatal: unable to run tend-no-such-program: No such file or directory"
  echo 'echo hi' > "$T/notexec"
  run -126 --separate-stderr envdir "$T/env" "$T/notexec"
  assert_failure 126
  assert_equal "$stderr" "envdir: fatal: unable to run $T/notexec: Permission denied"
  run -127 --separate-stderr envdir "$T/env" ''
  assert_failure 127
}

@test "envdir: the program's exit code and stdout are its own" {
  run --separate-stderr envdir "$T/env" sh -c 'echo out ; exit 42'
  assert_failure 42
  assert_equal "$output" "out"
}

@test "envdir: a FIFO is refused at once, not read (no hang), exit 111" {
  mkfifo "$T/env/FIFO"
  run --separate-stderr timeout 5 envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$output" ""
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/FIFO: not a regular file"
}

@test "envdir: a symlink to /dev/zero is refused, not read without end" {
  ln -s /dev/zero "$T/env/ZERO"
  run --separate-stderr timeout 5 envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/ZERO: not a regular file"
}

@test "envdir: a first line of 65536 bytes is read whole; a longer one is refused, not cut" {
  head -c 65536 /dev/zero | tr '\0' x > "$T/env/BIG" ; echo >> "$T/env/BIG"
  run envdir "$T/env" sh -c 'printf %s "$BIG" | wc -c'
  assert_success
  assert_output 65536
  head -c 65537 /dev/zero | tr '\0' x > "$T/env/BIG"
  run --separate-stderr envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/BIG: no end of line in its first 65536 bytes"
}

@test "envdir: a file name with a newline is escaped in the message" {
  echo x > "$T/env/$(printf 'A\nenvdir: fatal: forged=')"
  run --separate-stderr envdir "$T/env" echo ran
  assert_failure 111
  assert_equal "$stderr" "envdir: fatal: unable to read $T/env/A\\x0aenvdir: fatal: forged=: invalid variable name: it contains ="
}
