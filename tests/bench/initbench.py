# tests/bench/initbench.py: svinit, the container entry point, against supervisord and
# tini + a shell script, as PID 1 of a PID namespace (issue 14's Performance figures).
#
# Used by bench.py (group "svinit"). Every run is one "container": a PID namespace made by
# `unshare --pid --fork --mount-proc` whose PID 1 is the init under test itself (svinit, which
# becomes svscan; supervisord -n; tini running a shell script), its stdout and stderr a file
# on the bench's tmpfs, or, for the throughput figure, a pipe read by a fast reader
# (benchsvc drain). No image with python is at hand for supervisord, so no podman: the stop
# is what `podman stop` does to PID 1, SIGTERM, timed until PID 1 has exited.
#
# Figures (keys of Bench.results):
#   S1     SIGTERM to PID 1 until PID 1 exits, 5 services that exit on TERM
#   S2     Pss of the tree, 10 services, every process but the 10 services summed
#   S2all  the same with the 10 services (the same program under every init)
#   S3     log throughput from one service to PID 1's stdout (MB/s of the service's bytes)
#   S4     start of PID 1 to all 10 services running (their own start stamps)

import os
import select
import signal
import subprocess
import time

SYSPATH = "/usr/sbin:/usr/bin:/sbin:/bin"
INITS = ["svinit", "supervisord", "tini"]
COLUMNS = ["svinit", "supervisord", "tini", "cat"]
LABEL = {"svinit": "svinit", "supervisord": "supervisord", "tini": "tini + sh script",
         "cat": "bare cat"}

# what users write when they put several services under tini: start them in the background,
# forward TERM and INT, wait for every one
TINI_SCRIPT = """#!/bin/sh
# start every service in the background, pass TERM/INT on to them, wait for them all
pids=
for d in %s/*/ ; do
  (cd "$d" && exec ./run) &
  pids="$pids $!"
done
trap 'kill -TERM $pids 2>/dev/null ; wait' TERM INT
wait
"""


def mono():
    return time.monotonic_ns()


def log(*a):
    import sys
    print(*a, file=sys.stderr, flush=True)


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    """pid and every descendant: the whole container when pid is its PID 1."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def pss(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def exe(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return ""


def supervisord_conf(base, dirs):
    """As people write it for a container: in the foreground, every program's output to the
    container's stdout (no rotation of a pipe), stderr with it."""
    sock = os.path.join(base, "supervisor.sock")
    s = ["[supervisord]", "nodaemon=true", "user=root", "logfile=%s/supervisord.log" % base,
         "pidfile=%s/supervisord.pid" % base, "childlogdir=%s" % base,
         "[unix_http_server]", "file=%s" % sock,
         "[rpcinterface:supervisor]",
         "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
         "[supervisorctl]", "serverurl=unix://%s" % sock]
    for d in dirs:
        s += ["[program:%s]" % os.path.basename(d), "command=%s/run" % d, "directory=%s" % d,
              "autorestart=true", "stdout_logfile=/dev/fd/1", "stdout_logfile_maxbytes=0",
              "redirect_stderr=true"]
    conf = os.path.join(base, "supervisord.conf")
    write(conf, "\n".join(s) + "\n")
    return conf


def relay_counts(c):
    """write system calls and context switches (voluntary, involuntary) of every process of
    the container but the service: the relay between the service and PID 1's stdout"""
    w = vol = invol = cpu = wait = 0
    for p in tree(c.find_pid1()):
        if exe(p) == os.path.realpath(c.b.helper):
            continue
        try:
            with open("/proc/%d/schedstat" % p) as f:
                x = f.read().split()
                cpu += int(x[0])
                wait += int(x[1])
            with open("/proc/%d/io" % p) as f:
                for line in f:
                    if line.startswith("syscw:"):
                        w += int(line.split()[1])
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        vol += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        invol += int(line.split()[1])
        except OSError:
            pass
    return w, vol, invol, cpu, wait


