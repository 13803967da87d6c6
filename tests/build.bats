#!/usr/bin/env bats
# The build's bad input: configure's libc choice for static builds, and the musl skalibs recipe
# (package/skalibs-musl) on a source tree that does not build. Hermetic: fake trees in $T.

load helpers/common

setup () { tend_setup ; }
teardown () { tend_teardown ; }

# a skalibs-looking tree whose configure runs CONFIGURE-BODY and whose make runs MAKE-BODY
fake_skalibs () {
  mkdir -p "$T/src"
  printf '#!/bin/sh\n%s\n' "$1" > "$T/src/configure"
  chmod 755 "$T/src/configure"
  printf 'all:\n\t%s\ninstall:\n\t@echo installed\n' "$2" > "$T/src/Makefile"
}

@test "configure --enable-static without musl-gcc says so and links glibc statically" {
  cd "$_tend_root"
  MUSL_GCC=$T/no-such-musl-gcc run ./configure --enable-static --output="$T/config.mak"
  assert_success
  assert_output --partial "no-such-musl-gcc not found (Debian package musl-tools): the static build links glibc"
  assert_output --partial "configure: static build with glibc"
  run grep -x 'LIBC := glibc' "$T/config.mak"
  assert_success
  run grep -e '-static' "$T/config.mak"
  assert_success
}

@test "configure --with-libc=musl without musl-gcc fails, naming the package" {
  cd "$_tend_root"
  MUSL_GCC=$T/no-such-musl-gcc run ./configure --enable-static --with-libc=musl --output="$T/config.mak"
  assert_failure 100
  assert_output --partial "configure: fatal: --with-libc=musl: $T/no-such-musl-gcc not found: install the Debian package musl-tools"
  [ ! -e "$T/config.mak" ]
}

@test "configure --with-libc=glibc keeps glibc even when musl-gcc is here" {
  mkdir -p "$T/bin"
  printf '#!/bin/sh\necho fake musl-gcc >&2 ; exit 1\n' > "$T/bin/musl-gcc"
  chmod 755 "$T/bin/musl-gcc"
  cd "$_tend_root"
  MUSL_GCC=$T/bin/musl-gcc run ./configure --enable-static --with-libc=glibc --output="$T/config.mak"
  assert_success
  assert_output --partial "configure: static build with glibc"
  refute_output --partial "fake musl-gcc"
}

@test "configure --with-libc: an unknown libc is refused" {
  cd "$_tend_root"
  run ./configure --enable-static --with-libc=bionic --output="$T/config.mak"
  assert_failure 100
  assert_output --partial "--with-libc=bionic: expected musl, glibc or auto"
}

@test "configure picks musl when musl-gcc is here, and asks for make skalibs-musl when its skalibs is missing" {
  command -v musl-gcc >/dev/null || skip "musl-gcc not installed (sh package/deps static)"
  cd "$_tend_root"
  run ./configure --enable-static --with-musl-skalibs="$T/none" --output="$T/config.mak"
  assert_failure 100
  assert_output --partial "configure: fatal: no skalibs built with musl in $T/none: run make skalibs-musl"
}

@test "configure with musl: says so and records LIBC := musl" {
  command -v musl-gcc >/dev/null || skip "musl-gcc not installed (sh package/deps static)"
  [ -f "$_tend_root/build/skalibs-musl/lib/libskarnet.a" ] || skip "no build/skalibs-musl (make skalibs-musl)"
  cd "$_tend_root"
  run ./configure --enable-static --output="$T/config.mak"
  assert_success
  assert_output --partial "configure: static build with musl (musl-gcc, skalibs from build/skalibs-musl/lib)"
  run grep -x 'LIBC := musl' "$T/config.mak"
  assert_success
}

@test "skalibs-musl: a source tree that does not build stops the recipe with the reason" {
  fake_skalibs 'exit 0' '@echo "broken.c:1:1: error: this tree does not build" >&2 ; exit 1'
  SKALIBS_SRC=$T/src MUSL_GCC=true run sh "$_tend_root/package/skalibs-musl" "$T/out"
  assert_failure 111
  assert_output --partial "broken.c:1:1: error: this tree does not build"
  assert_output --partial "package/skalibs-musl: fatal: unable to build skalibs from $T/src: make failed with exit code 2"
  [ ! -e "$T/out/lib/libskarnet.a" ]
  # the user's tree is built in a copy, never in place
  [ ! -e "$T/src/build.log" ]
}

