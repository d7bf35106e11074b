#!/usr/bin/python3
"""Integration test of the import formats through the real binary: VN-2000 and
UTM coordinates (checked against PROJ's own cs2cs run now), Vietnamese headers,
a --columns mapping file, CP1258 and TCVN3 files, and the errors for each.

Each case copies the shipped data directory, puts a fixture from
tests/fixtures/import/ in place of facilities.csv and runs `bhxh-geo import`.

Reference coordinates are computed here with cs2cs from PROJ's definition of
the CRS (`projinfo EPSG:N -o PROJ`, whose +towgs84 is the EPSG:6960 VN-2000
parameter set); tolerance 1e-8 degrees (about 1 mm).
"""
import csv
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Tally, parse_args, run, tempdir, vincenty_m  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, "..", "fixtures", "import"))
TOL_DEG = 1e-8
WGS84 = ["+proj=longlat", "+datum=WGS84", "+no_defs"]


def proj4(epsg):
    out = run(["projinfo", f"EPSG:{epsg}", "-o", "PROJ", "-q"]).stdout
    return out.replace("+type=crs", "").split()


def cs2cs(args, a, b):
    r = subprocess.run(["cs2cs", "-d", "10", *args], input=f"{a} {b}\n", capture_output=True,
                       text=True, timeout=30, check=True)
    x, y = r.stdout.split()[:2]
    return float(x), float(y)


def reference(epsg, a, b):
    """(a, b) = (lon, lat) or (easting, northing) in EPSG:epsg -> WGS 84 (lat, lon)."""
    if epsg == 4326:
        return b, a
    lon, lat = cs2cs([*proj4(epsg), "+to", *WGS84], a, b)
    return lat, lon


def setup(tmp, data, name, fixture):
    d = os.path.join(tmp, name)
    shutil.copytree(data, d)
    shutil.copyfile(os.path.join(FIX, fixture), os.path.join(d, "facilities.csv"))
    return d


def do_import(binary, d, *opts):
    out = os.path.join(d, "release.sqlite")
    r = run([binary, "import", "--data", d, "--out", out, *opts], timeout=300)
    return r, out


