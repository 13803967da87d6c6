#!/usr/bin/env bats
# svlog: multilog directives, the log directory, extensions, bad input, full disks, signals.

load helpers/common
bats_require_minimum_version 1.5.0

setup () {
  tend_setup
  cd "$T"
  export SVLOG_RETRY=50
}
teardown () {
  cd /
  if [ -n "${SMALL-}" ] ; then
    # the logger must be gone before its disk can be unmounted
    [ -n "${SVPID-}" ] && kill -KILL "$SVPID" 2>/dev/null && wait "$SVPID" 2>/dev/null
    umount "$SMALL" 2>/dev/null || true
  fi
  tend_teardown
}

TAI='@4000[0-9a-f]{20}'
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'

# strip "@4000... " stamps
unstamp () { sed -E "s/^$TAI //" "$@" ; }
archives () { ls "$1" | grep -E '^@4000[0-9a-f]{20}\.[su]$' ; }
narchives () { archives "$1" | wc -l ; }
is_exec () { [ -x "$1" ] ; }
# start svlog reading the FIFO $T/in, writer fd 7 held open by the test (bats owns fd 3)
start_fifo () {
  [ -p "$T/in" ] || mkfifo "$T/in"
  svlog "$@" < "$T/in" 2> "$T/err" &
  SVPID=$!
  track_pid $SVPID
  exec 7> "$T/in"
  # signals are trapped (blocked, read from the signalfd) once svlog is set up
  wait_for 5 trapped $SVPID
}

@test "svlog: lines go to ./dir verbatim; a final line without newline is written at EOF" {
  printf 'one\ntwo\nthree' | svlog ./d
  [ "$(cat d/current)" = "$(printf 'one\ntwo\nthree')" ]
  [ "$(tail -c 1 d/current | od -An -c | tr -d ' ')" = '\n' ]
  # closed cleanly: owner x bit; lock 0600; state empty; dir 0700
  [ "$(stat -c %a d/current)" = 744 ]
  [ "$(stat -c %a d/lock)" = 600 ]
  [ "$(stat -c %a d)" = 700 ]
  [ -f d/state ]
  [ ! -s d/state ]
}

@test "svlog: binary-safe: NUL, invalid UTF-8 and CRLF pass unchanged" {
  printf 'a\0b\n\377\376 x\r\nend\r\n' > in
  svlog ./d < in
  cmp in d/current
}

@test "svlog: t stamps every line with daemontools' TAI64N (+10 offset), only as first directive" {
  printf 'x\ny\n' | svlog t ./d
  run grep -cE "^$TAI (x|y)\$" d/current
  assert_output 2
  # label within a few seconds of now: 2^62 + 10 + unix time
  label=$(head -c 17 d/current | cut -c2-)
  now=$(date +%s)
  sec=$(( 0x${label} - 0x4000000000000000 - 10 ))
  [ $(( now - sec )) -ge 0 ]
  [ $(( now - sec )) -le 5 ]
  run sh -c 'printf "x\n" | svlog ./e t 2>&1'
  assert_success
  assert_output "svlog: warning: script directive t ignored: t counts only as the first directive, as in multilog"
  [ "$(cat e/current)" = x ]
}

@test "svlog: multilog * semantics, exactly (shortest run, no backtracking)" {
  printf '%s\n' one on onetwo 'xy one' '  one' 'xy one ' 'x y one' '   one' abcbc '' > in
  i=0
  for p in 'one' 'one*' '* one' '* * one' 'a*c' '*' ; do
    svlog '-*' "+$p" "./d$((++i))" < in
  done
  [ "$(cat d1/current)" = one ]
  [ "$(cat d2/current)" = "$(printf 'one\nonetwo')" ]
  [ "$(cat d3/current)" = 'xy one' ]
  # '  one' matches '* * one': each * stops at the first space
  [ "$(cat d4/current)" = "$(printf '  one\nx y one')" ]
  [ ! -s d5/current ]
  [ "$(wc -l < d6/current)" = 10 ]
  # the empty pattern matches the empty line only
  svlog '-*' '+' ./d7 < in
  [ "$(od -An -c d7/current | tr -d ' ')" = '\n' ]
}