class Container:
    """One PID namespace whose PID 1 is the init under test."""

    def __init__(self, b, suite, n, mode, name, stdout=None, extra_env=None):
        b.nrun += 1
        self.b, self.suite = b, suite
        self.d = d = os.path.join(b.tmp, "%s-%s-%d" % (name, suite, b.nrun))
        img = os.path.join(d, "image")
        os.makedirs(img)
        self.dirs = []
        for i in range(n):
            sd = os.path.join(img, "s%04d" % i)
            os.makedirs(sd)
            os.symlink(b.helper, os.path.join(sd, "run"))
            self.dirs.append(sd)
        self.fifo_path = os.path.join(d, "started")
        os.mkfifo(self.fifo_path, 0o600)
        self.fifo = os.open(self.fifo_path, os.O_RDWR | os.O_NONBLOCK)
        env = {"PATH": SYSPATH, "HOME": d, "BENCH_TAG": b.tag, "BENCH_MODE": mode,
               "BENCH_FIFO": self.fifo_path}
        env.update(extra_env or {})
        if suite == "svinit":
            env.update({"SVINIT_SERVICES": img, "SVINIT_LIVE_DIR": os.path.join(d, "live"),
                        "SVINIT_INIT_DIR": os.path.join(d, "init.d"),
                        "SVINIT_FINISH_DIR": os.path.join(d, "finish.d"),
                        "TEND_RUNDIR": os.path.join(d, "rundir"), "TMPDIR": d})
            argv = [os.path.join(b.tb, "svinit")]
        elif suite == "supervisord":
            argv = ["/usr/bin/supervisord", "-n", "-c", supervisord_conf(d, self.dirs)]
        elif suite == "tini":
            script = os.path.join(d, "start.sh")
            write(script, TINI_SCRIPT % img, 0o755)
            argv = ["/usr/bin/tini", "--", script]
        elif suite == "cat":
            # the service straight into cat: the least a relay can cost
            argv = ["/bin/sh", "-c", '"$0" | cat', os.path.join(self.dirs[0], "run")]
        self.logf = open(os.path.join(d, "log"), "wb")
        out = self.logf if stdout is None else stdout
        self.t0 = mono()
        self.p = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc"] + argv, env=env,
                                  cwd=d, stdin=subprocess.DEVNULL, stdout=out, stderr=self.logf)
        self.pid1 = None
        self.buf = b""

    def stamps(self, count, timeout):
        """count start stamps (MONO_NS of each service's start) from the FIFO."""
        out, deadline = [], time.monotonic() + timeout
        while len(out) < count:
            while b"\n" in self.buf and len(out) < count:
                line, self.buf = self.buf.split(b"\n", 1)
                out.append(int(line.split()[1]))
            if len(out) >= count:
                break
            left = deadline - time.monotonic()
            if left <= 0 or self.p.poll() is not None:
                raise RuntimeError("only %d of %d services started (PID 1 %s)" % (
                    len(out), count, "exited %s" % self.p.poll() if self.p.poll() is not None
                    else "still running after %g s" % timeout))
            r, _, _ = select.select([self.fifo], [], [], min(left, 0.5))
            if r:
                self.buf += os.read(self.fifo, 65536)
        return out

    def find_pid1(self):
        if self.pid1 is None:
            for _ in range(5000):
                c = children(self.p.pid)
                if c:
                    self.pid1 = c[0]
                    break
                time.sleep(0.001)
        return self.pid1

    def pss(self):
        """(the tree without the services, the whole tree) in KiB"""
        pids = tree(self.find_pid1())
        svc = [p for p in pids if exe(p) == os.path.realpath(self.b.helper)]
        rest = [p for p in pids if p not in svc]
        return sum(pss(p) for p in rest), sum(pss(p) for p in pids), len(rest)

    def stop(self, timeout=30):
        """podman stop: SIGTERM to PID 1, then the time until PID 1 has exited (ms)."""
        pid1 = self.find_pid1()
        fd = os.pidfd_open(pid1)
        t0 = mono()
        os.kill(pid1, signal.SIGTERM)
        r, _, _ = select.select([fd], [], [], timeout)
        t1 = mono()
        os.close(fd)
        if not r:
            return None
        return (t1 - t0) / 1e6

    def close(self):
        """The end of the container: PID 1 killed if it is still there (the kernel kills the
        rest of the namespace), unshare reaped; PID 1's exit code returned."""
        if self.p.poll() is None:
            pid1 = self.find_pid1()
            if pid1:
                try:
                    os.kill(pid1, signal.SIGKILL)
                except OSError:
                    pass
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        os.close(self.fifo)
        self.logf.close()
        self.b.check_host("svinit bench/" + self.suite)
        return self.p.returncode


