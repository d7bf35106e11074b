#!/usr/bin/python3
"""scripts/bench: national-scale benchmark of bhxh-geo beside nginx (and PostGIS).

Run through scripts/bench (which installs wrk and nginx first); see
README.md, section Benchmark. Steps: build a release binary in its own
build directory, generate N synthetic places (gen.py), import them
(/usr/bin/time -v), start the server on 127.0.0.1 (port 0), measure each
endpoint with wrk and wrk.lua, the same with nginx serving a copy of a
nearest answer, optionally PostGIS with pgbench, and print one Markdown
table with the issue's targets checked.

Every background process this starts is recorded by pid in PROCS and stopped
by pid in main()'s finally (on success, failure, Ctrl-C, SIGTERM or SIGHUP);
every wait has a time bound; the work directory is a fresh temporary one,
removed at the end unless --keep DIR.
"""
import argparse
import datetime
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# the issue's targets (issue 6), for N = 1,000,000 places
T_NEAREST_VS_NGINX = 0.60
T_NEAREST_VS_POSTGIS = 2.5
T_POSTGIS_ISSUE_QPS = 17800  # PostGIS measured in the issue, when --with-postgis is not given
T_NEAREST_P99_MS = 5
T_MAP5_P99_MS = 10
T_MAP5_GZIP = 30 * 1024
T_MAP15_P99_MS = 5
T_SEARCH_P99_MS = 10
T_RSS_MB = 300
T_STARTUP_S = 2
T_IMPORT_ROWS_S = 150000

MODES = [  # (wrk.lua mode, label)
    ("nearest", "`/v1/nearest` k=10, all kinds"),
    ("nearest-facility", "`/v1/nearest` k=10, kind=facility"),
    ("map5", "`/v1/map` zoom 5, whole country"),
    ("map10", "`/v1/map` zoom 10, 1280×800 viewport"),
    ("map15", "`/v1/map` zoom 15, 1280×800 viewport"),
    ("search", "`/v1/search` 1–4 word prefixes"),
    ("code", "`/v1/{kind}/{code}` look-ups"),
]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class Procs:
    """Background processes by pid, stopped by pid at the end."""

    def __init__(self):
        self.items = []  # (name, Popen or pid, stop callable or None)

    def add(self, name, proc, stop=None):
        self.items.append((name, proc, stop))

    def remove(self, proc):
        self.items = [i for i in self.items if i[1] is not proc]

    def stop_all(self):
        for name, proc, stop in reversed(self.items):
            try:
                if stop is not None:
                    stop()
                if proc is not None:
                    stop_pid(proc)
            except Exception as e:  # keep stopping the others
                log("stopping %s: %s" % (name, e))
        self.items = []


def stop_pid(proc, grace=10.0):
    """SIGTERM, wait up to grace seconds, then SIGKILL. proc: Popen or pid."""
    if isinstance(proc, subprocess.Popen):
        if proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        return
    if not isinstance(proc, int) or proc <= 1:
        return  # never a process group or init
    try:
        os.kill(proc, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + grace
    while time.monotonic() < end:
        try:
            os.kill(proc, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(proc, signal.SIGKILL)
    except ProcessLookupError:
        pass


PROCS = Procs()


def on_signal(signum, frame):
    raise SystemExit("bench: stopped by signal %d" % signum)


def run(cmd, timeout, **kw):
    """Runs cmd to completion (killed after timeout seconds); raises on failure."""
    r = subprocess.run(cmd, timeout=timeout, **kw)
    if r.returncode != 0:
        raise SystemExit("bench: %s failed (exit %d)" % (" ".join(map(str, cmd[:3])), r.returncode))
    return r


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, path, gzip_ok=False, timeout=60):
    """(status, body bytes as sent, header dict)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
        r = c.getresponse()
        return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
    finally:
        c.close()


def wait_http(port, path, bound):
    """Seconds until path answers 200, polling; raises after bound seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < bound:
        try:
            st, _, _ = http_get(port, path, timeout=max(1.0, bound - (time.monotonic() - t0)))
            if st == 200:
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit("bench: 127.0.0.1:%d%s did not answer 200 within %d s" % (port, path, bound))


def cpu_seconds(pid):
    """User + system CPU seconds pid has used."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid, bound):
    """Seconds until pid uses under 5% of a CPU over a whole second (background work done)."""
    t0 = time.monotonic()
    last = cpu_seconds(pid)
    while time.monotonic() - t0 < bound:
        time.sleep(1.0)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            return time.monotonic() - t0
        last = now
    log("warning: the server still works in the background after %d s" % bound)
    return None


def rss_mb(pid):
    """(VmRSS, VmHWM) of pid in MB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) / 1024.0
    return out.get("VmRSS", 0.0), out.get("VmHWM", 0.0)


