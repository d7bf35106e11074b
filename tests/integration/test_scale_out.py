#!/usr/bin/python3
"""Scale out (issue 9), on 127.0.0.1 only: a publisher bhxh-geo serving
release A, three replicas each following it (scripts/follow) with their own
copy of the file, nginx in front (scripts/cluster, scripts/nginx/), and a
bounded load through nginx while

 (a) one replica is killed with SIGKILL and restarted: no client-visible error;
 (b) the publisher gets release B (office 091 renamed): every replica converges
     to B within CONVERGE_S, no request fails, and no answer mixes releases
     (X-Release, ETag, the body's release and office 091's name agree).

Every loop is bounded in count and time; everything is stopped by pid.
"""
import csv
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, Tally, import_data, parse_args, run, tempdir  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts")
CLUSTER = os.path.join(SCRIPTS, "cluster")
NAME_A = "BHXH Tỉnh Kiên Giang"
NAME_B = "BHXH Tỉnh Kiên Giang (release B)"
CONVERGE_S = 15.0        # stated bound: publisher serves B -> every replica serves B
FOLLOW_INTERVAL = 0.5
LOAD_THREADS = 4
MAX_REQUESTS = 200000    # per thread
PATHS = ["/v1/offices/091", "/v1/nearest?lat=10.0123&lon=105.0809&limit=3",
         "/v1/nearest?lat=21.03&lon=105.85&limit=5&kind=office",
         "/v1/search?q=kien%20giang&limit=5", "/v1/offices?parent=091&limit=5"]


def get(port, path, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def release_at(port):
    try:
        st, _, body = get(port, "/healthz", 2)
        return json.loads(body).get("release") if st == 200 else None
    except (OSError, ValueError, http.client.HTTPException):
        return None


class Load:
    """LOAD_THREADS keep-alive clients through nginx; counts errors and mixed answers."""

    def __init__(self, port):
        self.port, self.stop, self.lock = port, threading.Event(), threading.Lock()
        self.ok = self.errors = self.mixed = 0
        self.samples, self.releases, self.cache = [], {}, {}
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(LOAD_THREADS)]

    def check(self, path, status, h, body):
        """'' when the answer is whole and from one release, else what is wrong."""
        if status != 200:
            return "HTTP %d" % status
        rel, etag = h.get("x-release"), h.get("etag", "")
        if not rel or not etag.startswith('"%s' % rel):
            return "X-Release %s vs ETag %s" % (rel, etag)
        doc = json.loads(body)
        if "release" in doc and doc["release"] != rel:
            return "body release %s vs X-Release %s" % (doc["release"], rel)
        if path == "/v1/offices/091":
            want = NAME_A if rel == self.rel_a else NAME_B
            if doc["name"] != want:
                return "release %s answered name %r, expected %r" % (rel, doc["name"], want)
        return ""

    def run(self, i):
        c, n = None, 0
        while not self.stop.is_set() and n < MAX_REQUESTS:
            # every other request misses nginx's cache (a new point), so replicas are hit
            path = PATHS[n // 2 % len(PATHS)] if n % 2 else (
                "/v1/nearest?lat=%.6f&lon=105.0809&limit=3" % (10.0 + (i * MAX_REQUESTS + n) * 1e-6)
                if n % 4 else "/healthz")
            n += 1
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                c.request("GET", path)
                r = c.getresponse()
                h = {k.lower(): v for k, v in r.getheaders()}
                what = self.check(path, r.status, h, r.read())
            except (OSError, ValueError, http.client.HTTPException) as e:
                what, h = "transport: %r" % e, {}
                c.close()
                c = None
            with self.lock:
                if what:
                    self.errors += 1 if not what.startswith(("X-Release", "body", "release")) else 0
                    self.mixed += 1 if what.startswith(("X-Release", "body", "release")) else 0
                    if len(self.samples) < 10:
                        self.samples.append("%s: %s" % (path, what))
                else:
                    self.ok += 1
                    rel = h.get("x-release")
                    self.releases[rel] = self.releases.get(rel, 0) + 1
                    cs = h.get("x-cache-status", "none")
                    self.cache[cs] = self.cache.get(cs, 0) + 1
        if c is not None:
            c.close()

    def snapshot(self):
        with self.lock:
            return self.ok, self.errors, self.mixed, list(self.samples)


def throughput(port, path, seconds=2.0, threads=4):
    """Requests/s of `threads` keep-alive clients on one path for `seconds`."""
    counts, stop = [0] * threads, time.monotonic() + seconds

    def worker(i):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop and counts[i] < 10 ** 6:
            c.request("GET", path)
            c.getresponse().read()
            counts[i] += 1
        c.close()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(seconds + 20)
    return sum(counts) / seconds


