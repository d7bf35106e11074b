#!/usr/bin/env node
// check-responses.mjs --bin PATH/bhxh-geo --data DIR [--spec FILE] [--keep]
//
// Contract test: builds a release from DIR with `bhxh-geo import`, starts
// `bhxh-geo serve --port 0`, sends requests covering every operation and
// every documented status, and checks each answer against
// api-spec/openapi.yaml: the operation is found by path template + method +
// status; the status, Content-Type, documented headers and body (JSON Schema
// 2020-12, $refs resolved) must match; JSON and GeoJSON bodies are parsed,
// CSV bodies are checked as strings against their text/csv schema (header
// row and field counts) and must say charset=utf-8. A few rules the
// schemas cannot say are checked as well: ordering, filters and echoes,
// ETag = quoted release id + the format's suffix (one ETag per format:
// "<id>", "<id>.geojson", "<id>.csv"; If-None-Match answered per format),
// /metrics (Prometheus text, no ETag, counts that grow), problem `instance`, distances being
// ellipsoidal, the Link header being the body's `next` (the request with a
// new cursor), pages followed to the end without overlap, the GeoJSON and
// CSV answers carrying exactly the JSON answer's results, f= winning over
// Accept, map counts adding up, the office tree agreeing three ways.
//
// Prints "ok - ..." / "not ok - ..." per check and "N passed, M failed[, K
// skipped]"; exits 1 when anything failed. Everything is bounded in time and
// the server is killed by pid on every way out. Node 18 compatible.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkDeps } from "./lib/deps.mjs";

checkDeps("check-responses");
const { DEFAULT_SPEC, loadSpec, makeAjv, deref, pointerOf, validatorAt, formatErrors, matchPath } =
  await import("./lib/openapi.mjs");

const START_TIMEOUT_MS = 20000;
const IMPORT_TIMEOUT_MS = 60000;
const REQUEST_TIMEOUT_MS = 5000;
const TOTAL_TIMEOUT_MS = 100000;

// Query point: central Rạch Giá, Kiên Giang.
const HERE = { lat: 10.0125, lon: 105.0809 };
const ALL_KINDS = ["office", "agent", "facility"];
const KIND_PATH = { office: "/v1/offices/", agent: "/v1/agents/", facility: "/v1/facilities/" };

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`check-responses: ${msg}`);
  console.error("usage: check-responses.mjs --bin PATH/bhxh-geo --data DIR [--spec FILE] [--keep]");
  process.exit(2);
}

const opts = { spec: DEFAULT_SPEC, keep: false };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--keep") opts.keep = true;
    else if (a === "--bin" || a === "--data" || a === "--spec") {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else usage(`unknown argument ${a}`);
  }
  if (!opts.bin) usage("--bin is required");
  if (!opts.data) usage("--data is required");
  opts.bin = path.resolve(opts.bin);
  opts.data = path.resolve(opts.data);
}

// ---------------------------------------------------------------- reporting

let passed = 0;
let failed = 0;
let skipped = 0;

function ok(name) {
  passed++;
  console.log(`ok - ${name}`);
}
function notOk(name, reasons) {
  failed++;
  const r = Array.isArray(reasons) ? reasons.join("; ") : reasons;
  console.log(`not ok - ${name}${r ? ": " + r : ""}`);
}
function skip(name, why) {
  skipped++;
  console.log(`ok - ${name} # SKIP ${why}`);
}

// ---------------------------------------------------------------- server process

let server = null;
let serverStderr = "";
let tmpDir = null;

// The server runs in its own process group (detached), so signalling -pid
// also reaches anything it started (e.g. a wrapper script's child).
function signalServer(sig) {
  if (!server || !server.pid) return;
  for (const target of [-server.pid, server.pid]) {
    try {
      process.kill(target, sig);
    } catch (_) {
      /* already gone */
    }
  }
}

function serverRunning() {
  return server && server.exitCode === null && server.signalCode === null;
}

function stopServer() {
  if (serverRunning()) signalServer("SIGTERM");
}

function cleanup() {
  stopServer();
  if (tmpDir && !opts.keep) {
    try {
      rmSync(tmpDir, { recursive: true, force: true });
    } catch (_) {
      /* best effort */
    }
  }
}

