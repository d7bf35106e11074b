#!/usr/bin/python3
"""Integration test of scripts/osm-to-facilities on the hand-written extracts in
tests/fixtures/osm/ (Overpass JSON and GeoJSON): which features become rows,
their columns and sample codes, the ODbL credit in --help and in the companion
note, positioning an official list by name within a district, and that the
output imports with the real binary."""
import csv
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Tally, parse_args, run, tempdir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, "..", "fixtures", "osm"))
SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "osm-to-facilities"))
PY = "/usr/bin/python3"


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def convert(tmp, name, fixture, *opts):
    out = os.path.join(tmp, name + ".csv")
    r = run([PY, SCRIPT, os.path.join(FIX, fixture), "-o", out, *opts])
    return r, out


def check_help(t):
    r = run([PY, SCRIPT, "--help"])
    t.check(r.returncode == 0 and "ODbL" in r.stdout and "OpenStreetMap contributors" in r.stdout,
            "--help credits OpenStreetMap and names the ODbL")
    t.check("same district" in r.stdout.lower() and "not matched" in r.stdout,
            "--help states the matching rule and its limits")
    r = run([PY, SCRIPT, os.path.join(FIX, "kiengiang.geojson")])
    t.check(r.returncode == 2 and "--province" in r.stderr,
            "no --province and no --admin is refused", r.stderr[-300:])
    r = run([PY, SCRIPT, os.path.join(FIX, "README.md"), "--province", "91"])
    t.check(r.returncode == 1 and "osm-to-facilities:" in r.stderr, "a non-JSON input is refused",
            r.stderr[-300:])


def check_overpass(t, tmp, data):
    positioned = os.path.join(tmp, "positioned.csv")
    r, out = convert(tmp, "overpass", "overpass-kiengiang.json", "--province", "91", "--admin",
                     os.path.join(data, "admin_units.csv"), "--official",
                     os.path.join(FIX, "official.csv"), "--positioned", positioned)
    if not t.check(r.returncode == 0, "Overpass JSON converts", r.stderr[-500:]):
        return None, None
    rows = read_csv(out)
    names = {r["name"] for r in rows.values()}
    t.check(names == {"Bệnh viện Quốc tế Sun Group", "Bệnh viện Đa khoa Kiên Giang",
                      "PKĐK Tâm Đức", "Phòng khám Đa khoa Tâm Đức", "Trung tâm Y tế Hà Tiên",
                      "Trạm Y tế Thị trấn Hòn Đất"},
            "Overpass: the 6 facilities (hospital node, way, relation, healthcare=centre, "
            "clinic, doctors), not the pharmacy, school, nameless, duplicate or centreless ones",
            str(names))
    t.check(len(rows) == 6, "Overpass: 6 rows", str(len(rows)))
    t.check(all(re.fullmatch(r"91X[0-9A-Z]{2}", c) for c in rows),
            "codes are sample codes 91X..", str(list(rows)))
    t.check(all(r["source"] == "osm" and r["position_approx"] == "false" and
                r["updated"] == "2025-06-01" for r in rows.values()),
            "every row: source=osm, position_approx=false, updated = the OSM data date")
    by_name = {r["name"]: r for r in rows.values()}
    bv = by_name.get("Bệnh viện Đa khoa Kiên Giang", {})
    t.check(bv.get("lat") == "9.9726371" and bv.get("lon") == "105.0985589" and
            bv.get("district_code") == "899" and bv.get("ownership") == "public" and
            bv.get("phone") == "+84 297 000 0001" and "Nguyễn Thị Minh Khai" in bv.get("address", ""),
            "node: position, district from addr:district, operator:type, phone, address", str(bv))
    way = by_name.get("Trung tâm Y tế Hà Tiên", {})
    t.check(way.get("lat") == "10.3728244" and way.get("district_code") == "900" and
            way.get("address", "").startswith("65 Cách Mạng Tháng Tám"),
            "way: the Overpass center, housenumber + street", str(way))
    rel = by_name.get("Bệnh viện Quốc tế Sun Group", {})
    t.check(rel.get("ownership") == "private" and rel.get("district_code") == "911",
            "relation: name:vi wins over name; private", str(rel))
    note = out + ".README.md"
    text = open(note, encoding="utf-8").read() if os.path.exists(note) else ""
    t.check("© OpenStreetMap contributors" in text and "ODbL" in text and
            "opendatacommons.org/licenses/odbl" in text, "the companion note credits OSM (ODbL)")
    t.check("skipped, not a facility: 2" in text and "skipped, duplicate element: 1" in text and
            "skipped, no name: 1" in text, "the note counts what was skipped", text[:800])

    pos = read_csv(positioned)
    want = {"91001": ("9.9726371", "105.0985589"), "91002": ("10.3728244", "104.4911260"),
            "91003": ("10.1789872", "104.9391077"), "91004": ("", ""), "91005": ("", ""),
            "91006": ("9.2843", "103.4633"), "91007": ("", "")}
    got = {c: (r["lat"], r["lon"]) for c, r in pos.items()}
    t.check(got == want, "official list: 91001-91003 positioned by name within their district, "
            "91004 ambiguous, 91005/91007 unmatched, 91006 kept", str(got))
    t.check(pos["91001"]["source"] == "official" and pos["91001"]["position_approx"] == "false",
            "a positioned official row keeps its source")
    t.check("91001 Bệnh viện Đa khoa tỉnh Kiên Giang <- node/1001" in text and
            "Ambiguous" in text and "91004" in text, "the note lists matches and ambiguities")
    return out, positioned


