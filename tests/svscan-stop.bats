#!/usr/bin/env bats
# svscan's stop: whom it signals, and how it writes to each supervise.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }


# supervise/status of DIR says state stopping (offset 21) with flag exiting (0x40, offset 23)
stopping_published () {
  local b
  read -r -a b <<<"$(od -An -tu1 -j21 -N3 "$1/supervise/status")"
  [ "${b[0]}" = 4 ] || return 1
  [ $(( b[2] & 64 )) = 64 ]
}

# rewrite DIR/supervise/status with PID in bytes 12-15 (little-endian), atomically, through a
# temporary name of its own (supervise's is status.new); no python: under load its start-up
# alone can outlast the grace period
forge_pid () {
  local f=$1/supervise/status p=$2
  cp "$f" "$f.forged"
  # shellcheck disable=SC2059
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(( p & 255 )) $(( (p >> 8) & 255 )) $(( (p >> 16) & 255 )) $(( (p >> 24) & 255 )))" |
    dd of="$f.forged" bs=1 seek=12 count=4 conv=notrunc status=none
  mv "$f.forged" "$f"
}

@test "svscan: at the grace deadline, a pid a status file names is not killed unless it is its supervise's child" {
  d=$(make_service stubborn 'trap "" TERM ; exec sleep 1000')
  # a stranger leading its own process group
  setsid sleep 1000 &
  stranger=$! ; track_pid "$stranger"
  start_svscan -t 0 -g 5000 "$SVDIR"
  wait_for 5 has_pid "$d"
  kill -TERM "$SVSCAN_PID"
  # forge once supervise has published the stop, so that no write of its own puts the real
  # pid back; and before the grace deadline, or the test proves nothing
  wait_for 5 stopping_published "$d"
  forge_pid "$d" "$stranger"
  assert_equal "$(od -An -tu4 -j12 -N4 "$d/supervise/status" | tr -d ' ')" "$stranger"
  run grep -c "grace deadline" "$T/svscan.err"
  assert_output 0
  wait_for 15 dead "$SVSCAN_PID"
  # alive, and not a zombie: a SIGKILL sent to it would have landed by now
  run cut -d' ' -f3 "/proc/$stranger/stat"
  assert_output S
  grep -q "not sending SIGKILL to pid $stranger named by stubborn/supervise/status: it is not a child of the supervise svscan started for it" "$T/svscan.err"
}

@test "svscan: each of 100 orphans gets SIGTERM once at the stop (no cap of 64)" {
  mkdir "$T/terms" "$T/ready"
  # 100 orphans in sessions of their own (out of reach of the service's group signals), each
  # counting the TERMs it gets, handed to svscan when the subshell that made them exits
  d=$(make_service mk "( for i in \$(seq 1 100) ; do setsid sh -c 'trap \"echo t >> $T/terms/\$\$\" TERM ; : > $T/ready/\$\$ ; while : ; do sleep 0.2 & wait \$! ; done' & done ) ; exec sleep 1000")
  # its supervise exits a second after the service, so the second pass of TERMs (after the last
  # supervise exited) comes well after the first, not merged with it into one pending signal
  printf '#!/bin/sh\nexec sleep 1\n' > "$d/finish" ; chmod +x "$d/finish"
  start_svscan -t 0 -g 4000 "$SVDIR"
  wait_for 5 has_pid "$d"
  # every orphan has its trap set
  wait_for 60 eval '[ "$(ls "$T/ready" | wc -l)" -ge 100 ]'
  kill -TERM "$SVSCAN_PID"
  # the pass at the start of the stop, then the one after the last supervise exited
  wait_for 10 eval '[ "$(ls "$T/terms" | wc -l)" -ge 100 ]'
  wait_for 15 dead "$SVSCAN_PID"
  run cat "$T"/terms/*
  assert_equal "${#lines[@]}" 100
}

@test "svscan: at the stop it writes control bytes only to a FIFO: a regular file or symlink in its place is left alone" {
  d=$(make_service web)
  e=$(make_service other)
  start_svscan -t 0 -g 5000 "$SVDIR"
  wait_for 5 has_pid "$d"
  wait_for 5 has_pid "$e"
  printf 'ABCDEF' > "$T/victim"
  rm "$d/supervise/control" ; printf 'ABCDEF' > "$d/supervise/control"
  rm "$e/supervise/control" ; ln -s "$T/victim" "$e/supervise/control"
  pd=$(svpid "$d") ; pe=$(svpid "$e")
  kill -TERM "$SVSCAN_PID"
  wait_for 15 dead "$SVSCAN_PID"
  rc=0 ; wait "$SVSCAN_PID" || rc=$?
  assert_equal "$rc" 0
  assert_equal "$(cat "$d/supervise/control")" ABCDEF
  assert_equal "$(cat "$T/victim")" ABCDEF
  # both were stopped by signal instead
  dead "$pd"
  dead "$pe"
}

@test "svscan: a critical service whose status carries the failed flag (whatever its state) stopped for good" {
  d=$(make_service main)
  touch "$d/critical"
  start_svscan -t 0 "$SVDIR"
  wait_for 5 has_pid "$d"
  fifo=$(find "$d/supervise/event" -name "tend-wait:$SVSCAN_PID:*" -type p)
  [ -n "$fifo" ]
  # what a supervise may publish for a service it gave up on: state down, want up, the flags
  # failed and has-died, last exit 7 (offsets of lib/include/tend/status.h, big-endian)
  python3 - "$d/supervise/status" <<'PY'
import os, struct, sys
f = sys.argv[1]
b = bytearray(open(f, 'rb').read())
b[17] = ord('u') ; b[19] = 0 ; b[21] = 0
flags = struct.unpack('>H', bytes(b[22:24]))[0] | 0x0002 | 0x0020
b[22:24] = struct.pack('>H', flags)
b[36:40] = struct.pack('>I', 7 << 8)
open(f + '.new', 'wb').write(b)
os.rename(f + '.new', f)
PY
  # the event that makes svscan look again
  printf D > "$fifo"
  wait_for 10 dead "$SVSCAN_PID"
  rc=0 ; wait "$SVSCAN_PID" || rc=$?
  assert_equal "$rc" 7
  grep -q "critical service main stopped for good (exit code 7): stopping the tree" "$T/svscan.err"
}
