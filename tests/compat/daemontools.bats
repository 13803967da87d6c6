#!/usr/bin/env bats
# Compatibility with daemontools 0.76 both ways: daemontools' svc/svstat/svok against our
# supervise, and our svc/svstat/svok against daemontools' supervise, side by side with
# daemontools on its own supervise. Every step runs on three twin service dirs:
#   ours-dt  our supervise,           daemontools' clients
#   dt-dt    daemontools' supervise,  daemontools' clients   (the reference)
#   dt-tend  daemontools' supervise,  our clients
# and the masked outputs, exit codes and effects must be the same in all three.

load ../helpers/common
load compat

setup () { tend_setup ; }
teardown () { compat_teardown ; }

ALL3="ours-dt dt-dt dt-tend"

@test "daemontools: up, svok, svstat, and h a i p c signals are the same on both supervisors" {
  twins $ALL3
  all is_up
  all_say "s: up (pid P) S seconds" svstat s
  same svok s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all starts_are 1
  save_stamps
  same svc -h s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all sigs_are "HUP"
  same svc -a s
  all sigs_are "HUP ALRM"
  same svc -i s
  all sigs_are "HUP ALRM INT"
  same svc -p s
  all is_paused
  all_say "s: up (pid P) S seconds, paused" svstat s
  same svc -c s
  all is_running
  all_say "s: up (pid P) S seconds" svstat s
  # none of this restarted anything, and the stamp (bytes 0-11) moves only when the pid does
  all starts_are 1
  all stamp_kept
  # unknown bytes are ignored: once the h written after them has arrived, nothing else happened
  for tw in $TWINS ; do printf 'Z?\n' > "$(twin_dir "$tw")/supervise/control" ; done
  same svc -h s
  all sigs_are "HUP ALRM INT HUP"
  all starts_are 1
  # t and h to a paused service wait until c lets it run; then TERM ends it and it restarts
  same svc -p s
  all is_paused
  same svc -t s
  same svc -h s
  all_say "s: up (pid P) S seconds, paused" svstat s
  all starts_are 1
  same svc -c s
  # (pending signals are delivered lowest number first: HUP before TERM)
  all sigs_are "HUP ALRM INT HUP HUP TERM"
  all starts_are 2
  all_say "s: up (pid P) S seconds" svstat s
}

@test "daemontools: t and k restart a wanted-up service, d takes it down, u brings it back" {
  twins $ALL3
  all is_up
  save_pids
  same svc -t s
  all new_pid
  all old_dead
  all starts_are 2
  all sigs_are "TERM"
  save_pids
  same svc -k s
  all new_pid
  all old_dead
  all starts_are 3
  save_pids
  same svc -d s
  all is_down
  all old_dead
  all sigs_are "TERM TERM"
  all_say "s: down S seconds, normally up" svstat s
  all want_byte_is 64
  same svc -u s
  all is_up
  all starts_are 4
  all_say "s: up (pid P) S seconds" svstat s
  all want_byte_is 75
}

@test "daemontools: a normally-down service waits for u, and d takes it down again" {
  twins -down $ALL3
  all_say "s: down S seconds" svstat s
  all starts_are 0
  same svc -u s
  all is_up
  all_say "s: up (pid P) S seconds, normally down" svstat s
  save_pids
  same svc -d s
  all is_down
  all old_dead
  all_say "s: down S seconds" svstat s
  all starts_are 1
}

@test "daemontools: o on a running service: want byte 0, no 'want down', no restart after it dies" {
  twins $ALL3
  all is_up
  same svc -o s
  all want_byte_is 00
  all_say "s: up (pid P) S seconds" svstat s
  save_pids
  same svc -t s
  all is_down
  all old_dead
  all_say "s: down S seconds, normally up" svstat s
  all starts_are 1
  all want_byte_is 00
  # o on a down service starts it, once
  same svc -o s
  all is_up
  all starts_are 2
  all want_byte_is 00
  save_pids
  same svc -t s
  all is_down
  all old_dead
  all_say "s: down S seconds, normally up" svstat s
  all starts_are 2
}

