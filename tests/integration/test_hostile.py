#!/usr/bin/python3
"""Hostile input against the running server: every one must get a 4xx, never
a 5xx, and the server must stay up.

Imports the shipped data/, starts `bhxh-geo serve` on 127.0.0.1 and sends:
SQL-injection strings, invalid UTF-8, NUL bytes, percent-encoding tricks,
huge, negative and non-finite numbers and 10 kB values in every string
parameter of every endpoint and in the code path segments; NUL bytes and
invalid UTF-8 in parameter names; repeated parameters, 100 parameters, empty
names, a bare '?'; and, over a raw socket, request lines with spaces or
control characters, raw bytes that are not UTF-8, and a very long URI.

Answers from our code must be application/problem+json whose "status" is the
HTTP status and, for a 400 about a parameter, whose invalid_params[0].name is
that parameter. Free text in q is searched as text, so there a 200 is right
too (and an injection finds nothing). A few requests are refused by
libmicrohttpd before our code runs (a malformed request line, a URI or header
over its size limit): for those any 4xx counts and the line says the body is
libmicrohttpd's own; the one 5xx accepted is its 505 for "HTTP/9.9", the
status RFC 9110 prescribes. /healthz is checked between batches.
"""
import base64
import json
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SLOW, Server, Tally, import_data, parse_args, tempdir  # noqa: E402

PROBLEM = "application/problem+json"
DATA_TYPES = ("application/json", "application/geo+json", "text/csv")

SQLI = ["' OR '1'='1", "1; DROP TABLE places; --", '" OR 1=1 --',
        "') UNION SELECT sqlite_version() --", "091' --", "%", "_", "*", "\\",
        'a" AND "b', "NEAR(a b)", "name:x", "x OR 1=1"]
# Already percent-encoded: the bytes go on the wire exactly like this.
ENCODED = ["%C3%28", "%FF", "%FE%FF", "%ED%A0%80", "%C0%AE", "%E0%80%AF", "%00", "10%00",
           "a%00b", "%2e%2e", "%252e", "..%2F..", "%2F", "%0D%0A", "%1B%5B31m", "%"]
NUMBERS = ["1e309", "-1e309", "NaN", "nan", "inf", "-Infinity", "99999999999999999999",
           "-99999999999999999999", "-1", "0x10", "1,5", " 10", "1e", "--1", "+-1"]
LONG = ["a" * 10240, "9" * 10240, "%FF" * 3000]

# Each endpoint with a base query that is valid, and its parameters.
ENDPOINTS = [
    ("/v1/nearest", {"lat": "10.01", "lon": "105.08"},
     ["lat", "lon", "kind", "limit", "radius_m", "f"]),
    ("/v1/facilities", {},
     ["province", "district", "ward", "parent", "level", "ownership",
      "accepts_initial_registration", "q", "limit", "cursor", "f"]),
    ("/v1/offices", {}, ["province", "parent", "level", "q", "cursor"]),
    ("/v1/agents", {}, ["parent", "q", "cursor"]),
    ("/v1/offices/091/children", {}, ["limit", "cursor", "f"]),
    ("/v1/admin-units", {}, ["level", "parent", "limit", "cursor", "f"]),
    ("/v1/search", {"q": "bv", "lat": "10", "lon": "105"},
     ["q", "kind", "province", "lat", "lon", "limit", "cursor", "f"]),
    ("/v1/map", {"bbox": "102,8,110,23.5", "zoom": "5"}, ["bbox", "zoom", "kind", "f"]),
]

# Requests that hold no request line: closing the connection without an answer is right.
NO_REQUEST = ("empty request line", "TLS client hello")

# Known problems that only src/http/server.c can fix (reported to its owner): shown as
# "not ok ... # TODO" lines, which do not count as failures; remove an entry once fixed.
TODO_SERVER = {
    "raw-nul": "libmicrohttpd 0.9.75 ends the request target at a raw NUL byte and no "
               "callback sees what followed",
    "space-in-target": "libmicrohttpd 0.9.75 accepts raw spaces and control bytes in the "
                       "request target; server.c's check_raw_path could refuse them",
}

CODE_ROUTES = ["/v1/offices/{}", "/v1/agents/{}", "/v1/facilities/{}", "/v1/admin-units/{}",
               "/v1/offices/{}/children"]


def todo(t, key, cond, what, extra=""):
    """A check of a known problem in TODO_SERVER: a pass counts, a failure is only shown."""
    if key not in TODO_SERVER or cond:
        return t.check(cond, what, extra)
    print(f"not ok - {what} # TODO {TODO_SERVER[key]} {extra}".rstrip())
    return False


