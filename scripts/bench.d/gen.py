#!/usr/bin/python3
"""Synthetic national dataset for scripts/bench (stdlib only, deterministic).

usage: gen.py --places N --seed S --repo DIR --raw DIR --out DIR

Writes into OUT:
  data/admin_units.csv, data/offices.csv (and admin_successors.csv when the
      repository's data/ has one): copied from REPO/data/ unchanged;
  data/agents.csv, data/facilities.csv: N places in all (docs/data-format.md);
  bench-data.lua: query material for the wrk scripts (population-weighted
      points, search prefixes, code paths);
  points.csv: code,kind,lat,lon of every place (for the PostGIS comparison);
  gen.json: counts, for the report.

Where places are: each place picks a commune (the 3,321 communes of July
2025, their seat points from RAW/vn-admin-2025-points) with probability
proportional to the commune's population (the sapnhap.bando.com.vn ward
list, joined on the seat point; at least 1,000 so that every commune,
islands included, gets some), then a small, about Gaussian jitter (sigma from the
commune's area, at most 0.008 degrees, cut at 2.5 sigma: 0.02 degrees at
most, well inside the importer's territory boxes, which are the provinces
widened by 0.1 degrees). So Hà Nội and TP Hồ Chí Minh are dense, the
highlands sparse, and Phú Quốc, Côn Đảo, Lý Sơn, Bạch Long Vĩ and Trường Sa
have a few. Without RAW the seats are the shipped places of REPO/data/, all
weighted equally (a warning says so).

Split: FACILITY_SHARE (5%) of the places are facilities, the rest agents.
Facility codes are the place's province code and a per-province base-36
counter (3 of 0-9 A-Z: 46,656 per province); a province that runs out
gives its further rows to agents. Agent codes are SYN-0000001, ....
Names and addresses are Vietnamese and name the commune and province, so
search has realistic words ("Trạm Y tế xã An Khánh", "Đại lý thu Bưu điện
phường Ba Đình", "Phòng khám đa khoa Nguyễn Văn Hùng").
"""
import argparse
import bisect
import csv
import json
import math
import os
import random
import shutil
import sys
import unicodedata

FACILITY_SHARE = 0.05
LUA_POINTS = 20000
LUA_QUERIES = 4000
LUA_CODES = 4000
B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2),
            ("Phan", 4.5), ("Vũ", 2), ("Võ", 2), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4),
            ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.5), ("Trương", 0.5)]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Kim", "Thu",
          "Hồng", "Công", "Đình", "Bảo"]
GIVEN = ["Anh", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
         "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung",
         "Phong", "Phương", "Quang", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang",
         "Trung", "Tuấn", "Tùng", "Vân", "Việt", "Yến", "Đạt", "Huy", "Lộc", "Oanh"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt",
           "Quang Trung", "Nguyễn Trãi", "Hùng Vương", "Lê Duẩn", "Phan Chu Trinh", "Võ Thị Sáu",
           "Điện Biên Phủ", "Nguyễn Văn Cừ", "Tôn Đức Thắng", "Lê Hồng Phong", "Nguyễn Du",
           "Bà Triệu", "Trần Phú", "Lạc Long Quân", "Nguyễn Thị Minh Khai", "Phạm Văn Đồng",
           "Hoàng Văn Thụ", "Cách Mạng Tháng Tám", "30 Tháng 4", "Ngô Quyền", "Lê Thánh Tông",
           "Nguyễn Chí Thanh", "Giải Phóng", "Kim Mã", "Xuân Thủy", "Cầu Giấy", "Lý Thái Tổ"]
SPECIALTIES = ["Răng Hàm Mặt", "Nhi", "Mắt", "Tai Mũi Họng", "Sản phụ khoa", "Da liễu",
               "Nội tổng hợp", "Y học cổ truyền"]
HOSPITALS = ["Nhi", "Sản Nhi", "Mắt", "Y học cổ truyền", "Phục hồi chức năng", "Lao và Bệnh phổi",
             "Tâm thần", "Ung bướu"]
ORGS = ["Hội Nông dân", "Hội Liên hiệp Phụ nữ", "Quỹ tín dụng nhân dân", "Hợp tác xã dịch vụ",
        "Hội Cựu chiến binh", "Đoàn Thanh niên"]
HOURS_AGENT = ["", "", "07:30–11:30, 13:30–17:00 (thứ Hai–thứ Sáu)", "07:00–17:00 hằng ngày"]
HOURS_FAC = ["", "07:00–17:00 (thứ Hai–thứ Bảy)", "24/7", "07:30–11:30, 13:30–16:30"]

