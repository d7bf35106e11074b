#!/usr/bin/python3
"""Integration test of `bhxh-geo serve` over real HTTP on 127.0.0.1.

Imports the shipped data/ into a temporary database, starts the server on a
free port and checks: health, every Kiên Giang office code, nearest answers
against a brute-force ranking computed here independently (Vincenty, not
PROJ), radius filtering, kind filters, caching headers, CORS, and that every
bad input gets a 4xx problem+json naming the parameter while the server
stays up.
"""
import csv
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, Tally, import_data, parse_args, tempdir, vincenty_m  # noqa: E402

KIEN_GIANG_OFFICES = {
    "091": "Kiên Giang", "09102": "Hà Tiên", "09103": "Kiên Lương", "09104": "Hòn Đất",
    "09105": "Tân Hiệp", "09106": "Châu Thành", "09107": "Giồng Riềng", "09108": "Gò Quao",
    "09109": "An Biên", "09110": "An Minh", "09111": "Vĩnh Thuận", "09112": "Phú Quốc",
    "09113": "Kiên Hải", "09114": "U Minh Thượng", "09115": "Giang Thành",
}

QUERY_POINTS = [
    ("Rạch Giá", 10.0123, 105.0809),
    ("Phú Quốc", 10.2270, 103.9670),
    ("Hà Nội", 21.0285, 105.8542),
    ("TP Hồ Chí Minh", 10.7769, 106.7009),
    ("Trường Sa", 8.6500, 111.9200),
    ("Vientiane (abroad)", 17.9757, 102.6331),
]


