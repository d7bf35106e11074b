#!/usr/bin/python3
"""Integration test of the open data: /v1/datasets downloads (CSV, GeoJSON,
the release database, datapackage.json, SHA256SUMS), their caching headers,
gzip, ranges and path traversal attempts; `bhxh-geo export`; and the OGC API
- Features endpoints, read by GDAL's OAPIF driver (Debian's gdal-bin).

Every download is parsed back with a real parser (GDAL's ogrinfo for
GeoJSON and the database, Python's csv and sqlite3 modules) and its row
count compared with the shipped CSV files, read independently here. The
data are the shipped ones with an `updated` date added to some offices, so
the datetime filter has something to find."""
import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, Tally, import_data, parse_args, run, tempdir  # noqa: E402

DATASETS = {"offices": "office", "agents": "agent", "facilities": "facility", "admin_units": None,
            "admin_successors": None}
# The columns that identify a row of each CSV file.
KEYS = {"offices": ("code",), "agents": ("code",), "facilities": ("code",), "admin_units": ("code", "version"),
        "admin_successors": ("old_code", "old_version", "new_code", "new_version")}
PLACE_SETS = ("offices", "agents", "facilities")
FILES = ["offices.csv", "offices.geojson", "agents.csv", "agents.geojson", "facilities.csv",
         "facilities.geojson", "admin_units.csv", "admin_successors.csv", "release.sqlite", "datapackage.json", "SHA256SUMS"]
# Dates given to offices in the test copy of the data: code -> updated.
UPDATED = {"091": "2024-03-01", "09102": "2024-03-01", "09103": "2025-01-15", "09104": "2025-06-30"}