@test "skalibs-musl: a failing configure stops the recipe with the reason" {
  fake_skalibs 'echo "configure: fatal: unable to find a C compiler" >&2 ; exit 1' '@true'
  SKALIBS_SRC=$T/src MUSL_GCC=true run sh "$_tend_root/package/skalibs-musl" "$T/out"
  assert_failure 111
  assert_output --partial "configure: fatal: unable to find a C compiler"
  assert_output --partial "unable to build skalibs from $T/src: configure failed with exit code 1"
}

@test "skalibs-musl: a build that installs no library is not taken for a success" {
  fake_skalibs 'exit 0' '@true'
  SKALIBS_SRC=$T/src MUSL_GCC=true run sh "$_tend_root/package/skalibs-musl" "$T/out"
  assert_failure 111
  assert_output --partial "make install left no $T/out/stage/lib/libskarnet.a"
  [ ! -e "$T/out/lib/libskarnet.a" ]
}

@test "skalibs-musl: a directory that is no skalibs tree is refused" {
  mkdir -p "$T/empty"
  SKALIBS_SRC=$T/empty MUSL_GCC=true run sh "$_tend_root/package/skalibs-musl" "$T/out"
  assert_failure 100
  assert_output --partial "SKALIBS_SRC=$T/empty is not a skalibs source tree: it has no configure"
}

@test "skalibs-musl: without musl-gcc it names the package to install" {
  SKALIBS_SRC=$T/src MUSL_GCC=$T/no-such-musl-gcc run sh "$_tend_root/package/skalibs-musl" "$T/out"
  assert_failure 100
  assert_output --partial "unable to find $T/no-such-musl-gcc: install the Debian package musl-tools"
}

