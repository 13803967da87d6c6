#!/usr/bin/env python3
# tests/bench/bench.py: tend against s6, runit, daemontools, supervisord, tini and dumb-init, same machine, same run.
#
# Called by tests/bench/run (make bench). The orchestrator runs every figure for every suite
# that can do the job, alternating suites within each repetition, each run in its own PID
# namespace (unshare --pid --fork --mount-proc), then prints medians, min-max and tend/peer
# ratios. The same file, with --worker, is the PID 1 of each namespace and does one run.

import argparse
import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

import initbench

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SYSPATH = "/usr/sbin:/usr/bin:/sbin:/bin"

SUPERVISORS = ["tend", "s6", "runit", "daemontools", "supervisord"]
LABEL = {
    "tend": "tend", "s6": "s6", "runit": "runit", "daemontools": "daemontools",
    "supervisord": "supervisord", "tini": "tini", "dumb-init": "dumb-init",
}
COLUMNS = ["tend", "s6", "runit", "daemontools", "supervisord", "tini", "dumb-init"]


def mono():
    return time.monotonic_ns()


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- worker side (PID 1 of a namespace)

class Fail(Exception):
    pass


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def make_service(base, name, helper, files=None):
    """A service dir whose run is the helper itself (argv[0] ends in "run")."""
    d = os.path.join(base, name)
    os.makedirs(d)
    os.symlink(helper, os.path.join(d, "run"))
    for k, v in (files or {}).items():
        write(os.path.join(d, k), v)
    return d


def open_fifo(path):
    os.mkfifo(path, 0o600)
    # O_RDWR: never blocks, never sees end-of-file
    return os.open(path, os.O_RDWR | os.O_NONBLOCK)


class LineReader:
    def __init__(self, fd):
        self.fd, self.buf = fd, b""

    def lines(self, count, timeout):
        out, deadline = [], time.monotonic() + timeout
        while len(out) < count:
            while b"\n" in self.buf and len(out) < count:
                line, self.buf = self.buf.split(b"\n", 1)
                pid, t = line.split()
                out.append((int(pid), int(t)))
            if len(out) >= count:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail("only %d of %d services started within %g s" % (len(out), count, timeout))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 65536)
        return out


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def live_procs():
    """Processes of this namespace other than us (PID 1), zombies excluded."""
    reap()
    out = []
    for e in os.listdir("/proc"):
        if not e.isdigit() or e == "1":
            continue
        try:
            with open("/proc/%s/stat" % e) as f:
                st = f.read()
        except OSError:
            continue
        if st[st.rindex(")") + 2] == "Z":
            continue
        out.append(int(e))
    return out


def describe(pids):
    out = []
    for p in pids:
        try:
            with open("/proc/%d/cmdline" % p, "rb") as f:
                out.append("%d %s" % (p, f.read().replace(b"\0", b" ").decode(errors="replace").strip()))
        except OSError:
            pass
    return out


def wait_empty(timeout, step=0.002):
    deadline = time.monotonic() + timeout
    while True:
        if not live_procs():
            return mono()
        if time.monotonic() > deadline:
            return None
        time.sleep(step)


def smaps(pid):
    v = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                v[parts[0].rstrip(":")] = int(parts[1])
    return v


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


class Ctx:
    def __init__(self, a):
        self.a = a
        self.tb = a["tend_bin"]
        self.helper = a["helper"]
        self.base = a["dir"]
        self.logf = open(os.path.join(self.base, "worker.log"), "ab")
        self.procs = []

    def env(self, mode, path=SYSPATH, **extra):
        e = {"PATH": path, "BENCH_MODE": mode, "BENCH_TAG": self.a["tag"], "HOME": self.base}
        e.update(extra)
        return e

    def spawn(self, argv, env, cwd=None):
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=self.logf, stderr=self.logf)
        self.procs.append(p)
        return p


# supervisord: one config for every use

def supervisord_conf(c, dirs, startsecs=1):
    sock = os.path.join(c.base, "supervisor.sock")
    s = ["[supervisord]", "nodaemon=true", "logfile=%s/supervisord.log" % c.base,
         "pidfile=%s/supervisord.pid" % c.base, "childlogdir=%s" % c.base, "loglevel=warn",
         "[unix_http_server]", "file=%s" % sock,
         "[rpcinterface:supervisor]",
         "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
         "[supervisorctl]", "serverurl=unix://%s" % sock]
    for d in dirs:
        s += ["[program:%s]" % os.path.basename(d), "command=%s/run" % d, "directory=%s" % d,
              "autorestart=true", "startsecs=%d" % startsecs,
              "stdout_logfile=NONE", "stderr_logfile=NONE"]
    conf = os.path.join(c.base, "supervisord.conf")
    write(conf, "\n".join(s) + "\n")
    return conf


def start_supervisors(c, suite, dirs, mode, extra_env=None, startsecs=1):
    """One supervisor per dir (supervisord: one for all). Returns the supervisor pids."""
    extra_env = extra_env or {}
    if suite == "supervisord":
        conf = supervisord_conf(c, dirs, startsecs)
        p = c.spawn(["/usr/bin/supervisord", "-c", conf], c.env(mode, **extra_env))
        c.supd_conf = conf
        return [p.pid]
    prog = {"tend": os.path.join(c.tb, "supervise"), "s6": "/usr/bin/s6-supervise",
            "runit": "/usr/bin/runsv", "daemontools": "/usr/bin/supervise"}[suite]
    return [c.spawn([prog, d], c.env(mode, **extra_env)).pid for d in dirs]


def stop_supervisors(c, suite, dirs, pids):
    if suite == "daemontools":
        subprocess.run(["/usr/bin/svc", "-dx"] + dirs, stdout=c.logf, stderr=c.logf)
    else:
        # tend, s6-supervise: TERM = down then exit; runsv: TERM = exit after stopping the
        # service; supervisord: TERM = stop every program, then exit
        for p in pids:
            os.kill(p, signal.SIGTERM)


