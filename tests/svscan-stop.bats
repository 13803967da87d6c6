#!/usr/bin/env bats
# svscan's stop: whom it signals, and how it writes to each supervise.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

start_svscan () {
  svscan "$@" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
}

# rewrite DIR/supervise/status with PID in bytes 12-15 (little-endian), atomically
forge_pid () {
  python3 - "$1/supervise/status" "$2" <<'PY'
import os, struct, sys
f, pid = sys.argv[1], int(sys.argv[2])
b = bytearray(open(f, 'rb').read())
b[12:16] = struct.pack('<I', pid)
open(f + '.new', 'wb').write(b)
os.rename(f + '.new', f)
PY
}

@test "svscan: at the grace deadline, a pid a status file names is not killed unless it is its supervise's child" {
  d=$(make_service stubborn 'trap "" TERM ; exec sleep 1000')
  # a stranger leading its own process group
  setsid sleep 1000 &
  stranger=$! ; track_pid "$stranger"
  start_svscan -t 0 -g 1500 "$SVDIR"
  wait_for 5 has_pid "$d"
  kill -TERM "$SVSCAN_PID"
  wait_for 5 grep -q "got TERM" "$d/supervise/stat"
  forge_pid "$d" "$stranger"
  wait_for 10 dead "$SVSCAN_PID"
  kill -0 "$stranger"
  grep -q "not sending SIGKILL to pid $stranger named by stubborn/supervise/status: it is not a child of the supervise svscan started for it" "$T/svscan.err"
}
