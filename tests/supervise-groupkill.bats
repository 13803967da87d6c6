#!/usr/bin/env bats
# The deferred SIGKILL to a dead run's process group (timeout-kill) must never reach a stranger
# that got the group's number after it emptied. Run in a private PID namespace, where the
# test can hand the dead leader's pid to a new session leader through ns_last_pid.

load helpers/common

setup () {
  tend_setup
  [ "$(id -u)" = 0 ] || skip "needs root (a PID namespace and ns_last_pid)"
  pidns true 2>/dev/null || skip "cannot create a PID namespace here"
}
teardown () { tend_teardown ; }

@test "timeout-kill: no deferred group SIGKILL when the group was empty at the leader's death" {
  d=$(make_service web 'echo $$ > leader ; exit 0')
  touch "$d/down"
  echo 300 > "$d/timeout-kill"
  cat > "$T/scenario" <<EOF
#!/bin/sh
# PID 1 of the namespace: supervise, a run whose group empties with its death, a stranger
# given the group's number, then a look after the deferred kill would have fired.
supervise "$d" 2>>"$T/supervise.err" &
i=0 ; until svok "$d" ; do sleep 0.01 ; i=\$((i+1)) ; [ \$i -lt 500 ] || exit 2 ; done
svc -o "$d"
died () { test -s "$d/leader" || return 1 ; test "\$(cat "$d/supervise/stat")" = down ; }
i=0 ; until died ; do sleep 0.01 ; i=\$((i+1)) ; [ \$i -lt 500 ] || exit 3 ; done
L=\$(cat "$d/leader")
echo \$((L - 1)) > /proc/sys/kernel/ns_last_pid
setsid sleep 30 &
S=\$!
echo "leader \$L stranger \$S" > "$T/pids"
# the deferred kill was due 300 ms after the death; a control round trip after 1 s shows
# supervise has been through its deadlines by then
sleep 1
svc -wd -T 2000 -d "$d"
if kill -0 \$S 2>/dev/null ; then echo alive > "$T/result" ; else echo killed > "$T/result" ; fi
kill \$S 2>/dev/null
svc -x "$d"
wait
EOF
  chmod +x "$T/scenario"
  run timeout 20 pidns "$T/scenario"
  echo "$output"
  cat "$T/pids"
  read -r _ l _ s < "$T/pids"
  [ "$l" = "$s" ] || skip "the stranger did not get the leader's pid ($l vs $s): cannot test here"
  assert_equal "$(cat "$T/result")" alive
}

@test "timeout-kill: the leftovers of a group that outlives its leader are still SIGKILLed" {
  d=$(make_service web 'trap "" TERM ; sh -c "trap \"\" TERM ; echo \$\$ > child ; while : ; do sleep 0.05 ; done" & wait')
  echo 200 > "$d/timeout-kill"
  start_supervise "$d"
  wait_for 5 test -s "$d/child"
  child=$(cat "$d/child")
  # the leader dies; the child ignores TERM and is left in the group
  kill -KILL "$(svpid "$d")"
  wait_for 5 dead "$child"
}
