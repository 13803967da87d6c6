#!/usr/bin/env bats
# lib/event: subscribing races supervise's clean-up of dead waiters' FIFOs.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

@test "events: a FIFO being subscribed is never removed as a dead waiter's (10,000 tries under a notify storm)" {
  mkdir -p "$T/s/supervise/event"
  run evrace "$T/s" 10000
  assert_success
  assert_output "lost 0 of 10000"
  # nothing is left behind, under either name
  run ls -A "$T/s/supervise/event"
  assert_output ""
}

@test "events: supervise leaves a FIFO under the temporary name alone" {
  d=$(make_service web)
  start_supervise "$d"
  wait_for 5 is_up "$d"
  mkfifo "$d/supervise/event/tend-new:1:1"
  svc -d -wd -T 5000 "$d"
  [ -p "$d/supervise/event/tend-new:1:1" ]
}
