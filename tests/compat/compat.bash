# Helpers for the compatibility tests: twin service dirs, each run by one supervisor and driven by one client set.
#
# A twin is named SUP-CLI and lives in $T/SUP-CLI/s (a service dir called s):
#   SUP  ours = our supervise, dt = daemontools' /usr/bin/supervise, rs = runit's /usr/bin/runsv
#   CLI  dt = /usr/bin/svc, svstat, svok   tend = ours ($TEND_BIN)
#        sv = runit's /usr/bin/sv (and daemontools' svc, svstat, svok for anything else)
# Clients run with cwd $T/TWIN and the relative name s (./s for sv, which would otherwise look in
# $SVDIR), so the twins' outputs can be compared byte for byte once pids and seconds are masked.

TWINS=""

# The standard run script: counts its starts, records the signals it gets, exits 0 on TERM.
# (The loop sleeps in short slices: daemontools signals only the shell, ours its process group;
# the shell's own complaints about its killed sleep go to run.err, not to the supervisor's stderr.)
RUN_NORMAL='exec 2>>run.err
echo $$ >> starts
trap "echo HUP >> sigs" HUP
trap "echo ALRM >> sigs" ALRM
trap "echo INT >> sigs" INT
trap "echo QUIT >> sigs" QUIT
trap "echo USR1 >> sigs" USR1
trap "echo USR2 >> sigs" USR2
trap "echo TERM >> sigs ; exit 0" TERM
while : ; do sleep 0.1 ; done'

# A service that records TERM and goes on running: it stays up with "want down".
RUN_STUBBORN='exec 2>>run.err
echo $$ >> starts
trap "echo TERM >> sigs" TERM
while : ; do sleep 0.1 ; done'

twin_dir () { echo "$T/$1/s" ; }

# twins [-down] [-run BODY] TWIN...: make the service dirs and start every supervisor, tracked.
# Supervisors start with default signal dispositions: bats' background jobs ignore INT and QUIT,
# which daemontools' supervise would hand down to the service and ours would not.
twins () {
  local down=0 body=$RUN_NORMAL tw d
  while : ; do
    case "$1" in
      -down) down=1 ; shift ;;
      -run) body=$2 ; shift 2 ;;
      *) break ;;
    esac
  done
  TWINS="$*"
  for tw in $TWINS ; do
    d=$(twin_dir "$tw")
    mkdir -p "$d"
    printf '#!/bin/sh\n%s\n' "$body" > "$d/run"
    chmod +x "$d/run"
    [ $down = 0 ] || : > "$d/down"
    case "$tw" in
      ours-*) env --default-signal "$TEND_BIN/supervise" "$d" 2>>"$T/$tw.err" & ;;
      dt-*) env --default-signal /usr/bin/supervise "$d" 2>>"$T/$tw.err" & ;;
      rs-*) env --default-signal /usr/bin/runsv "$d" 2>>"$T/$tw.err" & ;;
      *) echo "twins: bad twin $tw" >&2 ; return 1 ;;
    esac
    track_pid $!
    echo $! > "$T/$tw.sup"
  done
  for tw in $TWINS ; do
    wait_for 20 sup_ready_or_gone "$tw"
    /usr/bin/svok "$(twin_dir "$tw")" || { echo "# supervisor of $tw exited: $(cat "$T/$tw.err")" >&2 ; return 1 ; }
  done
}
sup_ready_or_gone () { /usr/bin/svok "$(twin_dir "$1")" || sup_gone "$1" ; }

# client TWIN PROG ARGS...: PROG (svc, svstat, svok or sv) from the twin's client set, in $T/TWIN.
client () {
  local tw=$1 prog=$2 path ; shift 2
  case "$prog:${tw#*-}" in
    sv:*) path=/usr/bin/sv ;;
    *:dt|*:sv) path=/usr/bin/$prog ;;
    *:tend) path=$TEND_BIN/$prog ;;
    *) echo "client: no $prog for $tw" >&2 ; return 1 ;;
  esac
  (cd "$T/$tw" && exec "$path" "$@")
}

# in_dir DIR PROG ARGS...: PROG run from DIR (never cd in a test itself: teardown kills every
# process whose cwd is under $T)
in_dir () { local d=$1 ; shift ; (cd "$d" && exec "$@") ; }

# Masks what legitimately differs between twins: pids and seconds (svstat's and sv's forms).
norm () {
  sed -E -e 's/\(pid [0-9]+\)/(pid P)/g' -e 's/ [0-9]+ seconds/ S seconds/g' \
         -e 's/([:)]) [0-9]+s(,|;|$)/\1 Ss\2/g'
}