def places(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = {r["code"]: dict(r) for r in con.execute(
        "SELECT code, name, address, level, facility_class, ownership,"
        " accepts_initial_registration, phone, lat, lon, position_approx, source,"
        " src_crs, src_x, src_y, src_line FROM places WHERE kind = 'facility'")}
    sources = dict(con.execute("SELECT file, sha256 FROM release_sources"))
    con.close()
    return rows, sources


def fixture_rows(fixture):
    with open(os.path.join(FIX, fixture), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def close(t, what, got, want):
    ok = abs(got[0] - want[0]) < TOL_DEG and abs(got[1] - want[1]) < TOL_DEG
    t.check(ok, what, f"got {got[0]:.10f} {got[1]:.10f}, want {want[0]:.10f} {want[1]:.10f}")


def check_tm3(t, binary, data, tmp):
    d = setup(tmp, data, "tm3", "facilities-vn2000-tm3.csv")
    r, db = do_import(binary, d, "--crs", "facilities.csv=VN2000:TM3:104.5")
    if not t.check(r.returncode == 0, "TM-3 104-30 file imports with --crs "
                   "facilities.csv=VN2000:TM3:104.5", r.stderr[-800:]):
        return
    rows, _ = places(db)
    src = fixture_rows("facilities-vn2000-tm3.csv")
    t.check(len([c for c in rows if c.startswith("91T")]) == len(src), "TM-3: every row imported")
    for s in src:
        p = rows.get(s["code"])
        if not t.check(p is not None, f"TM-3 {s['code']} present"):
            continue
        e, n = float(s["easting"]), float(s["northing"])
        close(t, f"TM-3 {s['code']} {s['name']}: lat/lon = cs2cs", (p["lat"], p["lon"]),
              reference(9207, e, n))
        t.check(p["src_crs"] == "EPSG:9207" and p["src_x"] == e and p["src_y"] == n,
                f"TM-3 {s['code']}: src_crs/src_x/src_y keep the original", str(p))
    # BV Đa khoa Kiên Giang: the OSM WGS 84 point these easting/northing were made from.
    p = rows.get("91T01", {})
    d_osm = vincenty_m(p.get("lat", 0), p.get("lon", 0), 9.9726371, 105.0985589)
    t.check(d_osm < 0.01, "TM-3 91T01 lands on the WGS 84 point it was derived from",
            f"{d_osm:.4f} m")
    # PROJ's default choice here (plain cs2cs EPSG:9207 EPSG:4326) is EPSG:5194, ~0.8 m off.
    lat5194, lon5194 = cs2cs(["EPSG:9207", "EPSG:4326"], 565429.712, 1102888.744)
    d5194 = vincenty_m(p.get("lat", 0), p.get("lon", 0), lat5194, lon5194)
    t.check(0.5 < d5194 < 1.5, "TM-3 91T01 uses EPSG:6960, not PROJ's default EPSG:5194",
            f"{d5194:.3f} m from the EPSG:5194 result")

    r, _ = do_import(binary, d)
    t.check(r.returncode == 1 and "facilities.csv:1: lat: required column is missing (the file "
            "has easting and northing but no crs column" in r.stderr,
            "TM-3 file without --crs: the header error names the missing CRS", r.stderr[-600:])
    r, _ = do_import(binary, d, "--crs", "VN2000:TM3:104.5")
    t.check(r.returncode == 1 and "offices.csv:1: easting: required column is missing (--crs "
            "EPSG:9207 (VN-2000 / TM-3 104-30) applies to this file" in r.stderr and
            "facilities.csv:" not in r.stderr,
            "a plain --crs applies to every file: lat/lon files without a crs column are refused",
            r.stderr[-600:])


def check_utm(t, binary, data, tmp):
    d = setup(tmp, data, "utm", "facilities-utm.csv")
    r, db = do_import(binary, d)
    if not t.check(r.returncode == 0, "UTM file with a crs column imports", r.stderr[-800:]):
        return
    rows, _ = places(db)
    codes = {"EPSG:3405": 3405, "EPSG:3406": 3406, "VN2000:UTM:48": 3405, "vn2000:utm:48n": 3405,
             "EPSG:32648": 32648, "EPSG:9207": 9207, "": 4326}
    for s in fixture_rows("facilities-utm.csv"):
        p = rows.get(s["code"])
        if not t.check(p is not None, f"UTM {s['code']} present"):
            continue
        epsg = codes[s["crs"]]
        a, b = (float(s["easting"]), float(s["northing"])) if s["easting"] else \
            (float(s["lon"]), float(s["lat"]))
        close(t, f"{s['crs'] or 'WGS 84'} {s['code']} {s['name']}: lat/lon = cs2cs",
              (p["lat"], p["lon"]), reference(epsg, a, b))
        want_src = None if epsg == 4326 else f"EPSG:{epsg}"
        t.check(p["src_crs"] == want_src, f"{s['code']}: src_crs {want_src}", str(p["src_crs"]))
    a = rows.get("91T11")
    if a:
        t.check(vincenty_m(a["lat"], a["lon"], 9.9726371, 105.0985589) < 0.01,
                "UTM 48N 91T11 is BV Đa khoa Kiên Giang, as in the TM-3 file")


def check_geographic(t, binary, data, tmp):
    d = setup(tmp, data, "geo", "facilities-vn2000-geo.csv")
    r, db = do_import(binary, d, "--crs", "facilities=EPSG:4756")
    if not t.check(r.returncode == 0, "VN-2000 lat/lon file imports with --crs facilities=EPSG:4756",
                   r.stderr[-800:]):
        return
    rows, _ = places(db)
    for s in fixture_rows("facilities-vn2000-geo.csv"):
        p = rows[s["code"]]
        lat, lon = float(s["lat"]), float(s["lon"])
        close(t, f"VN-2000 {s['code']}: lat/lon = cs2cs", (p["lat"], p["lon"]),
              reference(4756, lon, lat))
        t.check(p["src_crs"] == "EPSG:4756" and p["src_x"] == lon and p["src_y"] == lat,
                f"VN-2000 {s['code']}: the original lon/lat are kept")


def check_headers(t, binary, data, tmp):
    """Vietnamese headers in another order; the same rows as UTF-8, CP1258 and TCVN3."""
    want = {
        "91T01": ("Bệnh viện Đa khoa Kiên Giang", "province", "1", "public", 1, "0297 000 001"),
        "91T04": ("Trung tâm Y tế Hà Tiên", "district", "3", "public", 1, None),
        "91T10": ("Trạm Y tế xã Thổ Châu", "commune", None, "public", 1, None),
        "91T09": ("Sun Group International Hospital", None, None, "private", 0, None),
        "79T01": ("Bệnh viện Chợ Rẫy", "central", "special", "public", 0, None),
    }
    results = {}
    # TCVN3: a plain --encoding for every file, FILE=utf-8 for the shipped ones (FILE= wins).
    others = [x for x in sorted(os.listdir(data)) if x.endswith(".csv") and x != "facilities.csv"]
    tcvn3_opts = ["--encoding", "tcvn3"]
    for name in others:
        tcvn3_opts += ["--encoding", f"{name}=utf-8"]
    # The same file decomposed (NFD, as macOS tools write it), headers included.
    with open(os.path.join(FIX, "facilities-vi-headers.csv"), encoding="utf-8") as f:
        nfd_text = unicodedata.normalize("NFD", f.read())
    nfd = os.path.join(tmp, "facilities-vi-headers-nfd.csv")
    with open(nfd, "w", encoding="utf-8", newline="") as f:
        f.write(nfd_text)
    for label, fixture, opts in (("UTF-8", "facilities-vi-headers.csv", []),
                                 ("UTF-8 NFD", nfd, []),
                                 ("CP1258", "facilities-cp1258.csv",
                                  ["--encoding", "facilities.csv=cp1258"]),
                                 ("TCVN3", "facilities-tcvn3.csv", tcvn3_opts)):
        d = setup(tmp, data, "vi-" + label, fixture)
        r, db = do_import(binary, d, *opts)
        if not t.check(r.returncode == 0, f"Vietnamese headers, {label}: import succeeds",
                       r.stderr[-800:]):
            continue
        rows, sources = places(db)
        results[label] = {c: p for c, p in rows.items() if c[2] == "T"}
        for code, (name, level, cls, own, initial, phone) in want.items():
            p = rows.get(code, {})
            got = (p.get("name"), p.get("level"), p.get("facility_class"), p.get("ownership"),
                   p.get("accepts_initial_registration"), p.get("phone"))
            t.check(got == (name, level, cls, own, initial, phone),
                    f"{label} {code}: name, Tuyến, Hạng, sở hữu, KCB ban đầu, phone", str(got))
        with open(os.path.join(FIX, fixture), "rb") as f:  # FIX/absolute is absolute
            sha = hashlib.sha256(f.read()).hexdigest()
        t.check(sources.get("facilities.csv") == sha,
                f"{label}: release_sources has the SHA-256 of the file as given", "")
    if len(results) == 4:
        t.check(results["UTF-8 NFD"] == results["UTF-8"],
                "decomposed (NFD) UTF-8 rows are stored composed: equal to the NFC rows")
        t.check(results["CP1258"] == results["UTF-8"], "CP1258 rows equal the UTF-8 rows")
        t.check(results["TCVN3"] == results["UTF-8"], "TCVN3 rows equal the UTF-8 rows")
        names = [p["name"] for p in results["CP1258"].values()]
        t.check(all(n == unicodedata.normalize("NFC", n) for n in names),
                "CP1258 names are NFC")


def check_mapping(t, binary, data, tmp):
    d = setup(tmp, data, "mapped", "facilities-mapped.csv")
    r, db = do_import(binary, d, "--columns", os.path.join(FIX, "columns.ini"))
    if t.check(r.returncode == 0, "--columns columns.ini maps the odd headers", r.stderr[-800:]):
        rows, _ = places(db)
        p = rows.get("91T09", {})
        t.check(p.get("name") == "Sun Group International Hospital" and
                p.get("ownership") == "private" and abs(p.get("lat", 0) - 10.0388036) < 1e-9 and
                p.get("address") == "6 An Thới, Phú Quốc", "mapped row 91T09", str(p))
    r, _ = do_import(binary, d)
    err = r.stderr
    t.check(r.returncode == 1 and "facilities.csv:1: Mã số: unknown column" in err and
            "facilities.csv:1: code: required column is missing (also recognised: Mã CSKCB"
            in err and "facilities.csv:1: Ghi chú: unknown column" in err,
            "without --columns: unknown and missing columns named", err[-800:])
    bad = os.path.join(tmp, "bad-columns.ini")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("# test\n[facilities.csv]\nMã số = Code\n")
    r, _ = do_import(binary, d, "--columns", bad)
    t.check(r.returncode == 1 and f"{bad}:3: expected SOURCE HEADER = column" in r.stderr,
            "a malformed --columns file is refused with FILE:LINE", r.stderr[-400:])
    r, _ = do_import(binary, d, "--columns", os.path.join(tmp, "nope.ini"))
    t.check(r.returncode == 2 and "nope.ini: cannot open" in r.stderr,
            "a missing --columns file is exit 2", r.stderr[-300:])


def expect_lines(t, what, err, path, items):
    for line, text in items:
        hit = [ln for ln in err.splitlines() if ln.startswith(f"{path}:{line}: ") and text in ln]
        t.check(bool(hit), f"{what}: {path.rsplit('/', 1)[-1]}:{line}: {text[:60]}", err[-1500:])


def check_errors(t, binary, data, tmp):
    d = setup(tmp, data, "tm3-bad", "facilities-tm3-bad.csv")
    path = os.path.join(d, "facilities.csv")
    r, db = do_import(binary, d, "--crs", "facilities=VN2000:TM3:104.5")
    t.check(r.returncode == 1 and not os.path.exists(db), "bad coordinates: exit 1, no database")
    expect_lines(t, "coordinates", r.stderr, path, [
        (2, "easting: 1102888.744 and northing: 565429.712 look swapped"),
        (3, 'crs: "EPSG:9999" is not a supported coordinate reference system'),
        (4, 'easting: "565587,700" is not a number (use a dot as decimal separator)'),
        (5, "easting: 565429.712 and northing: 1502888.744 in EPSG:9207 (VN-2000 / TM-3 104-30) "
            "give WGS 84 lat 13.58"),
        (5, "outside Viet Nam's territory"),
        (6, "lat: is set, but the row's crs EPSG:9207 (VN-2000 / TM-3 104-30) takes easting and "
            "northing"),
        (6, "easting: is required but empty (crs EPSG:9207"),
        (7, "easting: is set, but the row's crs EPSG:4326 (WGS 84) takes lat and lon"),
    ])
    t.check(f"{path}:8:" not in r.stderr, "coordinates: the good row 8 has no error")

    d = setup(tmp, data, "cp-bad", "facilities-cp1258-bad.csv")
    path = os.path.join(d, "facilities.csv")
    r, _ = do_import(binary, d, "--encoding", "facilities=cp1258")
    t.check(r.returncode == 1, "CP1258 file with an undefined byte: exit 1")
    expect_lines(t, "CP1258", r.stderr, path,
                 [(3, "Địa chỉ: byte 0x81 is not a character of CP1258 (Windows-1258)")])
    d = setup(tmp, data, "tc-bad", "facilities-tcvn3-bad.csv")
    path = os.path.join(d, "facilities.csv")
    r, _ = do_import(binary, d, "--encoding", "facilities=tcvn3")
    t.check(r.returncode == 1, "TCVN3 file with an undefined byte: exit 1")
    expect_lines(t, "TCVN3", r.stderr, path,
                 [(4, "Tên cơ sở: byte 0xC0 is not a character of TCVN3 (ABC)")])
    d = setup(tmp, data, "utf8-as-cp", "facilities-vi-headers.csv")
    path = os.path.join(d, "facilities.csv")
    r, _ = do_import(binary, d, "--encoding", "facilities=cp1258")
    expect_lines(t, "UTF-8 declared CP1258", r.stderr, path,
                 [(1, "is valid UTF-8 with accented letters, not CP1258")])
    d = setup(tmp, data, "cp-as-utf8", "facilities-cp1258.csv")
    path = os.path.join(d, "facilities.csv")
    r, _ = do_import(binary, d)
    expect_lines(t, "CP1258 without --encoding", r.stderr, path,
                 [(1, "invalid UTF-8"), (1, "--encoding cp1258 or tcvn3")])
    for opt, val, word in (("--crs", "EPSG:1", "--crs:"), ("--encoding", "latin1", "--encoding:"),
                           ("--crs", "hospitals.csv=EPSG:4326", "--crs: \"hospitals.csv\""),
                           ("--encoding", "facilities=vni", "--encoding:")):
        r, _ = do_import(binary, d, opt, val)
        t.check(r.returncode == 2 and r.stderr.startswith(word), f"{opt} {val}: exit 2",
                r.stderr[-300:])


def check_help(t, binary):
    r = run([binary, "import", "--help"])
    t.check(r.returncode == 0 and all(w in r.stdout for w in ("--crs", "--encoding", "--columns",
                                                              "VN2000:TM3:104.5")),
            "import --help names --crs, --encoding, --columns")


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    check_help(t, args["bin"])
    with tempdir() as tmp:
        for check in (check_tm3, check_utm, check_geographic, check_headers, check_mapping,
                      check_errors):
            check(t, args["bin"], args["data"], tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