SCANNER_STOP = {
    "tend": "SIGTERM to svscan",
    "s6": "SIGTERM to s6-svscan (= s6-svscanctl -t)",
    "runit": "SIGHUP to runsvdir (TERM would leave the runsv processes running)",
    "daemontools": "SIGTERM to svscan, then svc -dx on every service",
    "supervisord": "SIGTERM to supervisord",
}


def start_scanner(c, suite, scandir, dirs, mode, extra_env=None):
    extra_env = extra_env or {}
    if suite == "supervisord":
        conf = supervisord_conf(c, dirs)
        return c.spawn(["/usr/bin/supervisord", "-c", conf], c.env(mode, **extra_env))
    if suite == "tend":
        return c.spawn([os.path.join(c.tb, "svscan"), scandir],
                       c.env(mode, path=c.tb + ":" + SYSPATH, **extra_env))
    if suite == "s6":
        return c.spawn(["/usr/bin/s6-svscan", "-c", str(max(1000, 2 * len(dirs))), scandir],
                       c.env(mode, **extra_env))
    if suite == "runit":
        return c.spawn(["/usr/bin/runsvdir", scandir], c.env(mode, **extra_env))
    if suite == "daemontools":
        # svscan finds supervise through PATH: the system's, never ours
        return c.spawn(["/usr/bin/svscan", scandir], c.env(mode, **extra_env))
    raise Fail("no scanner for " + suite)


def stop_scanner(c, suite, p, dirs):
    if suite == "runit":
        p.send_signal(signal.SIGHUP)
    elif suite == "daemontools":
        p.send_signal(signal.SIGTERM)
        p.wait()
        subprocess.run(["/usr/bin/svc", "-dx"] + dirs, stdout=c.logf, stderr=c.logf)
    else:
        p.send_signal(signal.SIGTERM)


def finish(c, result):
    """The suite has been told to stop: everything must be gone, else the bench fails."""
    if wait_empty(20) is None:
        result["leftover"] = describe(live_procs())
    return result


def n_services(c, n, files=None):
    scandir = os.path.join(c.base, "scan")
    os.makedirs(scandir)
    return scandir, [make_service(scandir, "s%04d" % i, c.helper, files) for i in range(n)]


# ---- figures

def w_m1(c):
    """Pss of each supervisor, 100 idle services, supervisors started directly."""
    n = c.a["n"]
    _, dirs = n_services(c, n)
    fifo = open_fifo(os.path.join(c.base, "started"))
    pids = start_supervisors(c, c.a["suite"], dirs, "start", {"BENCH_FIFO": os.path.join(c.base, "started")})
    LineReader(fifo).lines(n, 60)
    time.sleep(0.5)
    sm = [smaps(p) for p in pids]
    res = {}
    if c.a["suite"] == "supervisord":
        res["pss"] = sm[0]["Pss"] / n
        res["priv"] = (sm[0]["Private_Dirty"]) / n
    else:
        res["pss"] = statistics.median(s["Pss"] for s in sm)
        res["priv"] = statistics.median(s["Private_Dirty"] for s in sm)
    stop_supervisors(c, c.a["suite"], dirs, pids)
    return finish(c, res)


def w_m2(c):
    """Scanner start to all N services running; at N = 100 also the scanner's Pss (M1)."""
    n = c.a["n"]
    scandir, dirs = n_services(c, n)
    fpath = os.path.join(c.base, "started")
    fifo = open_fifo(fpath)
    t0 = mono()
    p = start_scanner(c, c.a["suite"], scandir, dirs, "start", {"BENCH_FIFO": fpath})
    stamps = LineReader(fifo).lines(n, 120)
    res = {"start_ms": (max(t for _, t in stamps) - t0) / 1e6}
    if c.a.get("pss"):
        time.sleep(0.5)
        sm = smaps(p.pid)
        res["scanner_pss"] = sm["Pss"]
        res["scanner_priv"] = sm["Private_Dirty"]
    stop_scanner(c, c.a["suite"], p, dirs)
    return finish(c, res)


def w_m6(c):
    """Orderly stop of 100 services: the stop request to the last process gone."""
    n = c.a["n"]
    scandir, dirs = n_services(c, n)
    fpath = os.path.join(c.base, "started")
    fifo = open_fifo(fpath)
    p = start_scanner(c, c.a["suite"], scandir, dirs, "start", {"BENCH_FIFO": fpath})
    LineReader(fifo).lines(n, 120)
    time.sleep(0.3)
    t0 = mono()
    stop_scanner(c, c.a["suite"], p, dirs)
    t1 = wait_empty(60, 0.001)
    if t1 is None:
        return {"leftover": describe(live_procs())}
    return {"stop_ms": (t1 - t0) / 1e6}


def w_m3(c):
    """Restart latency: SIGKILL a service that ran > 2 s, time to the new process's main()."""
    _, dirs = n_services(c, 1)
    fpath = os.path.join(c.base, "started")
    rd = LineReader(open_fifo(fpath))
    pids = start_supervisors(c, c.a["suite"], dirs, "start", {"BENCH_FIFO": fpath})
    (spid, st), = rd.lines(1, 30)
    samples = []
    for _ in range(c.a["k"]):
        left = st + 2_200_000_000 - mono()
        if left > 0:
            time.sleep(left / 1e9)
        t0 = mono()
        os.kill(spid, signal.SIGKILL)
        (spid, st), = rd.lines(1, 30)
        samples.append((st - t0) / 1e6)
    stop_supervisors(c, c.a["suite"], dirs, pids)
    return finish(c, {"restart_ms": samples})


M4_CMDS = {
    "tend": ('"$TB/svc" -d -wd "$D"', '"$TB/svc" -u -wu "$D"'),
    "s6": ('s6-svc -wd -d "$D"', 's6-svc -wu -u "$D"'),
    "runit": ('sv -w 30 down "$D" >/dev/null', 'sv -w 30 up "$D" >/dev/null'),
    "supervisord": ('supervisorctl -c "$CONF" stop s0000 >/dev/null',
                    'supervisorctl -c "$CONF" start s0000 >/dev/null'),
}


