#!/usr/bin/env bats
# Compatibility with runit 2.1.2 both ways: runit's sv against our supervise, side by side with
# sv against runsv; and our svc/svstat/svok against runsv, side by side with daemontools'
# clients against runsv. Twins (see compat.bash):
#   ours-sv  our supervise, runit's sv       rs-sv   runsv, runit's sv (the reference)
#   rs-tend  runsv, our clients              rs-dt   runsv, daemontools' clients (the reference)
# sv is always given ./s: a bare name would be looked up in $SVDIR.

load ../helpers/common
load compat

setup () { tend_setup ; }
teardown () { compat_teardown ; }

SV2="ours-sv rs-sv"

@test "runit: sv status, hup, pause, cont, term, down, up print and do the same on both supervisors" {
  twins $SV2
  all is_up
  all_say "run: ./s: (pid P) Ss" sv status ./s
  assert_equal "$rc" 0
  same sv hup ./s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all sigs_are "HUP"
  same sv -v pause ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: run: ./s: (pid P) Ss, paused"
  all is_paused
  same sv -v cont ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: run: ./s: (pid P) Ss"
  all is_running
  # term on a wanted-up service is a restart; -v waits for the new process
  save_pids
  same sv -v term ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: run: ./s: (pid P) Ss"
  all new_pid
  all old_dead
  all starts_are 2
  all sigs_are "HUP TERM"
  save_pids
  same sv -v down ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: down: ./s: Ss, normally up"
  all old_dead
  all sigs_are "HUP TERM TERM"
  all_say "down: ./s: Ss, normally up" sv status ./s
  same sv -v up ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: run: ./s: (pid P) Ss"
  all starts_are 3
}

@test "runit: a service that ignores TERM stays 'want down, got TERM', and sv -w times out alike" {
  twins -run "$RUN_STUBBORN" $SV2
  all is_up
  same sv down ./s
  all sigs_are "TERM"
  all_say "run: ./s: (pid P) Ss, want down, got TERM" sv status ./s
  same sv -w 1 down ./s
  assert_equal "$rc" 1
  assert_equal "$got" "timeout: run: ./s: (pid P) Ss, want down, got TERM"
  all is_up
  # sv wrote nothing the second time (want d and got TERM already): still one TERM
  all sigs_are "TERM"
}

@test "runit: a normally-down service: sv status, up and down are the same" {
  twins -down $SV2
  all_say "down: ./s: Ss" sv status ./s
  assert_equal "$rc" 0
  all starts_are 0
  # pause while down: nothing to stop, nothing shown, and the service later starts unpaused
  same sv -v pause ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: down: ./s: Ss"
  same sv -v up ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: run: ./s: (pid P) Ss, normally down"
  all starts_are 1
  all is_running
  same sv -v down ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: down: ./s: Ss"
}

@test "runit: sv down then sv exit: both supervisors stop the service and exit 0" {
  twins $SV2
  all is_up
  save_pids
  same sv -v down ./s
  assert_equal "$got" "ok: down: ./s: Ss, normally up"
  same sv -v exit ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: ./s: runsv not running"
  all sup_gone
  all old_dead
  for tw in $TWINS ; do
    wait "$(suppid "$tw")" || fail "supervisor of $tw exited $?"
  done
  same sv status ./s
  assert_equal "$rc" 1 ; assert_equal "$got" "fail: ./s: runsv not running"
  same sv exit ./s
  assert_equal "$rc" 0 ; assert_equal "$got" "ok: ./s: runsv not running"
  assert_equal "$(cat "$T/ours-sv.err")" ""
}

@test "runit: while ./finish runs, sv status says finish with finish's pid on both" {
  for tw in $SV2 ; do
    mkdir -p "$T/$tw/s"
    printf '#!/bin/sh\necho "$@" > finish.args\necho $$ > finish.pid\nwhile [ ! -e go ] ; do sleep 0.05 ; done\n' > "$T/$tw/s/finish"
    chmod +x "$T/$tw/s/finish"
  done
  # run dies of the TERM (no trap)
  twins -run 'echo $$ >> starts
exec sleep 1000' $SV2
  all is_up
  same sv down ./s
  for tw in $TWINS ; do wait_for 20 test -s "$T/$tw/s/finish.pid" ; done
  all_say "finish: ./s: (pid P) Ss, want down" sv status ./s
  for tw in $TWINS ; do assert_equal "$(spid "$tw")" "$(cat "$T/$tw/s/finish.pid")" ; done
  # daemontools' svstat (the sv twins' svstat) reads it as up, with finish's pid
  all says "s: up (pid P) S seconds, want down" svstat s
  for tw in $TWINS ; do : > "$T/$tw/s/go" ; done
  all_say "down: ./s: Ss, normally up" sv status ./s
  all starts_are 1
  # finish's arguments differ (protocol.md): runit passes -1 and the signal for a killed run,
  # we pass 256, the signal and the service's name
  assert_equal "$(cat "$T/rs-sv/s/finish.args")" "-1 15"
  assert_equal "$(cat "$T/ours-sv/s/finish.args")" "256 15 $T/ours-sv/s"
}

@test "runit: LSB mode (sv called by another name) gives the same status exit codes" {
  mkdir -p "$T/lsb"
  ln -s /usr/bin/sv "$T/lsb/s"
  twins $SV2
  all is_up
  for tw in $TWINS ; do
    SVDIR="$T/$tw" run "$T/lsb/s" status
    assert_success
    assert_output --regexp '^run: s: \(pid [0-9]+\) [0-9]+s$'
    SVDIR="$T/$tw" run "$T/lsb/s" stop
    assert_success
    assert_output --regexp '^ok: down: s: [0-9]+s, normally up$'
    SVDIR="$T/$tw" run "$T/lsb/s" status
    assert_failure 3
    SVDIR="$T/$tw" run "$T/lsb/s" bogus
    assert_failure 2
  done
}