@test "svlog: patterns see the timestamp; selection applies per directory" {
  printf 'info: a\nfatal: b\ninfo: c\n' | svlog t ./all '-*' '+* fatal: *' ./bad
  [ "$(wc -l < all/current)" = 3 ]
  [ "$(unstamp bad/current)" = 'fatal: b' ]
}

@test "svlog: e prints selected lines to stderr, 200 bytes then ..." {
  long=$(head -c 300 /dev/zero | tr '\0' x)
  run sh -c "printf 'short\n%s\n' $long | svlog e 2>&1 >/dev/null"
  assert_success
  assert_line -n 0 short
  assert_line -n 1 "$(head -c 200 /dev/zero | tr '\0' x)..."
  [ "${#lines[@]}" = 2 ]
}

@test "svlog: 200 e directives on a 900-byte line: every alert whole, no overrun" {
  # each e adds up to 204 bytes for one line: 200 of them hold more than one output buffer
  long=$(head -c 900 /dev/zero | tr '\0' x)
  printf '%s\nend\n' "$long" > in
  script=() ; for i in $(seq 1 200) ; do script+=(e) ; done
  run sh -c 'svlog "$@" ./d < in 2> err' sh "${script[@]}"
  assert_success
  [ "$(grep -c "^$(head -c 200 /dev/zero | tr '\0' x)\.\.\.\$" err)" = 200 ]
  [ "$(grep -c '^end$' err)" = 200 ]
  [ "$(wc -l < err)" = 400 ]
  cmp in d/current
}

@test "svlog: 7 e directives with a slow stderr reader: nothing overruns, nothing lost" {
  # alerts (204 bytes each: 200, "...", newline) pile up while the reader sleeps: the buffer
  # fills, then each line needs room for 7 of them at once
  head -c 250 /dev/zero | tr '\0' y > line ; echo >> line
  for i in $(seq 1 2000) ; do cat line ; done > in
  mkfifo p
  ( svlog e e e e e e e s16777215 ./e < in 2> p ; echo $? > rc ) &
  track_pid $!
  { sleep 0.3 ; cat ; } < p > err
  wait_for 5 test -s rc
  [ "$(cat rc)" = 0 ]
  [ "$(wc -l < err)" = 14000 ]
  [ "$(sort -u err)" = "$(head -c 200 line)..." ]
  cmp in e/current
}

@test "svlog: =file holds the last selected line in 1001 bytes padded with newlines" {
  printf 'a\nbb\nzz\n' | svlog '-z*' =st
  [ "$(stat -c %s st)" = 1001 ]
  [ "$(head -c 2 st)" = bb ]
  [ "$(tr -d '\n' < st)" = bb ]
  [ "$(stat -c %a st)" = 600 ]
}

@test "svlog: s and n: rotation on line ends, size bounds, n-1 archives kept" {
  seq 1 30000 > in
  svlog s4096 n3 ./d < in
  [ "$(narchives d)" = 2 ]
  for f in $(archives d) ; do
    sz=$(stat -c %s "d/$f")
    [ "$sz" -le 4096 ]
    [ "$sz" -ge 2096 ]
    [ "$(tail -c 1 "d/$f" | od -An -c | tr -d ' ')" = '\n' ]
    [ "$(stat -c %a "d/$f")" = 744 ]
  done
  # what is kept is the input's tail, in order, nothing lost between files
  cat $(archives d | sed 's|^|d/|') d/current > kept
  tail -n "$(wc -l < kept)" in | cmp - kept
}

@test "svlog: s and n out of range are clamped with a warning, as multilog does" {
  run sh -c 'seq 1 3000 | svlog s100 n1 ./d 2>&1'
  assert_success
  assert_line "svlog: warning: script directive s100 out of range: using 4096 as multilog does"
  assert_line "svlog: warning: script directive n1 out of range: using 2 as multilog does"
  [ "$(narchives d)" = 1 ]
  run sh -c 'echo x | svlog s99999999 ./e 2>&1'
  assert_output "svlog: warning: script directive s99999999 out of range: using 16777215 as multilog does"
}

@test "svlog: unknown directives are named in a warning and ignored" {
  run sh -c 'echo x | svlog N5 Q "" ./d 2>&1'
  assert_success
  assert_line -n 0 "svlog: warning: unknown script directive N5: ignored, as multilog does"
  assert_line -n 1 "svlog: warning: unknown script directive Q: ignored, as multilog does"
  assert_line -n 2 "svlog: warning: unknown script directive (empty): ignored, as multilog does"
  [ "$(cat d/current)" = x ]
}