# ---- wrk ----

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def parse_wrk(out):
    r = {"rps": 0.0, "p50": None, "p99": None, "max": None, "requests": 0, "errors": 0, "non2xx": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, out, re.M)
        if m:
            r[key] = to_ms(m.group(1))
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)
    if m:
        r["max"] = to_ms(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["errors"] = sum(int(x) for x in m.groups())
    if r["requests"] == 0:  # wrk prints zeros: no latency is known
        r["p50"] = r["p99"] = r["max"] = None
    return r


class Wrk:
    def __init__(self, a, work):
        self.a = a
        self.data = os.path.join(work, "bench-data.lua")
        self.script = os.path.join(HERE, "wrk.lua")
        self.logdir = os.path.join(work, "wrk")
        os.makedirs(self.logdir, exist_ok=True)

    def cmd(self, port, mode, seconds):
        return ["wrk", "-t%d" % self.a.threads, "-c%d" % self.a.connections,
                "-d%ds" % seconds, "--latency", "--timeout", "10s", "-s", self.script,
                "http://127.0.0.1:%d" % port, "--", mode, str(self.a.seed), self.data]

    def run(self, port, mode, seconds, tag=None):
        r = subprocess.run(self.cmd(port, mode, seconds), capture_output=True, text=True,
                           timeout=seconds + 60)
        with open(os.path.join(self.logdir, "%s.txt" % (tag or mode)), "w") as f:
            f.write(r.stdout + r.stderr)
        if r.returncode != 0:
            raise SystemExit("bench: wrk %s failed: %s" % (mode, r.stderr.strip()[-500:]))
        return parse_wrk(r.stdout)

    def start(self, port, mode, seconds):
        return subprocess.Popen(self.cmd(port, mode, seconds), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def warm(self, port, mode):
        self.run(port, mode, self.a.warmup, tag=mode + "-warmup")

    def measure(self, port, mode):
        self.warm(port, mode)
        r = self.run(port, mode, self.a.duration)
        log("%-17s %9.0f req/s  p50 %s  p99 %s%s" % (mode, r["rps"], fmt_ms(r["p50"]),
                                                    fmt_ms(r["p99"]), err_note(r)))
        return r


# ---- steps ----

def build(a):
    bdir = os.path.join(REPO, a.build)
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        log("meson setup %s --buildtype=release" % a.build)
        run(["meson", "setup", bdir, "--buildtype=release"], 600, cwd=REPO,
            stdout=subprocess.DEVNULL)
    run(["ninja", "-C", bdir, "bhxh-geo"], 1800, stdout=subprocess.DEVNULL)
    bt = subprocess.run(["meson", "introspect", "--buildoptions", bdir], capture_output=True,
                        text=True, timeout=60)
    try:
        opts = {o["name"]: o["value"] for o in json.loads(bt.stdout)}
        if opts.get("buildtype") != "release":
            log("warning: %s is a %s build, not release" % (a.build, opts.get("buildtype")))
    except ValueError:
        pass
    return os.path.join(bdir, "bhxh-geo")


def generate(a, work, R):
    t0 = time.monotonic()
    run(["/usr/bin/python3", os.path.join(HERE, "gen.py"), "--places", str(a.places), "--seed",
         str(a.seed), "--repo", REPO, "--raw", a.raw, "--out", work], 1800,
        stdout=subprocess.DEVNULL)
    R["gen_s"] = time.monotonic() - t0
    with open(os.path.join(work, "gen.json")) as f:
        R["gen"] = json.load(f)
    g = R["gen"]
    log("generated %d places (%d agents, %d facilities) in %.1f s" % (
        g["places"], g["agents"], g["facilities"], R["gen_s"]))


def import_data(a, binary, work, R):
    db = os.path.join(work, "release.sqlite")
    t0 = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-v", binary, "import", "--data",
                        os.path.join(work, "data"), "--out", db],
                       capture_output=True, text=True, timeout=3600)
    R["import_s"] = time.monotonic() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:])
        raise SystemExit("bench: import failed (exit %d)" % r.returncode)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    R["import_rss_mb"] = int(m.group(1)) / 1024.0 if m else None
    with open(os.path.join(work, "data", "offices.csv"), encoding="utf-8") as f:
        offices = sum(1 for _ in f) - 1
    R["import_rows"] = R["gen"]["places"] + offices
    R["import_rps"] = R["import_rows"] / R["import_s"]
    R["db_mb"] = os.path.getsize(db) / 1e6
    log("imported %d place rows in %.1f s: %.0f rows/s, peak RSS %.0f MB, release %.0f MB" % (
        R["import_rows"], R["import_s"], R["import_rps"], R["import_rss_mb"] or 0, R["db_mb"]))
    return db


