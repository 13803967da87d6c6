#!/usr/bin/env bats
# Hundreds of random svlog scripts (every directive, e, patterns, s, n, S, l, t/T, processors,
# prefixes, several directories) on random input, against the build (under ASan in the
# SANITIZE run). Each must exit 0 with no sanitizer report, and ./all, which selects every line,
# must hold the input exactly. SVLOG_RANDOM_SEED=N reproduces a run; SVLOG_RANDOM_N sets how
# many scripts (default 250, 160 under ASan: about 30 s either way).

load helpers/common
load helpers/svlog-random

setup () {
  tend_setup
  export SVLOG_RETRY=20
}
teardown () {
  cd /
  tend_teardown
}

@test "svlog random: random scripts on random input: no crash, no sanitizer report, ./all holds every line" {
  local seed=${SVLOG_RANDOM_SEED:-$(( $(date +%s%N) % 1000000007 ))}
  local def=250
  if [ "$TEND_SANITIZE" = 1 ] ; then def=160 ; fi
  local n=${SVLOG_RANDOM_N:-$def}
  echo "# svlog random: seed $seed, $n scripts (SVLOG_RANDOM_SEED=$seed reproduces)" >&3
  RANDOM=$seed
  local i rc
  for ((i = 0 ; i < n ; i++)) ; do
    local w="$T/r$i"
    mkdir "$w" ; cd "$w"
    svlog_random_script
    svlog_random_input "$((seed + i))" in
    rc=0
    svlog "${SCRIPT[@]}" < in > out 2> err || rc=$?
    local what="seed $seed, script $i: svlog $(printf "'%s' " "${SCRIPT[@]}")"
    if [ "$rc" != 0 ] ; then echo "$what: exit $rc" ; cat err ; return 1 ; fi
    local e ; e=$(< err)
    case $e in *Sanitizer*|*"runtime error"*|*"internal error"*|*fatal*) echo "$what: stderr says:" ; cat err ; return 1 ;; esac
    # what ./all must hold: every line, a newline added to an unfinished last one, split at l
    { cat in ; [ -z "$(tail -c 1 in)" ] || echo ; } > want
    if [ "$LINEMAX" != 0 ] ; then fold -b -w "$LINEMAX" want > want.l ; mv want.l want ; fi
    cut -b "$((STAMPLEN + 1))-" all/current > got
    if ! cmp -s want got ; then echo "$what: ./all differs from the input" ; cmp want got ; return 1 ; fi
    # every directory closed cleanly, no rotation left half done
    local d
    for d in all d* ; do
      [ -d "$d" ] || continue
      if [ ! -x "$d/current" ] || [ -e "$d/previous" ] || [ -e "$d/processed" ] || [ -e "$d/newstate" ] ; then
        echo "$what: $d not closed cleanly:" ; ls -l "$d" ; return 1
      fi
    done
    cd "$T" ; rm -rf "$w"
  done
}