def load_places(data_dir):
    places = []
    for kind, name in (("office", "offices.csv"), ("agent", "agents.csv"),
                       ("facility", "facilities.csv")):
        with open(os.path.join(data_dir, name), encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                places.append((kind, row["code"], float(row["lat"]), float(row["lon"])))
    return places


def brute_force(places, lat, lon, kinds, limit, radius=None):
    ranked = []
    for kind, code, plat, plon in places:
        if kind not in kinds:
            continue
        d = vincenty_m(lat, lon, plat, plon)
        if radius is None or d <= radius:
            ranked.append((d, code, kind))
    ranked.sort()
    return ranked[:limit]


def same_ranking(got, want):
    """Codes in the same order, allowing swaps only between distances equal to 1 mm."""
    if len(got) != len(want):
        return False, f"{len(got)} results, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        if abs(g["distance_m"] - w[0]) > 0.06:
            return False, f"rank {i}: {g['code']} at {g['distance_m']} m, expected {w[1]} at {w[0]:.3f} m"
        if g["code"] != w[1] and abs(g["distance_m"] - w[0]) > 0.001:
            return False, f"rank {i}: {g['code']} instead of {w[1]}"
    return True, ""


def check_nearest(t, srv, places):
    for label, lat, lon in QUERY_POINTS:
        for kinds, limit in ((("office", "agent", "facility"), 20), (("facility",), 7),
                             (("office", "agent"), 100)):
            q = {"lat": lat, "lon": lon, "limit": limit}
            if len(kinds) < 3:
                q["kind"] = ",".join(kinds)
            status, _, body = srv.get_json("/v1/nearest?" + urllib.parse.urlencode(q))
            want = brute_force(places, lat, lon, kinds, limit)
            ok, why = same_ranking(body["results"], want) if status == 200 else (False, status)
            t.check(ok, f"nearest {label} kinds={','.join(kinds)} limit={limit} matches brute force", why)
            t.check(status == 200 and all(r["kind"] in kinds for r in body["results"]),
                    f"nearest {label} only returns kinds {kinds}")
    # radius: exactly the places within it, nearest first
    lat, lon, radius = 10.0123, 105.0809, 15000
    status, _, body = srv.get_json(f"/v1/nearest?lat={lat}&lon={lon}&radius_m={radius}&limit=100")
    want = brute_force(places, lat, lon, ("office", "agent", "facility"), 100, radius)
    ok, why = same_ranking(body["results"], want)
    t.check(status == 200 and ok and len(want) > 0, "nearest with radius_m returns exactly the places within it", why)
    status, _, body = srv.get_json("/v1/nearest?lat=10.0123&lon=105.0809&radius_m=1")
    t.check(status == 200 and body["results"] == [], "a tiny radius returns an empty list")


def check_offices(t, srv):
    for code, fragment in KIEN_GIANG_OFFICES.items():
        status, h, body = srv.get_json(f"/v1/offices/{code}")
        ok = (status == 200 and body["code"] == code and body["kind"] == "office"
              and fragment in body["name"]
              and body["parent_code"] == (None if code == "091" else "091")
              and body["level"] == ("province" if code == "091" else "district")
              and 9.0 < body["lat"] < 11.0 and 103.0 < body["lon"] < 106.0)
        t.check(ok, f"office {code} ({fragment})", f"{status} {body}")
    status, _, body = srv.get_json("/v1/offices/091")
    t.check(body["phone"] == "02973.926855" and "854" in body["address"],
            "office 091 carries its address and phone")


def check_bad_inputs(t, srv):
    bad = [
        ("/v1/nearest?lat=abc&lon=105", "lat"), ("/v1/nearest?lat=91&lon=105", "lat"),
        ("/v1/nearest?lat=10&lon=-181", "lon"), ("/v1/nearest?lon=105", "lat"),
        ("/v1/nearest?lat=10", "lon"), ("/v1/nearest?lat=10&lon=105&kind=bank", "kind"),
        ("/v1/nearest?lat=10&lon=105&kind=", "kind"), ("/v1/nearest?lat=10&lon=105&limit=0", "limit"),
        ("/v1/nearest?lat=10&lon=105&limit=101", "limit"), ("/v1/nearest?lat=10&lon=105&limit=ten", "limit"),
        ("/v1/nearest?lat=10&lon=105&radius_m=-5", "radius_m"), ("/v1/nearest?lat=NaN&lon=105", "lat"),
        ("/v1/nearest?lat=inf&lon=105", "lat"), ("/v1/nearest?lat=10&lon=105&foo=1", "foo"),
        ("/v1/nearest?lat=10&lat=11&lon=105", "lat"), ("/v1/nearest?lat=10%00&lon=105", "lat"),
        ("/v1/nearest?lat=%27%3B%20DROP%20TABLE%20places%3B--&lon=105", "lat"),
        ("/v1/nearest?lat=10&lon=105&kind=%FF%FE", "kind"),
        ("/v1/nearest?lat=" + "9" * 10000 + "&lon=105", "lat"),
        ("/v1/offices/091?x=1", "x"),
    ]
    for path, param in bad:
        status, h, body = srv.request("GET", path)
        ok = status == 400 and h.get("content-type") == "application/problem+json"
        doc = json.loads(body) if ok else {}
        ok = ok and doc.get("status") == 400 and param in doc.get("detail", "") \
            and doc.get("invalid_params", [{}])[0].get("name") == param
        t.check(ok, f"400 naming {param} for {path[:60]}", f"{status} {body[:200]!r}")
    for path in ("/v1/offices/99999", "/v1/facilities/091", "/nope", "/v1/nearest/", "/v1/offices/"):
        status, h, body = srv.request("GET", path)
        t.check(status == 404 and h.get("content-type") == "application/problem+json"
                and json.loads(body)["status"] == 404, f"404 problem for {path}")
    status, h, body = srv.request("POST", "/v1/nearest?lat=10&lon=105")
    t.check(status == 405 and "GET" in h.get("allow", "") and json.loads(body)["status"] == 405,
            "POST answers 405 with Allow")
    status, h, body = srv.request("DELETE", "/v1/offices/091")
    t.check(status == 405, "DELETE answers 405")


def check_http_features(t, srv):
    status, h, body = srv.get_json("/v1/nearest?lat=10.01&lon=105.08&limit=3")
    etag = h.get("etag", "")
    t.check(status == 200 and etag.startswith('"') and body["release"] in etag,
            "ETag carries the release id")
    t.check(h.get("x-release") == body["release"], "X-Release names the release that answered")
    status, h404, _ = srv.request("GET", "/nope")
    t.check(h404.get("x-release") == body["release"], "X-Release on errors too")
    t.check("max-age" in h.get("cache-control", ""), "Cache-Control on data answers")
    t.check(h.get("access-control-allow-origin") == "*", "CORS header on GET")
    status, h2, raw = srv.request("GET", "/v1/nearest?lat=10.01&lon=105.08&limit=3", {"If-None-Match": etag})
    t.check(status == 304 and raw == b"" and h2.get("etag") == etag, "If-None-Match gives 304")
    status, _, _ = srv.request("GET", "/v1/nearest?lat=10.01&lon=105.08&limit=3", {"If-None-Match": '"other"'})
    t.check(status == 200, "a different ETag gives 200")
    status, h, raw = srv.request("HEAD", "/v1/offices/091")
    t.check(status == 200 and raw == b"", "HEAD answers 200 without a body")
    status, h, raw = srv.request("OPTIONS", "/v1/nearest", {
        "Origin": "https://example.gov.vn", "Access-Control-Request-Method": "GET"})
    t.check(status == 204 and "GET" in h.get("access-control-allow-methods", "")
            and h.get("access-control-allow-origin") == "*", "CORS preflight")
    status, _, body = srv.get_json("/v1/nearest?lat=10.01&lon=105.08&limit=1")
    t.check("\\u" not in srv.request("GET", "/v1/offices/09104")[2].decode("utf-8"),
            "UTF-8 is sent as is, not \\u-escaped")
    t.check(status == 200 and set(body["query"]) == {"lat", "lon", "kind", "limit", "radius_m"}, "query echo")
    status, _, body = srv.get_json("/healthz")
    t.check(status == 200 and body["status"] == "ok" and body["places"] > 15, "healthz")


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    with tempdir() as tmp:
        db = os.path.join(tmp, "release.sqlite")
        import_data(args["bin"], args["data"], db)
        srv = Server(args["bin"], db)
        try:
            places = load_places(args["data"])
            check_offices(t, srv)
            check_nearest(t, srv, places)
            check_http_features(t, srv)
            check_bad_inputs(t, srv)
            status, _, _ = srv.get_json("/healthz")
            t.check(status == 200, "server still up after every bad input")
        finally:
            rc = srv.stop()
        t.check(rc == 0, "SIGTERM stops the server with exit status 0", f"exit {rc}")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