def w_m4(c):
    """Control round trips: down, wait down, up, wait up, with the suite's own client."""
    suite = c.a["suite"]
    _, dirs = n_services(c, 1)
    fpath = os.path.join(c.base, "started")
    rd = LineReader(open_fifo(fpath))
    pids = start_supervisors(c, suite, dirs, "start", {"BENCH_FIFO": fpath}, startsecs=0)
    rd.lines(1, 30)
    time.sleep(0.2)
    down, up = M4_CMDS[suite]
    script = ('i=0; while [ $i -lt %d ]; do %s || exit 1; %s || exit 1; i=$((i+1)); done'
              % (c.a["k"], down, up))
    env = {"PATH": SYSPATH, "TB": c.tb, "D": dirs[0], "CONF": getattr(c, "supd_conf", ""),
           "BENCH_TAG": c.a["tag"]}
    t0 = mono()
    r = subprocess.run(["/bin/sh", "-c", script], env=env, stdout=c.logf, stderr=c.logf)
    t1 = mono()
    if r.returncode:
        raise Fail("the control loop failed (exit %d); see %s/worker.log" % (r.returncode, c.base))
    stop_supervisors(c, suite, dirs, pids)
    return finish(c, {"rt_per_s": c.a["k"] / ((t1 - t0) / 1e9)})


def w_m8(c):
    """A service that exits at once, for W seconds: how many starts, supervisor CPU."""
    _, dirs = n_services(c, 1)
    pids = start_supervisors(c, c.a["suite"], dirs, "crash")
    c0 = cpu_ns(pids[0])
    time.sleep(c.a["window"])
    cpu = (cpu_ns(pids[0]) - c0) / 1e6
    try:
        with open(os.path.join(dirs[0], "starts")) as f:
            starts = len(f.readlines())
    except FileNotFoundError:
        starts = 0
    stop_supervisors(c, c.a["suite"], dirs, pids)
    return finish(c, {"starts": starts, "cpu_ms": cpu,
                      "cpu_us_per_start": cpu * 1000 / starts if starts else None})


def w_m10(c):
    """Readiness wake-up: the newline on notification-fd to the waiter's exit."""
    suite = c.a["suite"]
    k = c.a["k"]
    _, dirs = n_services(c, k, {"notification-fd": "3\n"})
    for d in dirs:
        os.mkfifo(os.path.join(d, "go"), 0o600)
    pids = start_supervisors(c, suite, dirs, "notify", {"BENCH_NOTIFYFD": "3"})
    if suite == "tend":
        waitu = lambda d: [os.path.join(c.tb, "svwait"), "-u", "-t", "10000", d]
        waitU = lambda d: [os.path.join(c.tb, "svwait"), "-U", "-t", "10000", d]
        evdir = lambda d: os.path.join(d, "supervise", "event")
    else:
        waitu = lambda d: ["/usr/bin/s6-svwait", "-u", "-t", "10000", d]
        waitU = lambda d: ["/usr/bin/s6-svwait", "-U", "-t", "10000", d]
        evdir = lambda d: os.path.join(d, "event")
    env = {"PATH": SYSPATH, "BENCH_TAG": c.a["tag"]}
    for d in dirs:
        for _ in range(500):
            if os.path.exists(os.path.join(d, "supervise", "status")):
                break
            time.sleep(0.01)
        if subprocess.run(waitu(d), env=env, stdout=c.logf, stderr=c.logf).returncode:
            raise Fail("the service in %s did not come up" % d)
    samples = []
    for d in dirs:
        before = len(os.listdir(evdir(d)))
        w = subprocess.Popen([c.helper, "timecmd"] + waitU(d), env=env, stdout=subprocess.PIPE,
                             stderr=c.logf)
        deadline = time.monotonic() + 10
        while len(os.listdir(evdir(d))) <= before:
            if time.monotonic() > deadline:
                raise Fail("the waiter never subscribed in " + evdir(d))
            time.sleep(0.0005)
        time.sleep(0.005)  # let it read the status after subscribing
        fd = os.open(os.path.join(d, "go"), os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, b"x")
        os.close(fd)
        out, _ = w.communicate(timeout=15)
        t_exit, code = map(int, out.split())
        if code:
            raise Fail("the waiter exited %d" % code)
        rts = os.path.join(d, "readyts")
        for _ in range(1000):
            if os.path.exists(rts):
                break
            time.sleep(0.001)
        with open(rts) as f:
            t_w = int(f.read())
        samples.append((t_exit - t_w) / 1e6)
    stop_supervisors(c, suite, dirs, pids)
    return finish(c, {"wake_ms": samples})


WORKERS = {"M1": w_m1, "M2": w_m2, "M3": w_m3, "M4": w_m4, "M6": w_m6, "M8": w_m8, "M10": w_m10}


def worker(args):
    a = json.loads(args)
    if os.getpid() != 1:
        print(json.dumps({"error": "the worker is not PID 1 of its namespace"}))
        return 1
    c = Ctx(a)
    try:
        res = WORKERS[a["fig"]](c)
    except Fail as e:
        res = {"error": str(e)}
    except Exception as e:  # a bench bug or a peer misbehaving: report, never hide
        res = {"error": "%s: %s" % (type(e).__name__, e)}
    # on an error path nothing was stopped in order: this PID 1's exit kills the rest
    print(json.dumps(res), flush=True)
    return 0


# ---------------------------------------------------------------- orchestrator side

