#!/usr/bin/env bats
# Tier 3: svscan as PID 1 of a real OCI container (podman + runc), on an image made from a folder:
# the release tarball (make dist-static: static programs in /usr/bin, what a user ships),
# busybox-static in /bin, service dirs under /etc. One test builds `make image` and copies the
# programs out of it with COPY --from, as README's recipe does.

load ../helpers/common
load ../helpers/container

# Every container runs this image with our programs first in PATH; all service sets live in the
# one image (one build per file keeps the suite fast), one scan dir per test.
N_LINES=1000
PAD=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx

# svc_dir ROOTFS DIR RUN-BODY: a service dir with an executable run script
svc_dir () {
  mkdir -p "$1$2"
  printf '#!/bin/sh\n%s\n' "$3" > "$1$2/run"
  chmod 755 "$1$2/run"
}

# critical_dir ROOTFS DIR RUN-BODY: a critical service that stops for good after one run
critical_dir () {
  svc_dir "$1" "$2" "$3"
  printf '#!/bin/sh\nexit 125\n' > "$1$2/finish"
  chmod 755 "$1$2/finish"
  : > "$1$2/critical"
}

make_rootfs () {
  local r=$1 tarball=$2 a
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev"
  chmod 1777 "$r/tmp"
  tar -C "$r" -xzf "$tarball"
  (cd "$r" && sha256sum -c --quiet SHA256SUMS) || { echo "$tarball: SHA256SUMS does not match" >&2 ; return 1 ; }
  rm -f "$r/SHA256SUMS"
  cp /bin/busybox "$r/bin/busybox"
  # relative links (busybox --install -s would point them at the host's busybox path); busybox's
  # own svc/svok and the like must not shadow ours, so names we ship get no link
  for a in $(/bin/busybox --list) ; do
    [ "$a" = busybox ] || [ -e "$r/usr/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
}

make_services () {
  local r=$1
  # (1) (2) two plain services that die on TERM
  svc_dir "$r" /etc/service/a 'exec sleep 100000'
  svc_dir "$r" /etc/service/b 'exec sleep 100000'
  # (3) critical services: an exit code, a signal
  critical_dir "$r" /etc/sv-crit42/main 'exit 42'
  svc_dir "$r" /etc/sv-crit42/other 'exec sleep 100000'
  critical_dir "$r" /etc/sv-segv/main 'ulimit -c 0 ; kill -11 $$'
  svc_dir "$r" /etc/sv-segv/other 'exec sleep 100000'
  # (4) numbered lines on stdout: two services without log/, and, when this tree has svlog, one
  # through svlog's stdout copy (directive 1)
  local s
  for s in $LOG_SERVICES ; do
    svc_dir "$r" "/etc/sv-logs/$s" "i=1
while [ \$i -le $N_LINES ] ; do printf '$s %04d $PAD\\n' \$i ; i=\$((i+1)) ; done
touch printed
exec sleep 100000"
  done
  [ "$LOG_SERVICES" = "a b" ] || svc_dir "$r" /etc/sv-logs/c/log 'exec svlog 1'
  # (5) a service that leaves orphans behind: each subshell exits at once, its sleep is reparented
  svc_dir "$r" /etc/sv-orphans/maker 'i=0
while [ $i -lt 300 ] ; do (sleep 0.1 &) ; i=$((i+1)) ; done
touch made
exec sleep 100000'
  # (6) health
  svc_dir "$r" /etc/sv-health/a 'exec sleep 100000'
  svc_dir "$r" /etc/sv-health/b 'if [ -e /tmp/b-broken ] ; then exit 1 ; fi
exec sleep 100000'
  # (7) a service that ignores TERM, beside a plain one
  svc_dir "$r" /etc/sv-stubborn/deaf "trap '' TERM
touch armed
while : ; do sleep 0.05 ; done"
  svc_dir "$r" /etc/sv-stubborn/plain 'exec sleep 100000'
}

setup_file () {
  export CTR_SKIP=
  export CTR_PREFIX="tend-test-$$"
  export CTR_IMAGE="localhost/tend-test:bats$$"
  local tool
  tool="$(cd "$_tend_root/.." && pwd)/shared/tools/podman-setup"
  if [ "$(id -u)" != 0 ] ; then
    ctr_skip "container tests need root (podman with runc as root)" ; return 0
  fi
  if ! command -v podman >/dev/null 2>&1 ; then
    ctr_skip "podman is not installed" ; return 0
  fi
  if [ -f "$tool" ] && ! sh "$tool" --check ; then
    ctr_skip "podman is unusable here: '$tool --check' failed (run it without --check as root)"
    return 0
  fi
  if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1 ; then
    ctr_skip "/bin/busybox missing (install busybox-static)" ; return 0
  fi
  if [ -n "$(ldd /bin/busybox 2>/dev/null | grep '=>')" ] ; then
    ctr_skip "/bin/busybox is dynamically linked (install busybox-static)" ; return 0
  fi

  # The image ships the release tarball of the static build (ASan cannot link statically, so a
  # SANITIZE=1 run also tests these binaries). make is incremental: this only compiles what
  # changed. The outer make's MAKEFLAGS (SANITIZE=1, WERROR=1, jobserver) must not leak in.
  local build="${TEND_STATIC_BUILD:-build/static}" tarball
  if ! tend_make dist-static BUILD="$build" \
        >"$BATS_FILE_TMPDIR/make.log" 2>&1 ; then
    cat "$BATS_FILE_TMPDIR/make.log" >&2
    echo "container tests: make dist-static BUILD=$build failed" >&2
    return 1
  fi
  tarball=$(sed -n 's/^dist-static: wrote \([^ ]*\) .*/\1/p' "$BATS_FILE_TMPDIR/make.log")
  case "$tarball" in /*) ;; ?*) tarball=$_tend_root/$tarball ;; esac
  [ -f "$tarball" ] || { echo "container tests: make dist-static named no tarball" >&2 ; return 1 ; }
  export CTR_TARBALL=$tarball

  local r="$BATS_FILE_TMPDIR/rootfs"
  make_rootfs "$r" "$tarball"
  [ -x "$r/usr/bin/svscan" ] && [ -x "$r/usr/bin/supervise" ] || { echo "no svscan, supervise in $tarball" >&2 ; return 1 ; }
  export LOG_SERVICES="a b"
  [ "$(printf 'x\n' | "$r/usr/bin/svlog" 1 2>/dev/null)" = x ] && LOG_SERVICES="a b c"
  make_services "$r"
  tar -C "$r" -cf - . | timeout 120 podman import -q - "$CTR_IMAGE" >/dev/null
  rm -rf "$r"
}

teardown_file () {
  [ -z "${CTR_SKIP-}" ] || return 0
  local c
  if [ -f "$BATS_FILE_TMPDIR/containers" ] ; then
    while read -r c ; do
      podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
    done < "$BATS_FILE_TMPDIR/containers"
  fi
  # the copy first: it is a child of $CTR_IMAGE
  podman rmi -f "$CTR_IMAGE-copy" "$CTR_IMAGE-tend" >/dev/null 2>&1 || true
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

# ctr_run [PODMAN-RUN-OPTIONS...] -- SVSCAN-ARGS...: start svscan as PID 1 of container $CTR
ctr_run () {
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ] ; do opts+=("$1") ; shift ; done
  shift
  timeout 60 podman run -d --name "$CTR" -e PATH=/usr/bin:/bin "${opts[@]}" "$CTR_IMAGE" \
    /usr/bin/svscan "$@" >/dev/null
}

cx () { timeout 30 podman exec "$CTR" "$@" ; }
exit_code () { podman inspect --format '{{.State.ExitCode}}' "$CTR" ; }
is_up_in () { cx /usr/bin/svstat "$1" | grep -q "^$1: up (pid [0-9]*) " ; }
file_in () { cx test -e "$1" ; }

# time_stop SECS: podman stop -t SECS, milliseconds taken in $STOP_MS
time_stop () {
  local t0
  t0=$(date +%s%N)
  timeout 60 podman stop -t "$1" "$CTR" >/dev/null
  STOP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

@test "container: svscan as PID 1 runs both services of /etc/service" {
  ctr_run -e SVDIR=/etc/service -- /etc/service
  wait_for 20 is_up_in /etc/service/a
  wait_for 20 is_up_in /etc/service/b
  run cx /usr/bin/svstat -c
  assert_success
  assert_output ""
  # svscan is PID 1, each supervise its child, each service a child of its supervise
  run cx ps -o pid,ppid,comm
  assert_success
  assert_line --regexp '^ +1 +0 +svscan$'
  assert_equal "$(grep -cE '^ +[0-9]+ +1 +supervise$' <<<"$output")" 2
  assert_equal "$(grep -cE ' sleep$' <<<"$output")" 2
  run cx svok /etc/service/a
  assert_success
}

@test "container: podman stop ends the tree within 3 s; exit code 0" {
  ctr_run -- /etc/service
  wait_for 20 is_up_in /etc/service/a
  wait_for 20 is_up_in /etc/service/b
  time_stop 10
  echo "podman stop took ${STOP_MS} ms"
  [ "$STOP_MS" -lt 3000 ]
  assert_equal "$(podman inspect --format '{{.State.Status}}' "$CTR")" exited
  assert_equal "$(exit_code)" 0
  # orderly: svscan said nothing about killing anything at a grace deadline
  run podman logs "$CTR"
  refute_output --partial "grace deadline"
}

@test "container: a critical service's exit code 42 becomes the container's" {
  ctr_run -- /etc/sv-crit42
  run timeout 30 podman wait "$CTR"
  assert_success
  assert_output 42
  assert_equal "$(exit_code)" 42
  run podman logs "$CTR"
  assert_line "svscan: warning: critical service main stopped for good (exit code 42): stopping the tree"
}

@test "container: a critical service killed by SIGSEGV makes the container exit 139" {
  ctr_run -- /etc/sv-segv
  run timeout 30 podman wait "$CTR"
  assert_success
  assert_output 139
  assert_equal "$(exit_code)" 139
  run podman logs "$CTR"
  assert_line "svscan: warning: critical service main stopped for good (exit code 139): stopping the tree"
}

@test "container: podman logs has every line the services printed (with and without svlog), whole and in order" {
  ctr_run -- /etc/sv-logs
  local s i
  for s in $LOG_SERVICES ; do
    for i in $(seq 1 $N_LINES) ; do printf '%s %04d %s\n' $s "$i" "$PAD" ; done > "$T/want.$s"
  done
  for s in $LOG_SERVICES ; do wait_for 30 file_in "/etc/sv-logs/$s/printed" ; done
  # the log driver may lag behind the services a little: wait for each one's last line
  last_lines_in () {
    podman logs "$CTR" 2>/dev/null > "$T/logs"
    for s in $LOG_SERVICES ; do grep -qx "$s $(printf %04d $N_LINES) $PAD" "$T/logs" || return 1 ; done
  }
  wait_for 30 last_lines_in
  for s in $LOG_SERVICES ; do
    grep "^$s " "$T/logs" > "$T/got.$s" || true
    run diff "$T/want.$s" "$T/got.$s"
    assert_success
  done
  # nothing else on stdout: no torn or merged lines
  set -- $LOG_SERVICES
  assert_equal "$(wc -l < "$T/logs")" $(($# * N_LINES))
  time_stop 10
  assert_equal "$(exit_code)" 0
}

@test "container: orphans reparented to PID 1 leave no zombie" {
  ctr_run -- /etc/sv-orphans
  wait_for 60 file_in /etc/sv-orphans/maker/made
  # 300 sleeps were orphaned and die after 0.1 s; unreaped they would stay as Z
  settled () {
    cx ps -o stat,comm > "$T/ps" || return 1
    ! grep -q '^Z' "$T/ps" && [ "$(grep -c ' sleep$' "$T/ps")" = 1 ]
  }
  wait_for 15 settled
  run cx ps -o stat,comm
  assert_success
  refute_line --regexp '^Z'
  assert_equal "$(grep -c ' sleep$' <<<"$output")" 1
  # the runtime's default seccomp profile allows pidfds: the kernel reaps for svscan
  run cx ls -l /proc/1/fd
  assert_output --partial 'anon_inode:[eventpoll]'
  assert_output --partial 'anon_inode:[pidfd]'
  time_stop 10
  assert_equal "$(exit_code)" 0
}

@test "container: svstat -c as the HEALTHCHECK: healthy, still healthy after svc -d, unhealthy when wanted up and crashing" {
  ctr_run -e SVDIR=/etc/sv-health --health-cmd "/usr/bin/svstat -c" --health-interval disable \
    -- /etc/sv-health
  wait_for 20 cx svstat -c
  run cx svstat -c
  assert_success
  assert_output ""
  run timeout 30 podman healthcheck run "$CTR"
  assert_success

  # down on purpose: in the state it is wanted in
  run cx svc -d -wD -T 10000 /etc/sv-health/b
  assert_success
  run cx svstat -c
  assert_success
  assert_output ""
  run timeout 30 podman healthcheck run "$CTR"
  assert_success

  # wanted up and not up: unhealthy
  run cx touch /tmp/b-broken
  assert_success
  run cx svc -u /etc/sv-health/b
  assert_success
  wait_for 10 cx sh -c 'svstat -c ; [ $? = 1 ]'
  run cx svstat -c
  assert_failure 1
  # caught between its deaths (backoff) or in its short life
  assert_line --index 0 --regexp '^b: (down [0-9]+ seconds, normally up, want up, state (backoff|down)|up \(pid [0-9]+\) [0-9]+ seconds, state (starting|up))'
  assert_equal "${#lines[@]}" 1
  run timeout 30 podman healthcheck run "$CTR"
  assert_failure 1
  assert_output --partial unhealthy

  run cx rm /tmp/b-broken
  assert_success
  run cx svc -u /etc/sv-health/b
  assert_success
  wait_for 10 cx svstat -c
  run timeout 30 podman healthcheck run "$CTR"
  assert_success
}

@test "container: a service that ignores TERM is killed at the grace deadline (-g 500); stop < 3 s, exit 0" {
  ctr_run -- -g 500 /etc/sv-stubborn
  wait_for 20 file_in /etc/sv-stubborn/deaf/armed
  wait_for 20 is_up_in /etc/sv-stubborn/plain
  time_stop 10
  echo "podman stop took ${STOP_MS} ms"
  [ "$STOP_MS" -ge 500 ]
  [ "$STOP_MS" -lt 3000 ]
  assert_equal "$(exit_code)" 0
  run podman logs "$CTR"
  assert_line "svscan: warning: service deaf still running at the grace deadline: sending SIGKILL"
}

@test "container: make image is FROM scratch with just the programs, and COPY --from it works" {
  run tend_make image \
    BUILD="${TEND_STATIC_BUILD:-build/static}" IMAGE_TAG="$CTR_IMAGE-tend"
  assert_success
  assert_output --partial "package/image: built $CTR_IMAGE-tend with podman"
  # one layer, and in it exactly the tarball's programs
  run podman image inspect --format '{{len .RootFS.Layers}}' "$CTR_IMAGE-tend"
  assert_output 1
  local id
  id=$(podman create "$CTR_IMAGE-tend" /usr/bin/svscan)
  podman export "$id" | tar -tf - | grep -v '/$' | sort > "$T/image-files"
  podman rm "$id" >/dev/null
  tar -tzf "$CTR_TARBALL" | grep '^usr/bin/.' | sort > "$T/tar-programs"
  run diff "$T/tar-programs" "$T/image-files"
  assert_success
  # the README recipe: any image takes the programs with one COPY --from
  printf 'FROM %s\nCOPY --from=%s /usr/bin/ /usr/local/bin/\n' "$CTR_IMAGE" "$CTR_IMAGE-tend" > "$T/Containerfile"
  run timeout 120 podman build -q -t "$CTR_IMAGE-copy" -f "$T/Containerfile" "$T"
  assert_success
  run timeout 60 podman run --rm "$CTR_IMAGE-copy" sh -c 'echo hello | /usr/local/bin/tai64n'
  assert_success
  assert_output --regexp '^@[0-9a-f]{24} hello$'
}