def raw_request(port, data, timeout=10):
    """Sends bytes as they are; returns (status or None, headers dict, body bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close early on garbage; read what it said
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, {}, raw
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return status, headers, body


def b64(raw):
    """A cursor as the server writes one: base64url without padding."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def req(target, headers=b""):
    """The bytes of a GET request for target (bytes, sent as they are)."""
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"


def get(srv, path):
    """GET over a raw socket (http.client refuses some of these paths)."""
    data = req(path.encode("latin-1"), b"Connection: close\r\n")
    return raw_request(srv.port, data, timeout=srv_timeout())


def srv_timeout():
    return 10 * SLOW


def problem_of(status, headers, body):
    """The problem document of an answer, or None when it is not one."""
    if headers.get("content-type") != PROBLEM:
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    ok = isinstance(doc, dict) and doc.get("status") == status and doc.get("detail") \
        and "title" in doc and "instance" in doc
    return doc if ok else None


def named(doc, param):
    """Whether a 400 problem names param in invalid_params and in its detail."""
    ip = doc.get("invalid_params") or [{}]
    return ip[0].get("name") == param and param in doc.get("detail", "")


def legit(param, value):
    """Hostile values that are in fact valid for param (the answer may be 200)."""
    if param == "q":
        text = urllib.parse.unquote(value, errors="replace")
        return "\x00" not in text and len(text.encode()) <= 200
    if param in ("lat", "lon"):
        return value in ("-1",)
    return False


def check_params(t, srv):
    """Every hostile value in every parameter of every endpoint."""
    values = [urllib.parse.quote(v, safe="") for v in SQLI] + ENCODED + NUMBERS + LONG
    for path, base, names in ENDPOINTS:
        bad = []
        count = 0
        for name in names:
            for v in values:
                q = dict(base)
                q[name] = None
                query = "&".join(f"{k}={urllib.parse.quote(x, safe=',')}" for k, x in q.items()
                                 if x is not None)
                url = f"{path}?{query}{'&' if query else ''}{name}={v}"
                status, h, body = get(srv, url)
                count += 1
                doc = problem_of(status, h, body)
                if status == 200 and legit(name, v) and h.get("content-type", "").split(";")[0] \
                        in DATA_TYPES:
                    continue
                if status == 400 and doc and named(doc, name):
                    continue
                bad.append(f"{name}={v[:40]} -> {status} {body[:160]!r}")
        t.check(not bad, f"{count} hostile values in the parameters of {path}: 400 naming each",
                "; ".join(bad[:5]))
    t.check(srv.get_json("/healthz")[0] == 200, "healthz after the parameter batch")


def check_codes(t, srv):
    """Hostile code path segments: 404 problem about the code, or 404 no resource."""
    values = [urllib.parse.quote(v, safe="") for v in SQLI] + \
        [v for v in ENCODED if v not in ("%00", "10%00", "a%00b", "%2F", "..%2F..")] + \
        ["9" * 10240, "%FF" * 3000]
    for route in CODE_ROUTES:
        bad = []
        for v in values:
            status, h, body = get(srv, route.format(v))
            doc = problem_of(status, h, body)
            if not (status == 404 and doc and "code" in doc["detail"]):
                bad.append(f"{v[:40]} -> {status} {body[:160]!r}")
        t.check(not bad, f"{len(values)} hostile codes in {route}: 404 problem naming the code",
                "; ".join(bad[:5]))
    # A slash, encoded, inside a code.
    for route in CODE_ROUTES:
        for v in ("09%2F1", "..%2F..%2Fhealthz", "%2e%2e%2f%2e%2e"):
            status, h, body = get(srv, route.format(v))
            doc = problem_of(status, h, body)
            t.check(status == 404 and doc is not None, f"{route.format(v)}: 404 problem",
                    f"{status} {body[:160]!r}")
    # A NUL byte in the path, encoded or raw, must not cut it short ("091\0xyz" is not 091).
    for path in ("/v1/offices/091%00", "/v1/offices/091%00xyz", "/v1/offices/091%00/children",
                 "/v1/facilities/91X01%00", "/v1/admin-units/91%00", "/healthz%00"):
        status, h, body = get(srv, path)
        t.check(400 <= status < 500 and problem_of(status, h, body) is not None,
                f"{path}: a 4xx problem", f"{status} {body[:100]!r}")
    status, h, body = raw_request(srv.port, b"GET /v1/offices/091\x00x HTTP/1.1\r\nHost: x\r\n\r\n",
                                  timeout=srv_timeout())
    todo(t, "raw-nul", status is not None and 400 <= status < 500,
         "raw NUL in the path: a 4xx", f"{status} {body[:100]!r}")
    # A raw space in the target is not HTTP (RFC 9112 3.2: answer 400, do not guess).
    status, h, body = raw_request(srv.port, b"GET /v1/search?q=bv kien HTTP/1.1\r\nHost: x\r\n\r\n",
                                  timeout=srv_timeout())
    todo(t, "space-in-target", status is not None and 400 <= status < 500,
         "raw space inside the request target: a 4xx", f"{status} {body[:100]!r}")
    t.check(srv.get_json("/healthz")[0] == 200, "healthz after the code batch")


