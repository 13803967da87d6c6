#!/bin/sh
# svlog benchmark: svlog against s6-log, multilog, svlogd and `cat > file` on 100-byte lines,
# timestamp on every line, rotating at 10 MB keeping 5; then `T 1` into /dev/null against s6-log.
# Usage: sh tests/bench/svlog.sh [--quick]     (QUICK=1 works too; SVLOG=path overrides the binary)
# Prints medians over alternating runs: MB/s, logger CPU seconds per MB, Pss (max sampled while running).
set -u

quick=${QUICK:-0}
[ "${1-}" = --quick ] && quick=1
root=$(cd "$(dirname "$0")/../.." && pwd)
SVLOG=${SVLOG:-}
if [ -z "$SVLOG" ] ; then
  for b in "${TEND_BIN:-}" "$root/build/bin" "$root"/build-*/bin ; do
    [ -n "$b" ] && [ -x "$b/svlog" ] && { SVLOG=$b/svlog ; break ; }
  done
fi
[ -x "${SVLOG:-}" ] || { echo "svlog.sh: fatal: no svlog binary: run make first or set SVLOG" >&2 ; exit 100 ; }

if [ "$quick" = 1 ] ; then mb=40 ; reps=3 ; else mb=200 ; reps=5 ; fi
# BENCH_REPS: more runs for a ratio that sits close to its target
case ${BENCH_REPS:-} in ""|*[!0-9]*|0) ;; *) reps=$BENCH_REPS ;; esac
lines=$((mb * 10000))
W=$(mktemp -d "${TMPDIR:-/tmp}/svlogbench.XXXXXX") || exit 111
trap 'rm -rf "$W"' EXIT INT TERM

awk -v n=$lines 'BEGIN { s = sprintf("%099d", 0) ; for (i = 0 ; i < n ; i++) print s }' > "$W/in"
bytes=$(wc -c < "$W/in")

have () { [ -x "$1" ] ; }

# run NAME CMD: one timed run of CMD reading the input through a pipe, in a fresh $W/run.
# Appends "wall_ns cpu_seconds pss_kb" to $W/NAME.
run () {
  name=$1 ; shift
  rm -rf "$W/run" ; mkdir "$W/run"
  [ "$name" = svlogd ] && { mkdir "$W/run/d" ; printf 's10485760\nn5\n' > "$W/run/d/config" ; }
  t0=$(date +%s%N)
  cd "$W/run"
  cat "$W/in" | /usr/bin/time -f '%U %S' -o "$W/time" "$@" &
  pid=$!
  cd "$W"
  # $! is time(1), the last process of the pipeline; the logger is its child
  lp=
  pss=0
  while kill -0 $pid 2>/dev/null ; do
    [ -z "$lp" ] && lp=$(cat /proc/$pid/task/$pid/children 2>/dev/null) && lp=${lp%% *}
    if [ -n "$lp" ] ; then
      p=$(awk '/^Pss:/ { print $2 }' /proc/$lp/smaps_rollup 2>/dev/null)
      [ -n "$p" ] && [ "$p" -gt "$pss" ] && pss=$p
    fi
    sleep 0.02
  done
  wait $pid
  t1=$(date +%s%N)
  cpu=$(awk '{ print $1 + $2 }' "$W/time" 2>/dev/null | tail -n 1)
  echo "$((t1 - t0)) ${cpu:-0} $pss" >> "$W/$name"
}

median () { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2] ; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }' ; }

# stats NAME -> "MB/s CPUs/MB PssKB" (medians)
stats () {
  w=$(awk '{ print $1 }' "$W/$1" | median)
  c=$(awk '{ print $2 }' "$W/$1" | median)
  p=$(awk '{ print $3 }' "$W/$1" | median)
  awk -v w="$w" -v c="$c" -v p="$p" -v b="$bytes" 'BEGIN { mb = b / 1000000 ; printf "%.1f %.5f %d\n", mb / (w / 1e9), c / mb, p }'
}

S6=/usr/bin/s6-log ML=/usr/bin/multilog SVD=/usr/bin/svlogd
progs="svlog"
have $S6 && progs="$progs s6log"
have $ML && progs="$progs multilog"
have $SVD && progs="$progs svlogd"
progs="$progs cat"