def load_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def make_data(src, dst):
    """The shipped data, with UPDATED dates set on a few offices."""
    shutil.copytree(src, dst)
    rows = load_csv(os.path.join(src, "offices.csv"))
    with open(os.path.join(src, "offices.csv"), encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    for r in rows:
        r["updated"] = UPDATED.get(r["code"], r["updated"])
    with open(os.path.join(dst, "offices.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def gdal_env():
    """ogrinfo talks to 127.0.0.1 directly: no proxy, bounded timeouts, no cache."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update({"GDAL_HTTP_TIMEOUT": "20", "GDAL_HTTP_MAX_RETRY": "0", "CPL_VSIL_CURL_USE_CACHE": "NO",
                "NO_PROXY": "*"})
    return env


def ogrinfo(*args, timeout=120):
    return run(["ogrinfo", "-ro", *args], timeout=timeout, env=gdal_env())


def feature_counts(text):
    """Layer name -> 'Feature Count' from `ogrinfo -so -al` output."""
    counts, layer = {}, None
    for line in text.splitlines():
        m = re.match(r"Layer name: (.*)", line)
        if m:
            layer = m.group(1).strip()
        m = re.match(r"Feature Count: (\d+)", line)
        if m and layer:
            counts[layer] = int(m.group(1))
    return counts


def wait_datasets(t, srv):
    """The catalogue, once the files are ready (503 while they are written; bounded)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, h, body = srv.request("GET", "/v1/datasets")
        if status != 503:
            break
        time.sleep(0.2)
    t.check(status == 200, "GET /v1/datasets answers 200 once the files are written", f"{status} {body[:200]}")
    return json.loads(body) if status == 200 else None


def check_catalogue(t, cat, data, counts):
    t.check(cat["release"] and cat["built_at"], "catalogue names the release and its build time")
    sets = {d["name"]: d for d in cat["datasets"]}
    t.check(sorted(sets) == sorted(DATASETS), "catalogue lists offices, agents, facilities and the admin files",
            str(sorted(sets)))
    for name in DATASETS:
        d = sets.get(name, {})
        t.check(d.get("rows") == counts[name], f"catalogue rows of {name} = {counts[name]}", str(d.get("rows")))
        t.check(d.get("input") and d["input"]["rows"] == counts[name] and d["input"]["file"] == f"{name}.csv",
                f"catalogue records the imported {name}.csv", str(d.get("input")))
    lic = {n: [x["name"] for x in sets[n]["licenses"]] for n in sets}
    t.check(lic["facilities"] == ["ODbL-1.0"], "facilities (OpenStreetMap rows) are ODbL", str(lic["facilities"]))
    t.check(lic["offices"] == ["other-pd"] and lic["admin_units"] == ["other-pd"] and lic["admin_successors"] == ["other-pd"],
            "official offices and GSO units are official public information", str(lic))
    t.check(lic["agents"] == ["notspecified"], "sample agents state no licence", str(lic["agents"]))
    src = {s["title"].split("(source=")[-1].split(")")[0]: s["rows"] for s in sets["facilities"]["sources"]}
    want = {}
    for r in load_csv(os.path.join(data, "facilities.csv")):
        want[r["source"]] = want.get(r["source"], 0) + 1
    t.check(src == want, "facility sources are counted by the source column", f"{src} vs {want}")
    files = [f["name"] for d in cat["datasets"] for f in d["files"]] + [f["name"] for f in cat["files"]]
    t.check(sorted(files) == sorted(FILES), "catalogue lists every file once", str(files))
    return {f["name"]: f for d in cat["datasets"] for f in d["files"]} | {f["name"]: f for f in cat["files"]}


def download_all(t, srv, meta, rel):
    """Every file, checked against its size and SHA-256 in the catalogue; name -> bytes."""
    got = {}
    for name, m in meta.items():
        status, h, body = srv.request("GET", m["url"])
        ok = status == 200 and len(body) == m["bytes"] and hashlib.sha256(body).hexdigest() == m["sha256"]
        t.check(ok, f"GET {m['url']}: 200, size and SHA-256 as catalogued", f"{status} {len(body)}")
        stem, dot, ext = name.partition(".")
        want = f'attachment; filename="{stem}-{rel}{dot}{ext}"'
        t.check(h.get("content-disposition") == want, f"{name}: Content-Disposition holds the release id",
                h.get("content-disposition"))
        t.check(h.get("etag") == f'"{rel}:{name}"' and h.get("last-modified") and h.get("accept-ranges") == "bytes",
                f"{name}: per-file ETag, Last-Modified, Accept-Ranges", f"{h.get('etag')} {h.get('last-modified')}")
        t.check(h.get("content-type") == m["media_type"], f"{name}: Content-Type {m['media_type']}",
                h.get("content-type"))
        got[name] = body
    return got


def same_value(a, b):
    """A CSV value as exported against the shipped one (numbers compared as numbers)."""
    if a == b or (a == "false" and b == ""):  # position_approx defaults to false
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def check_csv(t, got, data, counts):
    for name in DATASETS:
        text = got[f"{name}.csv"].decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        shipped = load_csv(os.path.join(data, f"{name}.csv"))
        t.check(len(rows) == counts[name], f"{name}.csv parses with the csv module: {counts[name]} rows",
                str(len(rows)))
        t.check(list(rows[0].keys()) == list(shipped[0].keys()), f"{name}.csv has the import format's columns",
                f"{list(rows[0].keys())} vs {list(shipped[0].keys())}")
        key = KEYS[name]
        mine = {tuple(r[k] for k in key): r for r in rows}
        theirs = {tuple(r[k] for k in key): r for r in shipped}
        t.check(sorted(mine) == sorted(theirs) and len(mine) == len(rows), f"{name}.csv holds each shipped row once")
        diff = [(k, c) for k, r in theirs.items() for c in r if k in mine and not same_value(mine[k].get(c), r[c])]
        t.check(not diff, f"{name}.csv values equal the shipped rows'", str(diff[:3]))
        if name in PLACE_SETS:
            t.check([r["code"] for r in rows] == sorted(r["code"] for r in shipped), f"{name}.csv rows in code order")
        t.check("\r\n" in text and "\n" not in text.replace("\r\n", ""), f"{name}.csv has CRLF line ends")


def check_geojson_and_db(t, got, tmp, counts):
    for name in PLACE_SETS:
        path = os.path.join(tmp, f"{name}.geojson")
        with open(path, "wb") as f:
            f.write(got[f"{name}.geojson"])
        doc = json.loads(got[f"{name}.geojson"])
        t.check(doc["type"] == "FeatureCollection" and len(doc["features"]) == counts[name],
                f"{name}.geojson: a FeatureCollection of {counts[name]} features")
        r = ogrinfo("-so", "-al", path)
        c = feature_counts(r.stdout)
        t.check(r.returncode == 0 and c.get(name) == counts[name], f"ogrinfo reads {name}.geojson: {counts[name]} features",
                f"{c} {r.stderr[-300:]}")
    path = os.path.join(tmp, "release.sqlite")
    with open(path, "wb") as f:
        f.write(got["release.sqlite"])
    total = sum(counts[n] for n in PLACE_SETS)
    r = ogrinfo("-so", path, "places")
    c = feature_counts(r.stdout)
    t.check(r.returncode == 0 and c.get("places") == total, f"ogrinfo reads release.sqlite: {total} places",
            f"{c} {r.stderr[-300:]}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        n_admin = db.execute("SELECT count(*) FROM admin_units").fetchone()[0]
        by_kind = dict(db.execute("SELECT kind, count(*) FROM places GROUP BY kind").fetchall())
    finally:
        db.close()
    t.check(n_admin == counts["admin_units"] and by_kind == {DATASETS[n]: counts[n] for n in PLACE_SETS},
            "release.sqlite holds the release's rows (sqlite3)", f"{n_admin} {by_kind}")


def check_datapackage(t, got):
    dp = json.loads(got["datapackage.json"])
    t.check(dp.get("profile") == "tabular-data-package" and len(dp["resources"]) == 5,
            "datapackage.json: a tabular data package of 5 resources")
    for res in dp["resources"]:
        body = got.get(res["path"], b"")
        header = next(csv.reader(io.StringIO(body.decode("utf-8"))))
        fields = [f["name"] for f in res["schema"]["fields"]]
        t.check(fields == header, f"datapackage {res['name']}: fields are the CSV's columns in order")
        t.check(res["bytes"] == len(body) and res["hash"] == "sha256:" + hashlib.sha256(body).hexdigest(),
                f"datapackage {res['name']}: bytes and hash of the CSV")
        t.check(res.get("licenses") and res.get("sources") is not None and res["schema"]["primaryKey"] in (
                "code", ["code", "version"], ["old_code", "old_version", "new_code", "new_version"]),
                f"datapackage {res['name']}: licences, sources, primary key")
    lat = [f for f in dp["resources"][0]["schema"]["fields"] if f["name"] == "lat"][0]
    t.check(lat["type"] == "number" and lat.get("unit") == "degree", "datapackage: lat is a number in degrees")
    sums = got["SHA256SUMS"].decode().splitlines()
    listed = {line.split("  ")[1]: line.split("  ")[0] for line in sums}
    ok = all(hashlib.sha256(got[n]).hexdigest() == listed.get(n) for n in FILES if n != "SHA256SUMS")
    t.check(ok and len(listed) == len(FILES) - 1, "SHA256SUMS lists every other file with its SHA-256")


def check_conditional(t, srv, rel):
    url = "/v1/datasets/offices.csv"
    status, h, _ = srv.request("GET", url)
    etag, lm = h.get("etag"), h.get("last-modified")
    st, h2, body = srv.request("GET", url, {"If-None-Match": etag})
    t.check(st == 304 and body == b"" and h2.get("etag") == etag, "If-None-Match with the file's ETag: 304", str(st))
    st, _, _ = srv.request("GET", url, {"If-None-Match": f'"{rel}"'})
    t.check(st == 200, "If-None-Match with the release ETag (another representation): 200", str(st))
    st, _, _ = srv.request("GET", url, {"If-Modified-Since": lm})
    t.check(st == 304, "If-Modified-Since = Last-Modified: 304", str(st))
    st, _, _ = srv.request("GET", url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    t.check(st == 200, "If-Modified-Since before the release: 200", str(st))
    st, _, _ = srv.request("GET", url, {"If-None-Match": '"other"', "If-Modified-Since": lm})
    t.check(st == 200, "If-None-Match (no match) takes precedence over If-Modified-Since", str(st))
    st, _, _ = srv.request("GET", "/v1/datasets/release.sqlite", {"If-None-Match": etag})
    t.check(st == 200, "another file's ETag does not give 304", str(st))
    st, h, _ = srv.request("GET", "/v1/datasets", {"If-None-Match": f'"{rel}"'})
    t.check(st == 304, "GET /v1/datasets: If-None-Match with the release ETag gives 304", str(st))


def check_gzip(t, srv, got, rel):
    for name in ("facilities.csv", "agents.geojson"):
        st, h, body = srv.request("GET", f"/v1/datasets/{name}", {"Accept-Encoding": "gzip, deflate"})
        ok = st == 200 and h.get("content-encoding") == "gzip" and gzip.decompress(body) == got[name]
        t.check(ok, f"{name} with Accept-Encoding gzip: gzip that decompresses to the file",
                f"{st} {h.get('content-encoding')}")
        t.check(h.get("etag") == f'"{rel}:{name}+gzip"' and "Accept-Encoding" in h.get("vary", ""),
                f"{name} gzip: its own ETag, Vary: Accept-Encoding", f"{h.get('etag')} {h.get('vary')}")
        t.check(len(body) < len(got[name]) / 2, f"{name} gzip is less than half the size ({len(body)} bytes)")
        st, h, _ = srv.request("GET", f"/v1/datasets/{name}", {"If-None-Match": f'"{rel}:{name}+gzip"',
                                                                "Accept-Encoding": "gzip"})
        t.check(st == 304, f"{name} gzip: If-None-Match with the gzip ETag gives 304", str(st))
    for ae in ("gzip;q=0", "identity", "br"):
        st, h, body = srv.request("GET", "/v1/datasets/facilities.csv", {"Accept-Encoding": ae})
        t.check(st == 200 and "content-encoding" not in h and body == got["facilities.csv"],
                f"Accept-Encoding {ae}: the plain file")
    st, h, body = srv.request("GET", "/v1/datasets/release.sqlite", {"Accept-Encoding": "gzip"})
    t.check(st == 200 and "content-encoding" not in h and body == got["release.sqlite"],
            "release.sqlite is never gzipped (ranges and checksum apply to the file)")


def check_ranges(t, srv, got):
    whole = got["release.sqlite"]
    url = "/v1/datasets/release.sqlite"
    half = len(whole) // 2 + 7
    st1, h1, a = srv.request("GET", url, {"Range": f"bytes=0-{half - 1}"})
    st2, h2, b = srv.request("GET", url, {"Range": f"bytes={half}-"})
    t.check(st1 == 206 and st2 == 206 and a + b == whole, "two ranges of release.sqlite join into the whole file",
            f"{st1} {st2} {len(a)}+{len(b)} vs {len(whole)}")
    t.check(h1.get("content-range") == f"bytes 0-{half - 1}/{len(whole)}"
            and h2.get("content-range") == f"bytes {half}-{len(whole) - 1}/{len(whole)}",
            "206 answers carry Content-Range", f"{h1.get('content-range')} {h2.get('content-range')}")
    st, h, body = srv.request("GET", url, {"Range": "bytes=-100"})
    t.check(st == 206 and body == whole[-100:], "a suffix range gives the last bytes", str(st))
    st, h, body = srv.request("GET", url, {"Range": f"bytes={len(whole)}-"})
    t.check(st == 416 and h.get("content-range") == f"bytes */{len(whole)}", "a range past the end: 416 with */size",
            f"{st} {h.get('content-range')}")
    st, h, body = srv.request("GET", url, {"Range": "bytes=0-1,5-6"})
    t.check(st == 200 and body == whole, "several ranges: the whole file (200)", str(st))
    etag = h.get("etag")
    st, _, body = srv.request("GET", url, {"Range": "bytes=10-19", "If-Range": etag})
    t.check(st == 206 and body == whole[10:20], "If-Range with the current ETag: 206", str(st))
    st, _, body = srv.request("GET", url, {"Range": "bytes=10-19", "If-Range": '"old-release:release.sqlite"'})
    t.check(st == 200 and body == whole, "If-Range with an old ETag: the whole file", str(st))
    st, h, body = srv.request("GET", "/v1/datasets/facilities.csv", {"Range": "bytes=0-9", "Accept-Encoding": "gzip"})
    t.check(st == 206 and body == got["facilities.csv"][:10] and "content-encoding" not in h,
            "a range of a CSV is served from the plain file even when gzip is accepted", str(st))
    st, h, body = srv.request("HEAD", url)
    t.check(st == 200 and body == b"" and int(h.get("content-length", -1)) == len(whole),
            "HEAD gives the size and no body", f"{st} {h.get('content-length')}")


TRAVERSAL = [
    "/v1/datasets/..", "/v1/datasets/%2e%2e", "/v1/datasets/%2E%2E/db.sqlite", "/v1/datasets/../../etc/passwd",
    "/v1/datasets/..%2f..%2fetc%2fpasswd", "/v1/datasets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/v1/datasets/%2fetc%2fpasswd",
    "/v1/datasets//etc/passwd", "/v1/datasets/./offices.csv", "/v1/datasets/offices.csv/",
    "/v1/datasets/offices.csv%00", "/v1/datasets/offices.csv%00.txt", "/v1/datasets/%00", "/v1/datasets/.offices.csv.tmp",
    "/v1/datasets/offices.csv.gz", "/v1/datasets/OFFICES.CSV", "/v1/datasets/db.sqlite", "/v1/datasets/.",
    "/v1/datasets/%5c..%5c..%5cetc%5cpasswd", "/v1/datasets/....//....//etc/passwd", "/v1/datasets/~",
]


def check_traversal(t, srv, got):
    for path in TRAVERSAL:
        st, h, body = srv.request("GET", path)
        leaked = st == 200 or b"root:" in body or any(body == v for v in got.values())
        t.check(st in (400, 404) and not leaked and h.get("content-type") == "application/problem+json",
                f"GET {path}: {st}, a problem, no file", f"{st} {body[:120]}")
    st, _, body = srv.request("GET", "/v1/datasets/offices.csv%00.txt")
    t.check(st == 400 and b"NUL" in body, "an encoded NUL in the path is a 400 naming it", str(st))
    st, _, body = srv.request("GET", "/v1/datasets/%6Fffices.csv")
    t.check(st == 200 and body == got["offices.csv"], "a percent-encoded letter still names the file")
    st, _, body = srv.request("GET", "/v1/datasets/offices.csv?x=1")
    t.check(st == 400, "an unknown parameter on a download is a 400", str(st))


def check_export(t, binary, db, tmp, got, data_counts):
    out = os.path.join(tmp, "export")
    r = run([binary, "export", "--db", db, "--out", out])
    t.check(r.returncode == 0, "bhxh-geo export --db FILE --out DIR exits 0", r.stderr[-300:])
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    t.check(names == sorted(FILES), "export writes exactly the downloadable files", str(names))
    for name in FILES:
        path = os.path.join(out, name)
        data = open(path, "rb").read() if os.path.exists(path) else b""
        if name == "release.sqlite":
            ok = len(data) == len(got[name])
        else:
            ok = data == got[name]
        t.check(ok, f"export {name} equals the download")
    listed = [line.split()[-1] for line in r.stdout.splitlines()]
    t.check(listed == FILES, "export lists the files with their checksums on stdout", r.stdout[:200])
    again = os.path.join(tmp, "reimport.sqlite")
    r = run([binary, "import", "--data", out, "--out", again], timeout=300)
    t.check(r.returncode == 0, "the exported CSV files import again", r.stderr[-300:])
    r = run([binary, "export", "--db", os.path.join(tmp, "missing.sqlite"), "--out", out])
    t.check(r.returncode == 1 and "missing.sqlite" in r.stderr, "export of a missing database exits 1", r.stderr)
    r = run([binary, "export", "--db", db])
    t.check(r.returncode == 2, "export without --out exits 2", str(r.returncode))


def get_json(t, srv, path, headers=None):
    st, h, body = srv.request("GET", path, headers)
    return st, h, json.loads(body) if body else None


def walk_items(srv, path, limit, max_pages=200):
    """Follows next links; returns (codes, numberMatched, pages, error)."""
    url, codes, matched, pages = f"{path}{'&' if '?' in path else '?'}limit={limit}", [], None, 0
    while url and pages < max_pages:
        st, h, body = srv.request("GET", url)
        if st != 200 or h.get("content-type") != "application/geo+json":
            return codes, matched, pages, f"{st} {h.get('content-type')} on {url}"
        doc = json.loads(body)
        codes += [f["id"] for f in doc["features"]]
        matched = doc["numberMatched"]
        if doc["numberReturned"] != len(doc["features"]):
            return codes, matched, pages, "numberReturned is not the number of features"
        nxt = [l["href"] for l in doc["links"] if l["rel"] == "next"]
        url = urllib.parse.urlsplit(nxt[0])._replace(scheme="", netloc="").geturl() if nxt else None
        pages += 1
    return codes, matched, pages, None


def check_ogc(t, srv, data, counts):
    st, h, doc = get_json(t, srv, "/")
    rels = {l["rel"]: l["href"] for l in doc["links"]} if doc else {}
    t.check(st == 200 and {"self", "service-desc", "conformance", "data"} <= set(rels),
            "GET / is the landing page with self, service-desc, conformance and data links", str(rels))
    t.check(rels.get("data", "").startswith(f"http://127.0.0.1:{srv.port}/"), "landing links are absolute",
            rels.get("data"))
    st, h, doc = get_json(t, srv, "/conformance")
    t.check(st == 200 and "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in doc["conformsTo"]
            and "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in doc["conformsTo"],
            "conformance: core and geojson")
    st, h, doc = get_json(t, srv, "/api")
    t.check(st == 200 and doc.get("openapi", "").startswith("3.1") and "/collections/{collectionId}/items" in doc["paths"],
            "GET /api is the OpenAPI document as JSON, listing the items path")
    st, h, doc = get_json(t, srv, "/collections")
    ids = [c["id"] for c in doc["collections"]] if doc else []
    t.check(st == 200 and ids == ["offices", "agents", "facilities"], "collections: offices, agents, facilities", str(ids))
    st, h, c = get_json(t, srv, "/collections/offices")
    temporal = c["extent"].get("temporal", {}).get("interval") if c else None
    t.check(st == 200 and temporal == [["2024-03-01T00:00:00Z", "2025-06-30T23:59:59Z"]],
            "a collection's temporal extent spans its `updated` dates", str(temporal))
    bbox = c["extent"]["spatial"]["bbox"][0]
    rows = {n: load_csv(os.path.join(data, f"{n}.csv")) for n in PLACE_SETS}
    lons = [float(r["lon"]) for r in rows["offices"]]
    lats = [float(r["lat"]) for r in rows["offices"]]
    t.check(bbox == [min(lons), min(lats), max(lons), max(lats)], "a collection's bbox is its places' extent", str(bbox))
    for name in PLACE_SETS:
        codes, matched, pages, err = walk_items(srv, f"/collections/{name}/items", 100)
        want = sorted(r["code"] for r in rows[name])
        t.check(err is None and codes == want and matched == counts[name],
                f"items of {name}, 100 a page: every feature once, numberMatched {counts[name]}",
                f"{err} {len(codes)} {matched}")
    fac = rows["facilities"]
    box = (104.5, 9.5, 106.0, 10.5)
    want = sorted(r["code"] for r in fac if box[0] <= float(r["lon"]) <= box[2] and box[1] <= float(r["lat"]) <= box[3])
    codes, matched, _, err = walk_items(srv, "/collections/facilities/items?bbox=104.5,9.5,106,10.5", 7)
    t.check(err is None and codes == want and matched == len(want) and want,
            f"bbox filter: the {len(want)} facilities in the box", f"{err} {len(codes)}")
    for dt, want in (("2024-03-01", ["091", "09102"]), ("2025-01-01/..", ["09103", "09104"]),
                     ("../2025-01-15T10:00:00Z", ["091", "09102", "09103"]),
                     ("2024-01-01T00:00:00+07:00/2025-06-30", sorted(UPDATED))):
        codes, matched, _, err = walk_items(srv, f"/collections/offices/items?datetime={urllib.parse.quote(dt)}", 2)
        t.check(err is None and codes == want and matched == len(want), f"datetime={dt}: {want}", f"{err} {codes}")
    st, h, doc = get_json(t, srv, "/collections/offices/items?limit=2&offset=3")
    rels = {l["rel"]: l["href"] for l in doc["links"]}
    t.check(rels.get("self", "").endswith("/collections/offices/items?limit=2&offset=3")
            and rels.get("next", "").endswith("limit=2&offset=5") and rels.get("prev", "").endswith("limit=2&offset=1")
            and rels.get("collection", "").endswith("/collections/offices"),
            "items links: self, next, prev, collection", str(rels))
    st, h, f = get_json(t, srv, "/collections/offices/items/09102")
    t.check(st == 200 and f["id"] == "09102" and f["properties"]["name"] and h.get("content-type") == "application/geo+json",
            "one feature by its code")
    for path, param in (("/collections/banks/items", "banks"), ("/collections/offices/items/99999", "99999"),
                        ("/collections/offices/items?limit=0", "limit"), ("/collections/offices/items?limit=10001", "limit"),
                        ("/collections/offices/items?bbox=1,2,3", "bbox"), ("/collections/offices/items?bbox=1,50,3,40", "bbox"),
                        ("/collections/offices/items?datetime=yesterday", "datetime"),
                        ("/collections/offices/items?datetime=2025-02-01/2024-01-01", "datetime"),
                        ("/collections/offices/items?offset=-1", "offset"), ("/collections/offices/items?f=html", "f")):
        st, h, body = srv.request("GET", path)
        t.check(st in (400, 404) and param.encode() in body, f"GET {path}: {st} naming {param!r}", f"{st} {body[:150]}")


def check_gdal(t, srv, counts):
    url = f"OAPIF:http://127.0.0.1:{srv.port}/"
    r = ogrinfo(url)
    layers = re.findall(r"^\d+: (\w+)", r.stdout, re.M)
    t.check(r.returncode == 0 and layers == ["offices", "agents", "facilities"],
            "ogrinfo OAPIF lists the three collections", f"{layers} {r.stderr[-300:]}")
    for name in PLACE_SETS:
        r = ogrinfo("-so", url, name)
        c = feature_counts(r.stdout)
        t.check(r.returncode == 0 and c.get(name) == counts[name] and "ERROR" not in r.stderr,
                f"ogrinfo -so OAPIF {name}: Feature Count {counts[name]}", f"{c} {r.stderr[-300:]}")
    for name in ("offices", "agents", "facilities"):
        r = ogrinfo("-al", "-q", url, name, timeout=300)
        n = len(re.findall(r"^OGRFeature\(", r.stdout, re.M))
        t.check(r.returncode == 0 and n == counts[name] and "ERROR" not in r.stderr,
                f"ogrinfo -al OAPIF {name} reads all {counts[name]} features through the next links",
                f"{n} {r.stderr[-300:]}")
    r = ogrinfo("-so", "-spat", "104.5", "9.5", "106", "10.5", url, "facilities")
    c = feature_counts(r.stdout)
    t.check(r.returncode == 0 and c.get("facilities", 0) > 0 and "ERROR" not in r.stderr,
            "ogrinfo OAPIF with a spatial filter (bbox) works", f"{c} {r.stderr[-300:]}")


def check_unavailable(t, binary, db, tmp):
    """With an unusable TMPDIR the files cannot be written: 503 with Retry-After, the rest works."""
    os.environ["TMPDIR"] = os.path.join(tmp, "no-such-dir")
    try:
        srv = Server(binary, db)
    finally:
        del os.environ["TMPDIR"]
    try:
        st, h, body = srv.request("GET", "/v1/datasets/offices.csv")
        t.check(st == 503 and h.get("retry-after") and b"could not be prepared" in body,
                "download files that cannot be written: 503 with Retry-After", f"{st} {body[:150]}")
        st, _, _ = srv.request("GET", "/collections/offices/items")
        t.check(st == 200, "the rest of the service still answers", str(st))
    finally:
        srv.stop()


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    if shutil.which("ogrinfo") is None:
        t.check(False, "ogrinfo (Debian package gdal-bin) is installed: scripts/install-deps test")
        return t.done()
    with tempdir() as tmp:
        data = os.path.join(tmp, "data")
        make_data(args["data"], data)
        db = os.path.join(tmp, "db.sqlite")
        import_data(args["bin"], data, db)
        counts = {n: len(load_csv(os.path.join(data, f"{n}.csv"))) for n in DATASETS}
        srv = Server(args["bin"], db)
        try:
            cat = wait_datasets(t, srv)
            if cat:
                rel = cat["release"]
                meta = check_catalogue(t, cat, data, counts)
                got = download_all(t, srv, meta, rel)
                if len(got) == len(FILES):
                    check_csv(t, got, data, counts)
                    check_geojson_and_db(t, got, tmp, counts)
                    check_datapackage(t, got)
                    check_conditional(t, srv, rel)
                    check_gzip(t, srv, got, rel)
                    check_ranges(t, srv, got)
                    check_traversal(t, srv, got)
                    check_export(t, args["bin"], db, tmp, got, counts)
            check_ogc(t, srv, data, counts)
            check_gdal(t, srv, counts)
            t.check(srv.proc.poll() is None, "server still running after the checks")
        finally:
            t.check(srv.stop() == 0, "server stops cleanly on SIGTERM")
        check_unavailable(t, args["bin"], db, tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