# make, without the outer make's flags (a `make check` runs this file)
tmake () { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$_tend_root" "$@" ; }

@test "dist-static: two builds from the same commit give the same tarball bytes, laid out for /usr" {
  run tmake dist-static BUILD="$T/a"
  assert_success
  run tmake dist-static BUILD="$T/b"
  assert_success
  local name version arch a b
  name=$(sed -n 's/^name=//p' "$_tend_root/package/info")
  version=$(sed -n 's/^version=//p' "$_tend_root/package/info")
  a=$(ls "$T"/a/"$name-$version"-*-static.tar.gz)
  b=$(ls "$T"/b/"$name-$version"-*-static.tar.gz)
  assert_output --partial "dist-static: wrote $b"
  run cmp "$a" "$b"
  assert_success
  # gzip -n: no name, no time in the gzip header (bytes 4-7 are the mtime)
  run sh -c "od -An -tu4 -j4 -N4 '$a' | tr -d ' '"
  assert_output 0
  mkdir "$T/x"
  tar -C "$T/x" -xzf "$a"
  run sh -c "cd '$T/x' && sha256sum -c --quiet SHA256SUMS"
  assert_success
  local p
  for p in "$_tend_root"/cmd/*/ ; do
    p=$(basename "$p")
    [ -x "$T/x/usr/bin/$p" ] || fail "usr/bin/$p missing from $a"
  done
  for p in "$_tend_root"/doc/*.8 ; do
    [ -f "$T/x/usr/share/man/man8/$(basename "$p")" ] || fail "man page $(basename "$p") missing from $a"
  done
  # the shipped svscan runs the shipped supervise, wherever the build ran
  run grep -c -a -F /usr/bin/supervise "$T/x/usr/bin/svscan"
  assert_success
  run grep -l -a -F "$T" -r "$T/x/usr/bin"
  assert_failure
  # owner 0, one fixed mtime (the commit's), sorted names
  run sh -c "tar -tvzf '$a' --numeric-owner | awk '{ print \$2 }' | sort -u"
  assert_output 0/0
  run sh -c "tar -tvzf '$a' --full-time | awk '{ print \$4, \$5 }' | sort -u | wc -l"
  assert_output 1
  run sh -c "tar -tzf '$a' | LC_ALL=C sort -c"
  assert_success
}

@test "make image without podman or docker says so (package/image exits 100)" {
  TEND_CONTAINER_TOOLS=no-such-tool run sh "$_tend_root/package/image" --check
  assert_failure 100
  assert_output --partial "package/image: fatal: no container tool: install podman or docker (tried: no-such-tool)"
  TEND_CONTAINER_TOOLS=no-such-tool run tmake image
  assert_failure
  assert_output --partial "no container tool: install podman or docker"
  assert_output --partial "Error 100"
}

@test "skalibs-musl: the deb-src line uses the system's own Debian mirror, from either sources format" {
  mkdir -p "$T/etc/sources.list.d"
  # deb822: a third-party repository first (alphabetically), a disabled entry, then Debian's
  cat > "$T/etc/sources.list.d/a-vendor.sources" <<'S'
Types: deb
URIs: https://vendor.example/apt
Suites: nodistro
Components: main
S
  cat > "$T/etc/sources.list.d/debian.sources" <<'S'
Types: deb
URIs: http://old.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
# a comment line
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
S
  SKALIBS_APT_ETC=$T/etc run sh "$_tend_root/package/skalibs-musl" --print-sources
  assert_success
  assert_output --regexp "^deb-src (\[signed-by=[^]]*\] )?http://mirror.example/debian bookworm main$"
  # the one-line form comes first, security and third-party suites skipped
  printf '%s\n' '# deb http://commented.example/debian bookworm main' \
    'deb http://security.example/debian-security bookworm-security main' \
    'deb [arch=amd64] http://oneline.example/debian bookworm main non-free' > "$T/etc/sources.list"
  SKALIBS_APT_ETC=$T/etc run sh "$_tend_root/package/skalibs-musl" --print-sources
  assert_success
  assert_output --regexp "^deb-src (\[signed-by=[^]]*\] )?http://oneline.example/debian bookworm main$"
  SKALIBS_APT_ETC=$T/etc SKALIBS_MIRROR=http://chosen.example/debian run sh "$_tend_root/package/skalibs-musl" --print-sources
  assert_output --regexp "http://chosen.example/debian bookworm main$"
}

@test "skalibs-musl: no Debian mirror in the system's sources is a clear error" {
  mkdir -p "$T/etc/sources.list.d"
  printf 'deb https://vendor.example/apt cloud-sdk-bookworm main\n' > "$T/etc/sources.list.d/vendor.list"
  SKALIBS_APT_ETC=$T/etc run sh "$_tend_root/package/skalibs-musl" --print-sources
  assert_failure 100
  assert_output --partial "unable to find a Debian mirror in $T/etc/sources.list(.d): pass SKALIBS_MIRROR=URL or SKALIBS_SRC=DIR"
}

@test "skalibs-musl: skalibs' make does not inherit tend's make command line nor DESTDIR" {
  # make dist-static passes prefix=/usr down: skalibs' install must not see it
  fake_skalibs 'exit 0' '@true'
  printf '\t@echo "skalibs install: prefix=[$(prefix)] destdir=[$(DESTDIR)]" ; exit 1\n' >> "$T/src/Makefile"
  DESTDIR=/tend-leaked run tmake skalibs-musl SKALIBS_SRC="$T/src" SKALIBS_MUSL="$T/out" MUSL_GCC=true prefix=/tend-leaked
  assert_failure
  assert_output --partial "skalibs install: prefix=[] destdir=[]"
  assert_output --partial "make install failed"
}

@test "configure: CC=musl-gcc given by the user is taken for musl, with the musl skalibs" {
  command -v musl-gcc >/dev/null || skip "musl-gcc not installed (sh package/deps static)"
  [ -f "$_tend_root/build/skalibs-musl/lib/libskarnet.a" ] || skip "no build/skalibs-musl (make skalibs-musl)"
  cd "$_tend_root"
  CC=musl-gcc run ./configure --enable-static --with-libc=musl --output="$T/config.mak"
  assert_success
  assert_output --partial "configure: static build with musl (musl-gcc, skalibs from build/skalibs-musl/lib)"
}

@test "package/deps static asks for musl-tools and dpkg-dev (musl-gcc, and apt-get source's unpacking)" {
  mkdir -p "$T/bin"
  # nothing installed, and not root: it lists what it would install and stops
  printf '#!/bin/sh\nexit 1\n' > "$T/bin/dpkg-query"
  printf '#!/bin/sh\necho 1000\n' > "$T/bin/id"
  chmod 755 "$T/bin/dpkg-query" "$T/bin/id"
  PATH="$T/bin:$PATH" run sh "$_tend_root/package/deps" static
  assert_failure 100
  assert_output --regexp "missing Debian packages:.* musl-tools( |$)"
  assert_output --regexp "missing Debian packages:.* dpkg-dev( |$)"
  PATH="$T/bin:$PATH" run sh "$_tend_root/package/deps" build
  assert_failure 100
  refute_output --partial musl-tools
}
