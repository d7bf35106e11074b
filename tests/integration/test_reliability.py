#!/usr/bin/python3
"""Reliability tests of the real binary on 127.0.0.1 (issue 5):

- releases swap under load (file replaced, SIGHUP): every answer is 2xx/304
  and comes from one whole release;
- a broken release is refused and the old one keeps serving;
- a server started on a file whose search index pages are damaged answers
  from the places it read, and /healthz turns 503 once the background integrity
  check has found the damage;
- an import killed with SIGKILL leaves the database untouched; a second
  import is refused while one runs; stale temporary files are cleaned;
- slow clients are dropped, connection limits hold, oversized headers are
  refused, metrics and the access log report what happened, SIGTERM drains.
Every loop is bounded in count and time.
"""
import csv
import hashlib
import http.client
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, Tally, import_data, parse_args, run, tempdir  # noqa: E402


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def release_of(db):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT id FROM release").fetchone()[0]
    finally:
        c.close()


def variant(data, dst, label):
    """A copy of data/ whose office 091 is named with label (to tell releases apart)."""
    shutil.copytree(data, dst)
    path = os.path.join(dst, "offices.csv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    name = rows[0].index("name")
    for r in rows[1:]:
        if r[0] == "091":
            r[name] = f"BHXH Tỉnh Kiên Giang ({label})"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return dst


def wait_release(srv, want, seconds=15):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, _, body = srv.get_json("/healthz")
        if status == 200 and body["release"] == want:
            return True
        time.sleep(0.1)
    return False


class Load:
    """Keep-alive clients hitting the server until stopped (bounded in time)."""

    def __init__(self, port, threads=3, max_seconds=90):
        self.port, self.results, self.errors = port, [], []
        self.stop_at = time.monotonic() + max_seconds
        self.stopping = False
        self.threads = [threading.Thread(target=self.loop, args=(i,)) for i in range(threads)]
        for t in self.threads:
            t.start()

    def loop(self, i):
        paths = ["/v1/offices/091", "/v1/nearest?lat=10.01&lon=105.08&limit=3", "/v1/offices?parent=091"]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        n = 0
        while not self.stopping and time.monotonic() < self.stop_at and n < 200000:
            path = paths[n % len(paths)]
            n += 1
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                self.results.append((path, r.status, r.getheader("ETag"), body))
            except Exception as e:  # a dropped connection is an error the test reports
                self.errors.append(f"{path}: {e!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(30)


def check_swaps(t, binary, data, tmp):
    import json
    db = os.path.join(tmp, "live.sqlite")
    dirs = {lab: variant(data, os.path.join(tmp, f"data-{lab}"), lab) for lab in "AB"}
    import_data(binary, dirs["A"], db)
    names = {release_of(db): "A"}
    srv = Server(binary, db)
    try:
        load = Load(srv.port)
        swaps_ok = True
        for i, lab in enumerate("BABA"):
            time.sleep(0.5)
            if i % 2 == 0:
                import_data(binary, dirs[lab], db)        # renamed over the file: noticed by the server
            else:
                staged = db + ".staged"
                import_data(binary, dirs[lab], staged)
                os.replace(staged, db)
                srv.proc.send_signal(signal.SIGHUP)        # and the explicit way
            rid = release_of(db)
            names[rid] = lab
            swaps_ok &= wait_release(srv, rid)
        time.sleep(0.5)
        load.stop()
        t.check(swaps_ok, "every new release is picked up (file change and SIGHUP)")
        bad = [r for r in load.results if r[1] not in (200, 304)]
        t.check(len(load.results) > 200 and not bad and not load.errors,
                f"{len(load.results)} requests during 4 swaps: all 2xx/304, no connection errors",
                f"{bad[:3]} {load.errors[:3]}")
        mixed = 0
        for path, status, etag, body in load.results:
            doc = json.loads(body)
            rid = etag.strip('"')
            if path == "/v1/offices/091":
                mixed += names.get(rid) is None or not doc["name"].endswith(f"({names[rid]})")
            else:
                mixed += doc.get("release") != rid
                if "parent=" in path:
                    mixed += doc["results"][0]["parent_code"] != "091"
        t.check(mixed == 0, "each answer comes from one whole release (ETag, body and data agree)", f"{mixed} mixed")
        seen = {names.get(r[2].strip('"')) for r in load.results}
        t.check(seen == {"A", "B"}, "answers came from both releases", str(seen))

        before = srv.get_json("/healthz")[2]["release"]
        broken = os.path.join(tmp, "broken.sqlite")
        with open(broken, "w") as f:
            f.write("not a database\n" * 1000)
        os.replace(broken, db)
        time.sleep(2.5)
        status, _, body = srv.get_json("/healthz")
        t.check(status == 200 and body["release"] == before, "a file that is not a release is refused; the old one keeps serving")
        real = os.path.join(tmp, "real.sqlite")
        import_data(binary, dirs["B"], real)
        size = os.path.getsize(real)
        with open(real, "r+b") as f:
            f.seek(size // 2)
            f.write(os.urandom(size // 4))
        os.replace(real, db)
        # The reload runs at a lower CPU priority: wait (bounded) until it has been refused.
        refused, end = 0, time.monotonic() + 30
        while time.monotonic() < end and refused < 2:
            time.sleep(0.2)
            status, _, raw = srv.request("GET", "/metrics")
            lines = [l for l in raw.decode().splitlines()
                     if l.startswith('bhxh_reloads_total{result="refused"}')]
            refused = int(lines[0].split()[-1]) if status == 200 and lines else 0
        t.check(refused >= 2, "metrics count the refused reloads", str(refused))
        status, _, body = srv.get_json("/healthz")
        t.check(status == 200 and body["release"] == before, "a corrupted release fails its checks; the old one keeps serving")
    finally:
        rc = srv.stop()
    t.check(rc == 0, "server exits 0 on SIGTERM after the swaps", f"{rc}")


def big_dataset(data, dst, rows):
    shutil.copytree(data, dst)
    path = os.path.join(dst, "agents.csv")
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    rnd = random.Random(5)
    with open(path, "a", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for i in range(rows):
            r = {"code": f"BIG-{i:07d}", "name": f"Đại lý thu thử {i}", "lat": f"{rnd.uniform(9.9, 10.4):.6f}",
                 "lon": f"{rnd.uniform(104.9, 105.3):.6f}", "source": "synthetic"}
            w.writerow([r.get(c, "") for c in header])
    return dst


def check_killed_import(t, binary, data, tmp):
    db = os.path.join(tmp, "keep.sqlite")
    import_data(binary, data, db)
    before = digest(db)
    # Big enough that an import is still running when it is killed (checked below).
    big = big_dataset(data, os.path.join(tmp, "big"), 400000)
    rnd = random.Random(11)
    intact = True
    running = True
    for i in range(4):
        p = subprocess.Popen([binary, "import", "--data", big, "--out", db],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rnd.uniform(0.05, 1.5))
        if i == 0:
            r = run([binary, "import", "--data", data, "--out", db], timeout=60)
            t.check(r.returncode != 0 and "another import" in r.stderr,
                    "a second import into the same file is refused while one runs", r.stderr[-300:])
        running &= p.poll() is None
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        intact &= digest(db) == before
    t.check(running, "each import was still running when it was killed")
    t.check(intact, "imports killed with SIGKILL at random moments leave the database byte-for-byte intact")
    import_data(binary, data, db)
    left = [f for f in os.listdir(tmp) if ".tmp-" in f]
    t.check(not left, "the next import removes what killed imports left beside the file", str(left))


def raw_socket(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s


def closed_within(s, seconds):
    """True when the peer closes s within seconds (reads until EOF)."""
    s.settimeout(0.2)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if s.recv(4096) == b"":
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


def check_limits(t, binary, data, tmp):
    db = os.path.join(tmp, "limits.sqlite")
    import_data(binary, data, db)
    log = os.path.join(tmp, "access.log")
    srv = Server(binary, db, ["--request-timeout", "2", "--max-connections", "8", "--max-per-ip", "4",
                              "--access-log", log])
    try:
        slow = raw_socket(srv.port)
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        start = time.monotonic()
        dropped = False
        while time.monotonic() - start < 8:
            try:
                slow.sendall(b"a")
            except OSError:
                dropped = True
                break
            if closed_within(slow, 0.5):
                dropped = True
                break
        took = time.monotonic() - start
        slow.close()
        t.check(dropped and took < 5, f"a client sending one byte at a time is dropped ({took:.1f} s, limit 2 s)")
        t.check(srv.get_json("/healthz")[0] == 200, "normal clients are served meanwhile")

        held = []
        for _ in range(4):
            s = raw_socket(srv.port)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(5)
            held.append((s, s.recv(4096)))
        extra = raw_socket(srv.port)
        refused = closed_within(extra, 3)
        extra.close()
        t.check(all(b" 200 " in r for _, r in held) and refused,
                "per-address limit: 4 connections served, the 5th closed at once")
        for s, _ in held:
            s.close()
        time.sleep(0.5)
        t.check(srv.get_json("/healthz")[0] == 200, "after the connections close, new ones are accepted")

        s = raw_socket(srv.port)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        s.settimeout(5)
        try:
            head = s.recv(4096)
        except OSError:
            head = b""
        s.close()
        t.check(head.startswith(b"HTTP/1.1 4") or head == b"", "an oversized header is refused with a 4xx",
                head[:60])
        status, _, raw = srv.request("GET", "/metrics")
        m = {l.split()[0]: float(l.split()[-1]) for l in raw.decode().splitlines() if l and not l.startswith("#")}
        t.check(m.get("bhxh_connections_timed_out_total", 0) >= 1 and m.get("bhxh_connections_rejected_total", 0) >= 1,
                "metrics count the dropped and the refused connections",
                str({k: v for k, v in m.items() if "connections" in k}))
        t.check(m.get('bhxh_http_requests_total{route="/healthz",status="200"}', 0) >= 5 and
                m.get('bhxh_http_request_duration_seconds_count{route="/healthz"}', 0) >= 5 and
                any(k.startswith("bhxh_release_info{") for k in m), "metrics: requests by route and status, latency, release")
        buckets = [v for k, v in m.items() if k.startswith('bhxh_http_request_duration_seconds_bucket{route="/healthz"')]
        t.check(buckets == sorted(buckets) and len(buckets) > 5, "latency histogram buckets are cumulative")
        status, _, _ = srv.request("GET", "/v1/offices/091?x=1")
    finally:
        rc = srv.stop()
    with open(log, encoding="utf-8") as f:
        lines = f.read().splitlines()
    t.check(any('"GET /healthz" 200' in l for l in lines) and any('"GET /v1/offices/091?x=1" 400' in l for l in lines),
            "access log: one line per request with method, path, status", str(lines[-3:]))
    t.check(rc == 0, "exit 0")


def check_drain(t, binary, data, tmp):
    db = os.path.join(tmp, "drain.sqlite")
    import_data(binary, data, db)
    srv = Server(binary, db)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    # A first answer makes sure the connection is accepted (not still in the
    # listen backlog, which closes with the listener), then the second request
    # is in flight when SIGTERM arrives.
    conn.request("GET", "/healthz")
    conn.getresponse().read()
    conn.request("GET", "/v1/nearest?lat=10.01&lon=105.08&limit=100")
    srv.proc.send_signal(signal.SIGTERM)
    r = conn.getresponse()
    body = r.read()
    t.check(r.status == 200 and body.endswith(b"}"), "a request in flight at SIGTERM gets its whole answer")
    try:
        rc = srv.proc.wait(15)
    except subprocess.TimeoutExpired:
        rc = None
    srv.stop()
    t.check(rc == 0, "SIGTERM: exit status 0", f"{rc}")
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
        t.check(False, "nothing listens after shutdown")
    except OSError:
        t.check(True, "nothing listens after shutdown")


def check_background_integrity(t, binary, data, tmp):
    """Start-up answers before the whole file is checked; the check's finding reaches /healthz."""
    good = os.path.join(tmp, "integrity-good.sqlite")
    import_data(binary, data, good)
    bad = os.path.join(tmp, "integrity-bad.sqlite")
    shutil.copyfile(good, bad)
    c = sqlite3.connect("file:%s?mode=ro" % bad, uri=True)
    try:
        page = c.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in c.execute(
            "SELECT pageno FROM dbstat WHERE name IN ('places_fts_data', 'places_fts_idx')")]
    finally:
        c.close()
    t.check(len(pages) > 0, "the release has search index pages to damage", str(len(pages)))
    with open(bad, "r+b") as f:  # search index pages only: places and their indexes stay readable
        for n in pages:
            f.seek((n - 1) * page)
            f.write(b"\xa5" * page)
    for db, want_ok in ((good, True), (bad, False)):
        what = "good" if want_ok else "damaged"
        srv = Server(binary, db)
        try:
            status, body = None, {}
            end = time.monotonic() + 60
            while time.monotonic() < end:
                status, _, body = srv.get_json("/healthz")
                if body.get("integrity") != "checking":
                    break
                time.sleep(0.1)
            if want_ok:
                t.check(status == 200 and body.get("status") == "ok" and
                        body.get("integrity") == "ok", "a good release passes the background check",
                        f"{status} {body}")
            else:
                t.check(status == 503 and body.get("status") == "fail" and
                        body.get("integrity") == "failed" and body.get("integrity_detail"),
                        "damaged index pages: /healthz says 503 fail once checked", f"{status} {body}")
            st, _, near = srv.get_json("/v1/nearest?lat=10.0&lon=105.1&limit=3")
            t.check(st == 200 and len(near["results"]) == 3,
                    f"the {what} release still answers nearest", str(st))
        finally:
            srv.stop()
        log = srv.proc.stderr.read().decode(errors="replace")
        t.check(("FAILED its integrity check" in log) != want_ok,
                f"the {what} release's check result is logged", log[-300:])


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    with tempdir() as tmp:
        check_swaps(t, args["bin"], args["data"], tmp)
        check_killed_import(t, args["bin"], args["data"], tmp)
        check_limits(t, args["bin"], args["data"], tmp)
        check_drain(t, args["bin"], args["data"], tmp)
        check_background_integrity(t, args["bin"], args["data"], tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