AGENT_COLS = ["code", "name", "parent_code", "agent_type", "address", "province_code",
              "district_code", "ward_code", "phone", "email", "website", "opening_hours", "lat",
              "lon", "position_approx", "source", "updated"]
FAC_COLS = ["code", "name", "parent_code", "level", "facility_class", "ownership",
            "accepts_initial_registration", "address", "province_code", "district_code",
            "ward_code", "phone", "email", "website", "opening_hours", "lat", "lon",
            "position_approx", "source", "updated"]


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class Admin:
    """The current version of REPO/data/admin_units.csv: code -> (level, parent)."""

    def __init__(self, path):
        rows = read_csv(path)
        versions = sorted({r.get("version") or "" for r in rows})
        cur = versions[-1]
        self.units = {r["code"]: (r["level"], r["parent_code"], r["name"]) for r in rows
                      if (r.get("version") or "") == cur}
        self.any_province = {r["code"] for r in rows if r["level"] == "province"}

    def codes_for(self, ward, province):
        """(province_code, district_code, ward_code) consistent with the file."""
        u = self.units.get(ward)
        if u is None or u[0] != "ward":
            p = self.units.get(province)
            return (province if p is not None and p[0] == "province" else "", "", "")
        district, prov = "", ""
        parent = u[1]
        for _ in range(3):
            pu = self.units.get(parent)
            if pu is None:
                break
            if pu[0] == "district":
                district = parent
            elif pu[0] == "province":
                prov = parent
                break
            parent = pu[1]
        return (prov, district, ward)


def load_communes(raw, admin):
    """[(name, wtype, short, province_name, province_short, lat, lon, sigma, codes)], weights."""
    base = os.path.join(raw, "vn-admin-2025-points")
    pts = read_csv(os.path.join(base, "2025_34-province-3221-ward_with_location.csv"))
    pop = {}
    for r in read_csv(os.path.join(base, "sapnhap.bando.com.vn_ward_2025-07-17.csv")):
        v = r["dansonguoi"].replace(".", "").strip()
        pop[(r["vido"], r["kinhdo"])] = int(v) if v.isdigit() else 0
    out, weights = [], []
    for r in pts:
        lat, lon = float(r["wardLat"]), float(r["wardLon"])
        area = float(r["wardAreaKm2"] or 10)
        sigma = min(0.008, max(0.001, math.sqrt(area) / 111.0 / 4))
        codes = admin.codes_for(r["wardCode"].zfill(5), r["provinceCode"].zfill(2))
        out.append((r["ward"], r["wardType"], r["wardShort"], r["province"], r["provinceShort"],
                    lat, lon, sigma, codes))
        weights.append(max(1000, pop.get((r["wardLat"], r["wardLon"]), 0)))
    return out, weights


def fallback_communes(repo, admin):
    """Seats from the shipped places when the raw points are missing."""
    print("gen.py: warning: raw commune points not found; using the shipped places as seats, "
          "equally weighted (not a population distribution)", file=sys.stderr)
    out = []
    for fn in ("facilities.csv", "agents.csv", "offices.csv"):
        path = os.path.join(repo, "data", fn)
        if not os.path.exists(path):
            continue
        for r in read_csv(path):
            prov = r.get("province_code", "")
            pname = admin.units.get(prov, ("", "", "Việt Nam"))[2]
            codes = (prov if prov in admin.units else "", "", "")
            out.append(("Khu vực " + r["code"], "Khu vực", r["code"], pname, pname,
                        float(r["lat"]), float(r["lon"]), 0.003, codes))
    return out, [1] * len(out)


