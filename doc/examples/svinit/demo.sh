#!/bin/sh
# svinit/demo.sh: the svinit example tree (this directory) run as a container, live: tagged logs
# of every service, a config change whose hook runs `svc -h web`, a stop, then a crash of the
# critical web server taking the container down with its exit code.
# Usage: sh doc/examples/svinit/demo.sh /absolute/path/to/bin      (make demo runs it)
# The container is podman's when podman works here (root, `podman info`), else the tree runs
# as PID 1 of PID, mount and network namespaces chrooted into the same image root (root needed:
# unshare, mount, chroot). TEND_DEMO_RUNTIME=podman|pidns chooses. Finishes in about 20 s.

set -u
BIN=${1:?usage: demo.sh /absolute/path/to/bin}
case $BIN in /*) ;; *) BIN=$(cd "$BIN" && pwd) || exit 111 ;; esac
for p in svinit svscan supervise svc svstat svwait ; do
  [ -x "$BIN/$p" ] || { echo "svinit demo: fatal: $BIN/$p not found: run make first" >&2 ; exit 111 ; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
BB=/bin/busybox

if [ -t 1 ] ; then B=$(printf '\033[1m') ; N=$(printf '\033[0m') ; else B= ; N= ; fi
say () { printf '\n%s== %s%s\n' "$B" "$*" "$N" ; }
show () { printf '%s$ %s%s\n' "$B" "$*" "$N" ; }
die () { echo "svinit demo: fatal: $*" >&2 ; exit 111 ; }

if [ "$(id -u)" != 0 ] ; then
  echo "svinit demo: skipped: it needs root (podman, or unshare and chroot)" >&2
  exit 0
fi
if [ ! -x "$BB" ] || ldd "$BB" 2>/dev/null | grep -q '=>' ; then
  echo "svinit demo: skipped: no static $BB (install busybox-static)" >&2
  exit 0
fi

RUNTIME=${TEND_DEMO_RUNTIME:-}
if [ -z "$RUNTIME" ] ; then
  if command -v podman >/dev/null 2>&1 && timeout 30 podman info >/dev/null 2>&1 ; then RUNTIME=podman ; else RUNTIME=pidns ; fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tend-svinit-demo.XXXXXX") || exit 111
NAME=tend-svinit-demo-$$
IMAGE=localhost/tend-svinit-demo:$$
INITPID=
LOGPID=
NSPID=

cleanup () {
  trap - EXIT INT TERM HUP PIPE
  [ -n "$LOGPID" ] && kill "$LOGPID" 2>/dev/null
  if [ "$RUNTIME" = podman ] ; then
    podman rm -f -t 0 "$NAME" >/dev/null 2>&1
    podman rmi -f "$IMAGE" >/dev/null 2>&1
  elif [ -n "$NSPID" ] && kill -0 "$NSPID" 2>/dev/null ; then
    # the namespace's PID 1 takes every process of it along when it dies
    [ -n "$INITPID" ] && kill -KILL "$INITPID" 2>/dev/null
    wait "$NSPID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# ---- the image root: busybox, tend's programs in /usr/local/bin, the example's /etc and /srv ----
R=$TMP/root
mkdir -p "$R/bin" "$R/usr/local/bin" "$R/tmp" "$R/proc" "$R/sys" "$R/dev" "$R/run" || exit 111
chmod 1777 "$R/tmp"
cp "$BB" "$R/bin/busybox" || exit 111
for p in "$BIN"/* ; do cp "$p" "$R/usr/local/bin/" || exit 111 ; done
# the libraries of a dynamic build (a static one has none)
for lib in $(ldd "$BIN"/* 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | sort -u) ; do
  mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib" || exit 111
done
# busybox's applets, except the names tend ships (see doc/containers.md, the busybox trap)
for a in $("$R/bin/busybox" --list) ; do
  [ -e "$R/usr/local/bin/$a" ] || [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
cp -R "$HERE/etc" "$HERE/srv" "$R/" || exit 111
echo "root:x:0:0:root:/:/bin/sh" > "$R/etc/passwd"

# ---- the container runtime: start, exec, stop, wait ----
if [ "$RUNTIME" = podman ] ; then
  tar -C "$R" -cf - . | timeout 120 podman import -q --change 'ENTRYPOINT ["/usr/local/bin/svinit"]' \
    --change 'ENV PATH=/usr/local/bin:/bin' - "$IMAGE" >/dev/null || die "podman import failed"
  ctr_start () {
    timeout 60 podman run -d --name "$NAME" --network none "$IMAGE" >/dev/null || die "podman run failed"
    podman logs -f "$NAME" &
    LOGPID=$!
  }
  ctr_exec () { timeout 30 podman exec "$NAME" "$@" ; }
  # what podman stop does, by the host pid of the container's PID 1, so the time shown is the
  # tree's stop and not the podman client's start-up
  ctr_stop () {
    INITPID=$(podman inspect --format '{{.State.Pid}}' "$NAME")
    show "kill -TERM $INITPID   # the container's PID 1, as podman stop does"
    kill -TERM "$INITPID"
  }
  ctr_wait () {
    timeout 60 podman wait "$NAME" >/dev/null 2>&1
    CODE=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
    sleep 0.2 ; kill "$LOGPID" 2>/dev/null ; wait "$LOGPID" 2>/dev/null ; LOGPID=
    podman rm -f -t 0 "$NAME" >/dev/null 2>&1
  }
  EXEC="podman exec $NAME"
else
  command -v unshare >/dev/null && command -v nsenter >/dev/null || die "unshare and nsenter (util-linux) are needed"
  ctr_start () {
    # PID 1 of new PID, mount and network namespaces, chrooted into the image root, with a
    # tmpfs on /run and /proc of its own: what a container runtime does, less the cgroups
    unshare --pid --fork --mount --net sh -c '
      mount --rbind /dev "$1/dev" && mount -t tmpfs -o mode=755 tmpfs "$1/run" || exit 111
      exec chroot "$1" /bin/sh -c "mount -t proc proc /proc && ip link set lo up && PATH=/usr/local/bin:/bin exec /usr/local/bin/svinit"
    ' demo "$R" &
    NSPID=$!
    i=0
    until INITPID=$(cat "/proc/$NSPID/task/$NSPID/children" 2>/dev/null) && [ -n "$INITPID" ] ; do
      i=$((i + 1)) ; [ "$i" -gt 100 ] && die "the namespace's PID 1 did not appear"
      sleep 0.05
    done
    INITPID=${INITPID% }
  }
  ctr_exec () { nsenter -t "$INITPID" -p -m -n -r -w env PATH=/usr/local/bin:/bin "$@" ; }
  ctr_stop () { show "kill -TERM <the namespace's PID 1>" ; kill -TERM "$INITPID" ; }
  ctr_wait () {
    CODE=0 ; wait "$NSPID" || CODE=$?
    NSPID= ; INITPID=
  }
  EXEC="nsenter <the namespace>"
fi
xrun () { show "$EXEC $*" ; ctr_exec "$@" || echo "(exit code $?)" ; }
# wait_in SECS CMD...: poll CMD in the container every 0.1 s
wait_in () {
  w=$1 ; shift ; i=0
  until ctr_exec "$@" >/dev/null 2>&1 ; do
    i=$((i + 1)) ; [ "$i" -gt $((w * 10)) ] && die "timed out waiting for: $*"
    sleep 0.1
  done
}
webpid () { ctr_exec /usr/local/bin/svstat web | sed -n 's/.*(pid \([0-9]*\)).*/\1/p' ; }

