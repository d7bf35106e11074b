#!/usr/bin/python3
"""Integration test of the administrative units in both versions (before
and after the July 2025 reform) over real HTTP on 127.0.0.1, on the shipped
data: version listing, old -> new resolution in /v1/admin-units/{code}, old
province / district / ward codes in the list filters and search, places
carrying current codes. Expected values are read independently from
data/admin_units.csv and data/admin_successors.csv."""
import csv
import io
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, Tally, import_data, parse_args, tempdir  # noqa: E402

OLD, NEW = "2025-03", "2025-07"


def load_csv(data, name):
    with open(os.path.join(data, name), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def walk(srv, path, limit=100, max_pages=100):
    """Follows next links; returns (results, error)."""
    sep = "&" if "?" in path else "?"
    url, out, pages = f"{path}{sep}limit={limit}", [], 0
    while url and pages < max_pages:
        status, _, body = srv.get_json(url)
        if status != 200:
            return out, f"{status} on {url}"
        out += body["results"]
        url, pages = body["next"], pages + 1
    return out, None


class Data:
    def __init__(self, data):
        self.units = {(u["code"], u["version"]): u for u in load_csv(data, "admin_units.csv")}
        self.succ = defaultdict(list)
        for r in load_csv(data, "admin_successors.csv"):
            self.succ[(r["old_code"], r["old_version"])].append(r)
        self.places = {k: load_csv(data, f"{k}.csv") for k in ("offices", "agents", "facilities")}

    def successors(self, code, version=OLD):
        return sorted(r["new_code"] for r in self.succ[(code, version)])

    def count(self, version, level):
        return sum(1 for (c, v), u in self.units.items() if v == version and u["level"] == level)


def check_versions(t, srv, d):
    for version, query, n in ((NEW, "", 34), (OLD, f"&version={OLD}", 63)):
        res, err = walk(srv, f"/v1/admin-units?level=province{query}", 25)
        t.check(err is None and len(res) == n == d.count(version, "province") and
                all(u["version"] == version for u in res), f"{n} provinces in version {version}")
    res, err = walk(srv, f"/v1/admin-units?level=district&version={OLD}")
    t.check(err is None and len(res) == 696, f"696 districts in {OLD}", f"{err} {len(res)}")
    res, err = walk(srv, "/v1/admin-units?level=ward")
    t.check(err is None and len(res) == 3321 == d.count(NEW, "ward"), f"3321 communes in {NEW}")
    res, err = walk(srv, "/v1/admin-units?level=district")
    t.check(err is None and res == [], "no districts after the reform")
    res, err = walk(srv, "/v1/admin-units?parent=91")
    want = sorted(c for (c, v), u in d.units.items() if v == NEW and u["parent_code"] == "91")
    t.check(err is None and [u["code"] for u in res] == want and len(want) == 102,
            "the 102 communes of the new An Giang (parent=91)")
    status, _, body = srv.get_json("/v1/admin-units?limit=1")
    t.check(status == 200 and body["version"] == NEW and body["results"][0]["status"] == "current",
            "the list says which version it is")
    status, _, raw = srv.request("GET", f"/v1/admin-units?version={OLD}&parent=899&f=csv")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    t.check(status == 200 and rows and all(r["version"] == OLD and r["status"] == "replaced"
                                           for r in rows), "CSV carries version and status")


def codes(links):
    return sorted(x["code"] for x in links)


def check_unit(t, srv, d):
    # new An Giang 91: current; old Kiên Giang 91 and old An Giang 89 went into it
    status, _, u = srv.get_json("/v1/admin-units/91")
    t.check(status == 200 and u["version"] == NEW and u["name"] == "Tỉnh An Giang" and
            u["status"] == "current" and u["successors"] == [], "91 is the new An Giang")
    t.check(codes(u["predecessors"]) == ["89", "91"] and
            {p["version"] for p in u["predecessors"]} == {OLD}, "its predecessors: old 89 and 91")
    t.check(len(u["formerly"]) == 1 and u["formerly"][0]["name"] == "Tỉnh Kiên Giang" and
            codes(u["formerly"][0]["successors"]) == ["91"], "formerly: 91 was Kiên Giang")
    status, _, u = srv.get_json("/v1/admin-units/89")
    t.check(status == 200 and u["version"] == OLD and u["status"] == "replaced" and
            codes(u["successors"]) == ["91"] == d.successors("89"), "old An Giang 89 -> 91")
    status, _, u = srv.get_json(f"/v1/admin-units/91?version={OLD}")
    t.check(status == 200 and u["name"] == "Tỉnh Kiên Giang" and u["status"] == "replaced",
            "version= forces the old meaning of 91")
    # old district Rạch Giá 899 -> its communes
    status, _, u = srv.get_json("/v1/admin-units/899")
    t.check(status == 200 and u["level"] == "district" and codes(u["successors"]) ==
            d.successors("899") == ["30742", "30760"] and
            all(s["share"] == "partial" for s in u["successors"]),
            "old district 899 -> Phường Rạch Giá 30742, Phường Vĩnh Thông 30760")
    t.check([a["code"] for a in u["ancestors"]] == ["91"] and u["children_count"] == 11,
            "899 keeps its old ancestors and wards")
    # a ward -> its commune; the commune reuses a ward's code
    status, _, u = srv.get_json("/v1/admin-units/30748")
    t.check(status == 200 and u["name"] == "Phường An Hòa" and codes(u["successors"]) == ["30742"],
            "old ward An Hòa 30748 -> 30742")
    status, _, u = srv.get_json("/v1/admin-units/30742")
    t.check(status == 200 and u["name"] == "Phường Rạch Giá" and u["parent_code"] == "91" and
            [a["code"] for a in u["ancestors"]] == ["91"], "30742 is now Phường Rạch Giá, in 91")
    t.check("30748" in codes(u["predecessors"]) and "899" in codes(u["predecessors"]) and
            u["formerly"][0]["name"] == "Phường Vĩnh Thanh Vân", "its predecessors and former meaning")
    # a corrected mapping error: merges.json put Xã Tân Phú (An Giang) into Đồng Tháp
    status, _, u = srv.get_json("/v1/admin-units/30622")
    t.check(status == 200 and codes(u["successors"]) == ["30604"] and
            "corrected" in (u["successors"][0]["note"] or ""), "corrected successor carries a note")
    for path, want in ((f"/v1/admin-units/899?version={NEW}", 404), ("/v1/admin-units/00000", 404),
                       ("/v1/admin-units/91?version=1999-01", 400)):
        t.check(srv.get_json(path)[0] == want, f"{path}: {want}")


def resolved(body, name):
    return (body.get("resolved") or {}).get(name)


def check_filters(t, srv, d):
    fac = d.places["facilities"]
    status, _, body = srv.get_json("/v1/facilities?province=89&limit=100")
    want = sorted(r["code"] for r in fac if r["province_code"] == "91")
    t.check(status == 200 and [r["code"] for r in body["results"]] == want and want,
            "province=89 (old An Giang) lists the new An Giang's facilities")
    r = resolved(body, "province")
    t.check(r == {"from": "89", "version": OLD, "name": "Tỉnh An Giang", "level": "province",
                  "to": ["91"]}, "and says so: resolved.province 89 -> 91", json.dumps(r))
    status, _, body = srv.get_json("/v1/facilities?province=91&limit=100")
    t.check("resolved" not in body and [r["code"] for r in body["results"]] == want,
            "province=91 is the current unit: nothing resolved")
    agents = d.places["agents"]
    status, _, body = srv.get_json("/v1/agents?district=899&limit=100")
    to = d.successors("899")
    want = sorted(a["code"] for a in agents if a["district_code"] == "899" or a["ward_code"] in to)
    t.check(status == 200 and [a["code"] for a in body["results"]] == want and want and
            resolved(body, "district")["to"] == to, "district=899 -> its communes, resolved")
    status, _, body = srv.get_json("/v1/agents?ward=30748")
    t.check(status == 200 and resolved(body, "ward")["to"] == ["30742"] and
            all(a["ward_code"] == "30742" for a in body["results"]) and body["results"],
            "ward=30748 (old An Hòa) -> agents of 30742")
    status, h, body = srv.get_json("/v1/agents?district=899&f=geojson")
    t.check(status == 200 and body["type"] == "FeatureCollection" and
            resolved(body, "district")["from"] == "899", "GeoJSON carries resolved too")
    status, _, body = srv.get_json("/v1/search?q=benh%20vien&province=89")
    t.check(status == 200 and resolved(body, "province")["to"] == ["91"] and
            all(r["province_code"] == "91" for r in body["results"]) and body["results"],
            "search province=89 resolved to 91")
    status, _, body = srv.get_json("/v1/offices?district=900")
    t.check(status == 200 and [o["code"] for o in body["results"]] == ["09102"],
            "legacy district 900 still finds BHXH TP Hà Tiên")
    for path, param in (("/v1/facilities?district=91", "district"), ("/v1/search?q=bv&province=999", "province"),
                        ("/v1/admin-units?parent=899", "parent"), ("/v1/admin-units?version=2025", "version")):
        status, _, body = srv.get_json(path)
        t.check(status == 400 and body["invalid_params"][0]["name"] == param, f"400 naming {param}: {path}")


def check_places(t, srv, d):
    current = {c: u for (c, v), u in d.units.items() if v == NEW}
    old = {c: u for (c, v), u in d.units.items() if v == OLD}
    bad = []
    for kind, rows in d.places.items():
        for r in rows:
            if r["province_code"] and current.get(r["province_code"], {}).get("level") != "province":
                bad.append((kind, r["code"], "province"))
            if r["ward_code"] and current.get(r["ward_code"], {}).get("parent_code") != r["province_code"]:
                bad.append((kind, r["code"], "ward"))
            if r["district_code"] and old.get(r["district_code"], {}).get("level") != "district":
                bad.append((kind, r["code"], "district"))
    t.check(not bad, "every shipped place carries a 2025 province / commune and a legacy district",
            str(bad[:5]))
    status, _, o = srv.get_json("/v1/offices/09102")
    t.check(status == 200 and o["name"] == "BHXH TP Hà Tiên" and o["province_code"] == "91" and
            o["district_code"] == "900", "legacy office code 09102 still resolves")
    status, _, o = srv.get_json("/v1/offices/091")
    t.check(status == 200 and o["ward_code"] == "30742", "091 (phường An Hòa) is in Phường Rạch Giá")


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    d = Data(args["data"])
    with tempdir() as tmp:
        db = os.path.join(tmp, "release.sqlite")
        import_data(args["bin"], args["data"], db)
        srv = Server(args["bin"], db)
        try:
            for check in (check_versions, check_unit, check_filters, check_places):
                check(t, srv, d)
        finally:
            rc = srv.stop()
        t.check(rc == 0, "clean shutdown")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