def rename_office(src_dir, dst_dir):
    shutil.copytree(src_dir, dst_dir)
    path = os.path.join(dst_dir, "offices.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        if row[0] == "091":
            row[1] = NAME_B
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def phase_kill(t, load, cl, state):
    """(a) SIGKILL replica 1 under load, restart it through scripts/cluster start."""
    time.sleep(1.5)
    before = load.snapshot()
    victim = state["replicas"][1]
    os.kill(victim["pid"], signal.SIGKILL)
    time.sleep(2.0)
    r = run([sys.executable, CLUSTER, "start", "--dir", cl], timeout=120)
    t.check(r.returncode == 0, "scripts/cluster start restarts the killed replica", r.stderr[-500:])
    with open(os.path.join(cl, "cluster.json")) as f:
        again = json.load(f)["replicas"][1]
    t.check(again["pid"] != victim["pid"] and release_at(again["port"]) is not None,
            "replica 1 serves again on port %d (new pid %s)" % (again["port"], again["pid"]))
    time.sleep(2.0)
    after = load.snapshot()
    served, errors = after[0] - before[0], after[1] - before[1]
    with open(os.path.join(cl, "logs", "error.log"), errors="replace") as f:
        retried = sum("upstream" in line for line in f)
    print("# kill+restart: %d answers, %d client-visible errors, %d upstream failures "
          "logged by nginx (retried on another replica)" % (served, errors, retried))
    t.check(served > 100, "load kept going through the kill (%d answers)" % served)
    t.check(errors == 0, "no client-visible error while a replica was killed and restarted",
            "; ".join(after[3]))
    return errors


def phase_publish(t, load, a, pub, pub_db, tmp, state, nginx_port):
    """(b) release B at the publisher; every replica (and nginx) converges to it."""
    before = load.snapshot()
    rel_a = release_at(pub.port)
    data_b = os.path.join(tmp, "data-b")
    rename_office(a["data"], data_b)
    import_data(a["bin"], data_b, pub_db)
    t0, rel_b = time.monotonic(), None
    while time.monotonic() < t0 + 30 and rel_b in (None, rel_a):
        rel_b = release_at(pub.port)
        time.sleep(0.05)
    t.check(rel_b not in (None, rel_a), "the publisher serves release B (%s)" % rel_b)
    t0, seen = time.monotonic(), {}
    nginx_at = None
    while time.monotonic() < t0 + CONVERGE_S + 15 and (len(seen) < 3 or nginx_at is None):
        for i, r in enumerate(state["replicas"]):
            if i not in seen and release_at(r["port"]) == rel_b:
                seen[i] = time.monotonic() - t0
        if nginx_at is None:
            st, h, body = get(nginx_port, "/v1/offices/091")
            if st == 200 and h.get("x-release") == rel_b and json.loads(body)["name"] == NAME_B:
                nginx_at = time.monotonic() - t0
        time.sleep(0.05)
    worst = max(seen.values()) if len(seen) == 3 else None
    print("# convergence to B after the publisher serves it: replicas %s s, through nginx %s s"
          % (", ".join("%.2f" % seen[i] for i in sorted(seen)),
             "%.2f" % nginx_at if nginx_at is not None else "never"))
    t.check(worst is not None and worst <= CONVERGE_S,
            "every replica serves B within %.0f s (slowest %s s)" % (CONVERGE_S, worst))
    t.check(nginx_at is not None, "nginx's cache gives B after the replicas have it")
    time.sleep(2.0)
    after = load.snapshot()
    t.check(after[1] == before[1], "no request failed while B was distributed", "; ".join(after[3]))
    return worst, nginx_at


class FakePublisher:
    """A stdlib HTTP server playing a publisher that serves `body` under a catalogue `sha`."""

    def __init__(self):
        import http.server
        fake = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_GET(self):
                if self.path == "/v1/datasets":
                    out = json.dumps({"release": fake.release, "files": [
                        {"name": "release.sqlite", "sha256": fake.sha}]}).encode()
                elif self.path == "/v1/datasets/release.sqlite":
                    out = fake.body
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("ETag", '"%s:release.sqlite"' % fake.release)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def phase_follow_failures(t, tmp, pub_db):
    """scripts/follow keeps the old file on every failure, installs a good one."""
    import hashlib
    follow = os.path.join(SCRIPTS, "follow")
    db, d = os.path.join(tmp, "follower", "release.sqlite"), os.path.join(tmp, "follower")
    os.makedirs(d)
    with open(db, "wb") as f:
        f.write(b"old file")
    with open(pub_db, "rb") as f:
        good = f.read()
    rel = release_at_file(pub_db)
    fake = FakePublisher()
    try:
        cases = [("a SHA-256 mismatch", good, "0" * 64, rel),
                 ("a file that is not SQLite", b"garbage", hashlib.sha256(b"garbage").hexdigest(),
                  rel),
                 ("a release row that differs from the catalogue", good,
                  hashlib.sha256(good).hexdigest(), "other-release")]
        for what, body, sha, release in cases:
            fake.body, fake.sha, fake.release = body, sha, release
            r = run([sys.executable, follow, "--from", "http://127.0.0.1:%d" % fake.port,
                     "--db", db, "--once"], timeout=60)
            with open(db, "rb") as f:
                kept = f.read() == b"old file"
            t.check(r.returncode == 1 and kept and os.listdir(d) == ["release.sqlite"],
                    "follow refuses %s and keeps the old file" % what, r.stderr[-300:])
        r = run([sys.executable, follow, "--from", "http://127.0.0.1:1", "--db", db, "--once"],
                timeout=60)
        t.check(r.returncode == 1, "follow with an unreachable publisher fails, file kept")
        fake.body, fake.sha, fake.release = good, hashlib.sha256(good).hexdigest(), rel
        r = run([sys.executable, follow, "--from", "http://127.0.0.1:%d" % fake.port,
                 "--db", db, "--once"], timeout=60)
        t.check(r.returncode == 0 and release_at_file(db) == rel,
                "follow installs a verified release", r.stderr[-300:])
    finally:
        fake.close()


def release_at_file(path):
    import sqlite3
    c = sqlite3.connect(path)
    try:
        return c.execute("SELECT id FROM release").fetchone()[0]
    finally:
        c.close()


def main():
    a = parse_args(sys.argv[1:])
    t = Tally()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)
    if not t.check(nginx is not None, "nginx is installed",
                   "(scripts/install-deps test installs Debian's nginx)"):
        return t.done()
    with tempdir() as tmp:
        pub_db, cl = os.path.join(tmp, "publisher.sqlite"), os.path.join(tmp, "cluster")
        import_data(a["bin"], a["data"], pub_db)
        phase_follow_failures(t, tmp, pub_db)
        pub = Server(a["bin"], pub_db)
        load = None
        try:
            rel_a = release_at(pub.port)
            r = run([sys.executable, CLUSTER, "start", "--dir", cl, "--port", "0", "--bin", a["bin"],
                     "--follow", "http://127.0.0.1:%d" % pub.port, "--follow-interval",
                     str(FOLLOW_INTERVAL), "--cache-valid", "1s", "--threads", "2"], timeout=180)
            if not t.check(r.returncode == 0, "scripts/cluster start: 3 replicas and nginx",
                           r.stdout[-500:] + r.stderr[-1500:]):
                return t.done()
            with open(os.path.join(cl, "cluster.json")) as f:
                state = json.load(f)
            port = state["nginx"]["port"]
            t.check(all(release_at(x["port"]) == rel_a for x in state["replicas"]),
                    "every replica serves the publisher's release A (its own copy)")
            st, h, _ = get(port, "/v1/offices/091")
            st2, h2, _ = get(port, "/v1/offices/091")
            t.check(st == 200 and h.get("x-release") == rel_a and
                    h2.get("x-cache-status") == "HIT", "nginx answers, caches (X-Cache-Status %s)"
                    % h2.get("x-cache-status"))
            st, _, _ = get(port, "/v1/offices/091")
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/v1/offices/091", headers={"If-None-Match": h["etag"]})
            t.check(c.getresponse().status == 304, "If-None-Match through nginx gives 304")
            c.close()
            direct = throughput(state["replicas"][0]["port"], "/v1/offices/091")
            via = throughput(port, "/v1/offices/091")
            print("# /v1/offices/091, 4 keep-alive clients: %.0f req/s direct to one replica, "
                  "%.0f req/s through nginx (cached)" % (direct, via))
            load = Load(port)
            load.rel_a = rel_a
            started = time.monotonic()
            for th in load.threads:
                th.start()
            phase_kill(t, load, cl, state)
            phase_publish(t, load, a, pub, pub_db, tmp, state, port)
            load.stop.set()
            for th in load.threads:
                th.join(30)
            ok, errors, mixed, samples = load.snapshot()
            secs = time.monotonic() - started
            print("# load: %d answers in %.1f s (%.0f/s), %d errors, %d mixed; releases %s; "
                  "cache %s" % (ok, secs, ok / secs, errors, mixed, load.releases, load.cache))
            t.check(not any(th.is_alive() for th in load.threads), "load threads stopped")
            t.check(errors == 0, "no request failed in the whole run", "; ".join(samples))
            t.check(mixed == 0, "no answer mixed releases", "; ".join(samples))
            t.check(len(load.releases) == 2, "the load saw both releases (%s)" % list(load.releases))
        finally:
            if load is not None:
                load.stop.set()
                for th in load.threads:
                    th.join(30)
            run([sys.executable, CLUSTER, "stop", "--dir", cl], timeout=120)
            pub.stop()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
