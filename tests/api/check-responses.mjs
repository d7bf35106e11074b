#!/usr/bin/env node
// check-responses.mjs --bin PATH/bhxh-geo --data DIR [--spec FILE] [--keep]
//
// Contract test: builds a release from DIR with `bhxh-geo import`, starts
// `bhxh-geo serve --port 0`, sends requests covering every operation and
// every documented status, and checks each answer against
// api-spec/openapi.yaml: the operation is found by path template + method +
// status; the status, Content-Type, documented headers and body (JSON Schema
// 2020-12, $refs resolved) must match. A few rules the schemas cannot say
// (ordering, echoes, ETag = quoted release id, problem `instance`, distances
// being ellipsoidal) are checked as well.
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
const etagsSeen = new Set();

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
    try {
      json = JSON.parse(text);
    } catch (err) {
      problems.push(`body is not JSON (${err.message}): ${JSON.stringify(text.slice(0, 120))}`);
      return { problems };
    }
    if (content[mt].schema) {
      const ptr = spec.pointer + "/content/" + mt.replace(/~/g, "~0").replace(/\//g, "~1") + "/schema";
      const v = validatorAt(ajv, ptr);
      if (!v(json)) problems.push(`body: ${formatErrors(v.errors)}`);
    }
  } else if (text.length > 0) {
    problems.push(`expected no body, got ${text.length} bytes`);
  }
  return { problems, json };
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
  if (etag && (res.status === 200 || res.status === 304)) etagsSeen.add(etag);
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
  const ctx = { res, text, json, pathname };
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
    if (!json || !json.query || !Array.isArray(json.results)) return ["no query/results to check"];
    const q = json.query;
    if (q.lat !== lat || q.lon !== lon) p.push(`query echoes lat/lon ${q.lat},${q.lon}, sent ${lat},${lon}`);
    if (!sameSet(q.kind, kinds)) p.push(`query.kind ${JSON.stringify(q.kind)}, expected ${JSON.stringify(kinds)}`);
    if (q.limit !== limit) p.push(`query.limit ${q.limit}, expected ${limit}`);
    if (q.radius_m !== radius) p.push(`query.radius_m ${q.radius_m}, expected ${radius}`);
    const etag = res.headers.get("etag");
    if (etag !== `"${json.release}"`) p.push(`ETag ${etag} is not the quoted release ${JSON.stringify(json.release)}`);
    const r = json.results;
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
      if (res.headers.get("etag") !== `"${json.release}"`) p.push(`ETag ${res.headers.get("etag")} is not the quoted release`);
      if (!(json.places > 0)) p.push(`places is ${json.places}: the data has places`);
      return p;
    },
  });

  // nearest: default, per kind, radius.
  const dflt = await exchange("GET", `/v1/nearest?${at}`, 200, { extra: nearestRules({ ...HERE }) });
  const releaseId = dflt && dflt.json ? dflt.json.release : null;
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
  await exchange("GET", "/v1/offices", 404, { label: "no code" });

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

  if (etagsSeen.size === 1) ok(`every 200/304 carries the same ETag ${[...etagsSeen][0]}`);
  else if (etagsSeen.size > 1) notOk("every 200/304 carries the same ETag", [...etagsSeen].join(" "));

  if (serverRunning()) ok("server still running after the checks");
  else notOk("server still running after the checks", `exited (${server.exitCode === null ? server.signalCode : server.exitCode})`);
}

main()
  .catch((err) => notOk("check-responses ran to the end", err.stack || err.message))
  .finally(finish);