@test "daemontools: want down: a service that ignores TERM stays up after d until k" {
  twins -run "$RUN_STUBBORN" $ALL3
  all is_up
  save_stamps
  same svc -d s
  all sigs_are "TERM"
  all_say "s: up (pid P) S seconds, want down" svstat s
  all is_up
  # a change of want alone does not move the stamp
  all stamp_kept
  save_pids
  same svc -k s
  all is_down
  all old_dead
  all_say "s: down S seconds, normally up" svstat s
  all starts_are 1
}

@test "daemontools: d clears paused; u after d takes the stop back; a killed paused service comes back unpaused" {
  twins -run "$RUN_STUBBORN" $ALL3
  all is_up
  same svc -p s
  all is_paused
  all_say "s: up (pid P) S seconds, paused" svstat s
  # d sends TERM then CONT: the TERM-proof service runs on, no longer paused
  same svc -d s
  all sigs_are "TERM"
  all is_running
  all_say "s: up (pid P) S seconds, want down" svstat s
  same svc -u s
  all want_byte_is 75
  all_say "s: up (pid P) S seconds" svstat s
  save_pids
  same svc -p s
  all is_paused
  same svc -k s
  all new_pid
  all starts_are 2
  all is_running
  all_say "s: up (pid P) S seconds" svstat s
}

@test "daemontools: x is obeyed once the service is down; the supervisor then exits 0" {
  twins $ALL3
  all is_up
  same svc -x s
  # bytes are handled in order: once h has arrived, x has been seen, and nobody exited
  same svc -h s
  all sigs_are "HUP"
  all is_up
  same svok s
  assert_equal "$rc" 0
  all_say "s: up (pid P) S seconds" svstat s
  save_pids
  same svc -d s
  all sup_gone
  all old_dead
  all starts_are 1
  for tw in $TWINS ; do
    wait "$(suppid "$tw")" || fail "supervisor of $tw exited $?"
  done
  same svok s
  assert_equal "$rc" 100 ; assert_equal "$got" ""
  all_say "s: supervise not running" svstat s
  # our supervise said nothing on stderr (nor did ASan)
  assert_equal "$(cat "$T/ours-dt.err")" ""
}

@test "daemontools: svc -dx stops the service and the supervisor in one go" {
  twins $ALL3
  all is_up
  save_pids
  same svc -dx s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all sup_gone
  all old_dead
  all sigs_are "TERM"
  same svok s
  assert_equal "$rc" 100
}

@test "daemontools: after x, a service that dies by itself is not restarted and the supervisor exits" {
  twins $ALL3
  all is_up
  save_pids
  same svc -x s
  same svc -k s
  all sup_gone
  all old_dead
  all starts_are 1
}

@test "daemontools: x on a down service makes the supervisor exit at once; then svc warns, ours exits 111" {
  twins -down $ALL3
  all_say "s: down S seconds" svstat s
  same svc -x s
  all sup_gone
  all starts_are 0
  # where we deliberately differ: daemontools' svc exits 0 even when it could control nothing
  run in_dir "$T/ours-dt" /usr/bin/svc -u s
  assert_success
  assert_output "svc: warning: unable to control s: supervise not running"
  run in_dir "$T/ours-dt" "$TEND_BIN/svc" -u s
  assert_failure 111
  assert_output "svc: warning: unable to control s: supervise not running"
}

@test "daemontools: our clients look a bare name up in \$SVDIR; daemontools' look in the current directory only" {
  twins -down ours-dt
  mkdir -p "$T/elsewhere"
  SVDIR="$T/ours-dt" run in_dir "$T/elsewhere" "$TEND_BIN/svstat" s
  assert_success
  assert_output --regexp '^s: down [0-9]+ seconds$'
  SVDIR="$T/ours-dt" run in_dir "$T/elsewhere" /usr/bin/svstat s
  assert_success
  assert_output "s: unable to chdir: file does not exist"
  # messages then name the directory that was tried
  SVDIR="$T/ours-dt" run in_dir "$T/elsewhere" "$TEND_BIN/svc" -u nope
  assert_failure 111
  assert_output "svc: warning: unable to control $T/ours-dt/nope: No such file or directory"
  SVDIR="$T/ours-dt" run in_dir "$T/elsewhere" /usr/bin/svc -u nope
  assert_success
  assert_output "svc: warning: unable to chdir to nope: file does not exist"
  # a bad option: both exit 100, each with its own text
  run /usr/bin/svc -Z s
  assert_failure 100
  assert_output --partial "svc: illegal option -- Z"
  run "$TEND_BIN/svc" -Z s
  assert_failure 100
  assert_output --partial "svc: usage: svc "
}

