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
  # (crit) a critical service that dies for good with 42, beside a plain one
  svc_dir "$r" /etc/sv-crit/web 'echo "web starting" ; sleep 0.5 ; exit 42'
  : > "$r/etc/sv-crit/web/critical"
  echo "0 60" > "$r/etc/sv-crit/web/max-restarts"
  svc_dir "$r" /etc/sv-crit/agent "trap 'echo agent stopped cleanly ; exit 0' TERM ; while : ; do sleep 0.05 ; done"
  # (deaf) one service ignores TERM; the other two stop cleanly and say so
  svc_dir "$r" /etc/sv-deaf/deaf "trap '' TERM ; touch /tmp/deaf.armed ; while : ; do sleep 0.05 ; done"
  for s in one two ; do
    svc_dir "$r" "/etc/sv-deaf/$s" "trap 'echo $s stopped cleanly ; exit 0' TERM ; touch /tmp/$s.up ; while : ; do sleep 0.05 ; done"
  done
  # (order) app drains for 0.3 s on TERM and db stops only after it (stop-after); cache at once.
  # Each writes its name to /out/order (a volume) when it is done.
  svc_dir "$r" /etc/sv-order/app "trap 'sleep 0.3 ; echo app >> /out/order ; exit 0' TERM ; touch /tmp/app.up ; while : ; do sleep 0.02 ; done"
  svc_dir "$r" /etc/sv-order/db "trap 'echo db >> /out/order ; exit 0' TERM ; touch /tmp/db.up ; while : ; do sleep 0.02 ; done"
  svc_dir "$r" /etc/sv-order/cache "trap 'echo cache >> /out/order ; exit 0' TERM ; touch /tmp/cache.up ; while : ; do sleep 0.02 ; done"
  echo app > "$r/etc/sv-order/db/stop-after"
  # (flood) 2 x 50,000 numbered lines as fast as awk writes them (block-buffered: the tagger gets
  # 4 KiB chunks that cut lines anywhere)
  for s in a b ; do
    svc_dir "$r" "/etc/sv-flood/$s" "awk 'BEGIN { for (i = 1 ; i <= 50000 ; i++) printf \"$s-line-%06d-padding-padding-padding\\n\", i }'
touch /tmp/$s.done
exec sleep 100000"
  done
  # (hook) a config watcher whose hook, a busybox sh script, reloads web through tend's svc
  svc_dir "$r" /etc/sv-hook/web "trap 'echo web got HUP ; touch /tmp/hupped' HUP ; echo web up ; while : ; do sleep 0.05 ; done"
  svc_dir "$r" /etc/sv-hook/confwatch 'while [ ! -e /tmp/changed ] ; do sleep 0.05 ; done
echo "config changed: running the hook"
/etc/hooks/reload
echo "hook exited $?"
exec sleep 100000'
  mkdir -p "$r/etc/hooks"
  # bare svc in busybox sh is busybox's applet: it speaks the same control FIFO and finds bare
  # names in SVDIR, so -h works, but tend's own options (-r) are refused; by its path, tend's.
  # The hook waits until web has run its HUP trap: a restart right after the HUP could end the
  # shell before it ran the trap (it runs once the current sleep ends)
  printf '#!/bin/sh\nsvc -r web ; echo "bare svc -r: $?"\nsvc -h web ; echo "bare svc -h: $?"\nwhile [ ! -e /tmp/hupped ] ; do sleep 0.05 ; done\nexec /usr/bin/svc -r web\n' > "$r/etc/hooks/reload"
  chmod 755 "$r/etc/hooks/reload"
  # (env) every kind of service prints its environment: tagged, with log/, with env/
  svc_dir "$r" /etc/sv-env/tagged 'env > /tmp/env.tagged ; exec sleep 100000'
  svc_dir "$r" /etc/sv-env/logged 'env > /tmp/env.logged ; exec sleep 100000'
  svc_dir "$r" /etc/sv-env/logged/log 'exec cat > /dev/null'
  svc_dir "$r" /etc/sv-env/extra 'env > /tmp/env.extra ; exec sleep 100000'
  mkdir -p "$r/etc/sv-env/extra/env"
  echo "from env dir" > "$r/etc/sv-env/extra/env/EXTRA"
  # (health) b dies at once while /tmp/b-broken exists
  svc_dir "$r" /etc/sv-health/a 'exec sleep 100000'
  svc_dir "$r" /etc/sv-health/b 'if [ -e /tmp/b-broken ] ; then exit 1 ; fi
