"""Shared pieces of the integration tests: running the real binary, starting
the server on a free 127.0.0.1 port, HTTP requests, and a TAP-like tally.

Standard library only, so any Python 3.9+ runs it (CI uses /usr/bin/python3).
Every wait is bounded in time; the server is stopped by pid.
"""
import http.client
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time


class Tally:
    """Counts checks; prints 'ok'/'not ok' lines and a final summary."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, extra=""):
        if cond:
            self.passed += 1
            print(f"ok - {what}")
        else:
            self.failed += 1
            print(f"not ok - {what} {extra}".rstrip())
        return cond

    def done(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed > 0 else 1


def parse_args(argv):
    """--bin PATH --data DIR -> dict."""
    args = {}
    it = iter(argv)
    for a in it:
        if a.startswith("--"):
            args[a[2:]] = next(it)
    if "bin" not in args:
        sys.exit("usage: --bin PATH/bhxh-geo [--data DIR]")
    return args


def run(cmd, timeout=120, **kw):
    """Runs a command, returns CompletedProcess with text output."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def import_data(binary, data_dir, out):
    r = run([binary, "import", "--data", data_dir, "--out", out], timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"import failed ({r.returncode}): {r.stderr[-2000:]}")
    return r


# BHXH_SERVER_WRAPPER, e.g. "valgrind --error-exitcode=99 ...", runs every Server under
# that command (scripts/test uses it for memcheck); waits are then SLOW times longer.
WRAPPER = shlex.split(os.environ.get("BHXH_SERVER_WRAPPER", ""))
SLOW = 10 if WRAPPER else 1


class Server:
    """`bhxh-geo serve` on 127.0.0.1 with --port 0; stopped by pid."""

    def __init__(self, binary, db, extra=(), start_timeout=30):
        start_timeout *= SLOW
        self.proc = subprocess.Popen(
            [*WRAPPER, binary, "serve", "--db", db, "--bind", "127.0.0.1", "--port", "0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.port = None
        deadline = time.monotonic() + start_timeout
        line = b""
        while time.monotonic() < deadline and self.proc.poll() is None:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith(b"listening on http://"):
                    self.port = int(line.rsplit(b":", 1)[1])
                    break
        if self.port is None:
            self.stop()
            err = self.proc.stderr.read().decode(errors="replace")
            raise RuntimeError(f"server did not start: {line!r} {err[-2000:]}")

    def request(self, method, path, headers=None, timeout=10):
        """Returns (status, headers dict lower-cased, body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            body = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, body
        finally:
            c.close()

    def get_json(self, path, headers=None):
        status, h, body = self.request("GET", path, headers)
        return status, h, (json.loads(body) if body else None)

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL after timeout; returns the exit status."""
        timeout *= SLOW
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for f in (self.proc.stdout, self.proc.stderr):
            if f and not f.closed:
                f.close() if f is self.proc.stdout else None
        return self.proc.returncode


def tempdir():
    return tempfile.TemporaryDirectory(prefix="bhxh-geo-test-")


def vincenty_m(lat1, lon1, lat2, lon2):
    """WGS 84 inverse distance by Vincenty's iteration (independent of PROJ).
    Good to well under a millimetre for the distances used here."""
    import math
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sinU1, cosU1, sinU2, cosU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSigma = math.hypot(cosU2 * sinLam, cosU1 * sinU2 - sinU1 * cosU2 * cosLam)
        if sinSigma == 0:
            return 0.0
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = math.atan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cos2Alpha = 1 - sinAlpha ** 2
        cos2SigmaM = cosSigma - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha else 0.0
        C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        prev = lam
        lam = L + (1 - C) * f * sinAlpha * (
            sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM ** 2)))
        if abs(lam - prev) < 1e-13:
            break
    u2 = cos2Alpha * (a * a - b * b) / (b * b)
    A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSigma = B * sinSigma * (cos2SigmaM + B / 4 * (
        cosSigma * (-1 + 2 * cos2SigmaM ** 2)
        - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)))
    return b * A * (sigma - dSigma)