@test "daemontools: while our supervise delays a restart, both svstats say 'want up'" {
  # daemontools' supervise restarts a dead service after its 1 s sleep and svstat shows it up
  # (a zombie's pid) meanwhile; ours waits (restart-delay) and shows it down, wanted up.
  TWINS="ours-dt ours-tend"
  for tw in $TWINS ; do
    mkdir -p "$T/$tw/s"
    echo "20000 30000" > "$T/$tw/s/restart-delay"
  done
  twins -run 'echo $$ >> starts ; exit 1' $TWINS
  all starts_are 1
  all_say "s: down S seconds, normally up, want up" svstat s
  all starts_are 1
}

@test "daemontools: signals reach the service's whole process group with ours, only its leader with daemontools'" {
  # the run script's child, a sleep, is in the service's process group
  twins -run 'exec 2>>run.err
echo $$ >> starts
sleep 1000 &
echo $! > child
trap "echo HUP >> sigs" HUP
while kill -0 $! 2>/dev/null ; do wait ; done' ours-dt dt-dt
  all is_up
  wait_for 20 test -s "$T/ours-dt/s/child"
  wait_for 20 test -s "$T/dt-dt/s/child"
  ours_child=$(cat "$T/ours-dt/s/child")
  dt_child=$(cat "$T/dt-dt/s/child")
  same svc -h s
  all sigs_are "HUP"
  # ours: the sleep got HUP too and died (so the script ended and was restarted);
  # daemontools': the sleep is still there and the script still waits for it
  wait_for 20 dead "$ours_child"
  wait_for 20 starts_are ours-dt 2
  kill -0 "$dt_child"
  starts_are dt-dt 1
}

@test "daemontools: a supervise/ symlink to a missing directory: the target is made, 0700" {
  for tw in ours-dt dt-dt ; do
    mkdir -p "$T/$tw/s"
    ln -s "$T/$tw/elsewhere" "$T/$tw/s/supervise"
  done
  twins ours-dt dt-dt
  all is_up
  all_say "s: up (pid P) S seconds" svstat s
  for tw in $TWINS ; do
    [ -d "$T/$tw/elsewhere" ]
    assert_equal "$(stat -c %a "$T/$tw/elsewhere")" 700
    [ -p "$T/$tw/elsewhere/control" ]
  done
}

# ---- our clients read status bytes as daemontools' clients do ----