exec sleep 100000'
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
  if ! tend_make STATIC=1 BUILD="$build" \
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
  if [ -f "$BATS_FILE_TMPDIR/pods" ] ; then
    while read -r c ; do podman pod rm -f -t 0 "$c" >/dev/null 2>&1 || true ; done < "$BATS_FILE_TMPDIR/pods"
  fi
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
  # (1) the stop itself: SIGTERM to the container's PID 1 (its host pid) until it is gone,
  # without the podman client's own start-up, which a loaded machine makes slow
  ctr_run -- sleep 100000
  wait_for 20 logs_have "debug | debug out"
  wait_for 20 eval 'cx /usr/bin/svstat main | grep -q ": up "'
  local pid t0 ms
  pid=$(podman inspect --format '{{.State.Pid}}' "$CTR")
  [ "$pid" -gt 1 ]
  t0=$(date +%s%N)
  kill -TERM "$pid"
  wait_for 10 dead "$pid"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "TERM to the end of PID 1: $ms ms"
  [ "$ms" -lt 1000 ]
  timeout 30 podman wait "$CTR" >/dev/null
  # a requested stop is a success, whatever the CMD died of
  assert_equal "$(exit_code)" 0
  podman rm -f -t 0 "$CTR" >/dev/null
  # (2) the same through podman stop, the client's time included
  ctr_run -- sleep 100000
  wait_for 20 logs_have "debug | debug out"
  wait_for 20 eval 'cx /usr/bin/svstat main | grep -q ": up "'
  t0=$(date +%s%N)
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "podman stop took $ms ms"
  [ "$ms" -lt 3000 ]
  assert_equal "$(exit_code)" 0
  run podman logs "$CTR"
  refute_output --partial "grace deadline"
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

@test "container svinit: every log format in podman logs: plain, tagged, stamped, json" {
  local f s
  for f in plain tagged stamped json ; do
    ctr_run -e SVINIT_LOG_FORMAT=$f
    case $f in
      plain)
        for s in web agent discovery debug ; do
          wait_for 20 logs_have "$s out"
          wait_for 20 logs_have "$s err"
        done
        wait_for 20 logs_have "setting up"
        run ! eval 'podman logs "$CTR" 2>&1 | grep -q " | "' ;;
      tagged)
        for s in web agent discovery debug ; do
          wait_for 20 logs_have "$s | $s out"
          wait_for 20 logs_have "$s | $s err"
        done
        wait_for 20 logs_have "init.d/10-setup | setting up" ;;
      stamped)
        stamped_has () { podman logs "$CTR" 2>&1 | grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z $1\$" ; }
        for s in web agent discovery debug ; do
          wait_for 20 stamped_has "$s \\| $s out"
          wait_for 20 stamped_has "$s \\| $s err"
        done
        wait_for 20 stamped_has "init.d/10-setup \\| setting up" ;;
      json)
        json_has () { podman logs "$CTR" 2>&1 | grep -qF "$1" ; }
        for s in web agent discovery debug ; do
          wait_for 20 json_has "\"service\":\"$s\",\"stream\":\"stdout\",\"line\":\"$s out\"}"
          wait_for 20 json_has "\"service\":\"$s\",\"stream\":\"stderr\",\"line\":\"$s err\"}"
        done
        wait_for 20 json_has "\"service\":\"init.d/10-setup\",\"stream\":\"stdout\",\"line\":\"setting up\"}"
        # every line a service or init.d wrote is one JSON object that parses
        podman logs "$CTR" 2>/dev/null > "$T/json"
        run python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1]):
    o = json.loads(l); n += 1
    assert o["time"].endswith("Z"), o