def start_server(a, binary, db, work, R):
    out, err = os.path.join(work, "server.out"), os.path.join(work, "server.err")
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "serve", "--db", db, "--port", "0", "--threads",
                          str(a.server_threads), "--no-watch"], cwd=work,
                         stdout=open(out, "w"), stderr=open(err, "w"))
    PROCS.add("bhxh-geo serve", p)
    port = None
    while time.monotonic() - t0 < a.start_timeout:
        if p.poll() is not None:
            raise SystemExit("bench: the server exited (%d): %s" % (p.returncode,
                                                                   open(err).read()[-2000:]))
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(out).read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.01)
    if port is None:
        raise SystemExit("bench: no 'listening on' line within %d s" % a.start_timeout)
    lat, lon = R["gen"]["first_point"]
    wait_http(port, "/v1/nearest?lat=%.5f&lon=%.5f&limit=10" % (lat, lon),
              a.start_timeout - (time.monotonic() - t0))
    R["startup_s"] = time.monotonic() - t0
    log("server pid %d on port %d, first 200 after %.2f s" % (p.pid, port, R["startup_s"]))
    idle = wait_idle(p.pid, a.start_timeout)
    R["idle_s"] = None if idle is None else R["startup_s"] + idle
    if idle is not None and idle > 2:
        log("server busy in the background until %.1f s after start" % R["idle_s"])
    return p, port


def sample_paths(R):
    g = R["gen"]
    lat, lon = g["first_point"]

    def vp(z):
        import math
        dlon = 1280 * 360 / (256 * 2 ** z)
        dlat = 800 * 360 / (256 * 2 ** z) * math.cos(math.radians(lat))
        return "/v1/map?bbox=%.5f,%.5f,%.5f,%.5f&zoom=%d" % (
            lon - dlon / 2, lat - dlat / 2, lon + dlon / 2, lat + dlat / 2, z)
    return {
        "nearest": "/v1/nearest?lat=%.5f&lon=%.5f&limit=10" % (lat, lon),
        "nearest-facility": "/v1/nearest?lat=%.5f&lon=%.5f&limit=10&kind=facility" % (lat, lon),
        "map5": "/v1/map?bbox=102,6.5,117.5,23.5&zoom=5",
        "map10": vp(10),
        "map15": vp(15),
        "search": "/v1/search?q=" + g["first_query"],
        "code": g["first_code"],
    }


def answer_sizes(port, R, work):
    """Bytes of one typical answer per endpoint, plain, gzip -6 and as sent gzipped."""
    sizes = {}
    for mode, path in sample_paths(R).items():
        st, body, _ = http_get(port, path)
        if st != 200:
            raise SystemExit("bench: %s answered %d: %s" % (path, st, body[:300]))
        st2, wire, hdr = http_get(port, path, gzip_ok=True)
        sent = len(wire) if hdr.get("content-encoding") == "gzip" else None
        sizes[mode] = {"path": path, "bytes": len(body), "gzip": len(gzip.compress(body, 6)),
                       "sent_gzip": sent}
        if mode == "nearest":
            os.makedirs(os.path.join(work, "nginx", "www"), exist_ok=True)
            with open(os.path.join(work, "nginx", "www", "nearest.json"), "wb") as f:
                f.write(body)
    R["sizes"] = sizes