def check_geojson(t, tmp, data):
    positioned = os.path.join(tmp, "positioned-geojson.csv")
    r, out = convert(tmp, "geojson", "kiengiang.geojson", "--province", "91", "--admin",
                     os.path.join(data, "admin_units.csv"), "--official",
                     os.path.join(FIX, "official.csv"), "--positioned", positioned)
    if not t.check(r.returncode == 0, "GeoJSON converts", r.stderr[-500:]):
        return
    rows = {r["name"]: r for r in read_csv(out).values()}
    t.check(set(rows) == {"Bệnh viện Phổi Kiên Giang", "Bệnh viện Ung bướu Kiên Giang",
                          "Phòng khám Đa khoa Tâm Đức"},
            "GeoJSON: point, tags under 'tags', polygon; not the pharmacy or Bangkok",
            str(sorted(rows)))
    ub = rows.get("Bệnh viện Ung bướu Kiên Giang", {})
    t.check(abs(float(ub.get("lat", 0)) - 9.96935) < 1e-6 and
            abs(float(ub.get("lon", 0)) - 105.1) < 1e-6 and ub.get("ownership") == "public",
            "polygon: the centroid of the outline; operator:type=government is public", str(ub))
    pos = read_csv(positioned)
    t.check(pos["91004"]["lat"] == "10.0150000" and pos["91007"]["lat"] == "9.9254158" and
            pos["91001"]["lat"] == "", "GeoJSON: 91004 and 91007 positioned, 91001 not",
            str({c: r["lat"] for c, r in pos.items()}))
    r = run([PY, SCRIPT, os.path.join(FIX, "kiengiang.geojson"), "--province", "91",
             "--keep-healthcare", "pharmacy"])
    t.check(r.returncode == 0 and "Nhà thuốc Long Châu" in r.stdout,
            "--keep-healthcare pharmacy keeps the pharmacy (stdout output)")


def check_imports(t, binary, data, tmp, osm_csv, positioned):
    d = os.path.join(tmp, "data-osm")
    shutil.copytree(data, d)
    shutil.copyfile(osm_csv, os.path.join(d, "facilities.csv"))
    out = os.path.join(tmp, "osm.sqlite")
    r = run([binary, "import", "--data", d, "--out", out], timeout=300)
    t.check(r.returncode == 0, "the converter's output imports", r.stderr[-800:])
    shutil.copyfile(positioned, os.path.join(d, "facilities.csv"))
    r = run([binary, "import", "--data", d, "--out", out], timeout=300)
    bad = sorted(set(re.findall(r"facilities\.csv:(\d+): lat: is required", r.stderr)))
    t.check(r.returncode == 1 and bad == ["5", "6", "8"],
            "the positioned list: import names exactly the rows left without a position "
            "(lines 5, 6, 8)", r.stderr[-800:])


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    check_help(t)
    with tempdir() as tmp:
        osm_csv, positioned = check_overpass(t, tmp, args["data"])
        check_geojson(t, tmp, args["data"])
        if osm_csv:
            check_imports(t, args["bin"], args["data"], tmp, osm_csv, positioned)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