class Rnd:
    """random.Random with cheap picks (choice() and randint() cost a microsecond each)."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.random = self.r.random

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def int(self, lo, hi):
        return lo + int(self.random() * (hi - lo + 1))

    def jitter(self, sigma):
        """About Gaussian (a sum of three uniforms), standard deviation sigma, |x| <= 2.5 sigma."""
        r = self.random
        x = (r() + r() + r() - 1.5) * 2.0 * sigma
        return max(-2.5 * sigma, min(2.5 * sigma, x))


def person(rng, cum_surnames):
    s = SURNAMES[bisect.bisect(cum_surnames, rng.random() * cum_surnames[-1])][0]
    return "%s %s %s" % (s, rng.pick(MIDDLE), rng.pick(GIVEN))


def locality(rng, c):
    """Village or street part of an address."""
    wtype, lat = c[1], c[5]
    if wtype == "Phường":
        if rng.random() < 0.7:
            return "Số %d đường %s, Tổ dân phố %d" % (rng.int(1, 499), rng.pick(STREETS),
                                                     rng.int(1, 30))
        return "Tổ dân phố %d" % rng.int(1, 40)
    if lat < 12.5:
        return "Ấp %d" % rng.int(1, 15)
    return "Thôn %d" % rng.int(1, 20)


def fold(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return "".join(ch if ch.isalnum() else " " for ch in s).split()


def agent_row(rng, c, code, cum_surnames, serial):
    cname = c[9]
    t = rng.random()
    if t < 0.35:
        name, atype = "Đại lý thu Bưu điện %s" % cname, "bưu điện"
    elif t < 0.45:
        name, atype = "Đại lý thu UBND %s" % cname, "UBND xã"
    elif t < 0.55:
        name, atype = "Đại lý thu %s %s" % (rng.pick(ORGS), cname), "tổ chức"
    else:
        name, atype = "Đại lý thu %s" % person(rng, cum_surnames), "cá nhân"
    if t < 0.55 and serial > 1:
        name += " – điểm thu số %d" % serial
    phone = "0%s%08d" % (rng.pick("3789"), rng.int(0, 10 ** 8 - 1)) if rng.random() < 0.6 else ""
    return [code, name, "", atype, locality(rng, c) + c[10], c[8][0], c[8][1], c[8][2], phone, "", "", rng.pick(HOURS_AGENT)], name


def facility_row(rng, c, code, cum_surnames, serial):
    cname = c[9]
    t = rng.random()
    if t < 0.25:
        name, level, own, init = "Trạm Y tế %s" % cname, "commune", "public", "true"
        if serial > 1:
            name += " – điểm %d" % serial
    elif t < 0.50:
        name, level, own, init = "Phòng khám đa khoa %s" % person(rng, cum_surnames), "district", \
            "private", "true"
    elif t < 0.70:
        name, level, own, init = "Phòng khám chuyên khoa %s %s" % (
            rng.pick(SPECIALTIES), person(rng, cum_surnames)), "", "private", "false"
    elif t < 0.80:
        name, level, own, init = "Trung tâm Y tế %s" % cname, "district", "public", "true"
    elif t < 0.92:
        name, level, own, init = "Bệnh viện đa khoa khu vực %s" % c[2], "district", "public", "true"
    else:
        name, level, own, init = "Bệnh viện %s %s" % (rng.pick(HOSPITALS), c[4]), "province", \
            "public", "false"
    phone = "02%02d%07d" % (rng.int(0, 99), rng.int(0, 10 ** 7 - 1)) if rng.random() < 0.8 else ""
    cls = rng.pick(["", "", "3", "4"]) if own == "public" else ""
    return [code, name, "", level, cls, own, init,
            locality(rng, c) + c[10], c[8][0], c[8][1], c[8][2], phone, "", "",
            rng.pick(HOURS_FAC)], name


def query_from(rng, name):
    """A 1-4 word as-you-type prefix of a name, folded, URL-encoded."""
    words = fold(name)
    if not words:
        return None
    if rng.random() < 0.7:
        start = 0
        k = rng.int(1, min(4, len(words)))
    else:
        start = rng.int(0, len(words) - 1)
        k = rng.int(1, min(3, len(words) - start))
    ws = words[start:start + k]
    last = ws[-1]
    shortest = 3 if k == 1 else 2  # a search box waits for a few letters
    if len(last) > shortest and rng.random() < 0.6:
        ws[-1] = last[:rng.int(shortest, len(last) - 1)]
    return "%20".join(ws)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--places", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    rng = Rnd(a.seed)
    data = os.path.join(a.out, "data")
    os.makedirs(data, exist_ok=True)
    for fn in ("admin_units.csv", "offices.csv", "admin_successors.csv"):
        src = os.path.join(a.repo, "data", fn)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(data, fn))
    admin = Admin(os.path.join(data, "admin_units.csv"))
    if os.path.exists(os.path.join(a.raw, "vn-admin-2025-points")):
        communes, weights = load_communes(a.raw, admin)
    else:
        communes, weights = fallback_communes(a.repo, admin)
    cum = []
    acc = 0
    for w in weights:
        acc += w
        cum.append(acc)
    cum_surnames = []
    acc = 0
    for _, w in SURNAMES:
        acc += w
        cum_surnames.append(acc)

    n = a.places
    # + the name in a place's name ("xã An Khánh") and the end of its address
    communes = [c + (c[1].lower() + " " + c[2], ", %s, %s" % (c[0], c[3])) for c in communes]
    picks = rng.r.choices(range(len(communes)), cum_weights=cum, k=n)
    lua_code_rows = set(rng.r.sample(range(n), min(n, LUA_CODES)))
    width = max(7, len(str(n)))
    fac_next = {}
    serial = {}
    n_agents = n_fac = 0
    lua_pts, lua_names_a, lua_names_f, lua_codes = [], [], [], []
    fa = open(os.path.join(data, "agents.csv"), "w", encoding="utf-8", newline="")
    ff = open(os.path.join(data, "facilities.csv"), "w", encoding="utf-8", newline="")
    fp = open(os.path.join(a.out, "points.csv"), "w", encoding="utf-8", newline="")
    wa = csv.writer(fa, lineterminator="\n")
    wf = csv.writer(ff, lineterminator="\n")
    wa.writerow(AGENT_COLS)
    wf.writerow(FAC_COLS)
    for i, ci in enumerate(picks):
        c = communes[ci]
        s = c[7]
        lat, lon = "%.6f" % (c[5] + rng.jitter(s)), "%.6f" % (c[6] + rng.jitter(s))
        prov = c[8][0]
        fac = rng.random() < FACILITY_SHARE and prov in admin.any_province
        if fac:
            k = fac_next.get(prov, 0)
            if k >= 36 ** 3:
                fac = False
        key = (ci, fac)
        serial[key] = serial.get(key, 0) + 1
        if fac:
            fac_next[prov] = k + 1
            code = prov + B36[k // 1296] + B36[k // 36 % 36] + B36[k % 36]
            row, name = facility_row(rng, c, code, cum_surnames, serial[key])
            wf.writerow(row + [lat, lon, "false", "synthetic", "2025-07-01"])
            n_fac += 1
            kind = "facility"
            if len(lua_names_f) < LUA_QUERIES:
                lua_names_f.append(name)
        else:
            n_agents += 1
            code = "SYN-%0*d" % (width, n_agents)
            row, name = agent_row(rng, c, code, cum_surnames, serial[key])
            wa.writerow(row + [lat, lon, "false", "synthetic", "2025-07-01"])
            kind = "agent"
            if len(lua_names_a) < LUA_QUERIES:
                lua_names_a.append(name)
        fp.write("%s,%s,%s,%s\n" % (code, kind, lat, lon))
        if i < LUA_POINTS:
            lua_pts.append((lat, lon))
        if i in lua_code_rows:
            lua_codes.append("/v1/%s/%s" % ("facilities" if fac else "agents", code))
    for r in read_csv(os.path.join(data, "offices.csv")):
        fp.write("%s,office,%s,%s\n" % (r["code"], r["lat"], r["lon"]))
        lua_codes.append("/v1/offices/" + r["code"])
    fa.close()
    ff.close()
    fp.close()

    names = lua_names_a[:LUA_QUERIES // 2] + lua_names_f[:LUA_QUERIES // 2]
    queries = [q for q in (query_from(rng, nm) for nm in names) if q]
    rng.r.shuffle(queries)
    rng.r.shuffle(lua_codes)
    with open(os.path.join(a.out, "bench-data.lua"), "w", encoding="utf-8") as f:
        f.write("-- generated by scripts/bench.d/gen.py\nreturn {\npts = {")
        f.write(",".join("%s,%s" % p for p in lua_pts))
        f.write("},\nqueries = {")
        f.write(",".join('"%s"' % q for q in queries))
        f.write("},\ncodes = {")
        f.write(",".join('"%s"' % c for c in lua_codes))
        f.write("},\n}\n")
    with open(os.path.join(a.out, "gen.json"), "w") as f:
        json.dump({"places": n, "agents": n_agents, "facilities": n_fac, "seed": a.seed,
                   "communes": len(communes), "example_queries": queries[:10],
                   "first_point": [float(v) for v in lua_pts[0]], "first_query": queries[0],
                   "first_code": lua_codes[0]}, f)
    print("gen.py: %d places (%d agents, %d facilities) over %d communes" %
          (n, n_agents, n_fac, len(communes)))


if __name__ == "__main__":
    main()