@test "svlog: a log dir that cannot be created is fatal, 111" {
  run sh -c 'echo x | svlog ./no/such/dir 2>&1'
  assert_failure 111
  assert_output "svlog: fatal: unable to create directory ./no/such/dir: No such file or directory"
  touch plain
  run sh -c 'echo x | svlog ./plain/d 2>&1'
  assert_failure 111
  assert_output "svlog: fatal: unable to create directory ./plain/d: Not a directory"
}

@test "svlog: the same log directory twice in the script is refused before anything is touched" {
  run sh -c 'echo x | svlog ./d ./d 2>&1'
  assert_failure 100
  assert_output "svlog: fatal: unable to use log directory ./d: it is ./d, already in the script"
  # by another name too
  mkdir e
  run sh -c 'echo x | svlog ./e 1 ./d/../e 2>&1'
  assert_failure 100
  assert_output "svlog: fatal: unable to use log directory ./d/../e: it is ./e, already in the script"
  # ./d was created by the first start, and nothing was archived: a later start finds no .u
  echo y | svlog ./d
  run archives d
  assert_output ""
  [ "$(cat d/current)" = y ]
}

@test "svlog: a lock held by another logger: 111 with a clear message" {
  start_fifo ./d
  wait_for 5 test -f d/current
  run sh -c 'echo x | svlog ./d 2>&1'
  assert_failure 111
  assert_output "svlog: fatal: unable to lock ./d/lock: another logger is running on ./d"
  exec 7>&-
  wait $SVPID
  # and daemontools' multilog sees our lock
  start_fifo ./d
  # current loses its x bit once the new logger holds the lock
  wait_for 5 test ! -x d/current
  run sh -c 'echo x | /usr/bin/multilog ./d 2>&1'
  assert_failure 111
  assert_output --partial "unable to lock directory ./d"
  exec 7>&-
}

@test "svlog: current without the x bit at start is recovered as .u" {
  mkdir d ; printf 'old\n' > d/current ; chmod 644 d/current
  echo new | svlog ./d
  [ "$(narchives d)" = 1 ]
  f=$(archives d)
  case $f in *.u) ;; *) false ;; esac
  [ "$(cat "d/$f")" = old ]
  [ "$(cat d/current)" = new ]
  # with the x bit: appended to
  echo more | svlog ./d
  [ "$(cat d/current)" = "$(printf 'new\nmore')" ]
  [ "$(narchives d)" = 1 ]
}

@test "svlog: recovery after a crash during processing: processed (x) kept as .s, else previous as .u" {
  mkdir d ; printf 'p\n' > d/previous ; printf 'half\n' > d/processed ; printf 'c\n' > d/current ; echo st > d/newstate
  echo new | svlog ./d
  [ ! -e d/previous ]
  [ ! -e d/processed ]
  [ ! -e d/newstate ]
  [ "$(archives d | grep -c '\.u$')" = 2 ]
  cat d/@*.u | sort > got
  printf 'c\np\n' | cmp - got
  rm -rf d ; mkdir d ; printf 'p\n' > d/previous ; printf 'done\n' > d/processed ; chmod 744 d/processed
  echo new | svlog ./d
  [ ! -e d/previous ]
  s=$(archives d | grep '\.s$')
  [ "$(cat "d/$s")" = done ]
}

@test "svlog: processor gets previous on stdin, state on fd 4, writes newstate on fd 5" {
  seq 1 3000 > in
  svlog s4096 '!cat <&4 >&5; echo run >&5; tr 0-9 a-j' ./d < in
  n=$(narchives d)
  [ "$n" -ge 2 ]
  [ "$(wc -l < d/state)" = "$(archives d | wc -l)" ] || [ "$(grep -c run d/state)" -ge 1 ]
  run ! grep -q '[0-9]' d/@*.s
  [ ! -e d/previous ]
  [ ! -e d/processed ]
  [ ! -e d/newstate ]
}

@test "svlog: a failing processor is retried and no data is lost" {
  seq 1 1000 > in
  # fails twice, then works
  printf '0' > count
  svlog s4096 "!n=\$(cat $T/count); echo \$((n+1)) > $T/count; [ \$n -ge 2 ] && cat" ./d < in 2> err
  grep -q "svlog: warning: unable to process ./d/previous, keeping it and retrying every 50 ms: the processor exited 1" err
  cat d/@*.s d/current | cmp - in
}