class Bench:
    def __init__(self, o):
        self.o = o
        self.q = o.quick
        self.tb = o.tend_bin
        self.helper = o.helper
        self.tag = "tendbench%d" % os.getpid()
        self.tmp = o.tmp
        self.results = {}   # (figure key, suite) -> list of samples, or {"why": ...}
        self.errors = []    # loud failures: leftovers
        self.nrun = 0
        self.have_svscan = os.access(os.path.join(self.tb, "svscan"), os.X_OK)

    # every process the bench starts carries BENCH_TAG in its environment
    def tagged(self):
        out = []
        needle = ("BENCH_TAG=" + self.tag).encode()
        for e in os.listdir("/proc"):
            if not e.isdigit() or int(e) == os.getpid():
                continue
            try:
                with open("/proc/%s/environ" % e, "rb") as f:
                    if needle in f.read().split(b"\0"):
                        out.append(int(e))
            except OSError:
                pass
        return out

    def check_host(self, what):
        left = self.tagged()
        if left:
            msg = "%s left processes behind outside its namespace: %s" % (what, ", ".join(map(str, left)))
            log("bench: FAIL: " + msg)
            self.errors.append(msg)
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass

    def keep_log(self, d):
        """The run's dir goes with the tmpfs: keep its log beside the results."""
        for name in ("worker.log", "log"):
            src = os.path.join(d, name)
            if os.path.exists(src):
                os.makedirs(self.o.out, exist_ok=True)
                dst = os.path.join(self.o.out, "failed-%s.log" % os.path.basename(d))
                shutil.copy(src, dst)
                return dst
        return "none"

    def add(self, key, suite, value):
        self.results.setdefault((key, suite), []).append(value)

    def why(self, key, suite, text):
        self.results[(key, suite)] = {"why": text}

    def run_worker(self, fig, suite, **params):
        self.nrun += 1
        d = os.path.join(self.tmp, "%s-%s-%d" % (fig, suite, self.nrun))
        os.makedirs(d)
        a = dict(params, fig=fig, suite=suite, tend_bin=self.tb, helper=self.helper, dir=d, tag=self.tag)
        env = dict(os.environ, BENCH_TAG=self.tag)
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", sys.executable,
                            os.path.abspath(__file__), "--worker", json.dumps(a)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        self.check_host("%s/%s" % (fig, suite))
        lines = r.stdout.decode(errors="replace").strip().splitlines()
        try:
            res = json.loads(lines[-1])
        except (IndexError, ValueError):
            res = {"error": "worker crashed: " + " | ".join(lines[-5:])}
        if res.get("leftover"):
            msg = "%s/%s: the suite left processes behind after its orderly stop: %s" % (
                fig, suite, "; ".join(res["leftover"]))
            log("bench: FAIL: " + msg)
            self.errors.append(msg)
        if res.get("error"):
            log("bench: FAIL: %s/%s: %s" % (fig, suite, res["error"]))
            self.errors.append("%s/%s: %s (log: %s)" % (fig, suite, res["error"], self.keep_log(d)))
        return res

    def order(self, suites, rep):
        # alternate: tend first on even repetitions, last on odd ones
        return suites if rep % 2 == 0 else list(reversed(suites))

    def reps(self):
        # BENCH_REPS: more repetitions for a figure that sits close to its target
        n = os.environ.get("BENCH_REPS", "")
        if n.isdigit() and int(n) > 0:
            return int(n)
        return 3 if self.q else 5

    # ---- figures
    def m1_m3_m8(self):
        R = self.reps()
        for rep in range(R):
            for s in self.order(SUPERVISORS, rep):
                log("bench: M1 rep %d %s" % (rep + 1, s))
                r = self.run_worker("M1", s, n=100)
                if "error" in r:
                    self.add("M1", s, {"error": r["error"]})
                else:
                    self.add("M1", s, r["pss"])
                    self.add("M1priv", s, r["priv"])
        for rep in range(R if self.q else 7):
            for s in self.order(SUPERVISORS, rep):
                log("bench: M3 rep %d %s" % (rep + 1, s))
                r = self.run_worker("M3", s, k=1)
                if "error" in r:
                    self.add("M3", s, {"error": r["error"]})
                else:
                    for v in r["restart_ms"]:
                        self.add("M3", s, v)
        win = 3 if self.q else 10
        for rep in range(R):
            for s in self.order(SUPERVISORS, rep):
                log("bench: M8 rep %d %s" % (rep + 1, s))
                r = self.run_worker("M8", s, window=win)
                if "error" in r:
                    self.add("M8cpu", s, {"error": r["error"]})
                else:
                    self.add("M8starts", s, r["starts"])
                    self.add("M8cpu", s, r["cpu_ms"])
        self.m8_window = win

    def scanners(self):
        suites = SUPERVISORS if self.have_svscan else SUPERVISORS[1:]
        if not self.have_svscan:
            for k in ("M1scan", "M1scanpriv", "M1scanbig", "M2_100", "M2_big", "M6"):
                self.why(k, "tend", "svscan not built yet")
        R = self.reps()
        self.m2_big = 200 if self.q else 1000
        for n, key in ((100, "M2_100"), (self.m2_big, "M2_big")):
            for rep in range(R):
                for s in self.order(suites, rep):
                    log("bench: M2 N=%d rep %d %s" % (n, rep + 1, s))
                    r = self.run_worker("M2", s, n=n, pss=True)
                    if "error" in r:
                        self.add(key, s, {"error": r["error"]})
                        continue
                    self.add(key, s, r["start_ms"])
                    if n == 100:
                        self.add("M1scan", s, r["scanner_pss"])
                        self.add("M1scanpriv", s, r["scanner_priv"])
                    else:
                        # the figure: the scanner's own memory with the big table
                        self.add("M1scanbig", s, r["scanner_pss"])
        for rep in range(R):
            for s in self.order(suites, rep):
                log("bench: M6 rep %d %s" % (rep + 1, s))
                r = self.run_worker("M6", s, n=100)
                if "error" in r or "stop_ms" not in r:
                    self.add("M6", s, {"error": r.get("error", "processes left behind")})
                else:
                    self.add("M6", s, r["stop_ms"])

    def m4(self):
        R = self.reps()
        k = {"tend": 100 if self.q else 300, "s6": 100 if self.q else 300,
             "runit": 2 if self.q else 4, "supervisord": 5 if self.q else 15}
        self.why("M4", "daemontools", "n/a: daemontools' svc cannot wait for a state")
        suites = ["tend", "s6", "runit", "supervisord"]
        for rep in range(R):
            for s in self.order(suites, rep):
                log("bench: M4 rep %d %s" % (rep + 1, s))
                r = self.run_worker("M4", s, k=k[s])
                self.add("M4", s, {"error": r["error"]} if "error" in r else r["rt_per_s"])

    def m10(self):
        R = self.reps()
        for s in ("runit", "daemontools", "supervisord"):
            self.why("M10", s, "n/a: no readiness notification")
        for rep in range(R):
            for s in self.order(["tend", "s6"], rep):
                log("bench: M10 rep %d %s" % (rep + 1, s))
                r = self.run_worker("M10", s, k=5 if self.q else 10)
                if "error" in r:
                    self.add("M10", s, {"error": r["error"]})
                else:
                    for v in r["wake_ms"]:
                        self.add("M10", s, v)

    def m7(self):
        """5,000 orphaned zombies reaped by PID 1: the init under test is the namespace's init."""
        n = 1000 if self.q else 5000
        self.m7_n = n
        inits = ["tini", "dumb-init", "s6", "daemontools", "runit"]
        if self.have_svscan:
            inits = ["tend"] + inits
        else:
            self.why("M7", "tend", "svscan not built yet")
        self.why("M7", "supervisord", "n/a: not an init (does not reap orphans as PID 1)")
        for rep in range(self.reps()):
            for s in self.order(inits, rep):
                log("bench: M7 rep %d %s" % (rep + 1, s))
                v = self.m7_one(s, n)
                self.add("M7", s, v)

    def m7_one(self, init, n):
        self.nrun += 1
        d = os.path.join(self.tmp, "M7-%s-%d" % (init, self.nrun))
        os.makedirs(d)
        out = os.path.join(d, "out")
        env = {"PATH": SYSPATH, "BENCH_TAG": self.tag, "HOME": d}
        zcmd = [self.helper, "zombies", str(n), out]
        if init == "tini":
            argv = ["/usr/bin/tini", "--"] + zcmd
        elif init == "dumb-init":
            argv = ["/usr/bin/dumb-init"] + zcmd
        else:
            scan = os.path.join(d, "scan")
            os.makedirs(os.path.join(scan, "z"))
            write(os.path.join(scan, "z", "run"),
                  "#!/bin/sh\n[ -e %s ] && exec sleep 100000\nexec %s\n" % (out, " ".join(zcmd)), 0o755)
            argv = {"tend": [os.path.join(self.tb, "svscan"), scan],
                    "s6": ["/usr/bin/s6-svscan", scan],
                    "daemontools": ["/usr/bin/svscan", scan],
                    "runit": ["/usr/bin/runsvdir", scan]}[init]
            if init == "tend":
                env["PATH"] = self.tb + ":" + SYSPATH
        logf = open(os.path.join(d, "log"), "wb")
        p = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc"] + argv, env=env,
                             stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
        deadline = time.monotonic() + 90
        while not os.path.exists(out) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.01)
        res = None
        if os.path.exists(out):
            with open(out) as f:
                t = f.read().strip()
            res = int(t) / 1000 if t.isdigit() else {"error": "zombies not reaped in 60 s (" + t + ")"}
        else:
            res = {"error": "no result (init exited %s)" % p.poll()}
        if p.poll() is None:
            # cleanup = kill the namespace's init; the kernel kills the rest
            try:
                with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                    for c in f.read().split():
                        os.kill(int(c), signal.SIGKILL)
            except OSError:
                pass
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.check_host("M7/" + init)
        if isinstance(res, dict):
            log("bench: FAIL: M7/%s: %s" % (init, res["error"]))
            self.errors.append("M7/%s: %s (log: %s)" % (init, res["error"], self.keep_log(d)))
        return res

    def m7live(self):
        """M7live: N orphans still alive when they are handed to PID 1, then all exiting at once
        (tests/helpers/liveorphans): from their release to the last one reaped. Self-contained:
        its own runner, beside M7's."""
        n = 1000 if self.q else 5000
        helper = os.path.join(os.path.dirname(self.helper), "liveorphans")
        inits = ["tini", "s6"]
        if self.have_svscan and os.path.exists(helper):
            inits = ["tend"] + inits
        else:
            self.why("M7live", "tend", "svscan or tests/helpers/liveorphans not built")
        for rep in range(self.reps()):
            for init in self.order(inits, rep):
                log("bench: M7live rep %d %s" % (rep + 1, init))
                self.nrun += 1
                d = os.path.join(self.tmp, "M7live-%s-%d" % (init, self.nrun))
                os.makedirs(d)
                out = os.path.join(d, "out")
                env = {"PATH": SYSPATH, "BENCH_TAG": self.tag, "HOME": d}
                cmd = [helper, str(n), out]
                if init == "tini":
                    argv = ["/usr/bin/tini", "--"] + cmd
                else:
                    scan = os.path.join(d, "scan")
                    os.makedirs(os.path.join(scan, "z"))
                    write(os.path.join(scan, "z", "run"), "#!/bin/sh\n[ -e %s ] && exec sleep 100000\nexec %s\n"
                          % (out, " ".join(cmd)), 0o755)
                    argv = {"tend": [os.path.join(self.tb, "svscan"), "-t", "0", scan],
                            "s6": ["/usr/bin/s6-svscan", scan]}[init]
                logf = open(os.path.join(d, "log"), "wb")
                p = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc"] + argv, env=env,
                                     stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
                deadline = time.monotonic() + 90
                while not os.path.exists(out) and time.monotonic() < deadline and p.poll() is None:
                    time.sleep(0.01)
                res = {"error": "no result (init exited %s)" % p.poll()}
                if os.path.exists(out):
                    with open(out) as f:
                        t = f.read().strip()
                    res = int(t) / 1000 if t.isdigit() else {"error": "orphans not reaped in 60 s (" + t + ")"}
                if p.poll() is None:
                    try:
                        with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                            for c in f.read().split():
                                os.kill(int(c), signal.SIGKILL)
                    except OSError:
                        pass
                    try:
                        p.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
                logf.close()
                self.check_host("M7live/" + init)
                if isinstance(res, dict):
                    log("bench: FAIL: M7live/%s: %s" % (init, res["error"]))
                    self.errors.append("M7live/%s: %s (log: %s)" % (init, res["error"], self.keep_log(d)))
                self.add("M7live", init, res)

    def m5(self):
        script = os.path.join(HERE, "svlog.sh")
        self.m5_text = None
        if not os.path.exists(script):
            self.why("M5", "tend", "svlog bench not present")
            return
        log("bench: M5: running tests/bench/svlog.sh")
        env = dict(os.environ, BENCH_TAG=self.tag, TEND_BIN=self.tb)
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "sh", script]
                           + (["--quick"] if self.q else []), env=env, cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.check_host("M5")
        self.m5_text = r.stdout.decode(errors="replace")
        if r.returncode:
            self.why("M5", "tend", "svlog.sh failed (exit %d)" % r.returncode)
            self.errors.append("M5: tests/bench/svlog.sh exited %d" % r.returncode)
        else:
            self.why("M5", "tend", "see the M5 section (tests/bench/svlog.sh)")
        # musl's memchr and memcpy are slower than glibc's: the same bench with a glibc-static svlog
        self.m5_glibc_text = None
        g = getattr(self.o, "svlog_glibc", None)
        if g and os.access(g, os.X_OK):
            log("bench: M5: tests/bench/svlog.sh again with the glibc-static svlog")
            r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "sh", script]
                               + (["--quick"] if self.q else []), env=dict(env, SVLOG=g), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.check_host("M5/glibc")
            self.m5_glibc_text = r.stdout.decode(errors="replace")
            if r.returncode:
                self.errors.append("M5 (glibc svlog): tests/bench/svlog.sh exited %d" % r.returncode)

    def m9(self):
        """Binary sizes: ours static (as shipped, and stripped), the peers' Debian binaries."""
        rows = []
        strip = shutil.which("strip")

        def stripped(p):
            if not strip:
                return None
            t = os.path.join(self.tmp, "stripped")
            subprocess.run([strip, "-o", t, p], check=True)
            return os.path.getsize(t)

        def libs(p):
            r = subprocess.run(["ldd", p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            tot, names = 0, []
            for line in r.stdout.decode().splitlines():
                parts = line.split()
                if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
                    name = os.path.basename(parts[0])
                    if name.startswith(("libc.so", "libm.so", "ld-linux", "linux-vdso")):
                        continue
                    tot += os.path.getsize(os.path.realpath(parts[2]))
                    names.append(name)
            return tot, names

        roles = [
            ("supervisor", "supervise", {"s6": "/usr/bin/s6-supervise", "runit": "/usr/bin/runsv",
                                         "daemontools": "/usr/bin/supervise"}),
            ("scanner", "svscan", {"s6": "/usr/bin/s6-svscan", "runit": "/usr/bin/runsvdir",
                                   "daemontools": "/usr/bin/svscan"}),
            ("control client", "svc", {"s6": "/usr/bin/s6-svc", "runit": "/usr/bin/sv",
                                       "daemontools": "/usr/bin/svc"}),
            ("status", "svstat", {"s6": "/usr/bin/s6-svstat", "runit": "/usr/bin/sv",
                                  "daemontools": "/usr/bin/svstat"}),
            ("waiter", "svwait", {"s6": "/usr/bin/s6-svwait", "runit": "/usr/bin/sv"}),
            ("logger", "svlog", {"s6": "/usr/bin/s6-log", "runit": "/usr/bin/svlogd",
                                 "daemontools": "/usr/bin/multilog"}),
            ("PID 1 init", "svinit", {"tini": "/usr/bin/tini", "dumb-init": "/usr/bin/dumb-init"}),
        ]
        for role, ours, peers in roles:
            op = os.path.join(self.tb, ours)
            row = {"role": role, "tend": None}
            if os.path.exists(op):
                row["tend"] = (os.path.getsize(op), stripped(op), ours)
            for s, p in peers.items():
                if os.path.exists(p):
                    lt, ln = libs(p)
                    row[s] = (os.path.getsize(p), lt, ln, os.path.basename(p))
            rows.append(row)
        # what a container ships: every program of the static build together
        progs = sorted(p for p in os.listdir(self.tb) if os.access(os.path.join(self.tb, p), os.X_OK))
        row = {"role": "all programs", "tend": None}
        if progs:
            sizes = [(os.path.getsize(os.path.join(self.tb, p)), stripped(os.path.join(self.tb, p)))
                     for p in progs]
            row["tend"] = (sum(a for a, _ in sizes),
                           None if None in (b for _, b in sizes) else sum(b for _, b in sizes),
                           "%d programs" % len(progs))
        if os.path.exists("/usr/bin/tini-static"):
            row["tini"] = (os.path.getsize("/usr/bin/tini-static"), 0, [], "tini-static")
        rows.append(row)
        self.m9_rows = rows

    def svinit(self):
        """svinit as a container's PID 1 against supervisord and tini + sh (tests/bench/initbench.py)"""
        self.initbench = initbench.InitBench(self)
        self.initbench.run()

    def group(self, name):
        t = time.monotonic()
        getattr(self, name)()
        self.timing.append("%s %.0f s" % (name, time.monotonic() - t))

    def run(self, groups=("m9", "m1_m3_m8", "m4", "m10", "scanners", "m7", "m7live", "m5", "svinit")):
        t0 = time.monotonic()
        self.timing = []
        for g in groups:
            self.group(g)
        self.elapsed = time.monotonic() - t0


# ---------------------------------------------------------------- report

FIGS = [
    # key, title, unit, better, columns, target
    ("M1", "M1 Pss per supervisor process, 100 idle services", "KiB", "lower",
     SUPERVISORS, "≤ 0.2× s6-supervise"),
    ("M1priv", "M1 Private_Dirty per supervisor process", "KiB", "lower", SUPERVISORS, ""),
    ("M1scan", "M1 Pss of the scanner, 100 idle services", "KiB", "lower", SUPERVISORS,
     "≤ 0.3× s6-svscan"),
    ("M1scanpriv", "M1 Private_Dirty of the scanner", "KiB", "lower", SUPERVISORS, ""),
    ("M1scanbig", "M1 Pss of the scanner, N services", "KiB", "lower", SUPERVISORS, "≤ s6-svscan"),
    ("M2_100", "M2 scanner start to 100 services running", "ms", "lower", SUPERVISORS, ""),
    ("M2_big", "M2 scanner start to N services running", "ms", "lower", SUPERVISORS, ""),
    ("M3", "M3 restart latency after SIGKILL (ran > 2 s)", "ms", "lower", SUPERVISORS,
     "≤ daemontools"),
    ("M4", "M4 control round trips (down, wait, up, wait)", "per s", "higher",
     SUPERVISORS, "≥ 2× s6"),
    ("M5", "M5 logger throughput and CPU per MB", "", "", ["tend"], "per the svlog issue"),
    ("M6", "M6 orderly stop of 100 services", "ms", "lower", SUPERVISORS, ""),
    ("M7", "M7 reaping orphaned zombies as PID 1", "ms", "lower",
     ["tend", "tini", "dumb-init", "s6", "daemontools", "runit", "supervisord"], ""),
    ("M7live", "M7live 5,000 live orphans (1,000 with --quick) handed to PID 1, then exiting at once",
     "ms", "lower", ["tend", "tini", "s6"], "≤ tini"),
    ("M8starts", "M8 crash loop: starts in the window", "starts", "", SUPERVISORS, ""),
    ("M8cpu", "M8 crash loop: supervisor CPU in the window", "ms", "lower", SUPERVISORS, ""),
    ("M10", "M10 readiness wake-up (newline to waiter exit)", "ms", "lower",
     SUPERVISORS, "tend median ≤ 1 ms"),
]


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.3f" % v


def summary(samples):
    if isinstance(samples, dict):
        return None, samples["why"]
    good = [x for x in samples if not isinstance(x, dict)]
    bad = [x["error"] for x in samples if isinstance(x, dict)]
    if not good:
        return None, "failed: " + (bad[0] if bad else "no samples")
    med = statistics.median(good)
    text = "%s (%s–%s, n=%d)" % (fmt(med), fmt(min(good)), fmt(max(good)), len(good))
    if bad:
        text += " [%d failed: %s]" % (len(bad), bad[0])
    return med, text


def report(b, cmdline):
    L = []
    w = L.append
    titles = {"M2_big": "M2 scanner start to %d services running" % b.m2_big,
              "M1scanbig": "M1 Pss of the scanner, %d services" % b.m2_big,
              "M7": "M7 reaping %d orphaned zombies as PID 1" % b.m7_n,
              "M8starts": "M8 crash loop: starts in %d s" % b.m8_window,
              "M8cpu": "M8 crash loop: supervisor CPU in %d s" % b.m8_window}
    if not any(k[0] in {f[0] for f in FIGS} for k in b.results):
        # the svinit figures alone (--only svinit): their section, without empty tables
        L += initbench.report(b, fmt, summary)
        tail(b, cmdline, w)
        return "\n".join(L) + "\n", []
    w("Medians, (min–max, n = samples). Ratio = tend / peer of the medians; "
      "the 'better' column says which direction wins.")
    w("")
    w("| figure | unit | better | " + " | ".join(LABEL[c] for c in COLUMNS) + " |")
    w("|---|---|---|" + "---|" * len(COLUMNS))
    meds = {}
    for key, title, unit, better, cols, target in FIGS:
        title = titles.get(key, title)
        cells = []
        for col in COLUMNS:
            if col not in cols:
                cells.append("")
                continue
            s = b.results.get((key, col))
            if s is None:
                if key == "M5" or key in ("M1priv", "M1scanpriv") or col in ("tini", "dumb-init"):
                    cells.append("")
                    continue
                cells.append("not measured in this run")
                continue
            med, text = summary(s)
            meds[(key, col)] = med
            cells.append(text)
        w("| %s | %s | %s | %s |" % (title, unit, better or "-", " | ".join(cells)))
    w("")
    w("Ratios tend/peer (medians) and targets:")
    w("")
    peers = [c for c in COLUMNS if c != "tend"]
    w("| figure | better | target | " + " | ".join(LABEL[c] for c in peers) + " |")
    w("|---|---|---|" + "---|" * len(peers))
    ratios = []
    for key, title, unit, better, cols, target in FIGS:
        if not better:
            continue
        t = meds.get((key, "tend"))
        cells = []
        for col in peers:
            p = meds.get((key, col))
            if col not in cols:
                cells.append("")
            elif t is None:
                why = b.results.get((key, "tend"))
                cells.append("tend: " + (why["why"] if isinstance(why, dict) else "no value")
                             if p is not None else "")
            elif p is None or p == 0:
                cells.append("-")
            else:
                r = t / p
                cells.append("%.3g×" % r)
                ratios.append((key, col, r, better))
        w("| %s | %s | %s | %s |" % (titles.get(key, title), better, target or "-", " | ".join(cells)))
    for row in b.m9_rows:
        t = row.get("tend")
        if not t or row["role"] not in ("supervisor", "scanner", "control client", "logger"):
            continue
        cells = []
        for col in peers:
            v = row.get(col)
            if not v:
                cells.append("")
                continue
            r = t[1] / (v[0] + v[1])
            cells.append("%.3g×" % r)
            ratios.append(("M9 " + row["role"], col, r, "lower"))
        w("| M9 size of the %s (tend stripped static / peer + its non-libc libraries) | lower | - | %s |"
          % (row["role"], " | ".join(cells)))
    w("")
    w("M9 binary sizes (bytes). tend: static, as built (and stripped); peers: Debian's "
      "dynamically linked binaries, plus the non-libc shared libraries they load.")
    w("")
    w("| role | tend (static) | s6 | runit | daemontools | tini | dumb-init |")
    w("|---|---|---|---|---|---|---|")
    for row in b.m9_rows:
        cells = []
        t = row.get("tend")
        cells.append("%s: %d (stripped %s)" % (t[2], t[0], t[1]) if t else "not built yet")
        for s in ("s6", "runit", "daemontools", "tini", "dumb-init"):
            v = row.get(s)
            if not v:
                cells.append("")
            else:
                cells.append("%s: %d%s" % (v[3], v[0], " + %d (%s)" % (v[1], ", ".join(v[2])) if v[1] else ""))
        w("| %s | %s |" % (row["role"], " | ".join(cells)))
    for row in b.m9_rows:
        t = row.get("tend")
        if row["role"] == "all programs" and t and t[1] is not None:
            w("")
            w("All programs together, stripped: %d bytes = %.0f KB (target ≤ 700 KB: %s)."
              % (t[1], t[1] / 1000, "met" if t[1] <= 700000 else "NOT met"))
    if b.m5_text is not None:
        w("")
        w("M5, from tests/bench/svlog.sh%s:" % (" --quick" if b.q else ""))
        w("")
        w("```")
        w(b.m5_text.rstrip())
        w("```")
    if getattr(b, "m5_glibc_text", None) is not None:
        w("")
        w("M5 again, svlog linked statically with glibc instead (`make STATIC=1 LIBC=glibc`), same run:")
        w("")
        w("```")
        w(b.m5_glibc_text.rstrip())
        w("```")
    L += initbench.report(b, fmt, summary)
    tail(b, cmdline, w)
    return "\n".join(L) + "\n", ratios


def tail(b, cmdline, w):
    if b.errors:
        w("")
        w("**This run failed** (the bench exits non-zero):")
        w("")
        for e in b.errors:
            w("- " + e)
    w("")
    w("Command: `%s`; %s run; wall time %.0f s (%s)." % (cmdline, "QUICK" if b.q else "full",
                                                          b.elapsed, ", ".join(b.timing)))


def short_key(key):
    for a, b in (("M2_big", "M2 bigN"), ("M2_100", "M2 100"), ("M1scanpriv", "M1 scanner private"),
                 ("M1scanbig", "M1 scanner bigN"),
                 ("M1scan", "M1 scanner"), ("M1priv", "M1 private"), ("M8cpu", "M8 CPU"),
                 ("control client", "client"),
                 ("supervisor", "supervise")):
        key = key.replace(a, b)
    return key + ":"


def chart(ratios, outdir, svg):
    """gnuplot bar chart of the ratios, on a log scale: below 1 is tend ahead when lower is
    better; figures where higher is better are inverted (peer/tend) so one rule reads all."""
    if not ratios:
        return None
    if not shutil.which("gnuplot"):
        log("bench: gnuplot not found: no chart")
        return None
    data = os.path.join(outdir, "ratios.dat")
    with open(data, "w") as f:
        for key, col, r, better in ratios:
            v = r if better == "lower" else 1 / r
            f.write('"%s %s" %g\n' % (short_key(key), col, v))
    return plot(data, svg)


def plot(data, svg):
    gp = os.path.splitext(data)[0] + ".gp"
    with open(gp, "w") as f:
        f.write("\n".join([
            'set terminal svg size 1500,650 dynamic font "sans,11"',
            'set output "%s"' % svg,
            'set title "tend relative to each peer: tend / peer of the medians (below 1: tend better; log scale)"',
            'set logscale y', 'set yrange [0.0002:300]', 'set grid ytics', 'set format y "%g"',
            'set style fill solid 0.7', 'set boxwidth 0.7', 'set xtics rotate by -50 noenhanced font ",10"',
            'set bmargin 9', 'set rmargin 8', 'set xrange [-1:*]', 'unset key', 'set ylabel "tend / peer (M4 is a rate: shown as peer / tend)"',
            'plot "%s" using 0:2:xtic(1) with boxes lc rgb "#3a7bd5", \\' % data,
            '     "" using 0:2:(sprintf("%.2g", $2)) with labels offset 0,0.7 font ",9", \\',
            '     1 with lines lc rgb "#c00000" lw 2',
            ""]))
    r = subprocess.run(["gnuplot", gp], stderr=subprocess.PIPE)
    if r.returncode:
        log("bench: gnuplot failed: " + r.stderr.decode(errors="replace"))
        return None
    return svg


def versions(tb):
    v = []
    try:
        d = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode().strip()
    except OSError:
        d = "?"
    libc = "?"
    try:
        with open(os.path.join(os.path.dirname(tb), "config.mak")) as f:
            for line in f:
                if line.startswith("LIBC :="):
                    libc = line.split(":=", 1)[1].strip()
    except OSError:
        pass
    v.append("tend %s (static build, %s)" % (d, libc))
    for pkg in ("s6", "runit", "daemontools", "supervisor", "tini", "dumb-init", "skalibs-dev"):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        v.append("%s %s" % (pkg, r.stdout.decode().strip() or "not installed"))
    return v


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return "%d CPUs (%s), kernel %s" % (os.cpu_count(), cpu, os.uname().release)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tend-bin")
    ap.add_argument("--helper")
    ap.add_argument("--tmp")
    ap.add_argument("--out")
    ap.add_argument("--cmdline", default="make bench")
    ap.add_argument("--only", help="comma-separated figure groups, for debugging")
    ap.add_argument("--svlog-glibc", help="a glibc-static svlog: M5 runs again with it")
    o = ap.parse_args()
    if o.worker:
        return worker(o.worker)
    b = Bench(o)
    vers = versions(o.tend_bin)
    load0 = os.getloadavg()
    if o.only:
        b.m2_big, b.m7_n, b.m8_window, b.m5_text = 0, 0, 0, None
        b.run(["m9"] + o.only.split(","))
    else:
        b.run()
    text, ratios = report(b, o.cmdline)
    os.makedirs(o.out, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load1 = os.getloadavg()
    head = ["Date: " + stamp, "Machine: " + machine() + "; load average %.2f at the start, %.2f at the end"
            % (load0[0], load1[0]), "Versions: " + "; ".join(vers), ""]
    full = "\n".join(head) + "\n" + text
    with open(os.path.join(o.out, "table.md"), "w") as f:
        f.write(full)
    with open(os.path.join(o.out, "raw.json"), "w") as f:
        json.dump({"%s/%s" % k: v for k, v in b.results.items()}, f, indent=1)
    chart(ratios, o.out, os.path.join(o.out, "ratios.svg"))
    print(full)
    if b.errors:
        print("bench: FAILED: %d problem(s):" % len(b.errors))
        for e in b.errors:
            print("  - " + e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