class InitBench:
    def __init__(self, b):
        self.b = b
        self.q = b.q
        self.codes = {}     # suite -> exit codes of PID 1 after the stop

    def fail(self, key, suite, c, msg):
        log("bench: FAIL: %s/%s: %s" % (key, suite, msg))
        self.b.errors.append("%s/%s: %s (log: %s)" % (key, suite, msg, self.b.keep_log(c.d)))
        self.b.add(key, suite, {"error": msg})

    def stop5(self, suite):
        c = Container(self.b, suite, 5, "start", "S1")
        try:
            c.stamps(5, 60)
            # every supervisor has taken its services for running (supervisord: startsecs=1)
            time.sleep(1.5)
            ms = c.stop()
            code = c.close()
            if ms is None:
                self.fail("S1", suite, c, "PID 1 still running 30 s after SIGTERM")
                return
            self.codes.setdefault(suite, []).append(code)
            self.b.add("S1", suite, ms)
        except RuntimeError as e:
            c.close()
            self.fail("S1", suite, c, str(e))

    def start10(self, suite):
        c = Container(self.b, suite, 10, "start", "S4")
        try:
            st = c.stamps(10, 60)
            self.b.add("S4", suite, (max(st) - c.t0) / 1e6)
            time.sleep(1.5)
            rest, whole, nproc = c.pss()
            self.b.add("S2", suite, rest)
            self.b.add("S2all", suite, whole)
            self.nprocs[suite] = nproc
            c.stop()
            c.close()
        except RuntimeError as e:
            c.close()
            self.fail("S4", suite, c, str(e))

    def throughput(self, suite, lines):
        rd, wr = os.pipe()
        c = Container(self.b, suite, 1, "flood", "S3", stdout=wr,
                      extra_env={"BENCH_LINES": str(lines)})
        os.close(wr)
        drain = subprocess.Popen([self.b.helper, "drain", str(lines)], stdin=rd,
                                 stdout=subprocess.PIPE, stderr=c.logf)
        os.close(rd)
        try:
            t0, = c.stamps(1, 60)
            before = relay_counts(c)
            out, _ = drain.communicate(timeout=300)
            t1, nbytes, tfirst = map(int, out.split())
            self.first.setdefault(suite, []).append((tfirst - t0) / 1e6)
            self.b.add("S3", suite, lines * 100 / 1e6 / ((t1 - t0) / 1e9))
            self.outbytes[suite] = nbytes
            # why a figure is what it is: the relays' write calls and context switches per MB
            mb = lines * 100 / 1e6
            w, vol, invol, cpu, wait = (x - y for x, y in zip(relay_counts(c), before))
            self.relay.setdefault(suite, []).append((w / mb, vol / mb, invol / mb, cpu / 1e6 / mb,
                                                     wait / 1e6 / mb))
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            drain.kill()
            drain.wait()
            c.close()
            self.fail("S3", suite, c, str(e) or type(e).__name__)
            return
        c.close()

    def run(self):
        b = self.b
        if not os.access(os.path.join(b.tb, "svinit"), os.X_OK):
            for k in ("S1", "S2", "S2all", "S3", "S4"):
                b.why(k, "svinit", "svinit not built")
        R = 3 if self.q else 5
        self.nprocs, self.outbytes, self.relay, self.first = {}, {}, {}, {}
        self.lines = 200000 if self.q else 1000000
        for rep in range(R + (0 if self.q else 2)):
            for s in b.order(INITS, rep):
                log("bench: S1 (stop of 5) rep %d %s" % (rep + 1, s))
                self.stop5(s)
        for rep in range(R):
            for s in b.order(INITS, rep):
                log("bench: S4/S2 (start of 10, Pss) rep %d %s" % (rep + 1, s))
                self.start10(s)
        for rep in range(R):
            for s in b.order(["svinit", "supervisord", "cat"], rep):
                log("bench: S3 (log throughput) rep %d %s" % (rep + 1, s))
                self.throughput(s, self.lines)