say "the svinit example ($HERE) as a container ($RUNTIME); its output follows, every line tagged"
ctr_start
wait_in 20 /usr/local/bin/svwait -u -t 100 web confwatch monitor discovery debug
xrun /usr/local/bin/svstat
say "a request to web: busybox httpd logs it on stderr, tagged \"web |\" like its stdout"
xrun wget -q -O - http://127.0.0.1:8080/
sleep 0.5

say "a config change: confwatch's hook (a busybox sh script) runs /usr/local/bin/svc -h web"
show "echo v2 > /etc/confwatch/source"
ctr_exec sh -c 'echo v2 > /etc/confwatch/source'
wait_in 10 sh -c '[ "$(cat /etc/confwatch/source)" = v2 ]'
sleep 2
xrun /usr/local/bin/svstat web
echo "(the same pid: web reloaded its config on SIGHUP, it was not restarted)"

say "stop the container, as docker stop does: TERM to PID 1; services stop in parallel, then finish.d"
t0=$(date +%s%N)
ctr_stop
while kill -0 "$INITPID" 2>/dev/null ; do sleep 0.01 ; done
t1=$(date +%s%N)
ctr_wait
echo "stopped in $(( (t1 - t0) / 1000000 )) ms, exit code $CODE"

say "again, and web (critical, max-restarts 3 60) crashes four times: the container exits with its code"
ctr_start
wait_in 20 /usr/local/bin/svwait -u -t 100 web
n=1
while [ "$n" -le 4 ] ; do
  p=$(webpid)
  [ -n "$p" ] || { sleep 0.1 ; continue ; }
  show "kill -KILL $p   # web's pid, crash $n"
  ctr_exec kill -KILL "$p"
  # wait for the next web process (supervise throttles restarts); after the fourth, the end
  if [ "$n" -lt 4 ] ; then
    i=0
    while q=$(webpid) ; [ -z "$q" ] || [ "$q" = "$p" ] ; do
      i=$((i + 1)) ; [ "$i" -gt 150 ] && die "web did not come back"
      sleep 0.1
    done
  fi
  n=$((n + 1))
done
ctr_wait
echo "the container exited with code $CODE (128 + 9: web was killed by SIGKILL)"
say "done"
exit 0
