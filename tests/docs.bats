#!/usr/bin/env bats
# The README and the concept pages (doc/*.md) against the tree: what they name exists, and their
# shell examples run.

load helpers/common
load helpers/user
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { other_user_teardown ; tend_teardown ; }

@test "docs: every test the README's comparison table names exists, in the file it names" {
  # rows look like: | feature — `tests/FILE.bats` "TEST NAME" | ...
  grep -oE '`tests/[^`]+\.bats` "[^"]+"' "$_tend_root/README" > "$T/refs"
  n=0
  while IFS= read -r ref ; do
    f=${ref#\`} ; f=${f%%\`*}
    name=${ref#*\"} ; name=${name%\"}
    assert [ -f "$_tend_root/$f" ]
    grep -qF "@test \"$name\"" "$_tend_root/$f" || fail "README names a test that $f does not have: \"$name\""
    n=$((n + 1))
  done < "$T/refs"
  # the table has a row per feature: the extraction found them
  [ "$n" -ge 9 ]
}

# the rows of the README's comparison table: the lines of "| ... |" under "## How it compares",
# less the heading row and the rule
table_rows () {
  awk '/^## How it compares$/ { on = 1 ; next } on && /^## / { exit } on && /^\|/' "$_tend_root/README" | sed '1,2d'
}

@test "docs: every row of the README's comparison table names a test" {
  table_rows > "$T/rows"
  run wc -l < "$T/rows"
  [ "$output" -ge 9 ]
  while IFS= read -r row ; do
    # its first cell: the feature, then the file and the test's name
    cell=$(printf '%s\n' "$row" | cut -d'|' -f2)
    printf '%s\n' "$cell" | grep -qE '`tests/[^`]+\.bats` "[^"]+"' || fail "README table row names no test: $cell"
  done < "$T/rows"
}

@test "docs: the README links doc/benchmarks.md and shows its chart" {
  grep -qF '](doc/benchmarks.md)' "$_tend_root/README"
  # the chart as an image, linking to the page
  grep -qE '^\[!\[[^]]*\]\(doc/benchmarks\.svg\)\]\(doc/benchmarks\.md\)$' "$_tend_root/README"
  assert [ -s "$_tend_root/doc/benchmarks.svg" ]
  run head -c 200 "$_tend_root/doc/benchmarks.svg"
  assert_output --partial "<svg"
}

@test "docs: the README's recipe names the image and tarball of package/info's version, and the programs' count" {
  v=$(sed -n 's/^version=//p' "$_tend_root/package/info")
  [ -n "$v" ]
  grep -oE 'tend[:-][0-9]+\.[0-9]+\.[0-9]+' "$_tend_root/README" | sort -u > "$T/named"
  [ -s "$T/named" ]
  while IFS= read -r t ; do
    assert_equal "$t" "${t:0:5}$v"
  done < "$T/named"
  n=$(ls -d "$_tend_root"/cmd/*/ | wc -l)
  run grep -oE '[0-9]+ programs' "$_tend_root/README"
  assert_output "$n programs"
}

@test "docs: the README links only to files that exist" {
  grep -oE '\]\([^)#]+' "$_tend_root/README" | sed 's/^](//' | grep -v '^https\?:' > "$T/links"
  [ -s "$T/links" ]
  while IFS= read -r l ; do
    assert [ -e "$_tend_root/$l" ]
  done < "$T/links"
}

@test "docs: the README names a man page for every program" {
  for d in "$_tend_root"/cmd/*/ ; do
    p=$(basename "$d")
    grep -qF "[$p(8)](doc/$p.8)" "$_tend_root/README" || fail "README: no [$p(8)](doc/$p.8) link"
  done
}

# the README's section on the container tests: from its heading to the next heading
container_section () { awk '/^### Making the container tests run$/ { on = 1 ; next } on && /^#/ { exit } on' "$_tend_root/README" ; }

@test "docs: the README's container-test section names each file of tests/container/, and no other" {
  container_section > "$T/section"
  [ -s "$T/section" ]
  n=0
  for f in "$_tend_root"/tests/container/*.bats ; do
    grep -qF "\`tests/container/$(basename "$f")\`" "$T/section" || fail "README's container section does not name tests/container/$(basename "$f")"
    n=$((n + 1))
  done
  [ "$n" -ge 2 ]
  # and names no file that is not there
  grep -oE 'tests/container/[a-z0-9-]+\.bats' "$T/section" | sort -u > "$T/named"
  while IFS= read -r f ; do
    assert [ -f "$_tend_root/$f" ]
  done < "$T/named"
}

@test "docs: skipped, each container test says why and points to the README section that makes them run" {
  grep -qxF '### Making the container tests run' "$_tend_root/README"
  # every reason goes through ctr_skip, which adds the pointer
  run grep -n 'CTR_SKIP="' "$_tend_root"/tests/container/*.bats
  assert_output ""
  # run as a user who is not root, as a new user's make check would be: every test skips
  other_user_setup
  mkdir "$T/home"
  chown "$UID_U" "$T/home"
  for f in "$_tend_root"/tests/container/*.bats ; do
    n=$(grep -c '^@test ' "$f")
    as_user env HOME="$T/home" TMPDIR="$T/home" bats "$f" > "$T/out" 2>&1 || true
    run grep -c ' # skip container tests need root (podman with runc as root) (see README, "Making the container tests run")$' "$T/out"
    assert_output "$n"
    run grep -c '^ok ' "$T/out"
    assert_output "$n"
  done
}

# ---- the concept pages' examples: each block after a marker line
#   <!-- example: NAME (run by tests/docs.bats) -->
# runs in a test named "docs example NAME: ...", with the absolute paths it names moved into the
# test's directory (/etc/service is $SVDIR; /run and /srv are under $T).

PAGES="containers.md servicedir.md status.md compat.md"

# example PAGE NAME: the block after NAME's marker, paths moved
example () {
  awk -v m="<!-- example: $2 " '
    index($0, m) == 1 { found = 1 ; next }
    found == 1 && /^```/ { found = 2 ; next }
    found == 2 && /^```/ { exit }
    found == 2 { print }
  ' "$_tend_root/doc/$1" | sed -e "s|/etc/service|$SVDIR|g" -e "s|/run/|$T/run/|g" -e "s|/srv/|$T/srv/|g"
}

@test "docs: every shell block of the concept pages is marked, and every marked example has a test" {
  for page in $PAGES ; do
    # a ```sh block whose previous line is not a marker
    run awk '/^```sh/ && prev !~ /^<!-- example: / { print FILENAME ":" FNR } { prev = $0 }' "$_tend_root/doc/$page"
    assert_output ""
  done
  names=$(cd "$_tend_root/doc" && sed -n 's/^<!-- example: \([^ ]*\) .*/\1/p' $PAGES)
  [ -n "$names" ]
  for n in $names ; do
    grep -qF "@test \"docs example $n:" "$BATS_TEST_FILENAME" || fail "no test for the example $n"
  done
}

@test "docs example servicedir-minimal: the service runs nginx in the foreground" {
  mkdir -p "$T/bin"
  printf '#!/bin/sh\nprintf "%%s|" "$@" > "%s/nginx.args"\nexec sleep 1000\n' "$T" > "$T/bin/nginx"
  chmod +x "$T/bin/nginx"
  example servicedir.md servicedir-minimal > "$T/example.sh"
  run sh -e "$T/example.sh"
  assert_success
  PATH=$T/bin:$PATH start_supervise "$SVDIR/web"
  wait_for 5 test -s "$T/nginx.args"
  run cat "$T/nginx.args"
  assert_output "-g|daemon off;|"
  run svstat web
  assert_output --regexp '^web: up \(pid [0-9]+\) [0-9]+ seconds$'
}

@test "docs example containers-critical: the first critical service to stop for good gives its exit code" {
  make_service app 'exit 3' >/dev/null
  make_service job 'exit 7' >/dev/null
  # the backoff only makes the test slow: the page's point is the count
  echo '10 20' > "$SVDIR/app/restart-delay"
  example containers.md containers-critical > "$T/example.sh"
  run sh -e "$T/example.sh"
  assert_success
  # job stops for good at its first death (finish exits 125)
  svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  p=$! ; track_pid "$p"
  wait_for 20 dead "$p"
  RC=0 ; wait "$p" || RC=$?
  assert_equal "$RC" 7
  # app: more than 3 deaths within 60 s
  rm -rf "$SVDIR/job"
  svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  p=$! ; track_pid "$p"
  # seen once not to exit under load and not reproduced since: say what the tree looked like
  wait_for 20 dead "$p" || { cat "$T/svscan.err" ; svstat -l "$SVDIR/app" ; cat "$SVDIR/app/supervise/stat" ; false ; }
  RC=0 ; wait "$p" || RC=$?
  assert_equal "$RC" 3
  run grep -c 'critical service app stopped for good (exit code 3): stopping the tree' "$T/svscan.err"
  assert_output 1
}

@test "docs example containers-reload: reloads of a critical web server with max-restarts never stop the tree" {
  make_service web 'exec sleep 1000' >/dev/null
  example containers.md containers-reload > "$T/example.sh"
  grep -v '^svc ' "$T/example.sh" > "$T/setup.sh"
  run sh -e "$T/setup.sh"
  assert_success
  hook=$(grep '^svc ' "$T/example.sh")
  assert [ -n "$hook" ]
  svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  p=$! ; track_pid "$p"
  wait_for 5 has_pid "$SVDIR/web"
  # five reloads within a minute, more than max-restarts' 3
  for i in 1 2 3 4 5 ; do
    old=$(svpid "$SVDIR/web")
    sh -e -c "$hook"
    wait_for 5 runs_prog "$SVDIR/web" sleep "$old"
  done
  run kill -0 "$p"
  assert_success
}

@test "docs example containers-reload-finish: a reload comes back, a crash ends the tree with the service's code" {
  make_service web 'exec sleep 1000' >/dev/null
  example containers.md containers-reload-finish > "$T/example.sh"
  run sh -e "$T/example.sh"
  assert_success
  svscan -t 0 "$SVDIR" 2>>"$T/svscan.err" &
  p=$! ; track_pid "$p"
  wait_for 5 has_pid "$SVDIR/web"
  for i in 1 2 ; do
    old=$(svpid "$SVDIR/web")
    svc -r "$SVDIR/web"
    wait_for 5 runs_prog "$SVDIR/web" sleep "$old"
  done
  run kill -0 "$p"
  assert_success
  # a crash: finish exits 125, the tree stops with web's code (128 + 9)
  kill -KILL "$(svpid "$SVDIR/web")"
  wait_for 10 dead "$p"
  RC=0 ; wait "$p" || RC=$?
  assert_equal "$RC" 137
}

@test "docs example containers-svlog: lines reach svscan's stdout stamped and tagged" {
  make_service web 'echo "listening on :8080" ; exec sleep 1000' >/dev/null
  example containers.md containers-svlog > "$T/example.sh"
  run sh -e "$T/example.sh"
  assert_success
  svscan -t 0 "$SVDIR" > "$T/out" 2>>"$T/svscan.err" &
  track_pid $!
  wait_for 10 grep -q 'web: listening' "$T/out"
  run cat "$T/out"
  assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z web: listening on :8080$'
}

@test "docs example containers-readonly: the services run from the copy, svstat -c is healthy there" {
  make_service web >/dev/null
  mkdir -p "$T/run"
  example containers.md containers-readonly > "$T/Dockerfile"
  svdir=$(sed -n 's/^ENV SVDIR=//p' "$T/Dockerfile")
  assert_equal "$svdir" "$T/run/service"
  # the ENTRYPOINT's argv, as the runtime would exec it
  python3 -c 'import json, sys
for l in open(sys.argv[1]):
    if l.startswith("ENTRYPOINT "):
        print("\0".join(json.loads(l[len("ENTRYPOINT "):])), end="")' "$T/Dockerfile" > "$T/argv"
  mapfile -d '' argv < "$T/argv"
  assert_equal "${argv[0]}" /bin/sh
  "${argv[@]}" 2>>"$T/svscan.err" &
  track_pid $!
  SVDIR=$svdir wait_for 10 svstat -c
  run test -d "$svdir/web/supervise"
  assert_success
  # the original is left as it was: nothing writes there
  run test -e "$SVDIR/web/supervise"
  assert_failure
}

@test "docs example containers-supervisord-run: the run script changes directory and user, keeps stderr" {
  [ "$(id -u)" = 0 ] || skip "setuidgid needs root"
  printf 'app:x:4321:4321::/nonexistent:/bin/false\n' > "$T/passwd"
  printf 'app:x:4321:\n' > "$T/group"
  export TEND_PASSWD=$T/passwd TEND_GROUP=$T/group
  mkdir -p "$T/bin" "$T/srv/app"
  chmod 755 "$T" "$T/srv" "$T/srv/app"
  printf '#!/bin/sh\necho "$(id -u) $PWD $*" > "%s/srv/app/ran"\necho oops >&2\nexec sleep 1000\n' "$T" > "$T/bin/gunicorn"
  chmod 755 "$T/bin" "$T/bin/gunicorn"
  chmod 777 "$T/srv/app"
  d=$SVDIR/web
  mkdir -p "$d"
  example containers.md containers-supervisord-run > "$d/run"
  chmod +x "$d/run"
  PATH=$T/bin:$PATH supervise "$d" > "$T/out" 2>&1 &
  track_pid $!
  wait_for 10 test -s "$T/srv/app/ran"
  run cat "$T/srv/app/ran"
  assert_output "4321 $T/srv/app app:app"
  # exec 2>&1: the program's stderr went where run's stdout goes
  wait_for 5 grep -q oops "$T/out"
}

@test "docs example containers-image: the recipe builds static programs and lays out the image" {
  # in a copy of the tree, so the recipe's make and its image/ do not touch this one
  src=$T/src
  mkdir -p "$src/tests"
  cp -a "$_tend_root/Makefile" "$_tend_root/configure" "$_tend_root/cmd" "$_tend_root/lib" \
    "$_tend_root/package" "$_tend_root/doc" "$src/"
  cp -a "$_tend_root/tests/helpers" "$src/tests/"
  example containers.md containers-image > "$T/example.sh"
  # glibc keeps the static build local (a musl build would fetch skalibs' source first)
  ( cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL LIBC=glibc BUILD=build/static sh -e "$T/example.sh" ) > "$T/make.log" 2>&1 || { cat "$T/make.log" ; false ; }
  for d in "$_tend_root"/cmd/*/ ; do
    assert [ -x "$src/image/bin/$(basename "$d")" ]
  done
  run file -b "$src/image/bin/svscan"
  assert_output --partial "statically linked"
  assert [ -x "$src/image/service/web/run" ]
  # copied away from where it was built for, svscan runs the supervise beside it
  "$src/image/bin/svscan" -t 0 "$src/image/service" 2>>"$T/svscan.err" &
  track_pid $!
  SVDIR=$src/image/service wait_for 10 svstat -c web
}

# ---- doc/status.md: its tables against lib/include/tend/status.h and lib/status

@test "docs: status.md's offsets, states and flags are status.h's" {
  python3 - "$_tend_root/doc/status.md" "$_tend_root/lib/include/tend/status.h" "$_tend_root/lib/status/status.c" <<'EOF_PY'
import re, sys
md, h, c = (open(f).read() for f in sys.argv[1:4])
def table(after):
    part = md[md.index(after):]
    rows = []
    for line in part.splitlines()[1:]:
        if line.startswith("| ---"): continue
        if not line.startswith("|"):
            if rows: break
            continue
        rows.append([x.strip() for x in line.strip("|").split("|")])
    return rows[1:]
# offsets: every TEND_STATUS_OFF_* in the header is a row with that offset
offs = {int(r[0]): int(r[1]) for r in table("## `supervise/status`")}
hoffs = {int(v) for v in re.findall(r"#define TEND_STATUS_OFF_\w+ (\d+)", h)}
assert hoffs <= set(offs), (sorted(hoffs), sorted(offs))
size = int(re.search(r"#define TEND_STATUS_SIZE (\d+)", h).group(1))
last = max(offs)
assert last + offs[last] == size, (last, offs[last], size)
assert ("%d bytes, written to" % size) in md
# states, in enum order, with lib/status's names
enum = re.search(r"TEND_STATE_DOWN = 0,(.*?)TEND_STATE_COUNT", h, re.S).group(1)
names = re.search(r'names\[TEND_STATE_COUNT\] =\s*\{([^}]*)\}', c).group(1)
names = re.findall(r'"(\w+)"', names)
states = table("### States")
assert [int(r[0]) for r in states] == list(range(len(names))), states
assert [r[1].strip("`") for r in states] == names, ([r[1] for r in states], names)
# flags: value and bit
flags = table("### Flags")
hflags = sorted(int(v, 16) for v in re.findall(r"#define TEND_STATUS_F_\w+ 0x([0-9a-fA-F]+)", h))
assert sorted(int(r[1], 16) for r in flags) == hflags, (flags, hflags)
for r in flags: assert int(r[1], 16) == 1 << int(r[0]), r
EOF_PY
}

@test "docs: make demo's script runs to the end, and shows svstat's listing" {
  TMPDIR=$T run timeout 60 sh "$_tend_root/doc/examples/demo.sh" "$TEND_BIN"
  assert_success
  assert_line --index 0 --partial "== starting "
  assert_line "\$ svstat"
  assert_line --regexp '^web: up \(pid [0-9]+\) [0-9]+ seconds$'
  assert_line "supervisor exited"
  assert_line "web: supervise not running"
  assert_line --index -1 "== done"
  # every step the demo shows worked: a failed one prints its exit code, programs warn
  refute_line --partial "(exit code "
  refute_line --partial ": warning: "
  refute_line --partial ": fatal: "
}

@test "docs: make demo's svinit part runs the example tree in a PID namespace: tagged lines, the hook, a stop (0), a crash (137)" {
  [ "$(id -u)" = 0 ] || skip "the svinit demo needs root"
  command -v unshare >/dev/null || skip "no unshare"
  TMPDIR=$T TEND_DEMO_RUNTIME=pidns run timeout 180 sh "$_tend_root/doc/examples/svinit/demo.sh" "$TEND_BIN"
  assert_success
  assert_line "init.d/10-config | writing the first httpd config"
  assert_line --regexp '^discovery \| registered web at '
  assert_line --regexp '^web: up \(pid [0-9]+\) [0-9]+ seconds$'
  assert_line --regexp '^web \| .*: response:200$'
  assert_line "confwatch | config changed: reloading web"
  assert_line "finish.d/10-bye | all services down"
  assert_line --regexp '^stopped in [0-9]+ ms, exit code 0$'
  assert_line "svscan: warning: critical service web stopped for good (exit code 137): stopping the tree"
  assert_line "the container exited with code 137 (128 + 9: web was killed by SIGKILL)"
  assert_line --index -1 "== done"
  # its temp dir is gone
  run ls "$T"
  refute_output --partial tend-svinit-demo
}