let finishing = false;
function finish() {
  if (finishing) return;
  finishing = true;
  cleanup();
  if (failed > 0 && serverStderr.trim()) {
    console.log("# server stderr (last lines):");
    for (const line of serverStderr.trim().split("\n").slice(-15)) console.log(`#   ${line}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  // Give SIGTERM a moment, then make sure (SIGKILL the group) before leaving.
  const code = failed > 0 ? 1 : 0;
  if (!serverRunning()) {
    signalServer("SIGKILL"); // leftovers of the group, if any
    process.exit(code);
  }
  const deadline = Date.now() + 2000;
  const poll = setInterval(() => {
    if (!serverRunning() || Date.now() > deadline) {
      clearInterval(poll);
      signalServer("SIGKILL");
      process.exit(code);
    }
  }, 50);
}

process.on("SIGINT", () => {
  notOk("interrupted", "SIGINT");
  finish();
});
process.on("SIGTERM", () => {
  notOk("terminated", "SIGTERM");
  finish();
});
process.on("exit", () => {
  if (serverRunning()) signalServer("SIGKILL");
});
const watchdog = setTimeout(() => {
  notOk("whole run finished in time", `still running after ${TOTAL_TIMEOUT_MS / 1000} s`);
  finish();
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

function importData(dbPath) {
  const name = `import --data ${opts.data}`;
  const r = spawnSync(opts.bin, ["import", "--data", opts.data, "--out", dbPath], {
    encoding: "utf8",
    timeout: IMPORT_TIMEOUT_MS,
    killSignal: "SIGKILL",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) {
    notOk(name, r.error.message);
    return false;
  }
  if (r.status !== 0 || !existsSync(dbPath)) {
    const err = (r.stderr || "").trim().split("\n").slice(0, 10).join(" | ");
    notOk(name, `exit ${r.status === null ? r.signal : r.status}: ${err}`);
    return false;
  }
  ok(name);
  return true;
}

// Starts the server; resolves to its base URL, or null (reported) on failure.
function startServer(dbPath) {
  const name = "serve --port 0 prints 'listening on http://127.0.0.1:PORT'";
  return new Promise((resolve) => {
    let done = false;
    let out = "";
    const settle = (url, reason) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (url) ok(name);
      else notOk(name, reason);
      resolve(url);
    };
    server = spawn(opts.bin, ["serve", "--db", dbPath, "--bind", "127.0.0.1", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const timer = setTimeout(
      () => settle(null, `no such line within ${START_TIMEOUT_MS / 1000} s; stdout so far: ${JSON.stringify(out.slice(0, 300))}`),
      START_TIMEOUT_MS,
    );
    server.on("error", (err) => settle(null, err.message));
    server.on("exit", (code, sig) => settle(null, `server exited (${code === null ? sig : code}) before listening`));
    server.stderr.setEncoding("utf8");
    server.stderr.on("data", (chunk) => {
      serverStderr = (serverStderr + chunk).slice(-20000);
    });
    server.stdout.setEncoding("utf8");
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\s*$/m.exec(out);
      if (m && Number(m[2]) > 0) settle(m[1], null);
    });
  });
}

// ---------------------------------------------------------------- geodesy

// Vincenty's inverse formula on WGS 84: metres between two points, or NaN
// when it does not converge (nearly antipodal points). Accurate to well
// under a millimetre otherwise, which is plenty to tell an ellipsoidal
// distance from a spherical one (those differ by up to 0.5%).
function vincenty(lat1, lon1, lat2, lon2) {
  const a = 6378137.0;
  const f = 1 / 298.257223563;
  const b = a * (1 - f);
  const rad = Math.PI / 180;
  const L = (lon2 - lon1) * rad;
  const U1 = Math.atan((1 - f) * Math.tan(lat1 * rad));
  const U2 = Math.atan((1 - f) * Math.tan(lat2 * rad));
  const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1);
  const sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
  let lambda = L;
  let iter = 0;
  let sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM;
  for (;;) {
    const sinLambda = Math.sin(lambda), cosLambda = Math.cos(lambda);
    sinSigma = Math.sqrt((cosU2 * sinLambda) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) ** 2);
    if (sinSigma === 0) return 0;
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cosSqAlpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cosSqAlpha !== 0 ? cosSigma - (2 * sinU1 * sinU2) / cosSqAlpha : 0;
    const C = (f / 16) * cosSqAlpha * (4 + f * (4 - 3 * cosSqAlpha));
    const prev = lambda;
    lambda = L + (1 - C) * f * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - prev) < 1e-12) break;
    if (++iter > 200) return NaN;
  }
  const uSq = (cosSqAlpha * (a * a - b * b)) / (b * b);
  const A = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
  const B = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
  const deltaSigma =
    B * sinSigma * (cos2SigmaM + (B / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
      (B / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
  return b * A * (sigma - deltaSigma);
}

// The server may round distance_m (it documents no precision); allow for
// rounding to 0.1 m plus numerical noise.
const DISTANCE_TOLERANCE_M = 0.11;

// ---------------------------------------------------------------- checking one exchange

const doc = loadSpec(opts.spec);
const ajv = makeAjv(doc, { strict: false });
// ETags of the 200 answers by media type, and those of the 304s (before the open data part).
const etagsSeen = new Map();
const etags304 = new Set();
// Each representation of a URL has its own validator (RFC 9110 8.8.3): the
// quoted release id plus the format's suffix.
const ETAG_SUFFIX = { "application/json": "", "application/geo+json": ".geojson", "text/csv": ".csv" };
const FORMAT_MEDIA = { json: "application/json", geojson: "application/geo+json", csv: "text/csv" };

function releaseEtag(mt, release = releaseId) {
  return `"${release}${ETAG_SUFFIX[mt] ?? ""}"`;
}

// Problems of a data answer's ETag against its Content-Type and release.
function etagProblems(res, release = releaseId) {
  const mt = mediaType(res.headers.get("content-type"));
  const want = releaseEtag(mt, release);
  const got = res.headers.get("etag");
  return got === want ? [] : [`ETag ${got} is not ${want} (quoted release id + the ${mt} suffix)`];
}

function mediaType(contentType) {
  return (contentType || "").split(";")[0].trim().toLowerCase();
}

// Finds the spec's response object for (path, method, status).
// Returns { pointer, node, where } or { error }.
function findResponse(pathname, method, status) {
  const m = matchPath(doc, pathname);
  if (!m) {
    if (status === 404) {
      const r = deref(doc, "/components/responses/NotFound");
      return { ...r, where: "(unknown path) NotFound" };
    }
    return { error: `no path template matches ${pathname} (only a 404 would be right)` };
  }
  const op = doc.paths[m.template][method.toLowerCase()];
  if (!op) return { error: `${method} ${m.template} is not in the spec` };
  const key = op.responses[String(status)] ? String(status) : op.responses.default ? "default" : null;
  if (!key) {
    return { error: `status ${status} is not documented for ${method} ${m.template} (documented: ${Object.keys(op.responses).join(", ")})` };
  }
  const r = deref(doc, pointerOf(["paths", m.template, method.toLowerCase(), "responses", key]));
  return { ...r, where: `${method} ${m.template} ${key}`, template: m.template, params: m.params };
}

// Checks headers and body against a spec response; returns a list of problems.
function checkAgainstSpec(spec, res, text) {
  const problems = [];
  for (const hname of Object.keys(spec.node.headers || {})) {
    const h = deref(doc, pointerOf(spec.pointer.split("/").slice(1).map(unescapeToken).concat("headers", hname)));
    const value = res.headers.get(hname);
    if (value === null) {
      if (h.node.required) problems.push(`missing header ${hname}`);
      continue;
    }
    if (h.node.schema) {
      const v = validatorAt(ajv, h.pointer + "/schema");
      if (!v(value)) problems.push(`header ${hname}: ${JSON.stringify(value)} ${formatErrors(v.errors)}`);
    }
  }
  let json;
  const content = spec.node.content;
  const ct = res.headers.get("content-type");
  if (content) {
    const mt = mediaType(ct);
    if (!content[mt]) {
      problems.push(`Content-Type ${JSON.stringify(ct)} is not one of ${Object.keys(content).join(", ")}`);
      return { problems };
    }
    // JSON media types are parsed; text ones (CSV) are checked as strings.
    let value = text;
    if (isJsonMedia(mt)) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        problems.push(`body is not JSON (${err.message}): ${JSON.stringify(text.slice(0, 120))}`);
        return { problems };
      }
      value = json;
    } else if (mt.startsWith("text/") && !/;\s*charset=utf-8\s*(;|$)/i.test(ct)) {
      problems.push(`Content-Type ${JSON.stringify(ct)} does not say charset=utf-8`);
    }
    if (content[mt].schema) {
      const ptr = spec.pointer + "/content/" + mt.replace(/~/g, "~0").replace(/\//g, "~1") + "/schema";
      const v = validatorAt(ajv, ptr);
      if (!v(value)) {
        problems.push(isJsonMedia(mt) ? `body: ${formatErrors(v.errors)}` : `body does not match the ${mt} schema (${describeTextMismatch(text)})`);
      }
    }
  } else if (text.length > 0) {
    problems.push(`expected no body, got ${text.length} bytes`);
  }
  return { problems, json };
}

function isJsonMedia(mt) {
  return mt === "application/json" || /^application\/[^/]+\+json$/.test(mt);
}

// A hint at where a CSV body goes wrong: its header row and field counts.
function describeTextMismatch(text) {
  const rows = parseCsv(text);
  if (!rows) return `not RFC 4180 CSV with CRLF line ends: ${JSON.stringify(text.slice(0, 80))}`;
  const counts = [...new Set(rows.map((r) => r.length))].join("/");
  return `header ${JSON.stringify(rows.length ? rows[0].join(",") : "")}, fields per row ${counts}`;
}

// RFC 4180 parser (CRLF records, "" quoting). Returns an array of rows
// (arrays of strings), or null when the text is not such CSV.
function parseCsv(text) {
  const rows = [];
  let i = 0;
  while (i < text.length) {
    const row = [];
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) return null;
          field += text.slice(i, q);
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
      } else {
        const stop = /[,\r\n"]/g;
        stop.lastIndex = i;
        const m = stop.exec(text);
        const end = m ? m.index : text.length;
        if (m && m[0] === '"') return null;
        field = text.slice(i, end);
        i = end;
      }
      row.push(field);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text.startsWith("\r\n", i)) {
        i += 2;
        break;
      }
      return null; // a bare CR or LF, a quote inside a field, or no CRLF at the end
    }
    rows.push(row);
  }
  return rows;
}

function unescapeToken(t) {
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}

// Sends one request and checks it. `expect` is the expected status;
// `extra(ctx)` returns more problems (strings). Resolves to the context
// { res, text, json } or null when the request itself failed.
async function exchange(method, target, expect, { headers = {}, extra = null, label = null } = {}) {
  const shown = target.length > 100 ? target.slice(0, 97) + "..." : target;
  const name = `${method} ${shown} ${expect}${label ? ` (${label})` : ""}`;
  let res;
  let text;
  try {
    res = await fetch(baseUrl + target, {
      method,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    notOk(name, `request failed: ${err.cause ? err.cause.message || err.cause.code : err.message}`);
    return null;
  }
  const problems = [];
  if (res.status !== expect) problems.push(`status ${res.status}, expected ${expect}`);
  const pathname = target.split("?")[0];
  const spec = findResponse(pathname, method, res.status);
  let json;
  if (spec.error) {
    problems.push(spec.error);
  } else {
    const r = checkAgainstSpec(spec, res, text);
    problems.push(...r.problems);
    json = r.json;
  }
  // Rules for every answer.
  const etag = res.headers.get("etag");
  if (etag && res.status === 200) {
    const mt = mediaType(res.headers.get("content-type"));
    if (!etagsSeen.has(mt)) etagsSeen.set(mt, new Set());
    etagsSeen.get(mt).add(etag);
  } else if (etag && res.status === 304) etags304.add(etag);
  if (json && typeof json === "object" && res.status >= 400) {
    if (json.status !== res.status) problems.push(`problem status ${json.status} != HTTP ${res.status}`);
    // The request path, percent-encoded as sent or decoded.
    let decoded = pathname;
    try {
      decoded = decodeURIComponent(pathname);
    } catch (_) {
      /* keep as sent */
    }
    if (json.instance !== pathname && json.instance !== decoded) {
      problems.push(`problem instance ${JSON.stringify(json.instance)}, expected ${JSON.stringify(pathname)}`);
    }
  }
  // Paging: the Link header is the body's next link, and either way the
  // request itself with a new cursor.
  if (res.status === 200 && (method === "GET" || method === "HEAD")) {
    const link = res.headers.get("link");
    if (json && typeof json === "object" && "next" in json) {
      const want = json.next === null ? null : `<${json.next}>; rel="next"`;
      if (link !== want) problems.push(`Link ${JSON.stringify(link)}, expected ${JSON.stringify(want)} from next`);
    }
    if (link) {
      const m = /^<([^>]*)>; rel="next"$/.exec(link);
      const prefix = withoutCursor(target) + (withoutCursor(target).includes("?") ? "&" : "?") + "cursor=";
      if (!m || !m[1].startsWith(prefix) || !/^[A-Za-z0-9_-]+$/.test(m[1].slice(prefix.length))) {
        problems.push(`Link ${JSON.stringify(link)} is not the request ${prefix}<cursor>`);
      }
    }
  }
  const ctx = { res, text, json, pathname, target };
  if (extra && res.status === expect) {
    try {
      problems.push(...(extra(ctx) || []));
    } catch (err) {
      problems.push(`check threw: ${err.message}`);
    }
  }
  if (problems.length === 0) ok(name);
  else notOk(name, problems);
  return ctx;
}

// The request target without its cursor parameter (kept in order otherwise).
function withoutCursor(target) {
  const q = target.indexOf("?");
  if (q < 0) return target;
  const kept = target.slice(q + 1).split("&").filter((kv) => kv !== "" && !kv.startsWith("cursor="));
  return target.slice(0, q) + (kept.length ? "?" + kept.join("&") : "");
}

// ---------------------------------------------------------------- semantic rules

function sameSet(a, b) {
  return Array.isArray(a) && a.length === b.length && b.every((x) => a.includes(x));
}

function deepEqual(a, b) {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

function codeCmp(a, b) {
  // Byte order of the UTF-8 codes; codes are ASCII so plain comparison does.
  return a < b ? -1 : a > b ? 1 : 0;
}

// Checks a nearest answer against the request it answers.
function nearestRules({ lat, lon, kinds = ALL_KINDS, limit = 10, radius = null }) {
  return ({ res, json }) => {
    const p = [];
    if (!json || !json.query || !(Array.isArray(json.results) || Array.isArray(json.features))) return ["no query/results to check"];
    const q = json.query;
    if (q.lat !== lat || q.lon !== lon) p.push(`query echoes lat/lon ${q.lat},${q.lon}, sent ${lat},${lon}`);
    if (!sameSet(q.kind, kinds)) p.push(`query.kind ${JSON.stringify(q.kind)}, expected ${JSON.stringify(kinds)}`);
    if (q.limit !== limit) p.push(`query.limit ${q.limit}, expected ${limit}`);
    if (q.radius_m !== radius) p.push(`query.radius_m ${q.radius_m}, expected ${radius}`);
    p.push(...etagProblems(res, json.release));
    // GeoJSON: the same checks on the features' properties and coordinates.
    const r = Array.isArray(json.results)
      ? json.results
      : json.features.map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }));
    if (r.length > limit) p.push(`${r.length} results for limit ${limit}`);
    for (let i = 0; i < r.length; i++) {
      const x = r[i];
      if (!kinds.includes(x.kind)) p.push(`results[${i}] kind ${x.kind} not asked for`);
      if (radius !== null && x.distance_m > radius) p.push(`results[${i}] distance ${x.distance_m} > radius ${radius}`);
      const d = vincenty(lat, lon, x.lat, x.lon);
      if (Number.isFinite(d) && Math.abs(d - x.distance_m) > DISTANCE_TOLERANCE_M) {
        p.push(`results[${i}] ${x.kind} ${x.code}: distance_m ${x.distance_m}, ellipsoidal distance is ${d.toFixed(3)}`);
      }
      if (i > 0) {
        const prev = r[i - 1];
        if (prev.distance_m > x.distance_m || (prev.distance_m === x.distance_m && codeCmp(prev.code, x.code) > 0)) {
          p.push(`results[${i - 1}] (${prev.distance_m}, ${prev.code}) sorts after results[${i}] (${x.distance_m}, ${x.code})`);
        }
      }
    }
    const keys = new Set(r.map((x) => `${x.kind}/${x.code}`));
    if (keys.size !== r.length) p.push("a place is listed twice");
    return p.slice(0, 6);
  };
}

function problemNames(param) {
  return ({ json }) => {
    const p = [];
    if (!json) return ["no problem body"];
    if (typeof json.detail !== "string" || !json.detail.includes(param)) {
      p.push(`detail ${JSON.stringify(json.detail)} does not name ${param}`);
    }
    if (json.invalid_params && !json.invalid_params.some((x) => x.name === param)) {
      p.push(`invalid_params ${JSON.stringify(json.invalid_params)} does not name ${param}`);
    }
    return p;
  };
}

// ---------------------------------------------------------------- lists, formats, map, search

const PLACE_CSV_COLUMNS = [
  "kind", "code", "name", "parent_code", "level", "facility_class", "ownership",
  "accepts_initial_registration", "agent_type", "address", "province_code", "district_code",
  "ward_code", "phone", "email", "website", "opening_hours", "lat", "lon", "position_approx",
  "source", "updated",
];
const ADMIN_CSV_COLUMNS = ["code", "name", "type", "level", "parent_code", "version", "status"];
const MAP_CSV_COLUMNS = ["cluster", "cluster_id", "point_count", "expansion_zoom", "lat", "lon", "kind", "code", "name"];
const MAP_MAX_POINTS = 300;

let releaseId = null;

// Problems of one CSV cell against the JSON value it renders.
function cellProblem(cell, v) {
  if (v === undefined || v === null) return cell === "" ? null : "should be empty";
  if (typeof v === "number") return cell !== "" && Number(cell) === v ? null : `JSON has ${v}`;
  if (typeof v === "boolean") return cell === String(v) ? null : `JSON has ${v}`;
  return cell === v ? null : `JSON has ${JSON.stringify(v)}`;
}

// A CSV answer against the JSON answer of the same query: header, one row
// per result in order, every cell equal to the JSON value.
function csvMatches(text, results, columns, valueOf = (r, col) => r[col]) {
  const p = [];
  const rows = parseCsv(text);
  if (!rows || rows.length === 0) return ["CSV does not parse"];
  if (rows[0].join(",") !== columns.join(",")) p.push(`header ${JSON.stringify(rows[0].join(","))}, expected ${JSON.stringify(columns.join(","))}`);
  const body = rows.slice(1);
  if (body.length !== results.length) p.push(`${body.length} rows, the JSON answer has ${results.length} results`);
  for (let i = 0; i < Math.min(body.length, results.length); i++) {
    columns.forEach((col, j) => {
      const why = cellProblem(body[i][j], valueOf(results[i], col));
      if (why) p.push(`row ${i + 1} ${col} ${JSON.stringify(body[i][j])}: ${why}`);
    });
  }
  return p.slice(0, 6);
}

function withoutKeys(o, keys) {
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
}

// A GeoJSON answer against the JSON answer of the same query: each result
// as a Feature (id kind/code or cluster_id, [lon, lat], the rest as
// properties) and the other members of the JSON answer as foreign members.
function geojsonMatches(doc, jsonDoc, { skip = [] } = {}) {
  const p = [];
  if (!doc || !jsonDoc || !Array.isArray(doc.features) || !Array.isArray(jsonDoc.results)) return ["nothing to compare"];
  const rs = jsonDoc.results;
  if (doc.features.length !== rs.length) p.push(`${doc.features.length} features, the JSON answer has ${rs.length} results`);
  for (let i = 0; i < Math.min(doc.features.length, rs.length); i++) {
    const f = doc.features[i];
    const r = rs[i];
    const id = r.cluster === true ? r.cluster_id : `${r.kind}/${r.code}`;
    if (f.id !== id) p.push(`features[${i}].id ${JSON.stringify(f.id)}, expected ${JSON.stringify(id)}`);
    const c = f.geometry && f.geometry.coordinates;
    if (!c || c[0] !== r.lon || c[1] !== r.lat) p.push(`features[${i}] coordinates ${JSON.stringify(c)}, expected [${r.lon}, ${r.lat}]`);
    if (!deepEqual(f.properties, withoutKeys(r, ["lat", "lon"]))) p.push(`features[${i}].properties differ from the JSON result minus lat/lon`);
  }
  for (const k of Object.keys(jsonDoc)) {
    if (k === "results" || skip.includes(k)) continue;
    if (k === "next") {
      if ((doc.next === null) !== (jsonDoc.next === null)) p.push(`next ${JSON.stringify(doc.next)} vs JSON ${JSON.stringify(jsonDoc.next)}`);
    } else if (!deepEqual(doc[k], jsonDoc[k])) {
      p.push(`foreign member ${k} ${JSON.stringify(doc[k])}, JSON has ${JSON.stringify(jsonDoc[k])}`);
    }
  }
  return p.slice(0, 6);
}

// Every Feature's id is "kind/code" of its properties (or a cluster's id).
function featureIdRule({ json }) {
  const p = [];
  for (const [i, f] of (json && Array.isArray(json.features) ? json.features : []).entries()) {
    const pr = f.properties || {};
    const want = pr.cluster === true ? pr.cluster_id : `${pr.kind}/${pr.code}`;
    if (f.id !== want) p.push(`features[${i}].id ${JSON.stringify(f.id)} is not ${JSON.stringify(want)}`);
  }
  return p.slice(0, 3);
}

function releaseRule(res, json) {
  const p = [];
  p.push(...etagProblems(res, json.release));
  if (releaseId && json.release !== releaseId) p.push(`release ${json.release}, nearest said ${releaseId}`);
  return p;
}

// A page of a code-ordered list of places (JSON or GeoJSON).
function listRules({ kind, limit = 20, pred = null, predName = "" }) {
  return ({ res, json }) => {
    if (!json || typeof json !== "object") return ["no body to check"];
    const items = Array.isArray(json.results) ? json.results : Array.isArray(json.features) ? json.features.map((f) => f.properties) : null;
    if (!items) return ["no results"];
    const p = releaseRule(res, json);
    if (json.limit !== limit) p.push(`limit ${json.limit}, expected ${limit}`);
    if (items.length > limit) p.push(`${items.length} results for limit ${limit}`);
    if (json.next !== null && items.length !== limit) p.push(`a next link after a short page (${items.length} of ${limit})`);
    items.forEach((x, i) => {
      if (kind && x.kind !== kind) p.push(`results[${i}] is a ${x.kind}`);
      if (i > 0 && codeCmp(items[i - 1].code, x.code) >= 0) p.push(`results[${i}] ${x.code} does not sort after ${items[i - 1].code}`);
      if (pred && !pred(x)) p.push(`results[${i}] ${x.code} is not ${predName}`);
    });
    return p.slice(0, 6);
  };
}

// A page of administrative units.
function adminRules({ limit = 20, level = null, parent = null }) {
  return ({ res, json }) => {
    if (!json || !Array.isArray(json.results)) return ["no results"];
    const p = releaseRule(res, json);
    if (json.limit !== limit) p.push(`limit ${json.limit}, expected ${limit}`);
    // GeoJSON: the same checks on the features' properties and coordinates.
    const r = Array.isArray(json.results)
      ? json.results
      : json.features.map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }));
    if (r.length > limit) p.push(`${r.length} results for limit ${limit}`);
    if (json.next !== null && r.length !== limit) p.push("a next link after a short page");
    r.forEach((u, i) => {
      if (level && u.level !== level) p.push(`results[${i}] ${u.code} is a ${u.level}`);
      if (parent && u.parent_code !== parent) p.push(`results[${i}] ${u.code} has parent ${u.parent_code}`);
      if (i > 0 && codeCmp(r[i - 1].code, u.code) >= 0) p.push(`results[${i}] ${u.code} does not sort after ${r[i - 1].code}`);
      const digits = { province: 2, district: 3, ward: 5 }[u.level];
      if (u.code.length !== digits) p.push(`${u.level} ${u.code} does not have ${digits} digits`);
    });
    return p.slice(0, 6);
  };
}

// A page of search results (JSON or GeoJSON).
function searchRules({ limit = 20, near = null, kinds = ALL_KINDS, province = null }) {
  return ({ res, json }) => {
    if (!json || typeof json !== "object") return ["no body"];
    const items = Array.isArray(json.results)
      ? json.results
      : json.features.map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }));
    const p = releaseRule(res, json);
    if (json.limit !== limit) p.push(`limit ${json.limit}, expected ${limit}`);
    if (items.length > limit) p.push(`${items.length} results for limit ${limit}`);
    if (json.next !== null && items.length !== limit) p.push("a next link after a short page");
    items.forEach((x, i) => {
      if (!kinds.includes(x.kind)) p.push(`results[${i}] kind ${x.kind} not asked for`);
      if (province && x.province_code !== province) p.push(`results[${i}] ${x.code} is in province ${x.province_code}`);
      if (i > 0 && items[i - 1].score < x.score) p.push(`results[${i}] score ${x.score} > results[${i - 1}] score ${items[i - 1].score}`);
      if (near) {
        if (typeof x.distance_m !== "number") p.push(`results[${i}] has no distance_m though lat/lon were given`);
        else {
          const d = vincenty(near.lat, near.lon, x.lat, x.lon);
          if (Number.isFinite(d) && Math.abs(d - x.distance_m) > DISTANCE_TOLERANCE_M) p.push(`results[${i}] distance_m ${x.distance_m}, ellipsoidal distance ${d.toFixed(3)}`);
        }
      } else if ("distance_m" in x) p.push(`results[${i}] has distance_m without lat/lon`);
    });
    const keys = new Set(items.map((x) => `${x.kind}/${x.code}`));
    if (keys.size !== items.length) p.push("a place is listed twice");
    return p.slice(0, 6);
  };
}

function abbreviate(n) {
  if (n < 1000) return n;
  if (n >= 10000) return `${Math.round(n / 1000)}k`;
  return `${Math.round(n / 100) / 10}k`;
}

// A map answer (JSON or GeoJSON) against its query.
function mapRules({ bbox, zoom, kinds = ALL_KINDS }) {
  const [w, s, e, n] = bbox;
  const EPS = 1e-6; // a cluster's mean position may round at the 7th decimal
  return ({ res, json }) => {
    if (!json || typeof json !== "object") return ["no body"];
    const p = releaseRule(res, json);
    if (json.zoom !== zoom) p.push(`zoom ${json.zoom}, asked ${zoom}`);
    if ("bbox" in json && !deepEqual(json.bbox, bbox)) p.push(`bbox ${JSON.stringify(json.bbox)}, asked ${JSON.stringify(bbox)}`);
    const items = Array.isArray(json.results)
      ? json.results
      : json.features.map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }));
    let sum = 0;
    const seen = new Set();
    items.forEach((it, i) => {
      const inside = it.lat >= s - (it.cluster ? EPS : 0) && it.lat <= n + (it.cluster ? EPS : 0) &&
        it.lon >= w - (it.cluster ? EPS : 0) && it.lon <= e + (it.cluster ? EPS : 0);
      if (!inside) p.push(`results[${i}] at ${it.lat},${it.lon} is outside the box`);
      if (it.cluster) {
        sum += it.point_count;
        if (!json.clustered) p.push(`results[${i}] is a cluster in an unclustered answer`);
        if (seen.has(`c${it.cluster_id}`)) p.push(`cluster ${it.cluster_id} twice`);
        seen.add(`c${it.cluster_id}`);
        const ks = Object.keys(it.kinds || {});
        if (!ks.every((k) => kinds.includes(k)) || !kinds.every((k) => ks.includes(k))) p.push(`results[${i}].kinds has ${ks.join(",")}, asked ${kinds.join(",")}`);
        const ksum = Object.values(it.kinds || {}).reduce((a, b) => a + b, 0);
        if (ksum !== it.point_count) p.push(`results[${i}] kinds add up to ${ksum}, point_count ${it.point_count}`);
        if (!(it.expansion_zoom > zoom)) p.push(`results[${i}] expansion_zoom ${it.expansion_zoom} <= zoom ${zoom}`);
        if (it.point_count_abbreviated !== abbreviate(it.point_count)) p.push(`results[${i}] point_count_abbreviated ${JSON.stringify(it.point_count_abbreviated)} for ${it.point_count}`);
      } else {
        sum += 1;
        if (!kinds.includes(it.kind)) p.push(`results[${i}] kind ${it.kind} not asked for`);
        if (seen.has(`${it.kind}/${it.code}`)) p.push(`${it.kind}/${it.code} twice`);
        seen.add(`${it.kind}/${it.code}`);
      }
    });
    if (sum !== json.total) p.push(`markers count ${sum} places, total is ${json.total}`);
    if (json.clustered !== json.total > MAP_MAX_POINTS) p.push(`clustered ${json.clustered} with total ${json.total} (threshold ${MAP_MAX_POINTS})`);
    return p.slice(0, 6);
  };
}

// The value of a map CSV column for a JSON marker.
function mapCsvValue(r, col) {
  if (col === "cluster") return r.cluster;
  if (col === "point_count") return r.cluster ? r.point_count : 1;
  if (["cluster_id", "expansion_zoom"].includes(col)) return r.cluster ? r[col] : null;
  if (["kind", "code", "name"].includes(col)) return r.cluster ? null : r[col];
  return r[col];
}

function both(...rules) {
  return (ctx) => rules.flatMap((r) => r(ctx) || []);
}

// Follows next links from first (at most maxPages pages), checking each
// page; returns every result in order, or null when a page failed.
async function walk(first, { rules, label, maxPages = 25 }) {
  const all = [];
  let target = first;
  let pages = 0;
  while (target && pages < maxPages) {
    const ctx = await exchange("GET", target, 200, { extra: rules, label: `${label}, page ${pages + 1}` });
    if (!ctx || !ctx.json || !Array.isArray(ctx.json.results)) return null;
    all.push(...ctx.json.results);
    target = ctx.json.next;
    pages++;
  }
  if (target) {
    notOk(`${label}: the next links end within ${maxPages} pages`, `still a next link: ${target}`);
    return null;
  }
  return all;
}

// Checks a condition as one named result.
function expectThat(cond, name, reason) {
  if (cond) ok(name);
  else notOk(name, reason);
}

// ---------------------------------------------------------------- the query API

const KIENGIANG = { province: "91", office: "091", district: "899", bbox: [102, 8, 110, 23.5], zoom: 5 };
const LIST_PATH = { office: "/v1/offices", agent: "/v1/agents", facility: "/v1/facilities" };
const GEO = { Accept: "application/geo+json" };
const CSV = { Accept: "text/csv" };

// JSON, GeoJSON (by f and by Accept) and CSV (by f and by Accept) of one
// query, each checked against the JSON answer. Returns the JSON context.
async function inEveryFormat(target, { rules, columns, csvValue, label, geoSkip = [], geo = true }) {
  const json = await exchange("GET", target, 200, { extra: rules, label });
  if (!json || !json.json) return json;
  const sep = target.includes("?") ? "&" : "?";
  const geoCheck = both(featureIdRule, ({ json: g }) => geojsonMatches(g, json.json, { skip: geoSkip }));
  if (geo) {
    await exchange("GET", `${target}${sep}f=geojson`, 200, { extra: both(rules, geoCheck), label });
    await exchange("GET", target, 200, { headers: GEO, extra: both(rules, geoCheck), label: `${label ? label + ", " : ""}Accept: application/geo+json` });
  }
  const csvCheck = ({ res, text }) => etagProblems(res).concat(csvMatches(text, json.json.results, columns, csvValue));
  await exchange("GET", `${target}${sep}f=csv`, 200, { extra: csvCheck, label });
  await exchange("GET", target, 200, { headers: CSV, extra: csvCheck, label: `${label ? label + ", " : ""}Accept: text/csv` });
  // f wins over Accept.
  await exchange("GET", `${target}${sep}f=json`, 200, {
    headers: CSV,
    label: `${label ? label + ", " : ""}f=json beats Accept: text/csv`,
    // The next link keeps f=json, so it alone may differ.
    extra: ({ json: j }) =>
      deepEqual(withoutKeys(j, ["next"]), withoutKeys(json.json, ["next"])) && (j.next == null) === (json.json.next == null)
        ? []
        : ["differs from the default JSON answer"],
  });
  return json;
}

// If-None-Match per representation: the ETag of the format the request
// gets (f=, else the Accept header sent, else JSON) makes a 304 carrying
// that ETag; another format's ETag makes a 200 in the requested format.
async function check304(target, label, headers = {}) {
  if (!releaseId) return skip(`GET ${target} 304`, "no release id known");
  const f = new URLSearchParams(target.split("?")[1] || "").get("f");
  const accept = headers.Accept === "text/csv" ? "csv" : headers.Accept === "application/geo+json" ? "geojson" : "json";
  const mt = FORMAT_MEDIA[f || accept];
  const etag = releaseEtag(mt);
  const other = releaseEtag(mt === "application/json" ? "text/csv" : "application/json");
  await exchange("GET", target, 304, {
    headers: { ...headers, "If-None-Match": etag },
    label: `${label ? label + ", " : ""}If-None-Match ${etag}`,
    extra: ({ res }) => (res.headers.get("etag") === etag ? [] : [`ETag ${res.headers.get("etag")} != ${etag}`]),
  });
  await exchange("GET", target, 200, {
    headers: { ...headers, "If-None-Match": other },
    label: `${label ? label + ", " : ""}If-None-Match ${other}: another format's`,
    extra: ({ res }) => {
      const got = mediaType(res.headers.get("content-type"));
      return (got === mt ? [] : [`answered ${got}, expected ${mt}`]).concat(etagProblems(res));
    },
  });
}

