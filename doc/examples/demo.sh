#!/bin/sh
# demo.sh: tend's live demo (`make demo`): supervise the example "web" service and drive it with
# svc, showing svstat as it changes. Usage: sh doc/examples/demo.sh /absolute/path/to/build/bin
# Runs the whole tree with svscan instead when BIN/svscan exists. Finishes in about 5 s.

set -u
BIN=${1:?usage: demo.sh /absolute/path/to/bin}
case $BIN in /*) ;; *) BIN=$(cd "$BIN" && pwd) || exit 111 ;; esac
for p in supervise svc svstat svok svwait ; do
  [ -x "$BIN/$p" ] || { echo "demo: fatal: $BIN/$p not found: run make first" >&2 ; exit 111 ; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
PATH=$BIN:$PATH
export PATH

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tend-demo.XXXXXX") || exit 111
cp -R "$HERE/service" "$TMP/service" || exit 111
# bare service names resolve in $SVDIR
SVDIR=$TMP/service
# bare names would otherwise fall back on the record in /run/tend (svinit's): not the demo's tree
TEND_RUNDIR=$TMP/run
export SVDIR TEND_RUNDIR
SUPPID=

# bold on a terminal only
if [ -t 1 ] ; then B=$(printf '\033[1m') ; N=$(printf '\033[0m') ; else B= ; N= ; fi
say () { printf '\n%s== %s%s\n' "$B" "$*" "$N" ; }
# print a command, then run it; a failure is reported, not fatal
run () {
  printf '%s$ %s%s\n' "$B" "$*" "$N"
  "$@" || echo "(exit code $?)"
}

# Waits up to $2 tenths of a second for pid $1 to end; 0 if it did.
gone () {
  i=0
  while kill -0 "$1" 2>/dev/null ; do
    i=$((i + 1)) ; [ "$i" -gt "$2" ] && return 1
    sleep 0.1
  done
  return 0
}

cleanup () {
  trap - EXIT INT TERM PIPE HUP
  if [ -n "$SUPPID" ] && kill -0 "$SUPPID" 2>/dev/null ; then
    # asking first: TERM makes supervise (and svscan) bring the service down, then exit
    kill -TERM "$SUPPID" 2>/dev/null
    gone "$SUPPID" 30 || kill -KILL "$SUPPID" 2>/dev/null
  fi
  # whatever the service left (it runs in its own process group)
  for f in "$TMP"/service/*/supervise/pid ; do
    [ -s "$f" ] && kill -KILL -"$(cat "$f")" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# a reader that goes away (make demo | head) must not leave the tree running
trap 'exit 141' PIPE
trap 'exit 129' HUP

if [ -x "$BIN/svscan" ] ; then
  say "starting svscan on $TMP/service (the whole tree; service output follows, interleaved)"
  svscan "$TMP/service" &
else
  say "starting supervise on $TMP/service/web (svscan is not built yet; service output follows, interleaved)"
  supervise "$TMP/service/web" &
fi
SUPPID=$!

# svwait fails at once when no supervisor runs yet: first wait for one to appear
i=0
until svok web ; do
  i=$((i + 1))
  [ "$i" -gt 50 ] && { echo "demo: fatal: no supervisor appeared on web within 5 seconds" >&2 ; exit 111 ; }
  sleep 0.1
done

say "wait until web is up and ready (it writes a newline to fd 3, as notification-fd says)"
run svwait -U -t 5000 web
run svstat web
run svstat -l web

say "every service of the scan directory: svstat with no argument (a table on a terminal)"
run svstat

say "down: send the down-signal (TERM) and wait until it is down"
run svc -d -wd -T 5000 web
run svstat web
run svstat -l web

say "up again, and wait for readiness"
run svc -u -wU -T 5000 web
run svstat -l web

say "send TERM (svc -t): a death supervise was asked for, so web comes back at once, no backoff"
# -wd subscribes to web's events before sending: it sees the down though web is back at once
run svc -t -wd -T 5000 web
run svwait -U -t 5000 web
run svstat -l web

say "restart on purpose: no throttle, wait for the new process"
run svc -r -wr -T 5000 web
run svstat web

say "the same status as JSON"
run svstat -j web

if [ -x "$BIN/svscan" ] ; then
  say "stop the whole tree, as docker stop does: TERM to svscan"
  run kill -TERM "$SUPPID"
else
  say "down, and tell supervise to exit once it is down"
  run svc -dx web
fi
if gone "$SUPPID" 50 ; then
  wait "$SUPPID" 2>/dev/null
  echo "supervisor exited"
else
  echo "demo: supervisor still running after 5 seconds: stopping it" >&2
fi
run svstat web
say "done"
exit 0
