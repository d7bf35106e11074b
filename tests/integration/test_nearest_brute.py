#!/usr/bin/python3
"""/v1/nearest equals a brute-force scan on 10,000 random queries (issue 6).

The shipped release (every real place: offices, agents, facilities) is
served; each query's answer is compared with a ranking of every place of
the asked kinds by its WGS 84 geodesic distance, computed one by one with
pyproj (Debian's python3-pyproj, bound to the system's PROJ, Karney's
algorithm), filtered by radius_m and cut at limit. The queries mix points
anywhere over Viet Nam, points near a place, points exactly on a place
(distance 0), every kind filter, limits 1-100 and radii.

Equal means: the same places in the same order, where two places whose
distances differ by less than a micrometre may come in either order and a
place within a micrometre of the radius may be in or out; distances agree
to the 0.1 m the API rounds to. Every loop is bounded in count and time.
"""
import http.client
import json
import os
import random
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SLOW, Server, Tally, import_data, parse_args, tempdir  # noqa: E402

try:
    from pyproj import Geod
except ImportError:  # pragma: no cover - scripts/install-deps test installs python3-pyproj
    sys.exit("test_nearest_brute: needs python3-pyproj (scripts/install-deps test)")

QUERIES = 10000
KINDS = ("office", "agent", "facility")  # the order of ties between equal codes
EPS_M = 1e-6
DEADLINE_S = 600


def load_places(db):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return [(kind, code, lat, lon) for kind, code, lat, lon in
                c.execute("SELECT kind, code, lat, lon FROM places")]
    finally:
        c.close()


def brute(geod, places, lat, lon, kinds, limit, radius):
    """Every place of the kinds, by (distance, code, kind); then radius and limit."""
    cand = [p for p in places if p[0] in kinds]
    if not cand:
        return []
    _, _, dist = geod.inv([lon] * len(cand), [lat] * len(cand), [p[3] for p in cand],
                          [p[2] for p in cand])
    ranked = sorted(((d, p[1], KINDS.index(p[0]), p) for d, p in zip(dist, cand)),
                    key=lambda r: (r[0], r[1], r[2]))
    return [(r[3][0], r[3][1], r[0]) for r in ranked
            if radius is None or r[0] <= radius + EPS_M][:limit + 5]


def same(got, want, limit, radius):
    """None when got equals want (with the tolerances of the module doc), else why not."""
    inside = [w for w in want if radius is None or w[2] <= radius - EPS_M]  # surely inside
    lo, hi = min(limit, len(inside)), min(limit, len(want))
    if not lo <= len(got) <= hi:
        return "%d results, expected %d" % (len(got), lo) + ("..%d" % hi if hi != lo else "")
    for i, g in enumerate(got):
        w = want[i]
        if abs(g["distance_m"] - w[2]) > 0.051:
            return "rank %d: %s %s at %.1f m, brute force %s %s at %.4f m" % (
                i, g["kind"], g["code"], g["distance_m"], w[0], w[1], w[2])
        if (g["kind"], g["code"]) != (w[0], w[1]):
            # a tie: the place got must be one whose distance is within EPS of this rank's
            tied = [x for x in want if abs(x[2] - w[2]) < EPS_M]
            if (g["kind"], g["code"]) not in [(x[0], x[1]) for x in tied]:
                return "rank %d: %s %s, brute force %s %s (%.6f m)" % (
                    i, g["kind"], g["code"], w[0], w[1], w[2])
    return None


def queries(rng, places):
    lats = [p[2] for p in places]
    lons = [p[3] for p in places]
    box = (min(lats) - 0.5, max(lats) + 0.5, min(lons) - 0.5, max(lons) + 0.5)
    for i in range(QUERIES):
        r = rng.random()
        if r < 0.5:
            lat, lon = rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3])
        elif r < 0.85:
            p = rng.choice(places)
            lat, lon = p[2] + rng.gauss(0, 0.01), p[3] + rng.gauss(0, 0.01)
        else:
            p = rng.choice(places)  # exactly on a place: distance 0 and ties
            lat, lon = p[2], p[3]
        lat, lon = round(lat, 6), round(lon, 6)
        r = rng.random()
        kinds = KINDS if r < 0.4 else tuple(sorted(rng.sample(KINDS, 1 if r < 0.75 else 2),
                                                   key=KINDS.index))
        limit = rng.choice((1, 2, 3, 5, 10, 10, 10, 20, 50, 100))
        radius = None if rng.random() < 0.7 else round(rng.choice(
            (rng.uniform(1, 500), rng.uniform(500, 20000), rng.uniform(20000, 300000))), 1)
        yield lat, lon, kinds, limit, radius


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    geod = Geod(ellps="WGS84")
    rng = random.Random(20261125)
    with tempdir() as tmp:
        db = os.path.join(tmp, "release.sqlite")
        import_data(args["bin"], args["data"], db)
        places = load_places(db)
        t.check(len(places) > 500 and {p[0] for p in places} == set(KINDS),
                "the shipped release has places of every kind", str(len(places)))
        srv = Server(args["bin"], db)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30 * SLOW)
        deadline = time.monotonic() + DEADLINE_S * SLOW
        done = failed = 0
        first = []
        try:
            for lat, lon, kinds, limit, radius in queries(rng, places):
                if time.monotonic() > deadline:
                    break
                path = "/v1/nearest?lat=%s&lon=%s&limit=%d" % (lat, lon, limit)
                if kinds != KINDS:
                    path += "&kind=" + ",".join(kinds)
                if radius is not None:
                    path += "&radius_m=%s" % radius
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    why = "status %d: %s" % (resp.status, body[:200])
                else:
                    got = json.loads(body)["results"]
                    why = same(got, brute(geod, places, lat, lon, kinds, limit, radius), limit,
                               radius)
                done += 1
                if why:
                    failed += 1
                    if len(first) < 5:
                        first.append("%s: %s" % (path, why))
        finally:
            conn.close()
            rc = srv.stop()
        t.check(done == QUERIES, "all %d queries ran within %d s" % (QUERIES, DEADLINE_S),
                str(done))
        t.check(failed == 0, "every answer equals the brute-force ranking (%d queries)" % done,
                "; ".join(first))
        t.check(rc == 0, "server exits 0")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