async function bad400(list) {
  for (const [target, param, label] of list) {
    await exchange("GET", target, 400, { extra: problemNames(param), label });
  }
}

async function checkPlaceLists() {
  const enc = encodeURIComponent;
  // Each kind: the default page in every format, then all pages.
  const totals = {};
  for (const kind of ALL_KINDS) {
    const base = LIST_PATH[kind];
    await inEveryFormat(base, { rules: listRules({ kind }), columns: PLACE_CSV_COLUMNS });
    const all = await walk(`${base}?limit=100`, { rules: listRules({ kind, limit: 100 }), label: `all ${kind} pages` });
    if (all) {
      const codes = all.map((x) => x.code);
      expectThat(codes.every((c, i) => i === 0 || codeCmp(codes[i - 1], c) < 0) && codes.length > 0,
        `paging through ${base}: ${codes.length} ${kind} codes, strictly ascending, no repeats`, "order broken or empty");
      totals[kind] = all;
    }
  }

  // The office tree: children of the province office three ways.
  const office = await exchange("GET", `/v1/offices/${KIENGIANG.office}`, 200, { label: "with children" });
  const children = office && office.json && Array.isArray(office.json.children) ? office.json.children : null;
  if (children) {
    const pageSize = Math.max(1, Math.min(5, children.length - 1));
    const isChild = (x) => x.parent_code === KIENGIANG.office;
    const viaParent = await walk(`/v1/offices?parent=${KIENGIANG.office}&limit=${pageSize}`, {
      rules: listRules({ kind: "office", limit: pageSize, pred: isChild, predName: `under ${KIENGIANG.office}` }),
      label: "offices by parent",
    });
    const viaChildren = await walk(`/v1/offices/${KIENGIANG.office}/children?limit=${pageSize}`, {
      rules: listRules({ kind: "office", limit: pageSize, pred: isChild, predName: `under ${KIENGIANG.office}` }),
      label: "children",
    });
    if (viaParent && viaChildren) {
      const a = viaParent.map((x) => x.code), b = viaChildren.map((x) => x.code);
      expectThat(deepEqual(a, children) && deepEqual(b, children) && children.length > 0,
        `office ${KIENGIANG.office}: children ${JSON.stringify(children)} = ?parent= pages = /children pages`,
        `parent= ${JSON.stringify(a)}; /children ${JSON.stringify(b)}`);
    }
    if (totals.office) {
      const bad = totals.office.filter((o) => !deepEqual(o.children, totals.office.filter((c) => c.parent_code === o.code).map((c) => c.code)));
      expectThat(bad.length === 0, "every office's children are exactly the offices naming it as parent, in code order",
        bad.map((o) => o.code).join(", "));
    }
    await inEveryFormat(`/v1/offices/${KIENGIANG.office}/children?limit=${pageSize}`, {
      rules: listRules({ kind: "office", limit: pageSize, pred: isChild, predName: `under ${KIENGIANG.office}` }),
      columns: PLACE_CSV_COLUMNS,
    });
    const leaf = totals.office && totals.office.find((o) => o.children.length === 0);
    if (leaf) {
      await exchange("GET", `/v1/offices/${enc(leaf.code)}/children`, 200, {
        label: "an office without children",
        extra: ({ json }) => (json.results.length === 0 && json.next === null ? [] : ["expected no results and next null"]),
      });
    }
  } else {
    skip(`GET /v1/offices/${KIENGIANG.office}/children 200`, `no office ${KIENGIANG.office} with children in the data`);
  }

  // Filters (Kiên Giang), each result checked against the filter.
  const P = KIENGIANG.province;
  const filtered = [
    ["office", `level=district&province=${P}`, (x) => x.level === "district" && x.province_code === P, "a district office in 91"],
    ["office", "level=province", (x) => x.level === "province" && x.parent_code === null, "a provincial office"],
    ["office", `district=${KIENGIANG.district}`, (x) => x.district_code === KIENGIANG.district, `in district ${KIENGIANG.district}`],
    ["agent", `province=${P}`, (x) => x.province_code === P, "in province 91"],
    ["agent", `parent=${KIENGIANG.office}02`, (x) => x.parent_code === `${KIENGIANG.office}02`, "managed by 09102"],
    ["facility", `province=${P}&q=benh%20vien`, (x) => x.province_code === P && /b[ệe]nh vi[ệe]n/i.test(`${x.name} ${x.address}`), "a hospital in 91"],
    ["facility", "level=commune&accepts_initial_registration=true", (x) => x.level === "commune" && x.accepts_initial_registration === true, "a commune station accepting registration"],
    ["facility", "accepts_initial_registration=false", (x) => x.accepts_initial_registration === false, "not accepting registration"],
    ["facility", "ownership=public&level=province", (x) => x.ownership === "public" && x.level === "province", "public, provincial"],
    ["facility", `district=${KIENGIANG.district}&parent=${KIENGIANG.office}`, (x) => x.district_code === KIENGIANG.district && x.parent_code === KIENGIANG.office, "in 899 under 091"],
  ];
  for (const [kind, qs, pred, predName] of filtered) {
    const all = await walk(`${LIST_PATH[kind]}?${qs}&limit=50`, { rules: listRules({ kind, limit: 50, pred, predName }), label: `filter ${qs}` });
    if (all && totals[kind]) {
      const want = totals[kind].filter(pred).map((x) => x.code);
      // q= matches folded text, so only the other filters can be recomputed exactly.
      if (!qs.includes("q=")) {
        expectThat(deepEqual(all.map((x) => x.code), want), `${LIST_PATH[kind]}?${qs}: exactly the ${want.length} matching ${kind}s of the full list`,
          `got ${all.length}, expected ${want.length}`);
      }
    }
  }
  const ward = totals.facility && totals.facility.find((x) => x.ward_code);
  if (ward) {
    await exchange("GET", `/v1/facilities?ward=${ward.ward_code}`, 200, {
      extra: listRules({ kind: "facility", pred: (x) => x.ward_code === ward.ward_code, predName: `in ward ${ward.ward_code}` }),
    });
  }
  await inEveryFormat(`/v1/facilities?province=${P}&limit=7`, {
    rules: listRules({ kind: "facility", limit: 7, pred: (x) => x.province_code === P, predName: "in 91" }),
    columns: PLACE_CSV_COLUMNS,
    label: "second format check",
  });

  // Conditional requests, HEAD.
  await check304("/v1/offices");
  await check304("/v1/offices", "Accept: application/geo+json", GEO);
  await check304("/v1/offices", "Accept: text/csv", CSV);
  await check304(`/v1/facilities?province=${P}&f=csv`);
  await check304(`/v1/offices/${KIENGIANG.office}/children`);
  const getPage = await exchange("GET", "/v1/agents?limit=3", 200, { extra: listRules({ kind: "agent", limit: 3 }) });
  await exchange("HEAD", "/v1/agents?limit=3", 200, { extra: headRulesFor(getPage, ["link", "vary"]) });
  await exchange("HEAD", "/v1/offices/99999/children", 404);
  await exchange("HEAD", "/v1/facilities?limit=0", 400);

  // 404s.
  await exchange("GET", "/v1/offices/99999/children", 404);
  await exchange("GET", `/v1/offices/${enc("bad code!")}/children`, 404, { label: "malformed code" });
  await exchange("GET", `/v1/agents/${enc(totals.agent ? totals.agent[0].code : "x")}/children`, 404, { label: "agents have no children path" });
  await exchange("GET", "/v1/offices/", 404, { label: "empty code" });

  // 400s: every kind of bad parameter.
  const L = "/v1/facilities";
  await bad400([
    ["/v1/offices?ownership=public", "ownership", "not a parameter of offices"],
    ["/v1/agents?level=province", "level", "not a parameter of agents"],
    ["/v1/offices?level=commune", "level"],
    [`${L}?level=tertiary`, "level"],
    [`${L}?ownership=state`, "ownership"],
    [`${L}?accepts_initial_registration=maybe`, "accepts_initial_registration"],
    [`${L}?accepts_initial_registration=1`, "accepts_initial_registration"],
    [`${L}?limit=0`, "limit"],
    [`${L}?limit=101`, "limit"],
    [`${L}?limit=ten`, "limit"],
    [`${L}?limit=5&limit=6`, "limit", "repeated"],
    [`${L}?cursor=garbage!`, "cursor"],
    [`${L}?cursor=`, "cursor", "empty"],
    [`${L}?cursor=bzI`, "cursor", "a search cursor"],
    [`${L}?province=999`, "province", "no such province"],
    [`${L}?province=${KIENGIANG.district}`, "province", "a district code"],
    [`${L}?province=${enc("9 1")}`, "province", "not a code"],
    [`${L}?district=${P}`, "district", "a province code"],
    [`${L}?ward=${KIENGIANG.district}`, "ward", "a district code"],
    ["/v1/agents?parent=nope", "parent"],
    ["/v1/agents?parent=09199", "parent", "no such office"],
    [`${L}?q=${enc("  ")}`, "q", "no letter or digit"],
    [`${L}?q=${"a".repeat(201)}`, "q", "201 bytes"],
    [`${L}?f=xml`, "f"],
    [`${L}?f=GeoJSON`, "f", "case matters"],
    [`${L}?foo=1`, "foo"],
    [`/v1/offices/${KIENGIANG.office}/children?parent=1`, "parent", "children take no filter"],
    [`/v1/offices/${KIENGIANG.office}/children?limit=0`, "limit"],
    [`/v1/offices/${KIENGIANG.office}/children?cursor=garbage!`, "cursor"],
    [`/v1/offices/${KIENGIANG.office}/children?f=xml`, "f"],
  ]);
}

