#!/usr/bin/python3
"""Integration test of the command line: help texts, import of good and bad
data through the real binary (messages, exit codes, the old database left
byte-for-byte untouched), and serve refusing a missing or wrong database."""
import hashlib
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Tally, parse_args, run, tempdir  # noqa: E402


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_help(t, binary):
    for cmd, words in ((["--help"], "import"), (["import", "--help"], "--data"),
                       (["serve", "--help"], "--port")):
        r = run([binary, *cmd])
        t.check(r.returncode == 0 and words in r.stdout, f"bhxh-geo {' '.join(cmd)}")
    r = run([binary, "frobnicate"])
    t.check(r.returncode != 0 and "unknown command" in r.stderr, "unknown command is refused")
    r = run([binary, "import", "--data", "x"])
    t.check(r.returncode != 0 and "--out" in r.stderr, "import without --out is refused")
    r = run([binary, "serve", "--db", "x", "--port", "70000"])
    t.check(r.returncode != 0 and "--port" in r.stderr, "serve with a bad port is refused")


def copy_data(src, dst):
    shutil.copytree(src, dst)
    return dst


def append_row(path, row):
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(row + "\n")


def header(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\n").split(",")


def make_row(path, **values):
    cols = header(path)
    return ",".join(values.get(c, "") for c in cols)


def check_import(t, binary, data, tmp):
    out = os.path.join(tmp, "release.sqlite")
    r = run([binary, "import", "--data", data, "--out", out], timeout=300)
    t.check(r.returncode == 0 and os.path.exists(out), "import of the shipped data succeeds", r.stderr[-500:])
    db = sqlite3.connect(out)
    counts = dict(db.execute("SELECT kind, count(*) FROM places GROUP BY kind"))
    rel = db.execute("SELECT id, built_at FROM release").fetchall()
    srcs = db.execute("SELECT file, sha256, rows FROM release_sources ORDER BY file").fetchall()
    db.close()
    t.check(counts.get("office") == 15, "15 offices imported", str(counts))
    t.check(len(rel) == 1 and rel[0][0], "one release row with an id")
    with open(os.path.join(data, "offices.csv"), "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    t.check(("offices.csv", want, 15) in srcs, "release_sources has the offices.csv checksum and row count", str(srcs))
    before = digest(out)

    bad = copy_data(data, os.path.join(tmp, "bad"))
    offices = os.path.join(bad, "offices.csv")
    append_row(offices, make_row(offices, code="09199", name="BHXH thử", parent_code="091",
                                 level="district", lat="105.1", lon="9.99", source="sample"))
    append_row(offices, make_row(offices, code="09102", name="trùng mã", parent_code="091",
                                 level="district", lat="10.4", lon="104.5", source="sample"))
    append_row(offices, make_row(offices, code="09198", name="BHXH thử", parent_code="098",
                                 level="district", lat="10.4", lon="104.5", source="sample"))
    append_row(offices, make_row(offices, code="09197", name="", parent_code="091",
                                 level="district", lat='"10,4"', lon="104.5", source="sample"))
    lines = sum(1 for _ in open(offices, encoding="utf-8"))
    r = run([binary, "import", "--data", bad, "--out", out], timeout=300)
    err = r.stderr
    t.check(r.returncode == 1, "bad data: exit status 1", f"{r.returncode}")
    t.check(digest(out) == before, "bad data: the existing database is byte-for-byte untouched")
    t.check(not [f for f in os.listdir(tmp) if "tmp" in f], "bad data: no temporary file left behind", str(os.listdir(tmp)))
    path = os.path.join(bad, "offices.csv")
    for line, col, word in ((lines - 3, "lat", "swapped"), (lines - 2, "code", "09102"),
                            (lines - 1, "parent_code", "098"), (lines, "name", ""),
                            (lines, "lat", "number")):
        prefix = f"{path}:{line}: {col}:"
        hit = [l for l in err.splitlines() if l.startswith(prefix) and word in l]
        t.check(bool(hit), f"bad data: reports {prefix} ... {word}", err[-800:])

    latin1 = copy_data(data, os.path.join(tmp, "latin1"))
    agents = os.path.join(latin1, "agents.csv")
    row = make_row(agents, code="DLT-X", name="Ki\u00ean Giang", lat="10.0", lon="105.1",
                   source="sample")
    with open(agents, "ab") as f:
        f.write((row + "\n").encode("latin-1"))
    r = run([binary, "import", "--data", latin1, "--out", out])
    t.check(r.returncode == 1 and "UTF-8" in r.stderr and "agents.csv:" in r.stderr,
            "non-UTF-8 input is refused, saying UTF-8 is expected", r.stderr[-400:])
    t.check(digest(out) == before, "non-UTF-8 input: the existing database is untouched")

    missing = copy_data(data, os.path.join(tmp, "missing"))
    os.unlink(os.path.join(missing, "facilities.csv"))
    r = run([binary, "import", "--data", missing, "--out", out])
    t.check(r.returncode != 0 and "facilities.csv" in r.stderr, "a missing file is named", r.stderr[-300:])
    t.check(digest(out) == before, "missing file: the existing database is untouched")
    return out


def check_serve_refuses(t, binary, tmp):
    r = run([binary, "serve", "--db", os.path.join(tmp, "nope.sqlite"), "--port", "0"], timeout=30)
    t.check(r.returncode != 0 and "nope.sqlite" in r.stderr, "serve: a missing database is refused", r.stderr)
    text = os.path.join(tmp, "text.sqlite")
    with open(text, "w") as f:
        f.write("this is not a database\n" * 100)
    r = run([binary, "serve", "--db", text, "--port", "0"], timeout=30)
    t.check(r.returncode != 0 and "text.sqlite" in r.stderr, "serve: a non-database file is refused", r.stderr)
    empty = os.path.join(tmp, "empty.sqlite")
    sqlite3.connect(empty).execute("CREATE TABLE t(x)").connection.close()
    r = run([binary, "serve", "--db", empty, "--port", "0"], timeout=30)
    t.check(r.returncode != 0 and "not a bhxh-geo release" in r.stderr, "serve: a foreign SQLite file is refused", r.stderr)


def main():
    args = parse_args(sys.argv[1:])
    t = Tally()
    check_help(t, args["bin"])
    with tempdir() as tmp:
        check_import(t, args["bin"], args["data"], tmp)
        check_serve_refuses(t, args["bin"], tmp)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