def search_one_at_a_time(port, R):
    """Latency of the example searches sent one after the other (no queueing)."""
    ms = []
    for q in R["gen"]["example_queries"]:
        t0 = time.monotonic()
        st, body, _ = http_get(port, "/v1/search?q=" + q, timeout=120)
        if st != 200:
            raise SystemExit("bench: /v1/search?q=%s answered %d: %s" % (q, st, body[:300]))
        ms.append((time.monotonic() - t0) * 1000)
    ms.sort()
    R["search_seq"] = {"n": len(ms), "median": ms[len(ms) // 2], "max": ms[-1]}
    log("search one at a time: median %s, max %s" % (fmt_ms(ms[len(ms) // 2]), fmt_ms(ms[-1])))


def drain(port, pid, bound=300):
    """Waits until the server answers /healthz and is idle again: a slow query left over
    from the previous run must not steal a thread from the next one."""
    t0 = time.monotonic()
    wait_http(port, "/healthz", bound)
    wait_idle(pid, max(1, bound - (time.monotonic() - t0)))


def bench_server(a, wrk, port, pid, R):
    log("warm-up: every endpoint for %d s" % a.warmup)
    for mode, _ in MODES:
        wrk.warm(port, mode)
        drain(port, pid)
    R["rss_warm"] = rss_mb(pid)[0]
    R["runs"] = {}
    for mode, _ in MODES:
        R["runs"][mode] = wrk.measure(port, mode)
        drain(port, pid)
    R["rss_after"], R["rss_hwm"] = rss_mb(pid)


def bench_reload(a, wrk, port, proc, work, R):
    """nearest under load while the server reloads its release: SIGHUP after a third of
    --duration, then wrk goes on until a third of --duration after the swap (or until
    a bound from the start-up time) and is stopped with SIGINT, on which it reports."""
    errpath = os.path.join(work, "server.err")
    before = open(errpath).read().count("reloaded")
    bound = min(a.start_timeout, max(60, 3 * (R["idle_s"] or R["startup_s"])))
    w = wrk.start(port, "nearest", int(a.duration + bound + 10))
    PROCS.add("wrk (reload run)", w)
    t_start = time.monotonic()
    try:
        time.sleep(a.duration / 3.0)
        t0 = time.monotonic()
        os.kill(proc.pid, signal.SIGHUP)
        done = None
        while time.monotonic() - t0 < bound and w.poll() is None:
            if open(errpath).read().count("reloaded") > before:
                done = time.monotonic() - t0
                break
            time.sleep(0.05)
        time.sleep(a.duration / 3.0)
        if w.poll() is None:
            w.send_signal(signal.SIGINT)
        out, _ = w.communicate(timeout=60)
    finally:
        stop_pid(w)
        PROCS.remove(w)
    with open(os.path.join(wrk.logdir, "nearest-reload.txt"), "w") as f:
        f.write(out)
    r = parse_wrk(out)
    r["reload_s"] = done
    r["seconds"] = time.monotonic() - t_start
    r["bound"] = bound
    R["reload"] = r
    log("reload run: %s, p99 %s, max %s" % (
        "swapped after %.1f s" % done if done is not None else "no swap within %d s" % bound,
        fmt_ms(r["p99"]), fmt_ms(r["max"])))
    drain(port, proc.pid)


NGINX_CONF = """# written by scripts/bench
worker_processes %(workers)d;
daemon off;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    types { application/json json; }
    default_type application/json;
    client_body_temp_path %(dir)s/tmp-body;
    proxy_temp_path %(dir)s/tmp-proxy;
    fastcgi_temp_path %(dir)s/tmp-fastcgi;
    uwsgi_temp_path %(dir)s/tmp-uwsgi;
    scgi_temp_path %(dir)s/tmp-scgi;
    server {
        listen 127.0.0.1:%(port)d;
        root %(dir)s/www;
    }
}
"""


def bench_nginx(a, wrk, work, R):
    d = os.path.join(work, "nginx")
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {"workers": a.server_threads, "dir": d, "port": port})
    for p in (work, d, os.path.join(d, "www")):
        os.chmod(p, 0o755)  # workers run as nobody when started by root
    os.chmod(os.path.join(d, "www", "nearest.json"), 0o644)
    ver = subprocess.run(["nginx", "-v"], capture_output=True, text=True, timeout=30)
    R["nginx_version"] = ver.stderr.strip().split("/")[-1]
    p = subprocess.Popen(["nginx", "-p", d, "-e", os.path.join(d, "error.log"), "-c", conf],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "stderr"), "w"))
    PROCS.add("nginx", p)
    try:
        wait_http(port, "/nearest.json", 30)
        st, body, _ = http_get(port, "/nearest.json")
        if body != open(os.path.join(d, "www", "nearest.json"), "rb").read():
            raise SystemExit("bench: nginx does not serve the captured answer")
        R["nginx"] = wrk.measure(port, "static")
    finally:
        stop_pid(p)
        PROCS.remove(p)


def pg_bindir():
    vers = [v for v in os.listdir("/usr/lib/postgresql") if v.isdigit()]
    if not vers:
        raise SystemExit("bench: no /usr/lib/postgresql/VERSION/bin")
    return "/usr/lib/postgresql/%s/bin" % max(vers, key=int)


KNN_SQL = r"""\set lat random(8600000, 23300000)
\set lon random(102200000, 109400000)
SELECT code, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(:lon / 1e6, :lat / 1e6), 4326)::geography) AS distance_m FROM places ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon / 1e6, :lat / 1e6), 4326) LIMIT 10;
"""

LOAD_SQL = """CREATE EXTENSION postgis;
CREATE TABLE pts (code text, kind text, lat float8, lon float8);
\\copy pts FROM 'POINTS' WITH (FORMAT csv)
CREATE TABLE places AS
  SELECT code, kind, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geometry(Point, 4326) AS geom
  FROM pts;
DROP TABLE pts;
CREATE INDEX places_geom ON places USING gist (geom);
VACUUM ANALYZE places;
SELECT count(*) FROM places;
"""


def bench_postgis(a, work, R):
    bindir = pg_bindir()
    d = os.path.join(work, "pg")
    os.makedirs(d)
    shutil.copyfile(os.path.join(work, "points.csv"), os.path.join(d, "points.csv"))
    with open(os.path.join(d, "knn.sql"), "w") as f:
        f.write(KNN_SQL)
    with open(os.path.join(d, "load.sql"), "w") as f:
        f.write(LOAD_SQL.replace("POINTS", os.path.join(d, "points.csv")))
    as_user = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(work, 0o755)
        shutil.chown(d, "postgres")
        for fn in os.listdir(d):
            shutil.chown(os.path.join(d, fn), "postgres")
    data = os.path.join(d, "data")
    port = free_port()
    q = subprocess.DEVNULL
    run(as_user + [bindir + "/initdb", "-D", data, "-U", "bench", "--auth=trust", "-E", "UTF8",
                   "--locale=C", "-N"], 300, stdout=q)
    opts = ("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_buffers=256MB -c max_wal_size=4GB "
            "-c maintenance_work_mem=512MB" % (port, d))

    def pg_stop():
        subprocess.run(as_user + [bindir + "/pg_ctl", "-D", data, "-m", "immediate", "-t", "30",
                                  "stop"], timeout=60, stdout=q, stderr=q)

    PROCS.add("postgres", None, pg_stop)  # registered before start: stopped even if start hangs
    run(as_user + [bindir + "/pg_ctl", "-D", data, "-l", os.path.join(d, "log"), "-w", "-t",
                   "120", "-o", opts, "start"], 180, stdout=q)
    with open(os.path.join(data, "postmaster.pid")) as f:
        pm = int(f.readline())
    PROCS.items = [i for i in PROCS.items if i[0] != "postgres"]
    PROCS.add("postgres", pm, pg_stop)
    conn = ["-h", "127.0.0.1", "-p", str(port), "-U", "bench"]
    t0 = time.monotonic()
    run(as_user + [bindir + "/psql"] + conn + ["-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1",
                                                "-f", os.path.join(d, "load.sql")], 1800, stdout=q)
    R["pg_load_s"] = time.monotonic() - t0
    ver = subprocess.run(as_user + [bindir + "/psql"] + conn + [
        "-d", "postgres", "-Atc", "SELECT split_part(version(), ' ', 2) || ' / PostGIS ' || "
        "postgis_lib_version()"], capture_output=True, text=True, timeout=60)
    R["pg_version"] = ver.stdout.strip()
    bench = as_user + [bindir + "/pgbench"] + conn + ["-n", "-c", "4", "-j", "2", "-f",
                                                      os.path.join(d, "knn.sql"),
                                                      "--random-seed=%d" % a.seed]
    run(bench + ["-T", str(a.warmup), "postgres"], a.warmup + 120, stdout=q, stderr=q)
    r = run(bench + ["-T", str(a.duration), "postgres"], a.duration + 120, capture_output=True,
            text=True)
    with open(os.path.join(d, "pgbench.txt"), "w") as f:
        f.write(r.stdout + r.stderr)
    m = re.search(r"tps = ([\d.]+)", r.stdout)
    m2 = re.search(r"latency average = ([\d.]+) ms", r.stdout)
    R["postgis"] = {"qps": float(m.group(1)) if m else 0.0,
                    "avg_ms": float(m2.group(1)) if m2 else None}
    log("PostGIS KNN: %.0f queries/s, average %s ms (loaded in %.0f s)" % (
        R["postgis"]["qps"], R["postgis"]["avg_ms"], R["pg_load_s"]))
    pg_stop()
    stop_pid(pm)
    PROCS.items = [i for i in PROCS.items if i[0] != "postgres"]


# ---- the table ----

def fmt_ms(v):
    if v is None:
        return "–"
    if v >= 1000:
        return "%.1f s" % (v / 1000)
    return "%.2f ms" % v if v < 10 else "%.0f ms" % v


def fmt_n(v):
    return "{:,.0f}".format(v)


def err_note(r):
    bad = r["errors"] + r["non2xx"]
    return "" if not bad else " ⚠ %s failed" % fmt_n(bad)


def lat(r, key, seconds):
    """A latency cell; "≥" when some requests waited about the whole run (wrk only counts
    the requests that completed, so the percentiles are then lower bounds)."""
    if r["requests"] == 0:
        return "> %d s" % seconds
    v = fmt_ms(r[key])
    if r[key] is not None and r["max"] is not None and r["max"] >= 900 * seconds:
        v = "≥ " + v
    return v


def check(ok, text):
    return ("✓ " if ok else "✗ ") + text


def size_cell(R, mode):
    s = R["sizes"][mode]
    served = ", served %s" % fmt_n(s["sent_gzip"]) if mode == "map5" and s["sent_gzip"] else ""
    return "%s (gzip %s%s)" % (fmt_n(s["bytes"]), fmt_n(s["gzip"]), served)


def p99_ok(r, limit):
    return r["p99"] is not None and r["p99"] <= limit


def targets(R, nginx):
    """The issue's checks per wrk mode."""
    runs, n, pg = R["runs"], R["runs"]["nearest"], R.get("postgis")
    pg_qps = pg["qps"] if pg else T_POSTGIS_ISSUE_QPS
    return {
        "nearest": "; ".join([
            check(n["rps"] >= T_NEAREST_VS_NGINX * nginx, "≥ %.2f× nginx" % T_NEAREST_VS_NGINX),
            check(n["rps"] >= T_NEAREST_VS_POSTGIS * pg_qps,
                  "≥ %.1f× PostGIS%s (%.2f×)" % (T_NEAREST_VS_POSTGIS, "" if pg else
                                                 " of the issue, 17.8k q/s", n["rps"] / pg_qps)),
            check(p99_ok(n, T_NEAREST_P99_MS), "p99 ≤ %d ms" % T_NEAREST_P99_MS)]),
        "map5": "; ".join([
            check(p99_ok(runs["map5"], T_MAP5_P99_MS), "p99 ≤ %d ms" % T_MAP5_P99_MS),
            check(R["sizes"]["map5"]["gzip"] <= T_MAP5_GZIP, "gzip ≤ 30 KB")]),
        "map15": check(p99_ok(runs["map15"], T_MAP15_P99_MS), "p99 ≤ %d ms" % T_MAP15_P99_MS),
        "search": check(p99_ok(runs["search"], T_SEARCH_P99_MS), "p99 ≤ %d ms" % T_SEARCH_P99_MS),
    }


def http_rows(a, R, nginx):
    """nginx, every endpoint, the reload run."""
    ng = R["nginx"]
    rows = [["nginx %s, static copy of a nearest answer (%d workers)" % (
        R["nginx_version"], a.server_threads), fmt_n(ng["rps"]) + err_note(ng), "1.00",
        lat(ng, "p50", a.duration), lat(ng, "p99", a.duration), size_cell(R, "nearest"),
        "reference"]]
    checks = targets(R, nginx)
    for mode, label in MODES:
        r = R["runs"][mode]
        if mode == "search":
            ss = R["search_seq"]
            label += " (%d one at a time: median %s, max %s)" % (ss["n"], fmt_ms(ss["median"]),
                                                                 fmt_ms(ss["max"]))
        rows.append([label, fmt_n(r["rps"]) + err_note(r), "%.2f" % (r["rps"] / nginx),
                     lat(r, "p50", a.duration), lat(r, "p99", a.duration), size_cell(R, mode),
                     checks.get(mode, "")])
    rl = R["reload"]
    swap = ("swap after %.1f s" % rl["reload_s"]) if rl["reload_s"] is not None else \
        "no swap within %d s" % rl["bound"]
    rows.append(["`/v1/nearest` k=10 during a reload (SIGHUP; %s; max %s)" % (
        swap, fmt_ms(rl["max"])), fmt_n(rl["rps"]) + err_note(rl), "%.2f" % (rl["rps"] / nginx),
        lat(rl, "p50", rl["seconds"]), lat(rl, "p99", rl["seconds"]), "",
        check(rl["reload_s"] is not None and p99_ok(rl, T_NEAREST_P99_MS),
              "swap, p99 ≤ %d ms" % T_NEAREST_P99_MS)])
    return rows


def other_rows(R, nginx):
    """PostGIS, import, start-up, memory."""
    rows = []
    pg = R.get("postgis")
    if pg:
        rows.append(["PostgreSQL %s: `ORDER BY geom <-> pt LIMIT 10` + spheroid distance, "
                     "pgbench -c4 -j2, no HTTP" % R["pg_version"], fmt_n(pg["qps"]) + " q/s",
                     "%.2f" % (pg["qps"] / nginx), "avg %s" % fmt_ms(pg["avg_ms"]), "–", "–",
                     "nearest / PostGIS = %.2f×" % (R["runs"]["nearest"]["rps"] / pg["qps"])])
    rows.append(["import of %s place rows (validation, transforms, indexes)" %
                 fmt_n(R["import_rows"]), fmt_n(R["import_rps"]) + " rows/s", "", "", "",
                 "peak RSS %.0f MB; release %.0f MB" % (R["import_rss_mb"] or 0, R["db_mb"]),
                 check(R["import_rps"] >= T_IMPORT_ROWS_S, "≥ 150,000 rows/s")])
    busy = "" if R["idle_s"] is None or R["idle_s"] < R["startup_s"] + 2 else \
        " (then busy in the background until %.0f s)" % R["idle_s"]
    rows.append(["server start-up to the first 200 of `/v1/nearest`" + busy,
                 "%.2f s" % R["startup_s"], "", "", "", "",
                 check(R["startup_s"] <= T_STARTUP_S, "≤ %d s" % T_STARTUP_S)])
    rss = max(R["rss_warm"], R["rss_after"])
    rows.append(["server RSS after warm-up / after the runs (peak)", "%.0f / %.0f MB (%.0f)" % (
        R["rss_warm"], R["rss_after"], R["rss_hwm"]), "", "", "", "",
        check(rss <= T_RSS_MB, "≤ %d MB" % T_RSS_MB)])
    return rows


def table(a, R):
    nginx = R["nginx"]["rps"] or 1.0
    g = R["gen"]
    head = [
        "Benchmark %s UTC · %s · nproc %d · load average at start %s, at the end %s" % (
            R["date"], R["cpu"], os.cpu_count() or 0, R["load"], R["load_end"]),
        "N = %s places (%s agents, %s facilities) + %d offices; seed %d · wrk %d threads, "
        "%d connections, %d s per run after %d s warm-up · server and nginx %d threads · %s" % (
            fmt_n(g["places"]), fmt_n(g["agents"]), fmt_n(g["facilities"]),
            R["import_rows"] - g["places"], a.seed, a.threads, a.connections, a.duration,
            a.warmup, a.server_threads, R["commit"]),
        "",
        "| measure | req/s | × nginx | p50 | p99 | answer bytes | target (issue 6, N = 1M) |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    if float(R["load"].split()[0]) > 0.5 * (os.cpu_count() or 1):
        head.insert(2, "⚠ The machine was busy with other work (load average above half the "
                    "core count): the numbers are low and noisy.")
    rows = http_rows(a, R, nginx) + other_rows(R, nginx)
    body = ["| " + " | ".join(r) + " |" for r in rows]
    tail = ["", "Not measured here: server-side work per nearest query (≤ 20 µs median: a C "
            "micro-benchmark of the query function) and results identical to a brute-force "
            "scan (a test)."]
    return "\n".join(head + body + tail)


def machine(R):
    R["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    R["load"] = " ".join(open("/proc/loadavg").read().split()[:3])
    R["cpu"] = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            R["cpu"] = line.split(":", 1)[1].strip()
            break
    c = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                       capture_output=True, text=True, timeout=30)
    R["commit"] = "commit " + (c.stdout.strip() or "unknown")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    ap.add_argument("--places", type=int, default=1000000, help="synthetic places (1000000)")
    ap.add_argument("--seed", type=int, default=1, help="generator and wrk seed (1)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per measured run (10)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per run (2)")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    ap.add_argument("--server-threads", type=int, default=os.cpu_count() or 2,
                    help="bhxh-geo --threads and nginx worker_processes (nproc)")
    ap.add_argument("--with-postgis", action="store_true",
                    help="also load the points into PostgreSQL+PostGIS and run pgbench")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary "
                    "directory, removed)")
    ap.add_argument("--build", default="build-bench", help="release build directory "
                    "(build-bench)")
    ap.add_argument("--raw", default=os.path.join(os.path.dirname(REPO), "shared", "data", "raw"),
                    help="raw data with vn-admin-2025-points/ (../shared/data/raw)")
    ap.add_argument("--start-timeout", type=int, default=600,
                    help="seconds the server may take to answer (600)")
    a = ap.parse_args(argv)
    if a.places < 1 or a.duration < 1 or a.warmup < 1 or a.connections < 1 or a.threads < 1:
        ap.error("--places, --duration, --warmup, --connections and --threads must be >= 1")
    return a


def main(argv):
    a = parse_args(argv)
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, on_signal)
    if a.keep:
        work = os.path.abspath(a.keep)
        os.makedirs(work, exist_ok=True)
        if os.listdir(work):
            raise SystemExit("bench: --keep %s: the directory is not empty" % work)
    else:
        work = tempfile.mkdtemp(prefix="bhxh-bench-")
    R = {}
    try:
        machine(R)
        binary = build(a)
        log("work directory %s" % work)
        generate(a, work, R)
        db = import_data(a, binary, work, R)
        proc, port = start_server(a, binary, db, work, R)
        answer_sizes(port, R, work)
        search_one_at_a_time(port, R)
        wrk = Wrk(a, work)
        bench_server(a, wrk, port, proc.pid, R)
        bench_reload(a, wrk, port, proc, work, R)
        stop_pid(proc, grace=30)
        PROCS.remove(proc)
        bench_nginx(a, wrk, work, R)
        if a.with_postgis:
            bench_postgis(a, work, R)
        R["load_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
        t = table(a, R)
        with open(os.path.join(work, "results.md"), "w") as f:
            f.write(t + "\n")
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(R, f, indent=1)
        print(t)
        return 0
    finally:
        PROCS.stop_all()
        if a.keep:
            log("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