@test "svlog: SIGALRM rotates a non-empty current" {
  start_fifo ./d
  echo first >&7
  wait_for 5 grep -q first d/current
  kill -ALRM $SVPID
  wait_for 5 sh -c "ls d | grep -qE '^@4000[0-9a-f]{20}\.s\$'"
  [ ! -s d/current ]
  exec 7>&-
  wait $SVPID
}

@test "svlog: SIGTERM writes the partial last line and exits 0" {
  start_fifo ./d
  printf 'whole\npart' >&7
  wait_for 5 grep -q whole d/current
  kill -TERM $SVPID
  rc=0 ; wait $SVPID || rc=$?
  assert_equal "$rc" 0
  [ "$(cat d/current)" = "$(printf 'whole\npart')" ]
  [ "$(stat -c %a d/current)" = 744 ]
  exec 7>&-
}

@test "svlog: SIGHUP, SIGINT and SIGQUIT end it like SIGTERM: partial line kept, exit 0" {
  for sig in HUP INT QUIT ; do
    rm -rf d "$T/in"
    mkfifo "$T/in"
    # a background job of a script starts with INT and QUIT ignored: give svlog the defaults
    env --default-signal=INT,QUIT svlog ./d < "$T/in" 2> "$T/err" &
    SVPID=$!
    track_pid $SVPID
    exec 7> "$T/in"
    wait_for 5 trapped $SVPID
    printf 'whole\npart' >&7
    wait_for 5 grep -q whole d/current
    kill -$sig $SVPID
    rc=0 ; wait $SVPID || rc=$?
    assert_equal "$sig $rc" "$sig 0"
    assert_equal "$(cat d/current)" "$(printf 'whole\npart')"
    [ "$(stat -c %a d/current)" = 744 ]
    exec 7>&-
  done
}

@test "svlog: an iopause that fails is warned about once and retried, not fatal" {
  mkfifo "$T/in"
  sysfail ppoll=ENOMEM -- svlog ./d < "$T/in" 2> "$T/err" &
  SVPID=$!
  track_pid $SVPID
  exec 7> "$T/in"
  wait_for 5 grep -q 'iopause' "$T/err"
  # alive, waiting out its retry delay rather than gone
  wait_for 5 grep -q nanosleep /proc/$SVPID/wchan
  kill -TERM $SVPID
  rc=0 ; wait $SVPID || rc=$?
  assert_equal "$rc" 0
  run cat "$T/err"
  # ENOMEM in glibc's words or musl's
  assert_output --regexp "^svlog: warning: unable to iopause, retrying every 50 ms: (Cannot allocate memory|Out of memory)$"
  exec 7>&-
}

@test "svlog: a selfpipe read that fails is warned about once and waited out, not spun on" {
  mkfifo "$T/in"
  # a first run, only to learn which descriptor the signals come through with these redirections
  sysfail read@9999=ENOMEM -- svlog ./d < "$T/in" 2> "$T/err0" &
  p=$!
  track_pid $p
  exec 7> "$T/in"
  wait_for 5 trapped $p
  fd=$(find /proc/$p/fd -lname 'anon_inode:\[signalfd\]' -printf '%f\n')
  kill -TERM $p
  wait $p || true
  exec 7>&-
  [ -n "$fd" ] || skip "svlog's signals do not come through a signalfd here"
  rm -rf d
  sysfail "read@$fd=ENOMEM" -- svlog ./d < "$T/in" 2> "$T/err" &
  SVPID=$!
  track_pid $SVPID
  exec 7> "$T/in"
  wait_for 5 trapped $SVPID
  # a signal makes the descriptor readable; reading it fails, for good
  kill -ALRM $SVPID
  wait_for 5 grep -q selfpipe "$T/err"
  wait_for 5 grep -q nanosleep /proc/$SVPID/wchan
  # it waits out its retry delay each time: a spinning loop would take the 100 ticks of 1 s
  c0=$(cpu_ticks $SVPID)
  sleep 1
  c1=$(cpu_ticks $SVPID)
  [ $((c1 - c0)) -le 20 ]
  run cat "$T/err"
  # ENOMEM in glibc's words or musl's; once, not once per try
  assert_output --regexp "^svlog: warning: unable to read the selfpipe, retrying every 50 ms: (Cannot allocate memory|Out of memory)$"
  # it cannot read TERM any more: only KILL ends it
  kill -KILL $SVPID
  exec 7>&-
}