one () {
  case $1 in
    svlog) run svlog "$SVLOG" t s10485760 n5 ./d ;;
    s6log) run s6log $S6 t s10485760 n5 ./d ;;
    multilog) run multilog $ML t s10485760 n5 ./d ;;
    svlogd) run svlogd $SVD -t ./d ;;
    cat) run cat sh -c 'cat > file' ;;
    svlogT) run svlogT sh -c "exec \"$SVLOG\" T 1 > /dev/null" ;;
    s6logT) run s6logT sh -c "exec $S6 T 1 > /dev/null" ;;
    # stdout into a pipe, the docker logs case; CPU and Pss here are the shell's pipeline
    svlogP) run svlogP sh -c "\"$SVLOG\" T 1 | cat > /dev/null" ;;
    s6logP) run s6logP sh -c "$S6 T 1 | cat > /dev/null" ;;
  esac
}

echo "svlog benchmark: $mb MB of 100-byte lines, $reps runs each, alternating; medians" >&2
i=0
while [ $i -lt $reps ] ; do
  # alternate the order, so no program always runs on a warm or a cold cache
  if [ $((i % 2)) = 0 ] ; then order=$progs ; else order=$(echo $progs | tr ' ' '\n' | tac | tr '\n' ' ') ; fi
  for p in $order ; do one $p ; done
  if have $S6 ; then
    if [ $((i % 2)) = 0 ] ; then one svlogT ; one s6logT ; one svlogP ; one s6logP
    else one s6logP ; one svlogP ; one s6logT ; one svlogT ; fi
  else one svlogT ; one svlogP ; fi
  i=$((i + 1))
done

printf '%-28s %10s %12s %8s\n' "run" "MB/s" "CPU s/MB" "Pss KB"
for p in $progs ; do
  set -- $(stats $p)
  eval "r_$p=\"$1 $2 $3\""
  case $p in
    svlog) label="svlog t s10485760 n5" ;; s6log) label="s6-log t s10485760 n5" ;;
    multilog) label="multilog t s10485760 n5" ;; svlogd) label="svlogd -t (s10485760 n5)" ;;
    cat) label="cat > file" ;;
  esac
  printf '%-28s %10s %12s %8s\n' "$label" "$1" "$2" "$3"
done
for p in svlogT s6logT svlogP s6logP ; do
  [ -f "$W/$p" ] || continue
  set -- $(stats $p)
  eval "r_$p=\"$1 $2 $3\""
  case $p in
    svlogT) label="svlog T 1 > /dev/null" ;; s6logT) label="s6-log T 1 > /dev/null" ;;
    svlogP) label="svlog T 1 | cat (MB/s only)" ;; s6logP) label="s6-log T 1 | cat (MB/s only)" ;;
  esac
  printf '%-28s %10s %12s %8s\n' "$label" "$1" "$2" "$3"
done

# ratio A B FIELD: A's field over B's
ratio () {
  eval "a=\$r_$1 ; b=\$r_$2"
  awk -v a="$a" -v b="$b" -v f="$3" 'BEGIN { split(a, x, " ") ; split(b, y, " ") ; if (y[f] + 0 == 0) print "n/a" ; else printf "%.2f\n", x[f] / y[f] }'
}
echo
printf '%-44s %8s %s\n' "ratio (same run)" "value" "goal"
if have $S6 ; then
  printf '%-44s %8s %s\n' "throughput svlog / s6-log" "$(ratio svlog s6log 1)" ">= 3"
  printf '%-44s %8s %s\n' "CPU per MB svlog / s6-log" "$(ratio svlog s6log 2)" "<= 0.5"
  printf '%-44s %8s %s\n' "Pss svlog / s6-log" "$(ratio svlog s6log 3)" "<= 0.5"
  printf '%-44s %8s %s\n' "throughput svlog T 1 / s6-log T 1" "$(ratio svlogT s6logT 1)" ">= 2"
  printf '%-44s %8s %s\n' "throughput svlog T 1 | cat / s6-log's" "$(ratio svlogP s6logP 1)" ""
fi
have $ML && printf '%-44s %8s %s\n' "throughput svlog / multilog" "$(ratio svlog multilog 1)" ">= 2"
have $SVD && printf '%-44s %8s %s\n' "throughput svlog / svlogd" "$(ratio svlog svlogd 1)" ""
printf '%-44s %8s %s\n' "throughput svlog / cat > file" "$(ratio svlog cat 1)" "(ceiling)"