async function checkAdminUnits() {
  const P = KIENGIANG.province;
  // The province -> district -> ward walk is of the pre-July-2025 version (the current one has no districts).
  const OLD = "version=2025-03";
  await exchange("GET", "/v1/admin-units", 200, { extra: adminRules({}) });
  const provinces = await walk("/v1/admin-units?level=province&limit=25", { rules: adminRules({ limit: 25, level: "province" }), label: "provinces" });
  if (provinces) expectThat(provinces.length > 0 && provinces.every((u) => u.parent_code === null), `${provinces.length} provinces, none with a parent`, "");
  const districts = await walk(`/v1/admin-units?parent=${P}&${OLD}&limit=4`, { rules: adminRules({ limit: 4, parent: P, level: "district" }), label: `districts of ${P}` });
  const json = await exchange("GET", `/v1/admin-units?parent=${P}&${OLD}&limit=4`, 200, { extra: adminRules({ limit: 4, parent: P }) });
  if (json && json.json) {
    const csvCheck = ({ res, text }) => etagProblems(res).concat(csvMatches(text, json.json.results, ADMIN_CSV_COLUMNS));
    await exchange("GET", `/v1/admin-units?parent=${P}&${OLD}&limit=4&f=csv`, 200, { extra: csvCheck });
    await exchange("GET", `/v1/admin-units?parent=${P}&${OLD}&limit=4`, 200, { headers: CSV, extra: csvCheck, label: "Accept: text/csv" });
    await exchange("GET", `/v1/admin-units?parent=${P}&${OLD}&limit=4&f=json`, 200, { extra: adminRules({ limit: 4, parent: P }) });
    // Accept is a preference: GeoJSON is not offered here, so JSON comes back.
    await exchange("GET", `/v1/admin-units?parent=${P}&${OLD}&limit=4`, 200, {
      headers: GEO,
      label: "Accept: application/geo+json falls back to JSON",
      extra: ({ json: j }) => (deepEqual(j, json.json) ? [] : ["differs from the JSON answer"]),
    });
  }
  const detail = await exchange("GET", `/v1/admin-units/${P}?${OLD}`, 200, {
    extra: ({ res, json: u }) => {
      const p = [];
      if (res.headers.get("etag") !== `"${releaseId}"`) p.push("ETag is not the release's");
      if (u.level !== "province" || u.ancestors.length !== 0) p.push("a province has no ancestors");
      if (districts && u.children_count !== districts.length) p.push(`children_count ${u.children_count}, parent=${P} lists ${districts.length}`);
      return p;
    },
  });
  const district = districts && districts.find((d) => d.code === KIENGIANG.district) || (districts && districts[0]);
  if (district && detail && detail.json) {
    const wards = await exchange("GET", `/v1/admin-units?parent=${district.code}&level=ward&${OLD}&limit=100`, 200, {
      extra: adminRules({ limit: 100, parent: district.code, level: "ward" }),
    });
    await exchange("GET", `/v1/admin-units/${district.code}?${OLD}`, 200, {
      extra: ({ json: u }) => {
        const p = [];
        if (!deepEqual(u.ancestors, [{ code: P, name: detail.json.name, level: "province" }])) p.push(`ancestors ${JSON.stringify(u.ancestors)}`);
        if (wards && wards.json && !wards.json.next && u.children_count !== wards.json.results.length) p.push(`children_count ${u.children_count}, wards listed ${wards.json.results.length}`);
        return p;
      },
    });
    const ward = wards && wards.json && wards.json.results[0];
    if (ward) {
      await exchange("GET", `/v1/admin-units/${ward.code}?${OLD}`, 200, {
        extra: ({ json: u }) => {
          const want = [{ code: P, name: detail.json.name, level: "province" }, { code: district.code, name: district.name, level: "district" }];
          const p = [];
          if (!deepEqual(u.ancestors, want)) p.push(`ancestors ${JSON.stringify(u.ancestors)}, expected ${JSON.stringify(want)}`);
          if (u.children_count !== 0 || u.parent_code !== district.code) p.push(`children_count ${u.children_count}, parent_code ${u.parent_code}`);
          if (!deepEqual(withoutKeys(u, ["ancestors", "children_count", "successors", "predecessors", "formerly"]), ward)) p.push("differs from the unit in the list");
          return p;
        },
      });
    } else {
      skip("GET /v1/admin-units/{ward} 200", `no ward under ${district.code}`);
    }
  }
  // The July 2025 reform: old codes answer their successors; list filters resolve them (validated against the spec).
  for (const t of ["/v1/admin-units/899", "/v1/admin-units/89", `/v1/admin-units/${P}`, `/v1/admin-units/30742?${OLD}`,
    "/v1/facilities?province=89", "/v1/agents?district=899&f=geojson", "/v1/search?q=bv&province=89"]) {
    await exchange("GET", t, 200);
  }
  await check304("/v1/admin-units?level=province");
  await check304(`/v1/admin-units/${P}`);
  await exchange("GET", "/v1/admin-units/00000", 404);
  await exchange("GET", "/v1/admin-units/", 404, { label: "empty code" });
  await exchange("HEAD", "/v1/admin-units/00000", 404);
  await bad400([
    ["/v1/admin-units?level=country", "level"],
    ["/v1/admin-units?f=geojson", "f", "no geometry"],
    ["/v1/admin-units?f=xml", "f"],
    ["/v1/admin-units?parent=zz", "parent", "no such unit"],
    ["/v1/admin-units?parent=123456", "parent", "too long"],
    ["/v1/admin-units?limit=0", "limit"],
    ["/v1/admin-units?limit=101", "limit"],
    ["/v1/admin-units?cursor=garbage!", "cursor"],
    ["/v1/admin-units?cursor=bzI", "cursor", "a search cursor"],
    ["/v1/admin-units?foo=1", "foo"],
    [`/v1/admin-units/${P}?f=csv`, "f", "a unit takes no parameter"],
    ["/v1/admin-units?version=2024-01", "version", "no such version"],
    ["/v1/admin-units?parent=899", "parent", "a unit of another version"],
  ]);
}