# fake_status DIR LEN PID PAUSED WANT [GOTTERM STATE]: a supervise/status written by hand,
# stamped 3 s ago (WANT is a byte in hex)
fake_status () {
  local d=$1 len=$2 pid=$3 paused=$4 want=$5 gt=${6:-0} state=${7:-0}
  local sec hex i out=""
  sec=$(( (1 << 62) + 10 + $(date +%s) - 3 ))
  hex=$(printf '%016x000001f4%02x%02x%02x%02x%02x%s%02x%02x' "$sec" \
    $((pid & 255)) $(((pid >> 8) & 255)) $(((pid >> 16) & 255)) $((pid >> 24)) \
    "$paused" "$want" "$gt" "$state")
  hex=${hex:0:$((len * 2))}
  for ((i = 0 ; i < ${#hex} ; i += 2)) ; do out+="\\x${hex:i:2}" ; done
  printf "$out" > "$d/supervise/status.new"
  mv "$d/supervise/status.new" "$d/supervise/status"
}

@test "daemontools: our svstat prints what daemontools' svstat prints for every status combination" {
  d="$T/x/s"
  mkdir -p "$d/supervise"
  mkfifo "$d/supervise/ok"
  # a reader on ok: a supervisor "runs"
  exec 8<>"$d/supervise/ok"
  n=0
  for len in 18 20 ; do
    for pid in 0 4660 ; do
      for paused in 0 1 ; do
        for want in 75 64 00 ; do
          for down in 0 1 ; do
            if [ $down = 1 ] ; then : > "$d/down" ; else rm -f "$d/down" ; fi
            fake_status "$d" $len $pid $paused $want 1 $((pid ? 1 : 0))
            theirs=$(in_dir "$T/x" /usr/bin/svstat s | norm)
            ours=$(in_dir "$T/x" "$TEND_BIN/svstat" s | norm)
            [ "$ours" = "$theirs" ] || fail "len $len pid $pid paused $paused want $want down $down: ours '$ours', daemontools '$theirs'"
            n=$((n + 1))
          done
        done
      done
    done
  done
  assert_equal $n 48
  # one line checked literally: the mask is not hiding anything
  rm -f "$d/down"
  fake_status "$d" 18 4660 1 64
  run "$TEND_BIN/svstat" "$d"
  assert_output --regexp "^$d: up \(pid 4660\) [34] seconds, paused, want down\$"
  # runit's finish state (byte 19 = 2) reads as up for both
  fake_status "$d" 20 4661 0 75 0 2
  assert_equal "$(in_dir "$T/x" "$TEND_BIN/svstat" s | norm)" "$(in_dir "$T/x" /usr/bin/svstat s | norm)"
  # a stamp in the future is clamped to 0 seconds by both
  sec=$(( (1 << 62) + 10 + $(date +%s) + 100 ))
  printf "$(printf '%016x' $sec | sed 's/../\\x&/g')\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x64" > "$d/supervise/status"
  assert_equal "$(in_dir "$T/x" /usr/bin/svstat s)" "s: down 0 seconds, normally up"
  assert_equal "$(in_dir "$T/x" "$TEND_BIN/svstat" s)" "s: down 0 seconds, normally up"
  # ours and daemontools' svok agree that something runs
  run /usr/bin/svok "$d" ; assert_success
  run "$TEND_BIN/svok" "$d" ; assert_success
  exec 8<&-
  run /usr/bin/svok "$d" ; assert_failure 100 ; assert_output ""
  run "$TEND_BIN/svok" "$d" ; assert_failure 100 ; assert_output ""
  assert_equal "$(in_dir "$T/x" "$TEND_BIN/svstat" s)" "s: supervise not running"
  assert_equal "$(in_dir "$T/x" /usr/bin/svstat s)" "s: supervise not running"
}

@test "daemontools: a short status file is 'bad format' for both svstats" {
  d="$T/x/s"
  mkdir -p "$d/supervise"
  mkfifo "$d/supervise/ok"
  exec 8<>"$d/supervise/ok"
  fake_status "$d" 17 4660 0 75
  assert_equal "$(in_dir "$T/x" /usr/bin/svstat s)" "s: unable to read supervise/status: bad format"
  run in_dir "$T/x" /usr/bin/svstat s
  assert_success
  run in_dir "$T/x" "$TEND_BIN/svstat" s
  exec 8<&-
  assert_output "s: unable to read supervise/status: bad format"
  # ours says so with exit 111; daemontools' svstat always exits 0 (doc/compat.md)
  assert_failure 111
}

@test "daemontools: a directory that is not a service reads the same in both svstats, but ours exits 111" {
  mkdir -p "$T/x/e"
  run in_dir "$T/x" /usr/bin/svstat e
  assert_success
  assert_output "e: unable to open supervise/ok: file does not exist"
  # the same line with the C library's words for the error
  run in_dir "$T/x" "$TEND_BIN/svstat" e
  assert_failure 111
  assert_output "e: unable to open supervise/ok: No such file or directory"
  # and both svoks say no supervisor, silently
  run /usr/bin/svok "$T/x/e"
  assert_failure 100 ; assert_output ""
  run "$TEND_BIN/svok" "$T/x/e"
  assert_failure 100 ; assert_output ""
}

@test "daemontools: svstat on a missing directory says the directory does not exist" {
  run /usr/bin/svstat "$T/nope"
  assert_output "$T/nope: unable to chdir: file does not exist"
  run "$TEND_BIN/svstat" "$T/nope"
  assert_failure 111
  assert_output "$T/nope: unable to chdir: No such file or directory"
}

@test "daemontools: svok on a missing directory is an error (111), as in daemontools" {
  run /usr/bin/svok "$T/nope"
  assert_failure 111
  assert_output "svok: fatal: unable to chdir to $T/nope: file does not exist"
  run "$TEND_BIN/svok" "$T/nope"
  assert_failure 111
  assert_output --partial "svok: fatal: unable to "
}
