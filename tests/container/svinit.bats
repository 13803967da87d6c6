#!/usr/bin/env bats
# svinit as the ENTRYPOINT of a real OCI container (podman + runc), on an image made from a
# folder: static tend programs in /usr/bin, busybox-static in /bin, services in /etc/service.

load ../helpers/common
load ../helpers/container
bats_require_minimum_version 1.5.0

svc_dir () {
  mkdir -p "$1$2"
  printf '#!/bin/sh\n%s\n' "$3" > "$1$2/run"
  chmod 755 "$1$2/run"
}

make_rootfs () {
  local r=$1 bin=$2 a s
  mkdir -p "$r/bin" "$r/usr/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/run"
  chmod 1777 "$r/tmp"
  cp -a "$bin"/* "$r/usr/bin/"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list) ; do
    [ "$a" = busybox ] || [ -e "$r/usr/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
  # four services without log/, each saying a line on stdout and one on stderr
  for s in web agent discovery debug ; do
    svc_dir "$r" "/etc/service/$s" "echo \"$s out\" ; echo \"$s err\" >&2 ; trap 'echo $s got HUP' HUP ; while : ; do sleep 0.05 ; done"
  done
  # web reports a HUP: what svc -h from docker exec must reach
  mkdir -p "$r/etc/svinit/init.d"
  printf '#!/bin/sh\necho "setting up"\n' > "$r/etc/svinit/init.d/10-setup"
  chmod 755 "$r/etc/svinit/init.d/10-setup"
  mkdir -p "$r/etc/svinit/fail.d"
  printf '#!/bin/sh\nexit 9\n' > "$r/etc/svinit/fail.d/10-fail"
  chmod 755 "$r/etc/svinit/fail.d/10-fail"
}

setup_file () {
  export CTR_SKIP=
  export CTR_PREFIX="tend-svinit-$$"
  export CTR_IMAGE="localhost/tend-svinit:bats$$"
  local tool
  tool="$(cd "$_tend_root/.." && pwd)/shared/tools/podman-setup"
  if [ "$(id -u)" != 0 ] ; then ctr_skip "container tests need root (podman with runc as root)" ; return 0 ; fi
  if ! command -v podman >/dev/null 2>&1 ; then ctr_skip "podman is not installed" ; return 0 ; fi
  if [ -f "$tool" ] && ! sh "$tool" --check ; then ctr_skip "podman is unusable here: '$tool --check' failed (run it without --check as root)" ; return 0 ; fi
  if [ ! -x /bin/busybox ] || [ -n "$(ldd /bin/busybox 2>/dev/null | grep '=>')" ] ; then
    ctr_skip "/bin/busybox missing or not static (install busybox-static)" ; return 0
  fi
  local build="${TEND_STATIC_BUILD:-build/static}" sbin
  case "$build" in /*) sbin="$build/bin" ;; *) sbin="$_tend_root/$build/bin" ;; esac
  if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$_tend_root" STATIC=1 BUILD="$build" \
        >"$BATS_FILE_TMPDIR/make.log" 2>&1 ; then
    cat "$BATS_FILE_TMPDIR/make.log" >&2
    return 1
  fi
  [ -x "$sbin/svinit" ] || { echo "no static svinit in $sbin" >&2 ; return 1 ; }
  local r="$BATS_FILE_TMPDIR/rootfs"
  make_rootfs "$r" "$sbin"
  tar -C "$r" -cf - . | timeout 120 podman import -q --change 'ENTRYPOINT ["/usr/bin/svinit"]' - "$CTR_IMAGE" >/dev/null
  rm -rf "$r"
}

teardown_file () {
  [ -z "${CTR_SKIP-}" ] || return 0
  local c
  if [ -f "$BATS_FILE_TMPDIR/containers" ] ; then
    while read -r c ; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true ; done < "$BATS_FILE_TMPDIR/containers"
  fi
  podman rmi -f "$CTR_IMAGE" >/dev/null 2>&1 || true
}

setup () {
  [ -z "$CTR_SKIP" ] || skip "$CTR_SKIP"
  tend_setup
  CTR="$CTR_PREFIX-$BATS_TEST_NUMBER"
  echo "$CTR" >> "$BATS_FILE_TMPDIR/containers"
}

teardown () {
  [ -z "$CTR_SKIP" ] || return 0
  podman rm -f -t 0 "$CTR" >/dev/null 2>&1 || true
  tend_teardown
}

# ctr_run [PODMAN-RUN-OPTIONS...] [-- CMD...]: svinit as PID 1 of container $CTR, detached
ctr_run () {
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ] ; do opts+=("$1") ; shift ; done
  [ $# -gt 0 ] && shift
  timeout 60 podman run -d --name "$CTR" -e PATH=/usr/bin:/bin "${opts[@]}" "$CTR_IMAGE" "$@" >/dev/null
}
cx () { timeout 30 podman exec "$CTR" "$@" ; }
exit_code () { podman inspect --format '{{.State.ExitCode}}' "$CTR" ; }
logs_have () { podman logs "$CTR" 2>&1 | grep -qxF "$1" ; }
# the container's exit code after running CMD to its end
ctr_code () {
  timeout 60 podman run --name "$CTR" -e PATH=/usr/bin:/bin "$@" >/dev/null 2>&1 &
  local p=$! ; track_pid $p
  wait $p || true
  timeout 30 podman wait "$CTR" >/dev/null 2>&1 || true
  exit_code
}

@test "container svinit: tagged whole lines from four services and an init.d script in podman logs" {
  ctr_run
  for s in web agent discovery debug ; do
    wait_for 20 logs_have "$s | $s out"
    wait_for 20 logs_have "$s | $s err"
  done
  wait_for 20 logs_have "init.d/10-setup | setting up"
}

@test "container svinit: JSON lines parse" {
  ctr_run -e SVINIT_LOG_FORMAT=json
  wait_for 20 eval 'podman logs "$CTR" 2>&1 | grep -q "\"service\":\"debug\",\"stream\":\"stderr\""'
  podman logs "$CTR" 2>&1 | grep '^{' > "$T/json"
  [ "$(wc -l < "$T/json")" -ge 9 ]
  run python3 -c 'import json, sys
for l in open(sys.argv[1]): o = json.loads(l); assert set(o) >= {"time", "service", "stream", "line"}, o' "$T/json"
  assert_success
}

@test "container svinit: CMD exit codes 0, 3, 137, 143 become the container's; 143 mapped to 0" {
  assert_equal "$(ctr_code "$CTR_IMAGE" true)" 0 ; podman rm -f "$CTR" >/dev/null
  assert_equal "$(ctr_code "$CTR_IMAGE" sh -c 'exit 3')" 3 ; podman rm -f "$CTR" >/dev/null
  assert_equal "$(ctr_code "$CTR_IMAGE" sh -c 'kill -KILL $$')" 137 ; podman rm -f "$CTR" >/dev/null
  assert_equal "$(ctr_code "$CTR_IMAGE" sh -c 'kill -TERM $$')" 143 ; podman rm -f "$CTR" >/dev/null
  assert_equal "$(ctr_code -e 'SVINIT_EXIT_MAP=143=0 130=0' "$CTR_IMAGE" sh -c 'kill -TERM $$')" 0
}

@test "container svinit: podman stop of 5 services (4 + the CMD) takes < 1 s, exit 0" {
  ctr_run -- sleep 100000
  wait_for 20 logs_have "debug | debug out"
  wait_for 20 eval 'cx /usr/bin/svstat main | grep -q ": up "'
  t0=$(date +%s%N)
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "podman stop took $ms ms"
  [ "$ms" -lt 1000 ]
  # a requested stop is a success, whatever the CMD died of
  assert_equal "$(exit_code)" 0
}

@test "container svinit: podman stop without a CMD exits 0" {
  ctr_run
  wait_for 20 logs_have "debug | debug out"
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
}

@test "container svinit: svc -h web through podman exec by bare name reaches the live web" {
  ctr_run
  wait_for 20 logs_have "web | web out"
  run cx /usr/bin/svc -h web
  assert_success
  wait_for 20 logs_have "web | web got HUP"
  run ! logs_have "agent | agent got HUP"
}

@test "container svinit: --user 1000 --read-only (private live dir under /tmp) and --read-only as root" {
  ctr_run --user 1000 --read-only --tmpfs /tmp
  wait_for 20 logs_have "web | web out"
  run cx sh -c 'ls -d /tmp/svinit.*/service/web/supervise'
  assert_success
  podman rm -f -t 0 "$CTR" >/dev/null
  ctr_run --read-only --tmpfs /run
  wait_for 20 logs_have "web | web out"
  run cx /usr/bin/svstat web
  assert_output --partial "web: up (pid "
}

@test "container svinit: a failing init.d script stops the container with its code" {
  assert_equal "$(ctr_code -e SVINIT_INIT_DIR=/etc/svinit/fail.d "$CTR_IMAGE")" 9
  run podman logs "$CTR"
  assert_output --partial "svinit: warning: init.d/10-fail exited 9: stopping the container"
}

@test "container svinit: with podman run -t the CMD has the terminal as stdin, stdout and stderr" {
  assert_equal "$(ctr_code -t "$CTR_IMAGE" sh -c 'test -t 0 && test -t 1 && test -t 2')" 0
}

@test "container svinit: with podman run -t the CMD is the terminal's foreground process group" {
  # /proc/PID/stat: field 5 is the process group, field 8 the terminal's foreground group
  assert_equal "$(ctr_code -t "$CTR_IMAGE" sh -c 'set -- $(cat /proc/$$/stat) ; [ "$5" = "$8" ]')" 0
}