print(n)' "$T/json"
        assert_success
        [ "$output" -ge 9 ] ;;
    esac
    podman rm -f -t 0 "$CTR" >/dev/null
  done
}

@test "container svinit: 2 x 50,000 lines at full speed from two services in podman logs: none lost, none split" {
  ctr_run -e SVINIT_SERVICES=/etc/sv-flood
  wait_for 120 cx test -e /tmp/a.done
  wait_for 120 cx test -e /tmp/b.done
  # the log driver may lag a little behind: wait for both last lines
  last_lines () {
    podman logs "$CTR" 2>/dev/null > "$T/logs"
    grep -qx "a | a-line-050000-padding-padding-padding" "$T/logs" || return 1
    grep -qx "b | b-line-050000-padding-padding-padding" "$T/logs"
  }
  wait_for 60 last_lines
  # every line whole and of one service; each service's numbers once each, in order
  # (the image's init.d script says one line too)
  run grep -v -e '^\([ab]\) | \1-line-[0-9]\{6\}-padding-padding-padding$' -e '^init.d/10-setup | setting up$' "$T/logs"
  assert_failure 1
  assert_output ""
  assert_equal "$(grep -c '^[ab] | ' "$T/logs")" 100000
  local s
  for s in a b ; do
    assert_equal "$(grep "^$s | " "$T/logs" | sed 's/^. | .-line-0*\([0-9]*\)-.*/\1/' | awk '$1 != NR { bad++ } END { print NR, bad + 0 }')" "50000 0"
  done
}