def check_names(t, srv):
    """Hostile parameter names, repeats, counts and empty names."""
    cases = [
        ("/v1/nearest?lat=10&lon=105&la%00t=1", "la\\x00t"),
        ("/v1/nearest?lat=10&lon=105&%00=1", "\\x00"),
        ("/v1/offices/091?%00", "\\x00"),
        ("/v1/nearest?lat=10&lon=105&%FF=1", "\\xFF"),
        ("/v1/nearest?lat=10&lon=105&%C3%28=1", "\\xC3("),
        ("/v1/nearest?lat=10&lon=105&'%20OR%201%3D1--=1", "' OR 1=1--"),
        # The name is cut to fit the problem; a cut must not split a UTF-8 sequence.
        ("/v1/nearest?lat=10&lon=105&" + "%FF" * 15 + "a%E1%BB%87=1",
         "\\xFF" * 15 + "a"),
        ("/v1/nearest?lat=10&lat=11&lon=105", "lat"),
        ("/v1/nearest?lat=10&lon=105&lon=105", "lon"),
        ("/v1/search?q=a&q=b", "q"),
        ("/v1/facilities?cursor=a&cursor=b", "cursor"),
        # Over 16 parameters: the problem names the 17th.
        ("/v1/nearest?lat=10&lon=105&" + "&".join(f"p{i}=1" for i in range(100)), "p14"),
        ("/v1/facilities?" + "&".join(f"province=9{i % 10}" for i in range(100)), "province"),
        ("/v1/facilities?" + "&".join("limit=1" for _ in range(17)), "limit"),
        ("/v1/nearest?lat=10&lon=105&" + "k" * 10240 + "=1", "k" * 40 + "..."),
        ("/v1/nearest?lat=10&lon=105&x=" + "v" * 10240, "x"),
        ("/v1/nearest?", "lat"),
        ("/v1/search?", "q"),
        ("/v1/map?", "bbox"),
        # An offset cursor that overflows an unsigned long was never given out.
        ("/v1/search?q=bv&cursor=" + b64(b"o" + b"9" * 25), "cursor"),
    ]
    for path, name in cases:
        status, h, body = get(srv, path)
        doc = problem_of(status, h, body)
        t.check(status == 400 and doc is not None and named(doc, name),
                f"400 naming {name[:30]!r} for {path[:70]}", f"{status} {body[:200]!r}")
    # No name at all: a 400 problem (there is no name to give).
    for q in ("=1", "&&", "&", "=", "=&=", "&lat=10&lon=105&=1"):
        status, h, body = get(srv, "/v1/nearest?lat=10&lon=105&" + q)
        doc = problem_of(status, h, body)
        t.check(status == 400 and doc is not None, f"400 problem for an empty name: ?...&{q}",
                f"{status} {body[:200]!r}")
    status, h, body = get(srv, "/v1/offices/091?")
    t.check(status == 200, "a bare '?' on a resource that takes no parameter is harmless",
            f"{status}")
    t.check(srv.get_json("/healthz")[0] == 200, "healthz after the name batch")