# same PROG ARGS...: run the client in every twin, all at once (sv -v and svc -w wait); the masked
# outputs (stdout and stderr) and the exit codes must all be equal. Sets $got (the masked output)
# and $rc.
same () {
  local tw o r first="" pids=()
  for tw in $TWINS ; do
    ( r=0 ; client "$tw" "$@" > "$T/.same.$tw" 2>&1 || r=$? ; echo "$r" > "$T/.same.$tw.rc" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  for tw in $TWINS ; do
    o=$(norm < "$T/.same.$tw")
    r=$(cat "$T/.same.$tw.rc")
    if [ -z "$first" ] ; then
      first=$tw ; got=$o ; rc=$r
    elif [ "$o" != "$got" ] || [ "$r" != "$rc" ] ; then
      echo "# $* differs:" >&2
      echo "#   $first (exit $rc): $got" >&2
      echo "#   $tw (exit $r): $o" >&2
      return 1
    fi
  done
}

# says TWIN EXPECTED PROG ARGS...: the twin's client prints EXPECTED (masked)
says () {
  local tw=$1 want=$2 o ; shift 2
  o=$(client "$tw" "$@" 2>&1 | norm) || true
  [ "$o" = "$want" ]
}

# all PRED ARGS...: poll until PRED TWIN ARGS... holds for every twin (generous: ASan, 2 cores,
# daemontools' supervise is deaf for 1 s after each start).
all () {
  local tw
  for tw in $TWINS ; do
    wait_for 20 "$1" "$tw" "${@:2}" || { echo "# ... for twin $tw" >&2 ; return 1 ; }
  done
}

# all_say EXPECTED PROG ARGS...: poll until every twin's client prints EXPECTED, then compare
# once more strictly with `same`.
all_say () {
  all says "$@"
  same "${@:2}"
  [ "$got" = "$1" ]
}

# ---- effects ----

# pid in the status file (bytes 12-15, little-endian), 0 when down
spid () { od -An -tu4 --endian=little -j12 -N4 "$(twin_dir "$1")/supervise/status" | tr -d ' ' ; }
# bytes 0-11 (the TAI64N stamp) in hex
stamp () { od -An -tx1 -N12 "$(twin_dir "$1")/supervise/status" | tr -d ' \n' ; }
save_stamps () { local tw ; for tw in $TWINS ; do stamp "$tw" > "$T/$tw.stamp" ; done ; }
stamp_kept () { [ "$(stamp "$1")" = "$(cat "$T/$1.stamp")" ] ; }
# byte 17 (want) in hex
want_byte () { od -An -tx1 -j17 -N1 "$(twin_dir "$1")/supervise/status" | tr -d ' ' ; }
want_byte_is () { [ "$(want_byte "$1")" = "$2" ] ; }
# a process that is gone (or a zombie nobody reaped yet)
dead () { ! kill -0 "$1" 2>/dev/null || [ "$(pstate "$1")" = Z ] ; }
pstate () { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1 ; }
is_up () { local p ; p=$(spid "$1") ; [ "$p" -gt 0 ] && kill -0 "$p" && [ "$(pstate "$p")" != Z ] ; }
is_down () { [ "$(spid "$1")" = 0 ] ; }
is_paused () { local p ; p=$(spid "$1") ; [ "$p" -gt 0 ] && [ "$(pstate "$p")" = T ] ; }
is_running () { local p ; p=$(spid "$1") ; [ "$p" -gt 0 ] && case "$(pstate "$p")" in S|R) true ;; *) false ;; esac ; }
# the number of starts of the run script
starts () { local f ; f="$(twin_dir "$1")/starts" ; [ -f "$f" ] && wc -l < "$f" || echo 0 ; }
starts_are () { [ "$(starts "$1")" = "$2" ] ; }
# the signals the run script trapped, space-separated
sigs () { local f ; f="$(twin_dir "$1")/sigs" ; [ -f "$f" ] && tr '\n' ' ' < "$f" | sed 's/ $//' || true ; }
sigs_are () { [ "$(sigs "$1")" = "$2" ] ; }
# the supervisor's pid, and whether it has exited
suppid () { cat "$T/$1.sup" ; }
sup_gone () { dead "$(suppid "$1")" ; }
# a new service pid, different from the one saved by save_pids
save_pids () { local tw ; for tw in $TWINS ; do spid "$tw" > "$T/$tw.oldpid" ; done ; }
old_pid () { cat "$T/$1.oldpid" ; }
new_pid () { local p ; p=$(spid "$1") ; [ "$p" -gt 0 ] && [ "$p" != "$(old_pid "$1")" ] && kill -0 "$p" ; }
old_dead () { dead "$(old_pid "$1")" ; }

# Bring every twin's service down and its supervisor to an end, as the tests' last step:
# d and x, then k for a service that ignores TERM (svc works on all three supervisors).
stop_twins () {
  local tw d
  for tw in $TWINS ; do
    d=$(twin_dir "$tw")
    [ -p "$d/supervise/control" ] || continue
    /usr/bin/svc -dxk "$d" 2>/dev/null || true
  done
  # give them a moment to end by themselves; tend_teardown kills what is left, by pid
  for tw in $TWINS ; do
    wait_for 1 sup_gone "$tw" 2>/dev/null || true
  done
}

compat_teardown () {
  stop_twins
  tend_teardown
}
