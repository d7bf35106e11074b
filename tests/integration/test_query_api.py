#!/usr/bin/python3
"""Integration test of the query API (lists, office tree, admin units, map
clustering, search, formats) over real HTTP on 127.0.0.1, checked against
the shipped CSV files read independently here."""
import csv
import io
import json
import math
import os
import re
import sys
import time
import unicodedata
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, Tally, import_data, parse_args, tempdir  # noqa: E402

KINDS = {"office": "offices", "agent": "agents", "facility": "facilities"}


def load_csv(data, name):
    with open(os.path.join(data, name), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def walk(srv, path, limit, max_pages=400):
    """Follows next links; returns (codes in order, pages, error)."""
    sep = "&" if "?" in path else "?"
    url, codes, pages = f"{path}{sep}limit={limit}", [], 0
    while url and pages < max_pages:
        status, _, body = srv.get_json(url)
        if status != 200:
            return codes, pages, f"{status} on {url}"
        codes += [r["code"] for r in body["results"]]
        if len(body["results"]) > limit:
            return codes, pages, "page longer than limit"
        url, pages = body["next"], pages + 1
    return codes, pages, None


def check_lists(t, srv, data):
    rows = {k: load_csv(data, f"{v}.csv") for k, v in KINDS.items()}
    for kind, plural in KINDS.items():
        want = sorted(r["code"] for r in rows[kind])
        codes, pages, err = walk(srv, f"/v1/{plural}", 7)
        t.check(err is None and codes == want, f"paging through all {plural} 7 at a time: no gaps, no repeats",
                f"{err} got {len(codes)} want {len(want)}")
    status, _, body = srv.get_json("/v1/offices?parent=091&limit=100")
    t.check([r["code"] for r in body["results"]] == [f"091{i:02d}" for i in range(2, 16)],
            "parent=091 gives exactly the 14 district offices")
    for name, query, pred in (
        ("facilities province=91", "/v1/facilities?province=91",
         lambda r: r["province_code"] == "91"),
        ("facilities province=01", "/v1/facilities?province=01", lambda r: r["province_code"] == "01"),
        ("facilities level=commune", "/v1/facilities?level=commune", lambda r: r["level"] == "commune"),
        ("facilities accepts_initial_registration=true", "/v1/facilities?accepts_initial_registration=true",
         lambda r: r["accepts_initial_registration"] == "true"),
        ("agents parent=09103", "/v1/agents?parent=09103", lambda r: r["parent_code"] == "09103"),
        ("offices level=district", "/v1/offices?level=district", lambda r: r["level"] == "district"),
        ("facilities district=899", "/v1/facilities?district=899", lambda r: r["district_code"] == "899"),
    ):
        kind = query.split("?")[0].split("/")[-1]
        kind = [k for k, v in KINDS.items() if v == kind][0]
        want = sorted(r["code"] for r in rows[kind] if pred(r))
        codes, _, err = walk(srv, query, 25)
        t.check(err is None and codes == want and len(want) > 0, f"filter {name} ({len(want)} rows)",
                f"{err} got {len(codes)} want {len(want)}")
    status, _, body = srv.get_json("/v1/facilities?ownership=private")
    t.check(status == 200 and all(r["ownership"] == "private" for r in body["results"]),
            "ownership filter answers")
    status, _, body = srv.get_json("/v1/facilities?q=benh%20vien&province=91&limit=100")
    t.check(status == 200 and body["results"] and all(
        r["province_code"] == "91" and "bệnh viện" in r["name"].lower() for r in body["results"]),
        "q= combines with other filters")


def check_tree(t, srv):
    status, _, body = srv.get_json("/v1/offices/091")
    t.check(body["children"] == [f"091{i:02d}" for i in range(2, 16)], "office 091 lists its children")
    status, _, body = srv.get_json("/v1/offices/09102")
    t.check(body["children"] == [] and body["parent_code"] == "091", "a district office has a parent and no children")
    status, _, body = srv.get_json("/v1/offices/091/children?limit=100")
    t.check(status == 200 and len(body["results"]) == 14, "GET /v1/offices/091/children")
    status, _, body = srv.get_json("/v1/offices/09102/children")
    t.check(status == 200 and body["results"] == [] and body["next"] is None, "children of a leaf office")
    status, _, _ = srv.get_json("/v1/offices/99999/children")
    t.check(status == 404, "children of an unknown office: 404")


def check_admin(t, srv, data):
    # two versions (admin reform, see test_admin_reform.py): 2025-07 by default, 2025-03 on request
    units = load_csv(data, "admin_units.csv")
    old = [u for u in units if u["version"] == "2025-03"]
    for version, n in (("2025-07", 34), ("2025-03", 63)):
        provinces = sorted(u["code"] for u in units if u["level"] == "province" and u["version"] == version)
        query = "" if version == "2025-07" else "&version=2025-03"
        codes, _, err = walk(srv, f"/v1/admin-units?level=province{query}", 10)
        t.check(err is None and codes == provinces and len(codes) == n, f"{n} provinces in {version}, paged")
    districts = sorted(u["code"] for u in old if u["parent_code"] == "91")
    codes, _, err = walk(srv, "/v1/admin-units?parent=91&version=2025-03", 100)
    t.check(codes == districts and len(districts) > 10, "districts of Kiên Giang by parent=91&version=2025-03")
    ward = next(u for u in old if u["level"] == "ward" and u["code"].startswith("31"))
    status, _, body = srv.get_json(f"/v1/admin-units/{ward['code']}?version=2025-03")
    t.check(status == 200 and body["name"] == ward["name"] and [a["level"] for a in body["ancestors"]]
            == ["province", "district"], "a ward with its ancestors")
    status, _, body = srv.get_json("/v1/admin-units/91?version=2025-03")
    t.check(status == 200 and "Kiên Giang" in body["name"] and body["children_count"] == len(districts),
            "province 91 with its children count")
    status, _, _ = srv.get_json("/v1/admin-units/00000")
    t.check(status == 404, "unknown admin unit: 404")
    status, h, raw = srv.request("GET", "/v1/admin-units?parent=91&version=2025-03&f=csv&limit=100")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    t.check(status == 200 and [r["code"] for r in rows] == districts, "admin units as CSV")


def in_box(places, box):
    return [p for p in places if box[0] <= p[1] <= box[2] and box[1] <= p[0] <= box[3]]


def abbreviated(n):
    """Supercluster's point_count_abbreviated (JavaScript's Math.round: half up)."""
    if n >= 10000:
        return "%dk" % math.floor(n / 1000 + 0.5)
    if n >= 1000:
        return "%gk" % (math.floor(n / 100 + 0.5) / 10)
    return n


def check_map(t, srv, data):
    places = [(float(r["lat"]), float(r["lon"]), k) for k, v in KINDS.items()
              for r in load_csv(data, f"{v}.csv")]
    for box, zoom in (((102.0, 8.0, 110.0, 23.5), 5), ((104.0, 9.0, 106.5, 11.0), 7),
                      ((105.5, 20.5, 106.2, 21.3), 9)):
        q = ",".join(map(str, box))
        status, _, body = srv.get_json(f"/v1/map?bbox={q}&zoom={zoom}")
        want = len(in_box(places, box))
        total = sum(r["point_count"] if r["cluster"] else 1 for r in body["results"])
        t.check(status == 200 and body["total"] == want and total == want,
                f"map {q} z{zoom}: counts add up to the {want} points in the box", f"{body.get('total')} {total}")
        t.check(body["clustered"] == (want > 300), f"map {q} z{zoom} clusters only above 300 points")
        if body["clustered"]:
            bad = [r for r in body["results"] if r["cluster"] and r["point_count_abbreviated"] != abbreviated(r["point_count"])]
            t.check(not bad, f"map {q} z{zoom}: point_count_abbreviated as Supercluster writes it", str(bad[:1]))
            c = next(r for r in body["results"] if r["cluster"])
            t.check(c["expansion_zoom"] > zoom and c["point_count"] >= 2 and sum(c["kinds"].values()) == c["point_count"],
                    "a cluster has its expansion zoom and counts per kind")
    box = (104.9, 9.9, 105.2, 10.1)
    q = ",".join(map(str, box))
    status, _, body = srv.get_json(f"/v1/map?bbox={q}&zoom=14")
    want = sorted((k, la, lo) for la, lo, k in in_box(places, box))
    got = sorted((r["kind"], r["lat"], r["lon"]) for r in body["results"])
    t.check(status == 200 and not body["clustered"] and got == want, "zoomed in, the box returns its points")
    status, _, body = srv.get_json(f"/v1/map?bbox={q}&zoom=14&kind=office")
    t.check(all(r["kind"] == "office" for r in body["results"]), "map kind filter")
    status, h, raw = srv.request("GET", "/v1/map?bbox=102,8,110,23.5&zoom=5&f=geojson")
    doc = json.loads(raw)
    t.check(status == 200 and h["content-type"] == "application/geo+json" and doc["type"] == "FeatureCollection"
            and all(len(f["geometry"]["coordinates"]) == 2 for f in doc["features"])
            and any(f["properties"]["cluster"] for f in doc["features"]), "map as GeoJSON with Supercluster properties")


def fold(text):
    """What text/fold does to Vietnamese text: no case, no diacritics, đ = d, words joined by one space."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def search_all(srv, query, extra=""):
    """Every result of a search, following next; (results, pages)."""
    url, out, pages = "/v1/search?q=" + urllib.parse.quote(query) + "&limit=100" + extra, [], 0
    while url and pages < 20:
        status, _, body = srv.get_json(url)
        if status != 200:
            raise AssertionError(f"{status} on {url}")
        out += body["results"]
        url, pages = body["next"], pages + 1
    return out, pages


def check_search_ranking(t, srv, data):
    """The ranked list: exact names first, names before addresses, bounded pages."""
    places = [r for k, v in KINDS.items() for r in load_csv(data, f"{v}.csv")]
    named = [r for r in places if fold(r["name"])]
    sample = named[:: max(1, len(named) // 80)]
    missed = []
    for r in sample:
        for typed in (r["name"], fold(r["name"])):
            status, _, body = srv.get_json("/v1/search?q=" + urllib.parse.quote(typed) + "&limit=3")
            res = body["results"] if status == 200 else []
            if not res or fold(res[0]["name"]) != fold(r["name"]) or res[0]["score"] < 4:
                missed.append((typed, [x["name"] for x in res]))
    t.check(not missed, f"a full name typed exactly (with or without diacritics) is found first ({len(sample)} names)",
            str(missed[:3]))
    # A place whose name repeats inside longer names still comes first.
    counts = {}
    for r in named:
        for other in named:
            if other is not r and f" {fold(r['name'])} " in f" {fold(other['name'])} ":
                counts[r["code"]] = counts.get(r["code"], 0) + 1
    if counts:
        code = max(counts, key=counts.get)
        r = next(x for x in named if x["code"] == code)
        res = srv.get_json("/v1/search?q=" + urllib.parse.quote(fold(r["name"])) + "&limit=5")[2]["results"]
        t.check(res and fold(res[0]["name"]) == fold(r["name"]),
                f"exact name first although {counts[code]} longer names contain it ({r['name']})")
    # Whole-word name matches before prefix-only name matches before address-only matches.
    # (Words that no abbreviation of text/fold expands to, so the name's own words decide.)
    for query in ("kien giang", "Hà", "an", "binh"):
        res, _ = search_all(srv, query)
        words = fold(query).split()

        def cls(r):
            name = f" {fold(r['name'])} "
            if fold(r["name"]) == fold(query):
                return 4
            if all(f" {w} " in name for w in words):
                return 3
            if all(f" {w}" in name for w in words):
                return 2
            return 1
        classes = [cls(r) for r in res]
        scores = [r["score"] for r in res]
        t.check(res and classes == sorted(classes, reverse=True) and [int(s) for s in scores] == classes
                and scores == sorted(scores, reverse=True) and len({(r["kind"], r["code"]) for r in res}) == len(res),
                f"search {query!r}: whole-word name matches, then name prefixes, then addresses; score never rises",
                f"classes {classes[:40]}")
    # A one-letter prefix that matches most places: a bounded first page, quickly, with a next link;
    # paging reaches exactly 500 distinct results.
    t0 = time.monotonic()
    status, _, body = srv.get_json("/v1/search?q=t&limit=7")
    took = time.monotonic() - t0
    t.check(status == 200 and len(body["results"]) == 7 and body["next"] and took < 2,
            "short common prefix 't': a full page of 7 and a next link", f"{status} {took:.2f}s")
    total = sum(1 for r in places if all(any(w.startswith(p) for w in (fold(r["name"]) + " " + fold(r.get("address"))).split())
                                         for p in ["t"]))
    res, pages = search_all(srv, "t")
    t.check(len(res) == min(total, 500) and len({(r["kind"], r["code"]) for r in res}) == len(res),
            f"paging through 't': {min(total, 500)} distinct results of {total} matches, at most 500",
            f"got {len(res)} in {pages} pages")
    again = [(r["kind"], r["code"]) for r in search_all(srv, "t")[0]]
    t.check(again == [(r["kind"], r["code"]) for r in res], "the same search gives the same order")
    # Pages of any size give the same list.
    seen, url = [], "/v1/search?q=t&limit=13"
    while url and len(seen) < 60:
        body = srv.get_json(url)[2]
        seen += [(r["kind"], r["code"]) for r in body["results"]]
        url = body["next"]
    t.check(seen == [(r["kind"], r["code"]) for r in res][:len(seen)], "pages of 13 follow the list of pages of 100")
    # Province filter (a term of the index).
    res, _ = search_all(srv, "kien", "&province=91")
    want = sum(1 for r in places if r.get("province_code") == "91"
               and any(w.startswith("kien") for w in (fold(r["name"]) + " " + fold(r.get("address"))).split()))
    t.check(res and len(res) == min(want, 500) and all(r["province_code"] == "91" for r in res),
            "search with province=91: exactly the matches in the province", f"got {len(res)} want {want}")


def check_search(t, srv):
    def codes(q, extra=""):
        status, _, body = srv.get_json("/v1/search?q=" + urllib.parse.quote(q) + extra)
        return [(r["kind"], r["code"]) for r in body["results"]] if status == 200 else status
    base = codes("benh vien da khoa kien giang")
    status, _, body = srv.get_json("/v1/search?q=" + urllib.parse.quote("benh vien da khoa kien giang"))
    t.check(status == 200 and body["results"] and "Bệnh viện Đa khoa Kiên Giang" in body["results"][0]["name"],
            "search without diacritics finds Bệnh viện Đa khoa Kiên Giang first")
    t.check(codes("Bệnh viện Đa khoa Kiên Giang") == base and codes("BỆNH VIỆN ĐA KHOA KIÊN GIANG") == base,
            "with diacritics and upper case: same results")
    t.check(codes("đa khoa") == codes("da khoa") == codes("ĐA KHOA") and codes("da khoa"), "đ/Đ folded to d")
    pre = codes("benh vi")
    t.check(isinstance(pre, list) and len(pre) > 0, "as-you-type prefix 'benh vi'")
    bv = codes("bv kien giang")
    t.check(isinstance(bv, list) and ("facility", base[0][1]) in bv, "abbreviation BV = bệnh viện")
    hn = srv.get_json("/v1/search?q=benh%20vien&lat=21.0285&lon=105.8542")[2]["results"]
    kg = srv.get_json("/v1/search?q=benh%20vien&lat=10.0123&lon=105.0809")[2]["results"]
    t.check(hn and kg and hn[0]["lat"] > 20 and kg[0]["lat"] < 11 and "distance_m" in hn[0],
            "with lat/lon, nearby matches rank first")
    seen, url, pages = [], "/v1/search?q=benh%20vien&limit=9", 0
    while url and pages < 100:
        body = srv.get_json(url)[2]
        seen += [(r["kind"], r["code"]) for r in body["results"]]
        url, pages = body["next"], pages + 1
    t.check(len(seen) == len(set(seen)) and len(seen) > 20, "paging through search results: no repeats")
    t.check(codes("Kiên Giang", "&kind=office") and all(k == "office" for k, _ in codes("Kiên Giang", "&kind=office")),
            "search kind filter")


def check_formats(t, srv):
    status, h, raw = srv.request("GET", "/v1/facilities?province=91&limit=50&f=csv")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    js = srv.get_json("/v1/facilities?province=91&limit=50")[2]["results"]
    t.check(status == 200 and h["content-type"].startswith("text/csv") and [r["code"] for r in rows]
            == [r["code"] for r in js] and rows[0]["name"] == js[0]["name"], "CSV parses back to the JSON list")
    status, h, raw = srv.request("GET", "/v1/facilities?province=91&limit=50", {"Accept": "application/geo+json"})
    doc = json.loads(raw)
    t.check(status == 200 and h["content-type"] == "application/geo+json" and
            [f["geometry"]["coordinates"] for f in doc["features"]] == [[r["lon"], r["lat"]] for r in js],
            "GeoJSON by Accept, coordinates [lon, lat]")
    status, h, raw = srv.request("GET", "/v1/nearest?lat=10.01&lon=105.08&f=csv")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    t.check(status == 200 and len(rows) == 10 and float(rows[0]["distance_m"]) <= float(rows[1]["distance_m"]),
            "nearest as CSV")
    status, h, raw = srv.request("GET", "/v1/nearest?lat=10.01&lon=105.08&f=geojson")
    t.check(status == 200 and json.loads(raw)["features"][0]["properties"]["distance_m"] >= 0, "nearest as GeoJSON")
    status, h, _ = srv.request("GET", "/v1/offices?parent=091&limit=5")
    t.check("rel=\"next\"" in h.get("link", ""), "Link header for the next page")
    etag = h.get("etag")
    status, _, _ = srv.request("GET", "/v1/offices?parent=091&limit=5", {"If-None-Match": etag})
    t.check(status == 304, "list answers 304 to If-None-Match")
    status, h, _ = srv.request("OPTIONS", "/v1/map", {"Origin": "https://a.gov.vn", "Access-Control-Request-Method": "GET"})
    t.check(status == 204 and h.get("access-control-allow-origin") == "*", "CORS preflight on /v1/map")


def check_bad(t, srv):
    bad = [
        ("/v1/offices?ownership=public", "ownership"), ("/v1/facilities?level=tertiary", "level"),
        ("/v1/facilities?accepts_initial_registration=maybe", "accepts_initial_registration"),
        ("/v1/facilities?limit=0", "limit"), ("/v1/facilities?limit=101", "limit"),
        ("/v1/facilities?cursor=garbage!", "cursor"), ("/v1/facilities?cursor=b2Zmc2V0", "cursor"),
        ("/v1/facilities?province=999", "province"), ("/v1/facilities?province=899", "province"),
        ("/v1/agents?parent=nope", "parent"), ("/v1/facilities?q=%20%20", "q"),
        ("/v1/facilities?f=xml", "f"), ("/v1/search", "q"), ("/v1/search?q=", "q"),
        ("/v1/search?q=" + "a" * 201, "q"), ("/v1/search?q=bv&lat=10", "lon"),
        ("/v1/search?q=bv&cursor=a2Zvbw", "cursor"), ("/v1/search?q=bv&kind=shop", "kind"),
        ("/v1/map?zoom=5", "bbox"), ("/v1/map?bbox=110,8,102,23&zoom=5", "bbox"),
        ("/v1/map?bbox=102,23,110,8&zoom=5", "bbox"), ("/v1/map?bbox=102,8,110&zoom=5", "bbox"),
        ("/v1/map?bbox=102,8,110,23,5&zoom=5", "bbox"), ("/v1/map?bbox=102,8,200,23&zoom=5", "bbox"),
        ("/v1/map?bbox=102,8,110,23.5&zoom=18", "bbox"), ("/v1/map?bbox=102,8,110,23&zoom=21", "zoom"),
        ("/v1/map?bbox=102,8,110,23", "zoom"), ("/v1/map?bbox=nan,8,110,23&zoom=5", "bbox"),
        ("/v1/admin-units?level=country", "level"), ("/v1/admin-units?f=geojson", "f"),
        ("/v1/admin-units?parent=zz", "parent"), ("/v1/offices/091/children?parent=1", "parent"),
    ]
    for path, param in bad:
        status, h, body = srv.request("GET", path)
        doc = json.loads(body) if h.get("content-type") == "application/problem+json" else {}
        t.check(status == 400 and doc.get("invalid_params", [{}])[0].get("name") == param,
                f"400 naming {param}: {path[:70]}", f"{status} {body[:160]!r}")


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    with tempdir() as tmp:
        db = os.path.join(tmp, "release.sqlite")
        import_data(args["bin"], args["data"], db)
        srv = Server(args["bin"], db)
        try:
            for check in (check_lists, check_admin, check_map, check_search_ranking):
                check(t, srv, args["data"])
            for check in (check_tree, check_search, check_formats, check_bad):
                check(t, srv)
            t.check(srv.get_json("/healthz")[0] == 200, "server still up")
        finally:
            rc = srv.stop()
        t.check(rc == 0, "clean shutdown")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