def check_raw(t, srv):
    """Malformed requests over a raw socket: a 4xx from us or from libmicrohttpd."""
    cases = [
        ("space in the query", req(b"/v1/nearest?lat=10 0&lon=105")),
        ("space in the path", req(b"/v1/offices/0 91")),
        ("tab in the path", req(b"/v1/offices/091\t")),
        ("control byte in a value", req(b"/v1/nearest?lat=10\x01&lon=105")),
        ("escape sequence in a value", req(b"/v1/nearest?lat=1&lon=2&kind=\x1b[31moffice")),
        ("raw NUL in a value", req(b"/v1/nearest?lat=1\x000&lon=105")),
        ("raw non-UTF-8 in a value", req(b"/v1/search?q=\xff\xfe")),
        ("raw non-UTF-8 in the path", req(b"/v1/offices/\xc3\x28")),
        ("raw Vietnamese in the query", req("/v1/search?q=bệnh%20viện&kind=x".encode())),
        ("bare LF line ends", b"GET /v1/nearest?lat=abc&lon=105 HTTP/1.1\nHost: x\n\n"),
        ("no HTTP version", b"GET /v1/nearest?lat=abc\r\n\r\n"),
        ("unknown version", b"GET /v1/nearest?lat=abc HTTP/9.9\r\nHost: x\r\n\r\n"),
        ("lower-case method", b"get /v1/offices/091 HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("absolute URI", req(b"http://127.0.0.1/v1/nearest?lat=abc")),
        ("asterisk", req(b"*")),
        ("empty request line", b"\r\n\r\n"),
        ("TLS client hello", bytes.fromhex("16030100a5010000a10303") + b"\x00" * 40 + b"\r\n\r\n"),
        ("header without colon", req(b"/v1/offices/091", b"nocolon\r\n")),
        ("huge Accept header", req(b"/v1/nearest?lat=a", b"Accept: " + b"a/b," * 2000 + b"\r\n")),
        ("very long URI", req(b"/v1/search?q=" + b"a" * 200000)),
        ("very long header", req(b"/v1/offices/091", b"X-Big: " + b"b" * 100000 + b"\r\n")),
        ("many headers", req(b"/v1/offices/091", b"".join(b"X-%d: 1\r\n" % i for i in range(5000)))),
        ("very long path", req(b"/" + b"x/" * 100000)),
    ]
    for what, data in cases:
        status, h, body = raw_request(srv.port, data, timeout=srv_timeout())
        doc = problem_of(status, h, body) if status else None
        note = "problem+json" if doc else "libmicrohttpd's own answer, not problem+json"
        if status is None:
            note = "connection closed without an answer"
        if what in NO_REQUEST:
            ok = status is None or 400 <= status < 500
        elif what == "unknown version":
            # RFC 9110 prescribes 505 for a major version the server does not speak, and
            # libmicrohttpd sends it before any code of ours runs: the one 5xx accepted here.
            ok = status in (400, 505)
        else:
            ok = status is not None and 400 <= status < 500
        t.check(ok, f"{what}: {status} ({note})", f"{status} {body[:160]!r}")
        if ok and status and doc is None:
            # Only libmicrohttpd itself may answer without a problem body: the request never
            # reached a handler (a malformed request line or a size limit).
            t.check(status in (400, 413, 414, 431, 505), f"{what}: a non-problem answer is "
                    "one libmicrohttpd gives", f"{status}")
    # Header values with control bytes are harmless: never a 5xx.
    status, _, body = raw_request(srv.port, b"GET /v1/offices/091 HTTP/1.1\r\nHost: x\r\n"
                                  b"Accept: \x01\x02\r\nIf-None-Match: \x00\r\n\r\n",
                                  timeout=srv_timeout())
    t.check(status is not None and status < 500, f"control bytes in headers: {status}")
    t.check(srv.get_json("/healthz")[0] == 200, "healthz after the raw batch")


def check_problem_shape(t, srv):
    """A few answers checked in full, to show what the lists above rely on."""
    status, h, body = get(srv, "/v1/nearest?lat=%C3%28&lon=105")
    doc = problem_of(status, h, body)
    t.check(status == 400 and doc and doc["invalid_params"][0]["name"] == "lat"
            and "\\xC3(" in doc["detail"] and doc["instance"] == "/v1/nearest",
            "invalid UTF-8 is shown escaped in the detail", f"{body[:200]!r}")
    status, h, body = get(srv, "/v1/search?q=" + urllib.parse.quote("\") OR 1=1 --"))
    t.check(status == 200 and json.loads(body)["results"] == [],
            "an SQL/FTS5 injection in q is searched as text and finds nothing", f"{body[:200]!r}")
    status, h, body = get(srv, "/v1/facilities?province=" + urllib.parse.quote("01' OR '1'='1"))
    doc = problem_of(status, h, body)
    t.check(status == 400 and doc and named(doc, "province"), "an injection in province is a 400")


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    with tempdir() as tmp:
        db = os.path.join(tmp, "release.sqlite")
        import_data(args["bin"], args["data"], db)
        srv = Server(args["bin"], db)
        try:
            for check in (check_problem_shape, check_params, check_codes, check_names, check_raw):
                check(t, srv)
            t.check(srv.get_json("/healthz")[0] == 200, "server still up after every hostile input")
        finally:
            rc = srv.stop()
        t.check(rc == 0, "clean shutdown", f"exit {rc}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
