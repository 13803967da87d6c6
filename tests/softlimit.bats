#!/usr/bin/env bats
# softlimit: each option sets its soft limit, "=" means the hard limit, values clip; bad input.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  # ours, not daemontools' program of the same name further down PATH
  for p in softlimit ; do [ -x "$TEND_BIN/$p" ] || { echo "no $TEND_BIN/$p: build first" >&2 ; return 1 ; } ; done
}
teardown () { tend_teardown ; }

# soft and hard values of one limit, as the program run by softlimit sees them
limit () { awk -v n="$1" 'index($0, n) == 1 { $0 = substr($0, length(n) + 1) ; print $1, $2 }' "$T/limits" ; }
limits () { softlimit "$@" cat /proc/self/limits > "$T/limits" ; }

@test "softlimit: each option sets its own soft limit and leaves the hard one" {
  hard_nofile=$(ulimit -H -n)
  limits -a 500000000 -c 1000 -d 400000000 -f 3000 -l 4000 -o 50 -p 60 -r 7000 -s 800000 -t 9
  assert_equal "$(limit 'Max address space' | cut -d' ' -f1)" 500000000
  assert_equal "$(limit 'Max core file size' | cut -d' ' -f1)" 1000
  assert_equal "$(limit 'Max data size' | cut -d' ' -f1)" 400000000
  assert_equal "$(limit 'Max file size' | cut -d' ' -f1)" 3000
  assert_equal "$(limit 'Max locked memory' | cut -d' ' -f1)" 4000
  assert_equal "$(limit 'Max open files')" "50 $hard_nofile"
  assert_equal "$(limit 'Max processes' | cut -d' ' -f1)" 60
  assert_equal "$(limit 'Max resident set' | cut -d' ' -f1)" 7000
  assert_equal "$(limit 'Max stack size' | cut -d' ' -f1)" 800000
  assert_equal "$(limit 'Max cpu time' | cut -d' ' -f1)" 9
}

@test "softlimit: -m sets data, stack, locked memory and address space together" {
  limits -m 300000000
  for l in 'Max data size' 'Max stack size' 'Max address space' ; do
    assert_equal "$(limit "$l" | cut -d' ' -f1)" 300000000
  done
  # locked memory has a finite hard limit here: clipped to it
  hard=$(limit 'Max locked memory' | cut -d' ' -f2)
  if [ "$hard" = unlimited ] ; then want=300000000 ; elif [ "$hard" -lt 300000000 ] ; then want=$hard ; else want=300000000 ; fi
  assert_equal "$(limit 'Max locked memory' | cut -d' ' -f1)" "$want"
}

@test "softlimit: = raises a soft limit to the hard one; -x= and -x = both work" {
  hard=$(ulimit -H -n)
  run sh -c 'ulimit -S -n 20 ; exec softlimit -o= sh -c "ulimit -S -n"'
  assert_success
  assert_output "$hard"
  run sh -c 'ulimit -S -n 20 ; exec softlimit -o = sh -c "ulimit -S -n"'
  assert_output "$hard"
}

@test "softlimit: a value over the hard limit is clipped to it, as daemontools does" {
  hard=$(ulimit -H -n)
  run softlimit -o 99999999999 sh -c 'ulimit -S -n'
  assert_success
  assert_output "$hard"
  # too large even for 64 bits: the same
  run softlimit -o 99999999999999999999999999 sh -c 'ulimit -S -n'
  assert_success
  assert_output "$hard"
}

@test "softlimit: -p0 still runs the program" {
  run softlimit -p0 echo ran
  assert_success
  assert_output "ran"
}

@test "softlimit: the limit applies: -f stops a write past the size" {
  run softlimit -f 100 sh -c 'trap "" XFSZ ; head -c 1000 /dev/zero > "$1" ; wc -c < "$1"' sh "$T/big"
  assert_output --partial "100"
  [ "$(stat -c %s "$T/big")" = 100 ]
}

@test "softlimit: a non-number, an empty value or a sign is a usage error, exit 100" {
  for v in 1x x '' -1 +5 ' 5' 0x10 == ; do
    run --separate-stderr softlimit -m "$v" echo ran
    assert_failure 100
    assert_equal "$output" ""
    assert_regex "$stderr" '^softlimit: usage: softlimit \[-a allbytes\] .* \[-t cpusecs\] prog\.\.\.$'
  done
}

@test "softlimit: unknown option, missing value, missing program: exit 100" {
  run --separate-stderr softlimit -z 1 echo ran
  assert_failure 100
  run --separate-stderr softlimit -m
  assert_failure 100
  run --separate-stderr softlimit -m 5
  assert_failure 100
  run --separate-stderr softlimit
  assert_failure 100
  assert_regex "$stderr" '^softlimit: usage: '
}

@test "softlimit: PROG not found exits 127, not executable 126" {
  run -127 --separate-stderr softlimit -o 100 tend-no-such-program
  assert_equal "$stderr" "softlimit: fatal: unable to run tend-no-such-program: No such file or directory"
  run -126 --separate-stderr softlimit -o 100 /etc/passwd
  assert_equal "$stderr" "softlimit: fatal: unable to run /etc/passwd: Permission denied"
  # -- ends the options: the next word is the program
  run -127 --separate-stderr softlimit -- -m 5 true
  assert_equal "$stderr" "softlimit: fatal: unable to run -m: No such file or directory"
}