async function checkSearch() {
  const q = "q=benh%20vien";
  const first = await inEveryFormat(`/v1/search?${q}&limit=5`, {
    rules: searchRules({ limit: 5 }),
    columns: PLACE_CSV_COLUMNS.concat(["score"]),
  });
  const near = { lat: HERE.lat, lon: HERE.lon };
  await inEveryFormat(`/v1/search?${q}&lat=${near.lat}&lon=${near.lon}&limit=5`, {
    rules: searchRules({ limit: 5, near }),
    columns: PLACE_CSV_COLUMNS.concat(["distance_m", "score"]),
    label: "with a point",
  });
  const all = await walk(`/v1/search?${q}&limit=40`, { rules: searchRules({ limit: 40 }), label: "search pages" });
  if (all) {
    const keys = all.map((x) => `${x.kind}/${x.code}`);
    const sorted = all.every((x, i) => i === 0 || all[i - 1].score >= x.score);
    expectThat(new Set(keys).size === keys.length && sorted && all.length > 0,
      `paging through the search: ${all.length} results, no repeats, score never increasing`, "repeats or order broken");
    if (first && first.json) {
      expectThat(deepEqual(all.slice(0, 5), first.json.results), "the first page of 5 is the start of the pages of 40", "");
    }
  }
  await walk(`/v1/search?${q}&lat=${near.lat}&lon=${near.lon}&limit=30`, { rules: searchRules({ limit: 30, near }), label: "search pages with a point" });
  await exchange("GET", `/v1/search?q=${encodeURIComponent("Bệnh Viện")}&kind=facility&province=${KIENGIANG.province}`, 200, {
    label: "diacritics, kind, province",
    extra: searchRules({ kinds: ["facility"], province: KIENGIANG.province }),
  });
  await exchange("GET", "/v1/search?q=bhxh&kind=office,agent&limit=3", 200, { extra: searchRules({ limit: 3, kinds: ["office", "agent"] }) });
  await exchange("GET", "/v1/search?q=zqxjzqxj", 200, {
    label: "no match",
    extra: ({ json }) => (json.results.length === 0 && json.next === null ? [] : ["expected no results"]),
  });
  await check304(`/v1/search?${q}`);
  await check304(`/v1/search?${q}&f=geojson`);
  await exchange("HEAD", "/v1/search", 400);
  await bad400([
    ["/v1/search", "q", "missing"],
    ["/v1/search?q=", "q", "empty"],
    [`/v1/search?q=${encodeURIComponent("!?")}`, "q", "no letter or digit"],
    [`/v1/search?q=${"a".repeat(201)}`, "q", "201 bytes"],
    ["/v1/search?q=bv&lat=10", "lon", "lat without lon"],
    ["/v1/search?q=bv&lon=105", "lat", "lon without lat"],
    ["/v1/search?q=bv&lat=91&lon=105", "lat"],
    ["/v1/search?q=bv&lat=10&lon=181", "lon"],
    ["/v1/search?q=bv&kind=shop", "kind"],
    ["/v1/search?q=bv&kind=office,office", "kind", "a kind twice"],
    ["/v1/search?q=bv&province=911", "province"],
    ["/v1/search?q=bv&limit=0", "limit"],
    ["/v1/search?q=bv&limit=101", "limit"],
    ["/v1/search?q=bv&cursor=azA5MTAy", "cursor", "a list cursor"],
    ["/v1/search?q=bv&cursor=garbage!", "cursor"],
    ["/v1/search?q=bv&f=xml", "f"],
    ["/v1/search?q=bv&q=bhxh", "q", "repeated"],
    ["/v1/search?q=bv&foo=1", "foo"],
  ]);
}

