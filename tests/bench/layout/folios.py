#!/usr/bin/env python3
# folios.py PID [PATHSUBSTR]: present pages of each file mapping of PID (o order-0, H/t head/tail of a large folio, . absent)
import sys, struct
pid = int(sys.argv[1]); sub = sys.argv[2] if len(sys.argv) > 2 else ""
PAGE = 4096
kpf = open("/proc/kpageflags", "rb")
pm = open("/proc/%d/pagemap" % pid, "rb")
def flags(pfn):
    kpf.seek(pfn * 8); return struct.unpack("Q", kpf.read(8))[0]
for line in open("/proc/%d/maps" % pid):
    f = line.split()
    if len(f) < 6 or sub not in f[5]: continue
    a, b = [int(x, 16) for x in f[0].split("-")]
    off = int(f[2], 16)
    pm.seek(a // PAGE * 8); data = pm.read((b - a) // PAGE * 8)
    out = []
    for i in range((b - a) // PAGE):
        e = struct.unpack_from("Q", data, i * 8)[0]
        if not (e >> 63) & 1: out.append("."); continue
        pfn = e & ((1 << 55) - 1)
        fl = flags(pfn)
        head = (fl >> 15) & 1; tail = (fl >> 16) & 1
        out.append("H" if head else ("t" if tail else "o"))
    print("%s %s off=%x %d pages: %s" % (f[0], f[1], off, len(out), "".join(out)))