@test "svlog: SIGTERM reads up to the end of the current line and no further" {
  start_fifo ./d
  printf 'par' >&7
  wait_for 5 test -f d/current
  kill -TERM $SVPID
  printf 'tial\nnext\n' >&7
  rc=0 ; wait $SVPID || rc=$?
  assert_equal "$rc" 0
  [ "$(cat d/current)" = partial ]
  exec 7>&-
}

@test "svlog: T stamps ISO 8601 UTC with microseconds; p prefixes; 1 copies to stdout" {
  run sh -c 'printf "x\ny\n" | svlog T pweb: 1'
  assert_success
  [[ ${lines[0]} =~ ^${ISO}\ web:\ x$ ]]
  [[ ${lines[1]} =~ ^${ISO}\ web:\ y$ ]]
  run sh -c 'printf "x\n" | svlog t T 1'
  [[ $output =~ ^${TAI}\ ${ISO}\ x$ ]]
  # p is sticky and a bare p clears it; 2 copies to stderr
  run sh -c 'printf "x\n" | svlog pA 1 p 2 2>&1 >/dev/null'
  assert_output x
}

@test "svlog: T's date and time are the UTC ones date -u gives" {
  # svlog computes the calendar itself (no gmtime_r): the stamp must fall between two date -u
  # readings taken around it, to the second
  local before after stamp
  before=$(date -u +%s)
  run sh -c 'printf "x\n" | svlog T 1'
  after=$(date -u +%s)
  assert_success
  stamp=${output%%.*}
  [[ $stamp =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]
  local s
  s=$(date -u -d "${stamp/T/ }" +%s)
  [ "$s" -ge "$before" ]
  [ "$s" -le "$after" ]
}

@test "svlog: 1 into a pipe writes whole lines of at most PIPE_BUF bytes; longer lines split with a mark" {
  head -c 10000 /dev/zero | tr '\0' a > in ; echo >> in ; echo short >> in
  svlog pweb 1 < in | cat > out
  [ "$(wc -l < out)" = 4 ]
  awk '{ if (length($0) + 1 > 4096) exit 1 }' out
  [ "$(sed -n 1p out | tail -c 2)" = '\' ]
  [ "$(sed -n 3p out | tail -c 2 | head -c 1)" = a ]
  [ "$(sed -n 4p out)" = "web short" ]
  # joined again, the line is whole
  sed -n 1,3p out | sed 's/^web //' | sed 's/\\$//' | tr -d '\n' | cmp - <(head -c 10000 in)
}

@test "svlog: 1 into a pipe with a slow reader: nothing lost, nothing doubled, whole lines" {
  seq 1 300000 > in
  svlog pX 1 < in | { sleep 0.3 ; cat ; } > out
  sed 's/^X //' out | cmp - in
  [ "$(grep -cv '^X [0-9]*$' out)" = 0 ]
}

@test "svlog: 1 into a file: a long line is split into pieces the same way" {
  head -c 10000 /dev/zero | tr '\0' b > in ; echo >> in
  svlog 1 < in > out
  [ "$(wc -l < out)" = 3 ]
  sed 's/\\$//' out | tr -d '\n' | cmp - <(head -c 10000 in)
}

@test "svlog: a kill -9 loses at most one read buffer (16384 bytes)" {
  small_disk
  head -c 60000 /dev/zero > "$SMALL/filler"
  seq 1 100000 > data
  start_fifo "$SMALL/d"
  cat data >&7 &
  WPID=$!
  track_pid $WPID
  wait_for 5 grep -q 'No space left on device' "$T/err"
  wait_for 5 grep -q pipe_write /proc/$WPID/wchan
  # a second reader first, so the writer does not die of EPIPE with svlog
  exec 8< "$T/in"
  kill -KILL $SVPID
  wait $SVPID || true
  size=$(stat -c %s "$SMALL/d/current")
  # read what is left in the pipe while the writer finishes
  exec 7>&-
  left=$(cat <&8 | wc -c)
  exec 8<&-
  lost=$(( $(wc -c < data) - size - left ))
  [ "$lost" -gt 0 ]
  [ "$lost" -le 16384 ]
}

@test "svlog: l splits long lines, never drops a byte" {
  printf '%s\n' abcdefghij xy > in
  svlog l4 ./d < in
  [ "$(cat d/current)" = "$(printf 'abcd\nefgh\nij\nxy')" ]
}

@test "svlog: l: a line of exactly l bytes is not followed by an empty line (as fold -b)" {
  for L in 4 1000 2000 ; do
    rm -rf d
    for n in 1 3 4 5 8 999 1000 1001 1999 2000 2001 4000 4001 ; do head -c $n /dev/zero | tr '\0' a ; echo ; done > in
    svlog l$L ./d < in
    fold -b -w $L in | cmp - d/current
  done
  # the newline arrives in a later read than the line's last byte
  mkfifo f
  ( head -c 2000 /dev/zero | tr '\0' b ; sleep 0.2 ; printf '\nx\n' ) > f &
  track_pid $!
  svlog l2000 ./e < f
  [ "$(wc -l < e/current)" = 2 ]
  [ "$(tail -n 1 e/current)" = x ]
}

@test "svlog: ~+re and ~-re select by POSIX extended regular expression on the text" {
  printf 'GET /a 200\nGET /b 500\nPOST /c 503\n' > in
  svlog t '-*' '~+ 5[0-9]{2}$' '~-^POST' ./d < in
  [ "$(unstamp d/current)" = 'GET /b 500' ]
  run sh -c 'echo x | svlog "~+(" ./e 2>&1'
  assert_failure 100
  assert_output --partial "svlog: fatal: invalid regular expression in script directive ~+(: "
}

@test "svlog: ~ expressions see the text up to 1000 bytes minus the stamp, or its first NUL" {
  # no REG_STARTEND: the text is a C string copy, the same on glibc and musl
  long=$(head -c 2000 /dev/zero | tr '\0' a)
  printf '%sZ\nab\0cd\nxyz\n' "$long" > in
  svlog '-*' '~+Z' ./z '-*' '~+a$' ./a '-*' '~+cd' ./c '-*' '~+^xyz$' ./x < in
  run cat z/current
  assert_output ""
  # the 2000-byte line, cut at 1000: it ends with a there
  [ "$(wc -l < a/current)" = 1 ]
  [ "$(wc -c < a/current)" = 2002 ]
  run cat c/current
  assert_output ""
  [ "$(cat x/current)" = xyz ]
  # with t, the stamp takes 26 of the 1000 bytes
  printf '%sQ\n' "$(head -c 974 /dev/zero | tr '\0' b)" > in2
  svlog t '-*' '~+Q' ./tq < in2
  [ ! -s tq/current ]
  svlog '-*' '~+Q' ./nq < in2
  [ -s nq/current ]
}

@test "svlog: S caps the total size of the archives" {
  seq 1 100000 > in
  svlog s4096 n100 S10000 ./d < in
  total=$(cat d/@* | wc -c)
  [ "$total" -le 10000 ]
  [ "$(narchives d)" -ge 2 ]
}

@test "svlog: pruning far over n and S takes a directory pass per 16 removals, not one per removal" {
  command -v strace >/dev/null || skip "strace not installed (sh package/deps test)"
  mkdir d
  # 400 archives of 10 bytes, then n3 S100: 398 go at the first rotation
  for i in $(seq 1 400) ; do printf '123456789\n' > "d/@40000000$(printf '%016x' "$i").s" ; done
  seq 1 2000 > in
  # (LeakSanitizer cannot run under ptrace: off for this run in the SANITIZE build)
  ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" strace -f -o trace -e trace=getdents64,newfstatat,fstatat64,statx,unlinkat svlog s4096 n3 S100 ./d < in
  run grep -c 'unlinkat([0-9]*, "@40000000' trace
  [ "$output" -ge 398 ]
  # one pass (a few getdents64 calls) per 16 removals: about 25 passes; one per removal
  # (the old prune) made 398 passes and more (812 calls with glibc's 32 KiB reads). musl reads
  # 2 KiB at a time: 25 passes there are about 175 calls
  run grep -c 'getdents64(' trace
  echo "getdents64 calls: $output" >&2
  [ "$output" -le 398 ]
  # a stat per archive per pass: about 25 x 200; one pass per removal made about 80,000
  run grep -cE '(newfstatat|fstatat64|statx)\([0-9]+, "@' trace
  echo "archive stats: $output" >&2
  [ "$output" -le 15000 ]
  # the tail of the input is kept, in order
  cat $(archives d | sed 's|^|d/|') d/current | tail -n 1 | grep -qx 2000
}

@test "svlog: a 10 MB line passes whole" {
  head -c 10000000 /dev/zero | tr '\0' q > in ; echo >> in ; echo after >> in
  svlog s16777215 ./d e < in 2> err
  cmp in d/current
  [ "$(head -c 200 /dev/zero | tr '\0' q)..." = "$(head -n 1 err)" ]
}

@test "svlog: 100,000 tiny lines, each in its own write" {
  seq 1 100000 | sed 's/.*/x/' > in
  ( for i in $(seq 1 2000) ; do printf 'y\n' ; done ) | svlog t ./e
  svlog t s16777215 ./d < in
  [ "$(wc -l < d/current)" = 100000 ]
  [ "$(wc -l < e/current)" = 2000 ]
  run grep -cvE "^$TAI [xy]\$" d/current e/current
  assert_output "d/current:0
e/current:0"
}

@test "svlog: stdin that is a terminal gets a warning, EOF still ends it" {
  command -v script >/dev/null || skip "script(1) not installed"
  run timeout 10 script -qec "svlog ./d" /dev/null <<< $'hello\n\004'
  grep -q hello d/current
  [[ $output == *"svlog: warning: stdin is a terminal: type lines, end with ^D"* ]]
}

# a tmpfs of 64 KiB: the disk fills up
small_disk () {
  SMALL="$T/small"
  mkdir -p "$SMALL"
  mount -t tmpfs -o size=64k tmpfs "$SMALL" 2>/dev/null || { SMALL= ; skip "cannot mount a tmpfs here (need root)" ; }
}

@test "svlog: full disk: data kept, one warning, back-pressure, resumes when space returns" {
  skip_under_valgrind "the resident set it bounds is valgrind's (tens of MB), not svlog's buffers"
  small_disk
  head -c 60000 /dev/zero > "$SMALL/filler"
  seq 1 8000 > data   # 38893 bytes: fits once the filler is gone
  mkfifo "$T/in"
  svlog s16777215 "$SMALL/d" < "$T/in" 2> err &
  SVPID=$!
  track_pid $SVPID
  cat data > "$T/in" &
  WPID=$!
  track_pid $WPID
  wait_for 5 grep -q 'No space left on device' err
  # the writer is held back: svlog holds at most its buffers
  rss=$(awk '/VmRSS/ {print $2}' /proc/$SVPID/status)
  [ "$rss" -lt 8000 ]
  rm "$SMALL/filler"
  wait $WPID
  rc=0 ; wait $SVPID || rc=$?
  assert_equal "$rc" 0
  cmp data "$SMALL/d/current"
  [ "$(grep -c 'No space left on device' err)" = 1 ]
  assert_equal "$(head -n 1 err)" "svlog: warning: unable to write to $SMALL/d/current, keeping the data and retrying every 50 ms: No space left on device"
}

@test "svlog: a failed sync of current at exit is warned about with its errno" {
  # logdir.c's warnings once dropped errno (strerr_warnwu): fsync made to fail
  run sh -c 'printf "a\n" | sysfail fsync=ENOSPC -- svlog ./d 2>&1'
  assert_success
  assert_output "svlog: warning: unable to sync ./d/current: No space left on device"
  assert_equal "$(cat d/current)" a
}

@test "svlog: warnings name their reason last: =file on a full disk, unreadable stdin, a gone reader" {
  small_disk
  head -c 65536 /dev/zero > "$SMALL/filler" 2>/dev/null || true
  run sh -c "printf 'x\n' | svlog =$SMALL/st 2>&1"
  assert_success
  assert_output "svlog: warning: unable to write $SMALL/st: No space left on device"
  # stdin open for writing only: read fails with EBADF
  run sh -c 'svlog ./d 0> "$T/wo" 2>&1'
  assert_success
  assert_output "svlog: warning: unable to read from stdin, treating it as end of file: Bad file descriptor"
  # the reader of stdout goes away
  seq 1 200000 > in
  run sh -c 'svlog 1 < in 2> "$T/e2" | head -n 1'
  assert_output 1
  run cat "$T/e2"
  assert_output "svlog: warning: no longer copying lines to stdout: its reader is gone"
}

@test "svlog: full disk and SIGTERM: exits 111 after SVLOG_TERM_TIMEOUT saying how much was not written" {
  small_disk
  head -c 62000 /dev/zero > "$SMALL/filler"
  export SVLOG_TERM_TIMEOUT=300
  start_fifo "$SMALL/d"
  seq 1 2000 >&7
  wait_for 5 grep -q 'No space left on device' "$T/err"
  t0=$(date +%s%N)
  kill -TERM $SVPID
  rc=0 ; wait $SVPID || rc=$?
  t1=$(date +%s%N)
  assert_equal "$rc" 111
  [ $(( (t1 - t0) / 1000000 )) -lt 3000 ]
  size=$(stat -c %s "$SMALL/d/current")
  # what svlog never read is still in the pipe: drain it
  exec 8< "$T/in"
  exec 7>&-
  left=$(cat <&8 | wc -c)
  exec 8<&-
  want=$(( $(seq 1 2000 | wc -c) - size - left ))
  [ "$want" -gt 0 ]
  run cat "$T/err"
  assert_line -n 0 "svlog: warning: unable to write to $SMALL/d/current, keeping the data and retrying every 50 ms: No space left on device"
  n=$(sed -n "s|^svlog: fatal: unable to write \([0-9]*\) bytes to $SMALL/d/current within 300 ms of SIGTERM: No space left on device\$|\1|p" "$T/err")
  # what it read and did not write; +1 when it cut an unfinished last line and added its newline
  [ "$n" = "$want" ] || [ "$n" = $((want + 1)) ]
  exec 7>&-
}

# stall_writer: 300 KB into fd 7 in the background (more than the pipe's 64 KiB and svlog's
# buffers hold), then wait until that writer blocks: svlog has stopped reading, its output is full
stall_writer () {
  seq 1 50000 >&7 &
  WPID=$!
  track_pid $WPID
  wait_for 5 grep -q pipe_write /proc/$WPID/wchan
  # and svlog stalled too, on its output (not merely slower than the writer, as under valgrind):
  # its CPU time stands still
  wait_for 5 cpu_still $SVPID
}
cpu_still () { local c ; c=$(cpu_ticks "$1") ; sleep 0.3 ; [ "$(cpu_ticks "$1")" = "$c" ] ; }

@test "svlog: a stdout reader that never reads cannot hang SIGTERM: 111 after the bound" {
  export SVLOG_TERM_TIMEOUT=300
  mkfifo "$T/in" "$T/out"
  # a reader that opens the pipe and never reads it
  sleep 1000 < "$T/out" &
  RPID=$!
  track_pid $RPID
  svlog 1 < "$T/in" > "$T/out" 2> "$T/err" &
  SVPID=$!
  track_pid $SVPID
  exec 7> "$T/in"
  wait_for 5 trapped $SVPID
  stall_writer
  kill -TERM $SVPID
  rc=0 ; wait $SVPID || rc=$?
  assert_equal "$rc" 111
  run cat "$T/err"
  assert_output --regexp '^svlog: fatal: unable to write [0-9]+ bytes within 300 ms of SIGTERM$'
  exec 7>&-
}

@test "svlog: e into a stderr nobody reads cannot hang SIGTERM either" {
  export SVLOG_TERM_TIMEOUT=300
  mkfifo "$T/in" "$T/errpipe"
  sleep 1000 < "$T/errpipe" &
  track_pid $!
  svlog e ./d < "$T/in" 2> "$T/errpipe" &
  SVPID=$!
  track_pid $SVPID
  exec 7> "$T/in"
  wait_for 5 trapped $SVPID
  stall_writer
  t0=$(date +%s%N)
  kill -TERM $SVPID
  rc=0 ; wait $SVPID || rc=$?
  t1=$(date +%s%N)
  assert_equal "$rc" 111
  [ $(( (t1 - t0) / 1000000 )) -lt "$(scaled 3000)" ]
  # the directory got the lines in order; the last one may be cut where the read ended
  n=$(wc -l < d/current)
  head -n $((n - 1)) d/current | cmp - <(seq 1 $((n - 1)))
  case $n in "$(tail -n 1 d/current)"*) ;; *) false ;; esac
  exec 7>&-
}