async function checkMap() {
  const { bbox, zoom } = KIENGIANG;
  const t = `/v1/map?bbox=${bbox.join(",")}&zoom=${zoom}`;
  const clustered = await inEveryFormat(t, {
    rules: mapRules({ bbox, zoom }),
    columns: MAP_CSV_COLUMNS,
    csvValue: mapCsvValue,
    geoSkip: ["bbox"],
  });
  if (clustered && clustered.json) {
    expectThat(clustered.json.clustered && clustered.json.results.some((r) => r.cluster),
      `the map of Viet Nam at zoom ${zoom} is clustered`, `clustered ${clustered.json.clustered}, total ${clustered.json.total}`);
  }
  const rg = [104.9, 9.9, 105.2, 10.1];
  const points = await inEveryFormat(`/v1/map?bbox=${rg.join(",")}&zoom=14`, {
    rules: mapRules({ bbox: rg, zoom: 14 }),
    columns: MAP_CSV_COLUMNS,
    csvValue: mapCsvValue,
    geoSkip: ["bbox"],
    label: "Rạch Giá zoomed in",
  });
  if (points && points.json) {
    expectThat(!points.json.clustered && points.json.results.length === points.json.total && points.json.total > 0,
      "Rạch Giá at zoom 14: every place in the box, none clustered", `clustered ${points.json.clustered}, total ${points.json.total}`);
  }
  await exchange("GET", `${t}&kind=office`, 200, { extra: mapRules({ bbox, zoom, kinds: ["office"] }) });
  await exchange("GET", `${t}&kind=facility,agent&f=geojson`, 200, { extra: both(featureIdRule, mapRules({ bbox, zoom, kinds: ["agent", "facility"] })) });
  const world = [-180, -90, 180, 90];
  await exchange("GET", `/v1/map?bbox=${world.join(",")}&zoom=0`, 200, { label: "the world", extra: mapRules({ bbox: world, zoom: 0 }) });
  await exchange("GET", "/v1/map?bbox=0,0,1,1&zoom=3", 200, {
    label: "an empty box",
    extra: both(mapRules({ bbox: [0, 0, 1, 1], zoom: 3 }), ({ json }) => (json.total === 0 && json.results.length === 0 ? [] : ["expected nothing"])),
  });
  await check304(t);
  await check304(`${t}&f=csv`);
  await exchange("HEAD", `/v1/map?bbox=${bbox.join(",")}&zoom=21`, 400);
  await bad400([
    ["/v1/map?zoom=5", "bbox", "missing"],
    ["/v1/map?bbox=110,8,102,23&zoom=5", "bbox", "lon inverted"],
    ["/v1/map?bbox=102,23,110,8&zoom=5", "bbox", "lat inverted"],
    ["/v1/map?bbox=102,8,102,23&zoom=5", "bbox", "empty"],
    ["/v1/map?bbox=102,8,110&zoom=5", "bbox", "3 numbers"],
    ["/v1/map?bbox=102,8,110,23,5&zoom=5", "bbox", "5 numbers"],
    ["/v1/map?bbox=102,8,200,23&zoom=5", "bbox", "lon out of range"],
    ["/v1/map?bbox=102,-91,110,23&zoom=5", "bbox", "lat out of range"],
    ["/v1/map?bbox=nan,8,110,23&zoom=5", "bbox", "nan"],
    ["/v1/map?bbox=&zoom=5", "bbox", "empty value"],
    [`/v1/map?bbox=${bbox.join(",")}&zoom=18`, "bbox", "too many cells at the zoom"],
    [`/v1/map?bbox=${bbox.join(",")}`, "zoom", "missing"],
    [`/v1/map?bbox=${bbox.join(",")}&zoom=21`, "zoom"],
    [`/v1/map?bbox=${bbox.join(",")}&zoom=-1`, "zoom"],
    [`/v1/map?bbox=${bbox.join(",")}&zoom=5.5`, "zoom"],
    [`${t}&kind=shop`, "kind"],
    [`${t}&kind=agent,facility,agent`, "kind", "a kind twice"],
    [`${t}&f=xml`, "f"],
    [`${t}&limit=5`, "limit", "not a parameter of the map"],
  ]);
}

async function checkNearestFormats() {
  const t = `/v1/nearest?lat=${HERE.lat}&lon=${HERE.lon}&limit=5`;
  await inEveryFormat(t, {
    rules: nearestRules({ ...HERE, limit: 5 }),
    columns: PLACE_CSV_COLUMNS.concat(["distance_m"]),
  });
  await check304(`${t}&f=geojson`);
  await exchange("GET", `${t}&f=xml`, 400, { extra: problemNames("f") });
  await exchange("GET", `${t}&f=csv&f=json`, 400, { label: "repeated", extra: problemNames("f") });
}