# ---- where runit and daemontools differ, we follow daemontools (doc/compat.md) ----

@test "runit: sv once: the same effects, but our status says nothing of 'want down' and sv -v once times out" {
  twins -down $SV2
  same sv once ./s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all is_up
  all starts_are 1
  # byte 17 after o: daemontools' 0 for us, runit's d for runsv
  want_byte_is ours-sv 00
  want_byte_is rs-sv 64
  run client ours-sv sv status ./s
  assert_output --regexp '^run: \./s: \(pid [0-9]+\) [0-9]+s, normally down$'
  run client rs-sv sv status ./s
  assert_output --regexp '^run: \./s: \(pid [0-9]+\) [0-9]+s, normally down, want down$'
  # sv -v once waits for want d (or for the service to be down): never true with us while it runs
  run client ours-sv sv -w 1 once ./s
  assert_failure 1
  assert_output --regexp '^timeout: run: \./s: \(pid [0-9]+\) [0-9]+s, normally down$'
  run client rs-sv sv -w 1 once ./s
  assert_success
  assert_output --regexp '^ok: run: \./s: \(pid [0-9]+\) [0-9]+s, normally down, want down$'
  # once it dies, neither restarts it
  save_pids
  same sv term ./s
  all is_down
  all old_dead
  all_say "down: ./s: Ss" sv status ./s
  all starts_are 1
}

@test "runit: sv exit: runsv stops the service and exits; ours waits until the service is down" {
  twins $SV2
  all is_up
  save_pids
  same sv exit ./s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  # runsv: TERM to the service, then gone
  wait_for 20 sup_gone rs-sv
  wait_for 20 old_dead rs-sv
  # ours: x is noted (h, sent after it, arrives), the service and the supervisor go on
  client ours-sv sv hup ./s
  wait_for 20 sigs_are ours-sv "HUP"
  is_up ours-sv
  /usr/bin/svok "$T/ours-sv/s"
  run client ours-sv sv status ./s
  assert_output --regexp '^run: \./s: \(pid [0-9]+\) [0-9]+s$'
  # so sv -v exit waits for a supervisor that does not go away
  run client ours-sv sv -w 1 exit ./s
  assert_failure 1
  assert_output --regexp '^timeout: run: \./s: \(pid [0-9]+\) [0-9]+s$'
  # ... until it goes down: then our supervise exits too
  client ours-sv sv down ./s
  wait_for 20 sup_gone ours-sv
  wait_for 20 old_dead ours-sv
  run client ours-sv sv status ./s
  assert_failure 1
  assert_output "fail: ./s: runsv not running"
}

# ---- our clients against runsv, side by side with daemontools' clients against runsv ----

@test "runit: our svc, svstat, svok drive runsv as daemontools' do" {
  twins rs-dt rs-tend
  all is_up
  all_say "s: up (pid P) S seconds" svstat s
  same svok s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  same svc -h s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all sigs_are "HUP"
  same svc -p s
  all is_paused
  all_say "s: up (pid P) S seconds, paused" svstat s
  same svc -c s
  all is_running
  all_say "s: up (pid P) S seconds" svstat s
  save_pids
  same svc -t s
  all new_pid
  all old_dead
  all starts_are 2
  save_pids
  same svc -d s
  all is_down
  all old_dead
  all_say "s: down S seconds, normally up" svstat s
  # runsv stores want d for once: both svstats show it
  same svc -o s
  all is_up
  all_say "s: up (pid P) S seconds, want down" svstat s
  save_pids
  same svc -x s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  all sup_gone
  all old_dead
  same svok s
  assert_equal "$rc" 100 ; assert_equal "$got" ""
  all_say "s: supervise not running" svstat s
}

@test "runit: our svc sends q, 1 and 2 (QUIT, USR1, USR2), which runsv obeys" {
  twins rs-tend ours-tend
  all is_up
  same svc -q s
  all sigs_are "QUIT"
  same svc -1 s
  all sigs_are "QUIT USR1"
  same svc -2 s
  all sigs_are "QUIT USR1 USR2"
  all starts_are 1
}

@test "runit: our svc -w waits on runsv and daemontools' supervise by polling their status" {
  twins rs-tend dt-tend
  all is_up
  save_pids
  same svc -w r -T 20000 -t s
  assert_equal "$rc" 0 ; assert_equal "$got" ""
  # no polling here: the state was reached when svc returned
  for tw in $TWINS ; do new_pid "$tw" ; done
  same svc -w d -T 20000 -d s
  assert_equal "$rc" 0
  for tw in $TWINS ; do is_down "$tw" ; done
  same svc -w U -T 20000 -u s
  assert_equal "$rc" 0
  for tw in $TWINS ; do is_up "$tw" ; done
  # a state that never comes: exit 1 after the timeout, naming the service
  same svc -w d -T 300 s
  assert_equal "$rc" 1
  assert_equal "$got" "svc: warning: s did not become down: timed out"
}

@test "runit: our svc -r, -U and -D mean nothing to daemontools' supervise or runsv" {
  twins rs-tend dt-tend
  all is_up
  same svc -rUD s
  assert_equal "$rc" 0
  # h was sent after them: once it arrives, they have been read (and ignored)
  same svc -h s
  all sigs_are "HUP"
  all starts_are 1
  all is_up
  for tw in $TWINS ; do [ ! -e "$(twin_dir "$tw")/down" ] ; done
}
