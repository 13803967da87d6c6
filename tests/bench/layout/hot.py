#!/usr/bin/env python3
# hot.py MAPFILE TRACE...: which input sections (archive member + section) a trace touched.
# TRACE: valgrind --tool=lackey --trace-mem=yes logs, or step.c output ("I ADDR,SIZE" lines).
import sys, re, bisect, collections
mapf = sys.argv[1]
lines = open(mapf).read().split("\n")
i = lines.index("Linker script and memory map")
secs = []  # (addr, size, secname, file, outsec)
out = None
pending = None
rx = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$")
rx2 = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
rxo = re.compile(r"^(\.\S+)")
for l in lines[i:]:
    m = rxo.match(l)
    if m: out = m.group(1); pending = None; continue
    m = rx.match(l)
    if m:
        secs.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1), m.group(4).strip(), out)); pending = None; continue
    m = re.match(r"^ (\.\S+)$", l)
    if m: pending = m.group(1); continue
    if pending:
        m = rx2.match(l)
        if m and not m.group(3).startswith(("0x",)) and "(" in m.group(3) or (m and "/" in m.group(3)):
            secs.append((int(m.group(1), 16), int(m.group(2), 16), pending, m.group(3).strip(), out))
        pending = None
secs = [s for s in secs if s[1] > 0 and s[0] > 0]
secs.sort()
addrs = [s[0] for s in secs]
hit = collections.Counter()
for log in sys.argv[2:]:
    for line in open(log):
        if line.startswith("=="): continue
        p = line.split()
        if len(p) < 2: continue
        a = int(p[1].split(",")[0], 16)
        if a >= 0x800000: continue
        j = bisect.bisect_right(addrs, a) - 1
        if j >= 0 and a < secs[j][0] + secs[j][1]:
            hit[secs[j]] += 1
for s in sorted(hit):
    f = re.sub(r"^.*/", "", s[3])
    print("%-10s %x %6d %-40s %s" % (s[4], s[0], s[1], s[2], f))