async function checkMethods() {
  const allowGet = ({ res }) => (/\bGET\b/.test(res.headers.get("allow") || "") ? [] : [`Allow ${JSON.stringify(res.headers.get("allow"))} lacks GET`]);
  await exchange("POST", "/v1/search?q=bv", 405, { extra: allowGet });
  await exchange("PATCH", "/v1/map", 405, { extra: allowGet });
  await exchange("PUT", `/v1/offices/${KIENGIANG.office}/children`, 405, { extra: allowGet });
  await exchange("DELETE", `/v1/admin-units/${KIENGIANG.province}`, 405, { extra: allowGet });
  await exchange("POST", "/v1/facilities", 405, { extra: allowGet });
  const preflight = { Origin: "https://example.org", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match" };
  for (const p of ["/v1/map", "/v1/search", "/v1/agents", `/v1/offices/${KIENGIANG.office}/children`, "/v1/admin-units", `/v1/admin-units/${KIENGIANG.province}`]) {
    await exchange("OPTIONS", p, 204, { headers: preflight });
  }
}

// HEAD answers with GET's headers, the listed extra ones included.
function headRulesFor(getCtx, more = []) {
  return ({ res }) => {
    const p = [];
    if (!getCtx || !getCtx.res) return ["no GET to compare with"];
    for (const h of ["etag", "cache-control", "content-type"].concat(more)) {
      if (res.headers.get(h) !== getCtx.res.headers.get(h)) {
        p.push(`${h} ${JSON.stringify(res.headers.get(h))} differs from GET's ${JSON.stringify(getCtx.res.headers.get(h))}`);
      }
    }
    return p;
  };
}

// ---------------------------------------------------------------- the run

let baseUrl = null;

async function main() {
  if (!existsSync(opts.bin)) {
    notOk(`binary ${opts.bin} exists`, "not found (build it first: meson setup build && ninja -C build)");
    return;
  }
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "bhxh-geo-api-"));
  const dbPath = path.join(tmpDir, "db.sqlite");
  if (!importData(dbPath)) return;
  baseUrl = await startServer(dbPath);
  if (!baseUrl) return;

  const enc = encodeURIComponent;
  const at = `lat=${HERE.lat}&lon=${HERE.lon}`;

  // healthz
  const health = await exchange("GET", "/healthz", 200, {
    extra: ({ res, json }) => {
      const p = [];
      p.push(...etagProblems(res, json.release));
      if (!(json.places > 0)) p.push(`places is ${json.places}: the data has places`);
      return p;
    },
  });

  // nearest: default, per kind, radius.
  const dflt = await exchange("GET", `/v1/nearest?${at}`, 200, { extra: nearestRules({ ...HERE }) });
  releaseId = dflt && dflt.json ? dflt.json.release : null;
  if (health && health.json && releaseId && health.json.release !== releaseId) {
    notOk("healthz and nearest report the same release", `${health.json.release} vs ${releaseId}`);
  }
  const facilities = await exchange("GET", `/v1/nearest?${at}&kind=facility&limit=3`, 200, {
    extra: nearestRules({ ...HERE, kinds: ["facility"], limit: 3 }),
  });
  const offices = await exchange("GET", `/v1/nearest?${at}&kind=office&limit=1`, 200, {
    extra: nearestRules({ ...HERE, kinds: ["office"], limit: 1 }),
  });
  const agents = await exchange("GET", `/v1/nearest?${at}&kind=agent&limit=1`, 200, {
    extra: nearestRules({ ...HERE, kinds: ["agent"], limit: 1 }),
  });
  await exchange("GET", `/v1/nearest?${at}&kind=office,facility&limit=100`, 200, {
    extra: nearestRules({ ...HERE, kinds: ["office", "facility"], limit: 100 }),
  });

  const dres = dflt && dflt.json && Array.isArray(dflt.json.results) ? dflt.json.results : [];
  if (dres.length > 0) {
    // A radius that takes in only the first few default results: the
    // answer must be exactly those.
    const pick = dres[Math.min(2, dres.length - 1)];
    const radius = Math.min(1000000, Math.max(1, Math.ceil(pick.distance_m)));
    const expected = dres.filter((x) => x.distance_m <= radius);
    await exchange("GET", `/v1/nearest?${at}&radius_m=${radius}`, 200, {
      extra: (ctx) => {
        const p = nearestRules({ ...HERE, radius })(ctx);
        if (expected.length < dres.length) {
          const got = ctx.json.results.map((x) => `${x.kind}/${x.code}`).join(",");
          const want = expected.map((x) => `${x.kind}/${x.code}`).join(",");
          if (got !== want) p.push(`results ${got}, expected the default answer's first ${expected.length}: ${want}`);
        }
        return p;
      },
    });
  } else {
    skip(`GET /v1/nearest?${at}&radius_m=... 200`, "the default answer had no results");
  }
  // Any point on earth is accepted; nothing Vietnamese lies within 1 km of 0,0.
  await exchange("GET", "/v1/nearest?lat=0&lon=0&radius_m=1000", 200, {
    label: "empty within radius",
    extra: (ctx) => {
      const p = nearestRules({ lat: 0, lon: 0, radius: 1000 })(ctx);
      if (ctx.json.results.length !== 0) p.push(`${ctx.json.results.length} results near 0,0`);
      return p;
    },
  });
  await exchange("GET", "/v1/nearest?lat=-33.86&lon=151.21&kind=office&limit=1", 200, {
    label: "far away point",
    extra: nearestRules({ lat: -33.86, lon: 151.21, kinds: ["office"], limit: 1 }),
  });

  // Code lookups, codes read back from nearest answers; each answer must be
  // the same place object as in the nearest answer, minus distance_m.
  const firsts = {
    office: offices && offices.json && offices.json.results && offices.json.results[0],
    agent: agents && agents.json && agents.json.results && agents.json.results[0],
    facility: facilities && facilities.json && facilities.json.results && facilities.json.results[0],
  };
  for (const kind of ALL_KINDS) {
    const place = firsts[kind];
    if (!place) {
      skip(`GET ${KIND_PATH[kind]}{code} 200`, `no ${kind} in the nearest answer to read a code from`);
      continue;
    }
    await exchange("GET", KIND_PATH[kind] + enc(place.code), 200, {
      extra: ({ res, json }) => {
        const p = [];
        const want = { ...place };
        delete want.distance_m;
        if (!deepEqual(json, want)) p.push(`differs from the nearest answer's object: ${JSON.stringify(json).slice(0, 200)}`);
        if (releaseId && res.headers.get("etag") !== `"${releaseId}"`) p.push(`ETag ${res.headers.get("etag")} is not the release's`);
        return p;
      },
    });
  }

  // 404: unknown codes and unknown paths.
  await exchange("GET", "/v1/offices/99999", 404);
  await exchange("GET", "/v1/agents/no-such-agent", 404);
  await exchange("GET", "/v1/facilities/00000", 404);
  await exchange("GET", "/v1/facilities/" + enc("bad code!"), 404, { label: "malformed code" });
  await exchange("GET", "/v1/nope", 404);
  await exchange("GET", "/v2/nearest?" + at, 404);

  // 405 with Allow.
  const allowGet = ({ res }) => (/\bGET\b/.test(res.headers.get("allow") || "") ? [] : [`Allow ${JSON.stringify(res.headers.get("allow"))} lacks GET`]);
  await exchange("POST", `/v1/nearest?${at}`, 405, { extra: allowGet });
  await exchange("DELETE", "/v1/offices/" + enc(firsts.office ? firsts.office.code : "091"), 405, { extra: allowGet });
  await exchange("PUT", "/healthz", 405, { extra: allowGet });

  // 400: every kind of bad parameter, each named in the problem.
  const bad = [
    ["lat=abc&lon=105", "lat"],
    ["lat=91&lon=105", "lat"],
    ["lat=10&lon=-181", "lon"],
    ["lat=&lon=105", "lat"],
    [`${at}&kind=bank`, "kind"],
    [`${at}&kind=office,office`, "kind"],
    [`${at}&kind=office,`, "kind"],
    [`${at}&limit=0`, "limit"],
    [`${at}&limit=101`, "limit"],
    [`${at}&limit=2.5`, "limit"],
    [`${at}&radius_m=0`, "radius_m"],
    [`${at}&radius_m=1000001`, "radius_m"],
    [`${at}&foo=1`, "foo"],
    ["lon=105", "lat"],
    [`${at}&lat=10`, "lat"],
  ];
  for (const [qs, param] of bad) {
    await exchange("GET", `/v1/nearest?${qs}`, 400, { extra: problemNames(param) });
  }
  if (firsts.office) {
    await exchange("GET", `/v1/offices/${enc(firsts.office.code)}?foo=1`, 400, { extra: problemNames("foo") });
  }
  // Hostile input is still a 400 problem: non-finite numbers, a flood of parameters.
  await exchange("GET", "/v1/nearest?lat=nan&lon=105", 400, { extra: problemNames("lat") });
  await exchange("GET", "/v1/nearest?lat=10&lon=inf", 400, { extra: problemNames("lon") });
  const flood = Array.from({ length: 40 }, (_, i) => `p${i}=1`).join("&");
  await exchange("GET", `/v1/nearest?${at}&${flood}`, 400, { label: "40 unknown parameters" });

  // HEAD answers as GET without a body; OPTIONS is the CORS preflight.
  const headRules = (getCtx) => ({ res }) => {
    const p = [];
    if (getCtx && getCtx.res) {
      for (const h of ["etag", "cache-control", "content-type"]) {
        if (res.headers.get(h) !== getCtx.res.headers.get(h)) {
          p.push(`${h} ${JSON.stringify(res.headers.get(h))} differs from GET's ${JSON.stringify(getCtx.res.headers.get(h))}`);
        }
      }
    }
    return p;
  };
  await exchange("HEAD", `/v1/nearest?${at}`, 200, { extra: headRules(dflt) });
  await exchange("HEAD", "/v1/nearest?lat=91&lon=105", 400);
  await exchange("HEAD", "/v1/offices/99999", 404);
  await exchange("OPTIONS", "/v1/nearest", 204, {
    headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match" },
  });
  await exchange("OPTIONS", "/v1/nope", 404);

  // Conditional requests.
  const etag = dflt && dflt.res.headers.get("etag");
  if (etag) {
    const same304 = ({ res }) => (res.headers.get("etag") === etag ? [] : [`ETag ${res.headers.get("etag")} != ${etag}`]);
    await exchange("GET", `/v1/nearest?${at}`, 304, { headers: { "If-None-Match": etag }, label: "If-None-Match", extra: same304 });
    await exchange("GET", `/v1/nearest?${at}`, 304, {
      headers: { "If-None-Match": `"not-the-release", ${etag}` },
      label: "If-None-Match list",
      extra: same304,
    });
    await exchange("GET", `/v1/nearest?${at}`, 200, {
      headers: { "If-None-Match": '"not-the-release"' },
      label: "If-None-Match stale",
      extra: nearestRules({ ...HERE }),
    });
    await exchange("GET", "/healthz", 304, { headers: { "If-None-Match": etag }, label: "If-None-Match", extra: same304 });
    // One URL, three representations, three validators.
    await exchange("GET", `/v1/nearest?${at}&f=csv`, 200, {
      headers: { "If-None-Match": etag },
      label: "the JSON ETag does not match the CSV answer",
      extra: ({ res }) => etagProblems(res),
    });
    await exchange("GET", `/v1/nearest?${at}`, 304, {
      headers: { "If-None-Match": `${releaseEtag("text/csv")}, ${releaseEtag("application/geo+json")}`, Accept: "application/geo+json" },
      label: "If-None-Match list, GeoJSON by Accept",
      extra: ({ res }) => (res.headers.get("etag") === releaseEtag("application/geo+json") ? [] : [`ETag ${res.headers.get("etag")}`]),
    });
    if (firsts.office) {
      await exchange("GET", KIND_PATH.office + enc(firsts.office.code), 304, {
        headers: { "If-None-Match": etag },
        label: "If-None-Match",
        extra: same304,
      });
    }
  } else {
    skip(`GET /v1/nearest?${at} 304`, "no ETag from the default nearest answer");
  }

  // The query API: lists, the office tree, administrative units, search,
  // the map, and the formats of nearest.
  await checkNearestFormats();
  await checkPlaceLists();
  await checkAdminUnits();
  await checkSearch();
  await checkMap();
  await checkMethods();

  await checkMetrics();
  checkEtagsPerFormat();

  // After the ETag check: downloads and /api have validators of their own.
  await checkOpenData();

  if (serverRunning()) ok("server still running after the checks");
  else notOk("server still running after the checks", `exited (${server.exitCode === null ? server.signalCode : server.exitCode})`);
}

