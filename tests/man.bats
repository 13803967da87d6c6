#!/usr/bin/env bats
# The man pages: one per program, lint-clean for mandoc, every option each program accepts on
# its page, the version of package/info on the .TH line; make install / uninstall.

load helpers/common
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { tend_teardown ; }

progs () { for d in "$_tend_root"/cmd/*/ ; do basename "$d" ; done ; }

# the option letters a program's --help lists ("  -X" then a blank or the end of the line)
helpletters () { "$1" --help | sed -n 's/^  -\([A-Za-z0-9]\)\( .*\)\{0,1\}$/\1/p' | sort -u | tr -d '\n' ; }

# the text of section $2 of page $1 (roff source), up to the next .SH
section () { awk -v s=".SH $2" '$0 == s { on = 1 ; next } /^\.SH / { on = 0 } on' "$1" ; }

@test "man: every program has a page, and every page a program" {
  for p in $(progs) ; do
    assert [ -f "$_tend_root/doc/$p.8" ]
  done
  for f in "$_tend_root"/doc/*.8 ; do
    assert [ -d "$_tend_root/cmd/$(basename "$f" .8)" ]
  done
}

@test "man: every page passes mandoc -T lint -W warning" {
  command -v mandoc >/dev/null || fail "mandoc is missing: apt-get install mandoc (sh package/deps test)"
  for f in "$_tend_root"/doc/*.8 ; do
    run mandoc -T lint -W warning "$f"
    assert_success
    assert_output ""
  done
}

@test "man: every page renders with man -l at 60, 80 and 100 columns without a warning" {
  command -v man >/dev/null || fail "man is missing: apt-get install man-db (sh package/deps test)"
  # what a reader of a fresh clone runs: groff, through man-db, says what mandoc's lint does not
  # (a table wider than the terminal, a line it cannot adjust)
  for f in "$_tend_root"/doc/*.8 ; do
    for w in 60 80 100 ; do
      MANWIDTH=$w MANPAGER=cat PAGER=cat man -l "$f" > "$T/out" 2> "$T/err"
      run cat "$T/err"
      assert_output ""
      [ -s "$T/out" ]
    done
  done
}

@test "man: mandoc's lint finds a warning (the check can fail)" {
  command -v mandoc >/dev/null || fail "mandoc is missing: apt-get install mandoc (sh package/deps test)"
  printf '.TH X 8 "2026" "tend" "tend manual"\n.SH NAME\nx \\- y\n' > "$T/x.8"
  run mandoc -T lint -W warning "$T/x.8"
  assert_failure
  assert_output --partial "WARNING"
}

@test "man: every option letter of each program's --help is in its page's OPTIONS and SYNOPSIS" {
  for p in $(progs) ; do
    page=$_tend_root/doc/$p.8
    letters=$(helpletters "$p")
    section "$page" OPTIONS > "$T/options"
    for ((i = 0 ; i < ${#letters} ; i++)) ; do
      l=${letters:i:1}
      grep -qE "\\\\-$l([^A-Za-z0-9]|\$)" "$T/options" || fail "$p: option -$l is not in doc/$p.8's OPTIONS"
    done
    grep -qF '.B \-\-help' "$T/options" || fail "$p: --help is not in doc/$p.8's OPTIONS"
    grep -qF '.B \-\-version' "$T/options" || fail "$p: --version is not in doc/$p.8's OPTIONS"
    # and the synopsis shows exactly these letters: \-abc groups, never \-\-long
    syn=$(section "$page" SYNOPSIS | grep -oE '(^|[^-])\\-[A-Za-z0-9]+' | sed 's/.*\\-//' | fold -w1 | sort -u | tr -d '\n')
    assert_equal "$p: $syn" "$p: $letters"
  done
}

@test "man: the option check sees a letter missing from a page" {
  # the extraction above, on a page and a --help that disagree
  printf '#!/bin/sh\nprintf "usage: fake [ -a ]\\n  -a  all\\n  -b  both\\n"\n' > "$T/fake" ; chmod +x "$T/fake"
  printf '.SH OPTIONS\n.TP\n.B \\-a\nall\n.SH EXIT STATUS\n' > "$T/fake.8"
  assert_equal "$(helpletters "$T/fake")" "ab"
  section "$T/fake.8" OPTIONS > "$T/options"
  run grep -qE '\\-a([^A-Za-z0-9]|$)' "$T/options"
  assert_success
  run grep -qE '\\-b([^A-Za-z0-9]|$)' "$T/options"
  assert_failure
}

@test "man: each .TH line names the program and the version of package/info" {
  v=$(sed -n 's/^version=//p' "$_tend_root/package/info")
  [ -n "$v" ]
  for f in "$_tend_root"/doc/*.8 ; do
    p=$(basename "$f" .8)
    up=$(printf '%s' "$p" | tr '[:lower:]' '[:upper:]')
    # fix after a version change: sed -i 's/"tend [^"]*"/"tend NEW"/' doc/*.8
    run head -n 1 "$f"
    assert_output --regexp "^\.TH $up 8 \"[0-9]{4}-[0-9]{2}-[0-9]{2}\" \"tend $v\" \"tend manual\"$"
  done
}

@test "man: make install puts every program and page; make uninstall removes exactly those" {
  dest=$T/dest
  mkdir -p "$dest/usr/local/bin"
  echo keep > "$dest/usr/local/bin/other"
  run make -s -C "$_tend_root" install DESTDIR="$dest"
  assert_success
  for p in $(progs) ; do
    assert [ -x "$dest/usr/local/bin/$p" ]
    assert [ -f "$dest/usr/local/share/man/man8/$p.8" ]
  done
  # the installed svscan runs the installed supervise, by its path
  run grep -c "/usr/local/bin/supervise" "$dest/usr/local/bin/svscan"
  assert_success
  run make -s -C "$_tend_root" uninstall DESTDIR="$dest"
  assert_success
  run find "$dest" -type f
  assert_output "$dest/usr/local/bin/other"
}

@test "man: every svlog directive of svlog --help has its entry in svlog(8)'s OPTIONS" {
  svlog --help > "$T/help"
  section "$_tend_root/doc/svlog.8" OPTIONS | sed 's/\\-/-/g' > "$T/options"
  python3 - "$T/help" "$T/options" <<'EOF_PY'
import re, sys
help = open(sys.argv[1]).read().split("script directives")[1].splitlines()[1:]
opts = open(sys.argv[2]).read().splitlines()
# an entry is the tag line after .TP, not a mention in another entry's text
tags = [opts[i + 1] for i in range(len(opts) - 1) if opts[i] == ".TP"]
n = 0
for line in help:
    m = re.match(r"  (\S+)\s", line)
    if not m or m.group(1).startswith("--"): continue
    # the literal part: what comes before the placeholder in capitals (sSIZE -> s, ./DIR -> ./)
    lit = re.match(r"(.[^A-Z]*)", m.group(1)).group(1)
    entry = re.compile(r"^\.(B|BI|IB) " + re.escape(lit) + r"( |$|[a-z])")
    assert any(entry.match(t) for t in tags), "svlog(8) has no entry for the directive %r" % m.group(1)
    n += 1
assert n >= 17, n
EOF_PY
}