FIGS = [
    # key, title, unit, better, columns, target (svinit against the first peer)
    ("S1", "S1 stop: SIGTERM to PID 1 until it exits, 5 services that exit on TERM", "ms",
     "lower", INITS, "svinit median ≤ 300 ms"),
    ("S2", "S2 Pss of the tree, 10 services, logs to stdout (all but the 10 services)", "KiB",
     "lower", INITS, "svinit ≤ 1 MB (976.6 KiB)"),
    ("S2all", "S2 Pss of the whole tree, the 10 services included", "KiB", "lower", INITS, ""),
    ("S3", "S3 log throughput, one service to PID 1's stdout (a pipe)", "MB/s", "higher",
     ["svinit", "supervisord", "cat"], "≥ 2× supervisord, ≥ 0.5× bare cat"),
    ("S4", "S4 start of PID 1 to all 10 services running", "ms", "lower", INITS,
     "≤ supervisord"),
]


def report(b, fmt, summary):
    """The svinit section of table.md, or [] when this run did not measure it."""
    if not any(k[0] in ("S1", "S2", "S3", "S4") for k in b.results):
        return []
    ib = getattr(b, "initbench", None)
    L = []
    w = L.append
    w("")
    w("svinit (container entry point) against supervisord and tini + a shell script, each the "
      "PID 1 of a PID namespace; medians (min–max, n):")
    w("")
    w("| figure | unit | better | " + " | ".join(LABEL[c] for c in COLUMNS) + " |")
    w("|---|---|---|" + "---|" * len(COLUMNS))
    meds = {}
    for key, title, unit, better, cols, target in FIGS:
        cells = []
        for col in COLUMNS:
            s = b.results.get((key, col))
            if col not in cols:
                cells.append("")
            elif s is None:
                cells.append("not measured in this run")
            else:
                med, text = summary(s)
                meds[(key, col)] = med
                cells.append(text)
        w("| %s | %s | %s | %s |" % (title, unit, better, " | ".join(cells)))
    w("")
    w("Ratios svinit / peer (medians) and targets:")
    w("")
    peers = COLUMNS[1:]
    w("| figure | better | target | " + " | ".join(LABEL[c] for c in peers) + " | target met |")
    w("|---|---|---|" + "---|" * len(peers) + "---|")
    for key, title, unit, better, cols, target in FIGS:
        t = meds.get((key, "svinit"))
        cells = []
        for col in peers:
            p = meds.get((key, col))
            cells.append("%.3g×" % (t / p) if col in cols and t is not None and p else "")
        met = ""
        if t is not None:
            if key == "S1":
                met = "yes" if t <= 300 else "**no**"
            elif key == "S2":
                met = "yes" if t * 1024 <= 1000000 else "**no**"
            elif key == "S3":
                sd, ct = meds.get((key, "supervisord")), meds.get((key, "cat"))
                if sd and ct:
                    met = "yes" if t >= 2 * sd and t >= 0.5 * ct else "**no**"
            elif key == "S4":
                sd = meds.get((key, "supervisord"))
                if sd:
                    met = "yes" if t <= sd else "**no**"
        w("| %s | %s | %s | %s | %s |" % (title.split(":")[0] if key != "S2all" else title,
                                           better, target or "-", " | ".join(cells), met))
    if ib is not None:
        w("")
        notes = []
        if ib.codes:
            notes.append("PID 1's exit codes after the S1 stops: " + "; ".join(
                "%s %s" % (LABEL[s], ",".join(str(x) for x in sorted(set(v))))
                for s, v in sorted(ib.codes.items())))
        if ib.nprocs:
            notes.append("processes counted in S2 (all but the services): " + "; ".join(
                "%s %d" % (LABEL[s], n) for s, n in sorted(ib.nprocs.items())))
        if ib.outbytes:
            notes.append("S3: %d lines of 100 bytes (%.0f MB) per run; bytes reaching the reader: %s"
                         % (ib.lines, ib.lines * 100 / 1e6, "; ".join(
                             "%s %d" % (LABEL[s], n) for s, n in sorted(ib.outbytes.items()))))
        if ib.relay:
            med = lambda v: sorted(v)[len(v) // 2]
            notes.append("S3, per MB of the service's output, medians: write calls, voluntary and "
                         "involuntary context switches, CPU ms, and ms spent runnable but waiting for a "
                         "CPU (schedstat) of the relay (every process of the container but the service): "
                         + "; ".join("%s %.0f, %.0f, %.0f, %.2f ms, %.2f ms" % (
                             LABEL[s], med([x[0] for x in v]), med([x[1] for x in v]),
                             med([x[2] for x in v]), med([x[3] for x in v]), med([x[4] for x in v]))
                             for s, v in sorted(ib.relay.items())))
        for n in notes:
            w("- " + n)
    return L