@test "container svinit: svc -t web through podman exec by bare name restarts web only" {
  ctr_run
  wait_for 20 logs_have "web | web out"
  wait_for 20 logs_have "agent | agent out"
  local before agent
  before=$(cx /usr/bin/svstat web | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
  agent=$(cx /usr/bin/svstat agent | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
  [ -n "$before" ]
  run cx /usr/bin/svc -t web
  assert_success
  # web ran again (a new pid, its first line twice); agent untouched
  restarted () { local p ; p=$(cx /usr/bin/svstat web | sed -n 's/.*(pid \([0-9]*\)).*/\1/p') ; [ -n "$p" ] && [ "$p" != "$before" ] ; }
  wait_for 20 restarted
  wait_for 20 eval '[ "$(podman logs "$CTR" 2>&1 | grep -cxF "web | web out")" = 2 ]'
  assert_equal "$(cx /usr/bin/svstat agent | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')" "$agent"
  assert_equal "$(podman logs "$CTR" 2>&1 | grep -cxF "agent | agent out")" 1
}

@test "container svinit: a critical service dying for good ends the container with its code; the others stop cleanly" {
  ctr_run -e SVINIT_SERVICES=/etc/sv-crit
  run timeout 60 podman wait "$CTR"
  assert_success
  assert_output 42
  assert_equal "$(exit_code)" 42
  run podman logs "$CTR"
  assert_line "svscan: warning: critical service web stopped for good (exit code 42): stopping the tree"
  assert_line "agent | agent stopped cleanly"
  refute_output --partial "svc -u revives it"
}

@test "container svinit: podman stop with a service that ignores TERM ends at SVINIT_GRACE_MS; the others stop cleanly; exit 0" {
  ctr_run -e SVINIT_SERVICES=/etc/sv-deaf -e SVINIT_GRACE_MS=1500
  wait_for 20 cx test -e /tmp/deaf.armed
  wait_for 20 cx test -e /tmp/one.up
  wait_for 20 cx test -e /tmp/two.up
  local t0 ms
  t0=$(date +%s%N)
  timeout 60 podman stop -t 30 "$CTR" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "podman stop took $ms ms"
  [ "$ms" -ge 1500 ]
  [ "$ms" -lt 5000 ]
  assert_equal "$(exit_code)" 0
  run podman logs "$CTR"
  assert_line "svscan: warning: service deaf still running at the grace deadline: sending SIGKILL"
  assert_line "one | one stopped cleanly"
  assert_line "two | two stopped cleanly"
  refute_line --partial "service one still running"
  refute_line --partial "service two still running"
}

@test "container svinit: stop-after order observed by podman stop: cache and app first, db only after app" {
  mkdir -p "$T/out"
  chmod 777 "$T/out"
  ctr_run -e SVINIT_SERVICES=/etc/sv-order -e SVINIT_GRACE_MS=10000 -v "$T/out:/out"
  local s
  for s in app db cache ; do wait_for 20 cx test -e "/tmp/$s.up" ; done
  timeout 60 podman stop -t 30 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
  assert_equal "$(tr '\n' ' ' < "$T/out/order")" "cache app db "
}

@test "container svinit: 1,000 orphans made through podman exec are reparented to svinit's svscan and reaped" {
  ctr_run
  wait_for 20 logs_have "web | web out"
  # each subshell exits at once: its sleep is orphaned, reparented to PID 1 of the container
  # (detached, the orphans' stdio on /dev/null: podman exec would wait for them to close it)
  run timeout 60 podman exec -d "$CTR" sh -c 'i=0 ; while [ $i -lt 1000 ] ; do (sleep 20 </dev/null >/dev/null 2>&1 &) ; i=$((i+1)) ; done ; touch /tmp/orphans.made'
  assert_success
  wait_for 180 cx test -e /tmp/orphans.made
  cx ps -o pid,ppid,stat,args > "$T/ps"
  # some are alive still, children of PID 1
  [ "$(grep -cE '^ *[0-9]+ +1 +[^ ]+ +sleep 20$' "$T/ps")" -gt 0 ]
  settled () {
    cx ps -o pid,ppid,stat,args > "$T/ps" || return 1
    if grep -q 'sleep 20$' "$T/ps" ; then return 1 ; fi
    if grep -qE '^ *[0-9]+ +1 +Z' "$T/ps" ; then return 1 ; fi
  }
  wait_for 120 settled
  run cx ps -o pid,ppid,stat,args
  assert_success
  refute_line --regexp '^ *[0-9]+ +1 +Z'
  refute_line --partial 'sleep 20'
  assert_equal "$(cx /usr/bin/svstat web | sed 's/(pid [0-9]*) [0-9]* seconds/(pid P) S seconds/')" "web: up (pid P) S seconds"
}

@test "container svinit: not PID 1 (podman run --init): svinit is a subreaper under the runtime's init; codes pass through" {
  # the CMD leaves an orphan: it must go to svscan (the subreaper), not to PID 1
  ctr_run --init -- sh -c '(exec sleep 4444 &) ; exec sleep 100000'
  wait_for 20 logs_have "web | web out"
  run cx ps -o pid,ppid,args
  assert_success
  # PID 1 is podman's catatonit; svscan (svinit exec'd) is its child
  assert_line --regexp '^ +1 +0 +/run/podman-init '
  assert_line --regexp '^ +[0-9]+ +1 +svscan '
  local svscan
  svscan=$(awk '$2 == 1 && $3 == "svscan" { print $1 }' <<<"$output")
  [ -n "$svscan" ]
  assert_line --regexp "^ +[0-9]+ +$svscan +sleep 4444\$"
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
  podman rm -f -t 0 "$CTR" >/dev/null
  assert_equal "$(ctr_code --init "$CTR_IMAGE" sh -c 'exit 3')" 3
  podman rm -f -t 0 "$CTR" >/dev/null
  assert_equal "$(ctr_code --init "$CTR_IMAGE" sh -c 'kill -KILL $$')" 137
}

@test "container svinit: --user 1000 with no passwd entry: live dir under /tmp, bare names, clean stop" {
  ctr_run --user 1000:1000 --passwd=false
  wait_for 20 logs_have "web | web out"
  run cx sh -c 'cat /etc/passwd /etc/group 2>/dev/null | grep -c "^[^:]*:[^:]*:1000:"'
  assert_output 0
  run cx id -u
  assert_output 1000
  run cx sh -c 'ls -d /tmp/svinit.*/service/web/supervise'
  assert_success
  # the record could not go to /run/tend (root's): it is in /tmp/tend-1000, where podman exec
  # (same uid, none of what svinit exported) finds it by bare name with no variable
  run cx sh -c 'readlink /tmp/tend-1000/scandir'
  assert_output --regexp '^/tmp/svinit\.[^/]*/service$'
  run cx /usr/bin/svstat web
  assert_output --partial "web: up (pid "
  run cx /usr/bin/svc -h web
  assert_success
  wait_for 20 logs_have "web | web got HUP"
  # root does not follow uid 1000's record: SVDIR or a path
  run timeout 30 podman exec --user 0 "$CTR" /usr/bin/svstat web
  refute_output --partial "up (pid "
  run timeout 30 podman exec --user 0 "$CTR" sh -c 'SVDIR=$(ls -d /tmp/svinit.*/service) /usr/bin/svstat web'
  assert_output --partial "web: up (pid "
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
  podman rm -f -t 0 "$CTR" >/dev/null
  # an image may still set TEND_RUNDIR: svinit and exec both use it
  ctr_run --user 1000:1000 --passwd=false --read-only -e TEND_RUNDIR=/tmp/tend
  wait_for 20 logs_have "web | web out"
  run cx /usr/bin/svc -h web
  assert_success
  wait_for 20 logs_have "web | web got HUP"
  run cx /usr/bin/svstat web
  assert_output --partial "web: up (pid "
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
}

@test "container svinit: --read-only without a tmpfs on /run (only /tmp writable), and with nothing writable" {
  ctr_run --read-only --read-only-tmpfs=false --tmpfs /tmp
  wait_for 20 logs_have "web | web out"
  run cx sh -c 'touch /run/x'
  assert_failure
  run cx sh -c 'ls -d /tmp/svinit.*/service/web/supervise'
  assert_success
  # root's record, with /run/tend unwritable, is in /tmp/tend-0: bare names work from exec
  run cx /usr/bin/svstat web
  assert_output --partial "web: up (pid "
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
  podman rm -f -t 0 "$CTR" >/dev/null
  assert_equal "$(ctr_code --read-only --read-only-tmpfs=false "$CTR_IMAGE")" 111
  run podman logs "$CTR"
  assert_output --partial "svinit: fatal: unable to create the live scan directory /run/service or a private one under /tmp: "
}

@test "container svinit: --read-only with a noexec tmpfs on /run: services, the CMD and bare names work" {
  ctr_run --read-only --tmpfs /run:rw,noexec,nosuid,nodev -- sleep 100000
  wait_for 20 logs_have "web | web out"
  run cx sh -c 'grep " /run " /proc/mounts'
  assert_output --partial noexec
  run cx /usr/bin/svstat main web
  assert_line --index 0 --partial "main: up (pid "
  assert_line --index 1 --partial "web: up (pid "
  run cx sh -c 'readlink /run/tend/scandir'
  assert_output /run/service
  # what does not work there: a program written to /run and run from it
  run cx sh -c 'cp /bin/busybox /run/bb && /run/bb true'
  assert_failure
  timeout 60 podman stop -t 10 "$CTR" >/dev/null
  assert_equal "$(exit_code)" 0
}

@test "container svinit: the container's environment reaches every service, CMD and init.d unchanged; env/ adds to one" {
  ctr_run -e SVINIT_SERVICES=/etc/sv-env -e 'ODD=a b=c  "q" $x' -e EMPTY= -- sh -c 'env > /tmp/env.main ; exec sleep 100000'
  local s
  for s in tagged logged extra main ; do wait_for 20 cx test -s "/tmp/env.$s" ; done
  # the container's own environment, as podman exec sees it, plus SVDIR (svinit's one addition);
  # the shell's own PWD, SHLVL are not the environment's
  cx env | grep -v '^\(HOSTNAME\|HOME\|TERM\|container\)=' | LC_ALL=C sort > "$T/want"
  grep -q '^ODD=a b=c  "q" \$x$' "$T/want"
  echo "SVDIR=/run/service" >> "$T/want"
  LC_ALL=C sort -o "$T/want" "$T/want"
  for s in tagged logged extra main ; do
    cx cat "/tmp/env.$s" | grep -v '^\(PWD\|SHLVL\|OLDPWD\|HOSTNAME\|HOME\|TERM\|container\)=' | grep -v '^EXTRA=' | LC_ALL=C sort > "$T/got.$s"
    run diff "$T/want" "$T/got.$s"
    assert_success
  done
  run cx grep -x 'EXTRA=from env dir' /tmp/env.extra
  assert_success
  run cx grep -c '^EXTRA=' /tmp/env.tagged
  assert_output 0
}

@test "container svinit: a hook in a busybox sh script drives tend's supervise (svc by its path; bare svc is busybox's)" {
  ctr_run -e SVINIT_SERVICES=/etc/sv-hook
  wait_for 20 logs_have "web | web up"
  run cx touch /tmp/changed
  assert_success
  wait_for 20 logs_have "confwatch | hook exited 0" || { podman logs "$CTR" ; false ; }
  # the trap the docs warn of: the bare name ran busybox's svc applet, which refuses -r
  run podman logs "$CTR"
  assert_line "confwatch | svc: invalid option -- 'r'"
  assert_line "confwatch | bare svc -r: 1"
  # busybox's -h reached web (SVDIR, which svinit exports, and the same control FIFO)
  assert_line "confwatch | bare svc -h: 0"
  wait_for 20 logs_have "web | web got HUP"
  # tend's svc -r, by its path, restarted web: it said "web up" again
  wait_for 20 eval '[ "$(podman logs "$CTR" 2>&1 | grep -cxF "web | web up")" = 2 ]'
  assert_equal "$(podman logs "$CTR" 2>&1 | grep -cxF "web | web got HUP")" 1
}

@test "container svinit: podman kube play pod with svstat -c as liveness and readiness probes: healthy, healthy after svc -d, unhealthy when b fails" {
  local pod="$CTR_PREFIX-pod-$BATS_TEST_NUMBER"
  echo "$pod" >> "$BATS_FILE_TMPDIR/pods"
  CTR="$pod-app"
  cat > "$T/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $pod
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: $CTR_IMAGE
    env:
    - name: PATH
      value: /usr/bin:/bin
    - name: SVINIT_SERVICES
      value: /etc/sv-health
    livenessProbe:
      exec:
        command: ["/usr/bin/svstat", "-c"]
      periodSeconds: 1
      timeoutSeconds: 60
      failureThreshold: 1
    readinessProbe:
      exec:
        command: ["/usr/bin/svstat", "-c"]
      periodSeconds: 1
      timeoutSeconds: 60
YAML
  # podman 4.3 turns the liveness probe into the container's healthcheck (its timer needs
  # systemd, absent here: it says so on stderr, and the check is run by hand below); the
  # readiness probe it does not implement
  run timeout 120 podman kube play --network none "$T/pod.yaml"
  assert_success
  run podman inspect --format '{{json .Config.Healthcheck.Test}}' "$CTR"
  assert_output --partial '"/usr/bin/svstat","-c"'
  wait_for 20 cx /usr/bin/svstat -c
  run timeout 30 podman healthcheck run "$CTR"
  assert_success
  assert_equal "$(podman inspect --format '{{.State.Health.Status}}' "$CTR")" healthy

  # down on purpose (svc -d) is the state it is wanted in: still healthy (svstat(8))
  run cx /usr/bin/svc -d -wD -T 10000 b
  assert_success
  run timeout 30 podman healthcheck run "$CTR"
  assert_success

  # wanted up and failing: unhealthy
  run cx touch /tmp/b-broken
  assert_success
  run cx /usr/bin/svc -u b
  assert_success
  wait_for 20 cx sh -c '/usr/bin/svstat -c ; [ $? = 1 ]'
  run timeout 30 podman healthcheck run "$CTR"
  assert_failure 1
  assert_output --partial unhealthy
  assert_equal "$(podman inspect --format '{{.State.Health.Status}}' "$CTR")" unhealthy

  # repaired: healthy again
  run cx rm /tmp/b-broken
  assert_success
  run cx /usr/bin/svc -u b
  assert_success
  wait_for 20 cx /usr/bin/svstat -c
  run timeout 30 podman healthcheck run "$CTR"
  assert_success
  timeout 60 podman pod rm -f -t 10 "$pod" >/dev/null
}