// One ETag per format over the whole run (the open data part aside): the
// quoted release id plus the format's suffix; every 304 carried one of them.
function checkEtagsPerFormat() {
  if (!releaseId) return skip("one ETag per format", "no release id known");
  for (const mt of Object.keys(ETAG_SUFFIX)) {
    const tags = [...(etagsSeen.get(mt) || [])];
    const want = releaseEtag(mt);
    expectThat(tags.length === 1 && tags[0] === want, `every ${mt} 200 carries the same ETag ${want}`, `saw ${tags.join(" ") || "none"}`);
  }
  const others = [...etagsSeen.keys()].filter((mt) => !(mt in ETAG_SUFFIX));
  expectThat(others.length === 0, "no other media type carries an ETag", others.join(", "));
  const known = Object.keys(ETAG_SUFFIX).map((mt) => releaseEtag(mt));
  const stray = [...etags304].filter((t) => !known.includes(t));
  expectThat(etags304.size > 0 && stray.length === 0, `every 304 carries one of the ${known.length} format ETags`, stray.join(" ") || "no 304 seen");
}

// The value of one sample (name{labels} exactly as the server writes them), or 0 when absent.
function metricValue(text, series) {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

// GET /metrics: Prometheus text 0.0.4, no validator, counts that grow.
async function checkMetrics() {
  const CT = "text/plain; version=0.0.4; charset=utf-8";
  const rules = ({ res, text }) => {
    const p = [];
    if (res.headers.get("content-type") !== CT) p.push(`Content-Type ${JSON.stringify(res.headers.get("content-type"))}, expected ${JSON.stringify(CT)}`);
    if (res.headers.get("cache-control") !== "no-store") p.push(`Cache-Control ${JSON.stringify(res.headers.get("cache-control"))}`);
    if (res.headers.get("etag") !== null) p.push(`an ETag ${res.headers.get("etag")}: /metrics has no validator`);
    if (res.status === 200 && !/^bhxh_http_requests_total\{route="[^"]*",status="[0-9a-z]+"\} [0-9]+$/m.test(text)) p.push("no bhxh_http_requests_total sample");
    if (res.status === 200 && !text.includes(`bhxh_release_info{release="${releaseId}",`)) p.push(`no bhxh_release_info{release="${releaseId}",...}`);
    return p;
  };
  const first = await exchange("GET", "/metrics", 200, { extra: rules });
  if (!first || first.res.status !== 200) return;
  const at = `lat=${HERE.lat}&lon=${HERE.lon}`;
  const series = {
    ok: 'bhxh_http_requests_total{route="/v1/nearest",status="200"}',
    bad: 'bhxh_http_requests_total{route="/v1/nearest",status="400"}',
    count: 'bhxh_http_request_duration_seconds_count{route="/v1/nearest"}',
  };
  const want = { ok: 3, bad: 1, count: 4 };
  const before = Object.fromEntries(Object.entries(series).map(([k, s]) => [k, metricValue(first.text, s)]));
  for (let i = 0; i < want.ok; i++) await exchange("GET", `/v1/nearest?${at}&limit=${i + 1}`, 200, { label: "counted in /metrics" });
  await exchange("GET", "/v1/nearest?lat=91&lon=105", 400, { label: "counted in /metrics" });
  // A request is counted once its answer is sent, which may be just after the client has it.
  let grown = null;
  for (let i = 0; i < 40; i++) {
    const text = await fetch(baseUrl + "/metrics", { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then((r) => r.text());
    grown = Object.fromEntries(Object.entries(series).map(([k, s]) => [k, metricValue(text, s) - before[k]]));
    if (Object.keys(want).every((k) => grown[k] >= want[k])) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expectThat(deepEqual(grown, want), "/metrics counts 3 answered 200s and 1 400 of /v1/nearest, each once (requests_total and the histogram's count)",
    `grew by ${JSON.stringify(grown)}, expected ${JSON.stringify(want)}`);
  // No validator: If-None-Match never makes a 304.
  await exchange("GET", "/metrics", 200, { headers: { "If-None-Match": `"${releaseId}"` }, label: "If-None-Match is ignored", extra: rules });
  await exchange("GET", "/metrics", 200, { headers: { "If-None-Match": "*" }, label: "If-None-Match: * is ignored", extra: rules });
  await exchange("HEAD", "/metrics", 200, { extra: headRulesFor(first, ["vary"]) });
  await exchange("GET", "/metrics?foo=1", 400, { extra: problemNames("foo") });
  await exchange("GET", "/metrics?f=json", 400, { extra: problemNames("f"), label: "takes no format" });
  await exchange("HEAD", "/metrics?foo=1", 400);
  await exchange("POST", "/metrics", 405);
  await exchange("OPTIONS", "/metrics", 204, {
    headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" },
  });
}

// Open data (/v1/datasets...) and OGC API - Features (/, /collections...).
async function checkOpenData() {
  let cat = null;
  for (let i = 0; i < 50 && cat === null; i++) {
    const res = await fetch(baseUrl + "/v1/datasets", { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (res.status === 503) await new Promise((r) => setTimeout(r, 200));
    else cat = res;
  }
  await exchange("GET", "/v1/datasets", 200, {
    extra: ({ json }) => (json.datasets.every((d) => d.files.length > 0) ? [] : ["a dataset without files"]),
  });
  const files = ["offices.csv", "admin_units.csv", "facilities.geojson", "release.sqlite", "datapackage.json", "SHA256SUMS"];
  for (const f of files) {
    const ctx = await exchange("GET", `/v1/datasets/${f}`, 200);
    const etag = ctx && ctx.res.headers.get("etag");
    if (etag) await exchange("GET", `/v1/datasets/${f}`, 304, { headers: { "If-None-Match": etag }, label: "If-None-Match" });
    await exchange("HEAD", `/v1/datasets/${f}`, 200);
  }
  const lm = await fetch(baseUrl + "/v1/datasets/offices.csv", { method: "HEAD" }).then((r) => r.headers.get("last-modified"));
  await exchange("GET", "/v1/datasets/offices.csv", 304, { headers: { "If-Modified-Since": lm }, label: "If-Modified-Since" });
  await exchange("GET", "/v1/datasets/release.sqlite", 206, {
    headers: { Range: "bytes=0-99" },
    extra: ({ res }) => (res.headers.get("content-range").startsWith("bytes 0-99/") ? [] : ["Content-Range"]),
  });
  await exchange("GET", "/v1/datasets/release.sqlite", 416, { headers: { Range: "bytes=999999999999-" } });
  await exchange("HEAD", "/v1/datasets/release.sqlite", 206, { headers: { Range: "bytes=-10" } });
  await exchange("GET", "/v1/datasets/nope.csv", 404);
  await exchange("GET", "/v1/datasets/offices.xlsx", 404);
  // (fetch normalises "%2e%2e" segments itself; tests/integration/test_open_data.py sends them raw.)
  await exchange("GET", "/v1/datasets/..%2fdb.sqlite", 404, { label: "traversal" });
  await exchange("GET", "/v1/datasets/offices.csv?x=1", 400);
  await exchange("POST", "/v1/datasets/offices.csv", 405);
  await exchange("OPTIONS", "/v1/datasets/offices.csv", 204);

  for (const t of ["/", "/conformance", "/collections", "/collections/offices", "/collections/agents/items",
    "/collections/facilities/items?limit=5&offset=10&bbox=102,8,110,23.5", "/collections/offices/items/09102"]) {
    await exchange("GET", t, 200);
  }
  await exchange("GET", "/api", 200, {
    extra: ({ json }) => (deepEqual(json, doc) ? [] : ["differs from api-spec/openapi.yaml read by the yaml package"]),
  });
  await exchange("HEAD", "/collections/offices/items", 200);
  await exchange("GET", "/collections/banks", 404);
  await exchange("GET", "/collections/offices/items/99999", 404);
  await exchange("GET", "/collections/offices/items?limit=0", 400, { extra: problemNames("limit") });
  await exchange("GET", "/collections/offices/items?bbox=1,2", 400, { extra: problemNames("bbox") });
  await exchange("GET", "/collections/offices/items?datetime=soon", 400, { extra: problemNames("datetime") });
  await exchange("GET", "/collections/offices/items?f=json", 400, { extra: problemNames("f") });
  await exchange("DELETE", "/collections", 405);
}

main()
  .catch((err) => notOk("check-responses ran to the end", err.stack || err.message))
  .finally(finish);
