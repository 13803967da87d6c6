#!/usr/bin/env python3
# tests/bench/mkdoc.py: doc/benchmarks.md and its chart, from one results dir of tests/bench/run.
# usage: mkdoc.py RESULTS_DIR OUT.md OUT.svg   (the prose is tests/bench/benchmarks.md.in)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    if len(sys.argv) != 4:
        print("mkdoc.py: usage: mkdoc.py RESULTS_DIR OUT.md OUT.svg", file=sys.stderr)
        return 100
    res, md, svg = sys.argv[1:]
    if not bench.plot(os.path.join(res, "ratios.dat"), os.path.abspath(svg)):
        return 111
    with open(os.path.join(res, "table.md")) as f:
        table = f.read()
    with open(os.path.join(bench.HERE, "benchmarks.md.in")) as f:
        tpl = f.read()
    rel = os.path.relpath(os.path.abspath(svg), os.path.dirname(os.path.abspath(md)))
    out = tpl.replace("@TABLE@", table.rstrip()).replace("@CHART@", rel)
    with open(md + ".new", "w") as f:
        f.write(out)
    os.rename(md + ".new", md)
    print("mkdoc.py: wrote %s and %s" % (md, svg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
