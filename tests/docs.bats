#!/usr/bin/env bats
# The README and the concept pages (doc/*.md) against the tree: what they name exists, and their
# shell examples run.

load helpers/common
bats_require_minimum_version 1.5.0

setup () { tend_setup ; }
teardown () { tend_teardown ; }

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
