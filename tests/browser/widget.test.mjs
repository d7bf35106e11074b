#!/usr/bin/env node
// widget.test.mjs --bin PATH/bhxh-geo --data DIR [--web DIR] [--artifacts DIR] [--chromium PATH]
//
// The web widget in a real browser: builds a release from DIR with
// `bhxh-geo import`, starts `bhxh-geo serve --port 0 --web web`, and drives
// Debian's headless Chromium through playwright-core (no browser download).
// A helper HTTP server on 127.0.0.1 serves map tiles and a page of "another
// site" that embeds the widget; every request to any other host is blocked
// and reported as a failure, so the run never leaves this machine.
//
// Checks: the static files (types, ETag/304, caching, CORS, no path outside
// the allow-list), and in the browser: the demo loads, pins and clusters
// match /v1/map, a granted location lists the nearest places in /v1/nearest's
// order, a refused one shows the message, the kind filter and the search box
// change the list and the map, a click, a tap or Enter opens details, Escape
// closes them, the layout fits a 375x667 phone, English works, and another
// origin can embed it. Screenshots go to --artifacts.
//
// Prints "ok - ..." / "not ok - ..." and ends with "N passed, M failed";
// exits 1 when anything failed. Every wait is bounded; the server and the
// browser are stopped on every way out. Needs Node.js 20 (playwright-core).

import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

const START_TIMEOUT_MS = 20000;
const IMPORT_TIMEOUT_MS = 60000;
const WAIT_MS = 10000; // any single wait in the browser
const TOTAL_TIMEOUT_MS = 160000;
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
  "--no-first-run", "--disable-component-update", "--disable-sync",
];
// A point in central Rạch Giá, Kiên Giang, where the shipped data has offices, agents and facilities.
const HERE = { lat: 10.0123, lon: 105.0809 };

// ---------------------------------------------------------------- arguments and reporting

function usage(msg) {
  if (msg) console.error(`widget.test: ${msg}`);
  console.error("usage: widget.test.mjs --bin PATH/bhxh-geo --data DIR [--web DIR] [--artifacts DIR] [--chromium PATH]");
  process.exit(2);
}

const opts = { web: "web", artifacts: "tests/artifacts", chromium: "/usr/bin/chromium" };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i].replace(/^--/, "");
    if (!["bin", "data", "web", "artifacts", "chromium"].includes(a) || i + 1 >= argv.length) usage(`bad argument ${argv[i]}`);
    opts[a] = argv[++i];
  }
  if (!opts.bin || !opts.data) usage("--bin and --data are required");
  for (const k of ["bin", "data", "web", "artifacts"]) opts[k] = path.resolve(opts[k]);
}

let passed = 0;
let failed = 0;
function ok(name) {
  passed++;
  console.log(`ok - ${name}`);
}
function notOk(name, why) {
  failed++;
  console.log(`not ok - ${name}${why ? ": " + why : ""}`);
}
function check(cond, name, why) {
  if (cond) ok(name);
  else notOk(name, typeof why === "function" ? why() : why);
  return !!cond;
}

// Fail (not skip) when the tools are missing: the widget must not go untested by accident.
function requireTools() {
  const problems = [];
  if (Number(process.versions.node.split(".")[0]) < 18) problems.push(`Node.js ${process.versions.node} is too old for playwright-core (18 or newer)`);
  if (!existsSync(opts.chromium)) problems.push(`${opts.chromium} not found (apt-get install chromium; scripts/install-deps test does)`);
  try {
    createRequire(import.meta.url).resolve("playwright-core/package.json");
  } catch (_) {
    problems.push("npm package playwright-core missing (run `npm ci` at the source root; scripts/test does)");
  }
  for (const f of ["widget.js", "widget.css", "demo.html"])
    if (!existsSync(path.join(opts.web, f))) problems.push(`${path.join(opts.web, f)} missing`);
  if (problems.length === 0) return;
  console.log(`not ok - browser test tools: ${problems.join("; ")}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
requireTools();
const { chromium } = await import("playwright-core");

// ---------------------------------------------------------------- processes and cleanup

let server = null;
let serverStderr = "";
let browser = null;
let helper = null;
const tmpDir = mkdtempSync(path.join(os.tmpdir(), "bhxh-widget-"));

function serverRunning() {
  return server && server.exitCode === null && server.signalCode === null;
}
function signalServer(sig) {
  if (!server || !server.pid) return;
  for (const target of [-server.pid, server.pid]) {
    try {
      process.kill(target, sig);
    } catch (_) {
      /* gone */
    }
  }
}

let finishing = false;
async function finish() {
  if (finishing) return;
  finishing = true;
  const closeBrowser = browser ? Promise.race([browser.close().catch(() => {}), sleep(5000)]) : null;
  await closeBrowser;
  const bproc = browser && browser.process ? browser.process() : null; // launch() gives the process
  if (bproc && bproc.exitCode === null) bproc.kill("SIGKILL");
  if (helper) helper.srv.close();
  const wasRunning = serverRunning();
  if (wasRunning) signalServer("SIGTERM");
  const deadline = Date.now() + 10000;
  while (serverRunning() && Date.now() < deadline) await sleep(50);
  // Under AddressSanitizer a leak makes the exit status non-zero.
  if (wasRunning) check(server.exitCode === 0, "the server stops on SIGTERM with status 0", `exit ${server.exitCode}, signal ${server.signalCode}`);
  if (serverRunning()) signalServer("SIGKILL");
  rmSync(tmpDir, { recursive: true, force: true });
  if (failed > 0 && serverStderr.trim()) {
    console.log("# server stderr (last lines):");
    for (const line of serverStderr.trim().split("\n").slice(-10)) console.log(`#   ${line}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}
process.on("SIGINT", () => (notOk("interrupted", "SIGINT"), finish()));
process.on("SIGTERM", () => (notOk("terminated", "SIGTERM"), finish()));
process.on("exit", () => serverRunning() && signalServer("SIGKILL"));
setTimeout(() => (notOk("whole run finished in time", `still running after ${TOTAL_TIMEOUT_MS / 1000} s`), finish()), TOTAL_TIMEOUT_MS).unref();

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/* Polls fn (sync or async) every 100 ms until it returns a truthy value; that value, or null after ms. */
async function waitFor(fn, ms = WAIT_MS) {
  const until = Date.now() + ms;
  for (;;) {
    let v = null;
    try {
      v = await fn();
    } catch (_) {
      v = null;
    }
    if (v) return v;
    if (Date.now() > until) return null;
    await sleep(100);
  }
}

function importData(dbPath) {
  const r = spawnSync(opts.bin, ["import", "--data", opts.data, "--out", dbPath], {
    encoding: "utf8", timeout: IMPORT_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 << 20,
  });
  return check(!r.error && r.status === 0, `import --data ${path.basename(opts.data)}`,
    () => (r.error ? r.error.message : `exit ${r.status}: ${(r.stderr || "").slice(0, 500)}`));
}

function startServer(dbPath) {
  return new Promise((resolve) => {
    let out = "";
    let done = false;
    const settle = (url, why) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      check(url, "serve --port 0 --web web starts", why);
      resolve(url);
    };
    server = spawn(opts.bin, ["serve", "--db", dbPath, "--port", "0", "--web", opts.web], {
      stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    const timer = setTimeout(() => settle(null, `no 'listening on' line in ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    server.on("error", (e) => settle(null, e.message));
    server.on("exit", (code) => settle(null, `exited ${code} before listening: ${serverStderr.slice(-300)}`));
    server.stderr.setEncoding("utf8");
    server.stderr.on("data", (c) => (serverStderr = (serverStderr + c).slice(-20000)));
    server.stdout.setEncoding("utf8");
    server.stdout.on("data", (c) => {
      out += c;
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out);
      if (m) settle(m[1], null);
    });
  });
}

// ---------------------------------------------------------------- raw HTTP

/* GET (or another method) with the path sent exactly as given (no ".." folding); resolves {status, headers, body}. */
function raw(base, pathname, { method = "GET", headers = {} } = {}) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: u.port, path: pathname, method, headers, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: 0, headers: {}, body: Buffer.from(e.message) }));
    req.end();
  });
}

async function getJson(base, pathname) {
  const r = await raw(base, pathname);
  if (r.status !== 200) throw new Error(`${pathname}: HTTP ${r.status} ${r.body.toString().slice(0, 200)}`);
  return JSON.parse(r.body.toString());
}

// ---------------------------------------------------------------- the helper server: tiles and another site

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/* A 256x256 RGB PNG: a pale map-like background with a grid, so screenshots show where tiles are. */
function tilePng() {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const rows = [];
  for (let y = 0; y < 256; y++) {
    const row = Buffer.alloc(1 + 256 * 3);
    for (let x = 0; x < 256; x++) {
      const line = x % 64 === 0 || y % 64 === 0;
      row.set(line ? [214, 222, 230] : [241, 239, 233], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(256, 0);
  ihdr.writeUInt32BE(256, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

function startHelper(apiBase) {
  const png = tilePng();
  const tiles = [];
  const srv = http.createServer((req, res) => {
    const m = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url);
    if (m) {
      tiles.push({ z: +m[1], x: +m[2], y: +m[3] });
      res.writeHead(200, { "Content-Type": "image/png", "Cache-Control": "no-store" });
      return res.end(png);
    }
    if (req.url === "/embed.html") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      return res.end(`<!doctype html><meta charset="utf-8"><title>Another site</title>
<h1>Bệnh viện X: tìm cơ sở gần bạn</h1>
<script src="${apiBase}/widget.js"></script>
<bhxh-geo-map kinds="facility" lat="${HERE.lat}" lon="${HERE.lon}" zoom="14" tiles="none" lang="en"></bhxh-geo-map>`);
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => {
    srv.listen(0, "127.0.0.1", () => resolve({ srv, tiles, base: `http://127.0.0.1:${srv.address().port}` }));
  });
}

// ---------------------------------------------------------------- static files over HTTP

async function checkStatic(base) {
  const files = [
    ["/widget.js", "text/javascript", path.join(opts.web, "widget.js")],
    ["/widget.css", "text/css", path.join(opts.web, "widget.css")],
    ["/demo", "text/html", path.join(opts.web, "demo.html")],
    ["/leaflet/leaflet.js", "text/javascript", null],
    ["/leaflet/leaflet.css", "text/css", null],
  ];
  for (const [p, type, file] of files) {
    const r = await raw(base, p);
    const h = r.headers;
    const same = file ? r.body.equals(readFileSync(file)) : r.body.length > 0;
    check(r.status === 200 && (h["content-type"] || "").startsWith(type) && /^"[0-9a-f]{32}"$/.test(h.etag || "") &&
      /public, max-age=\d+/.test(h["cache-control"] || "") && h["access-control-allow-origin"] === "*" && same,
      `GET ${p}: 200 ${type}, content ETag, Cache-Control, CORS${file ? ", the file's bytes" : ""}`,
      () => `status ${r.status}, type ${h["content-type"]}, etag ${h.etag}, cache ${h["cache-control"]}, acao ${h["access-control-allow-origin"]}, same ${same}`);
    if (p !== "/widget.js") continue;
    const r304 = await raw(base, p, { headers: { "If-None-Match": h.etag } });
    check(r304.status === 304 && r304.body.length === 0 && r304.headers.etag === h.etag,
      "GET /widget.js with If-None-Match: its ETag gives 304, no body", `status ${r304.status}`);
    const rOther = await raw(base, p, { headers: { "If-None-Match": '"0000"' } });
    check(rOther.status === 200, "GET /widget.js with another ETag gives 200", `status ${rOther.status}`);
    const head = await raw(base, p, { method: "HEAD" });
    check(head.status === 200 && head.body.length === 0 && head.headers.etag === h.etag, "HEAD /widget.js: 200, no body", `status ${head.status}`);
    const opt = await raw(base, p, { method: "OPTIONS", headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" } });
    check(opt.status === 204 && opt.headers["access-control-allow-origin"] === "*", "OPTIONS /widget.js: CORS preflight 204", `status ${opt.status}`);
    const post = await raw(base, p, { method: "POST" });
    check(post.status === 405, "POST /widget.js: 405", `status ${post.status}`);
  }
  // Nothing outside the allow-list, however the path is spelt.
  const outside = [
    "/leaflet/../widget.js", "/../package.json", "/%2e%2e/package.json", "/%2E%2E/%2E%2E/etc/passwd",
    "/leaflet/..%2f..%2fpackage.json", "/leaflet/%2e%2e/%2e%2e/package.json", "/leaflet/images/..%2F..%2F..%2Fpackage.json",
    "/leaflet/images/../../../../etc/passwd", "/leaflet/images/layers.png", "/leaflet/images/marker-icon.png", "/leaflet/leaflet.js.map", "/leaflet/leaflet-src.js",
    "/node_modules/leaflet/dist/leaflet.js", "/web/widget.js", "/demo.html", "/widget.js/", "//widget.js",
    "/WIDGET.JS", "/widget.js%2f", "/leaflet/images/", "/leaflet/", "/leaflet/images/%2e%2e%2f..%2fleaflet.js",
    "/widget.js%2f..%2f..%2fpackage.json",
  ];
  const bad = [];
  for (const p of outside) {
    const r = await raw(base, p);
    if (r.status !== 404 || !(r.headers["content-type"] || "").startsWith("application/problem+json")) bad.push(`${p} -> ${r.status}`);
  }
  check(bad.length === 0, `${outside.length} paths outside the allow-list (.., encoded variants, other files) are 404 problems`, bad.join(", "));
  // The HTTP library decodes the path before the router sees it, and a NUL cuts it ("/widget.js%00x"
  // reads as "/widget.js", "/leaflet%2fleaflet.js" as "/leaflet/leaflet.js"): whatever comes back
  // must be 400, 404 or an allow-listed file, never another file.
  const allowed = [readFileSync(path.join(opts.web, "widget.js")), readFileSync(path.join(opts.web, "demo.html")),
    (await raw(base, "/leaflet/leaflet.js")).body];
  const nul = [];
  for (const p of ["/widget.js%00/../../package.json", "/demo%00.html", "/%00/etc/passwd", "/leaflet%2fleaflet.js",
    "/leaflet%2f..%2f..%2fpackage.json"]) {
    const r = await raw(base, p);
    if (!(r.status === 404 || r.status === 400 || (r.status === 200 && allowed.some((b) => b.equals(r.body))))) nul.push(`${p} -> ${r.status}`);
  }
  check(nul.length === 0, "paths with %00 or %2f give 400, 404 or an allow-listed file, never another", nul.join(", "));
}

// ---------------------------------------------------------------- browser helpers

const blocked = []; // requests that tried to leave 127.0.0.1

async function newContext(options = {}) {
  const ctx = await browser.newContext({ locale: "vi-VN", ...options });
  ctx.setDefaultTimeout(WAIT_MS);
  await ctx.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === "127.0.0.1") return route.continue();
    blocked.push(u.href);
    return route.abort("blockedbyclient");
  });
  return ctx;
}

/* A page that records page errors, console errors and every /v1/ answer (url, parsed body). */
async function newPage(ctx) {
  const page = await ctx.newPage();
  page.errors = [];
  page.api = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("response", async (r) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith("/v1/")) return;
    let body = null;
    try {
      body = await r.json();
    } catch (_) {
      /* aborted or not JSON */
    }
    page.api.push({ url: u, status: r.status(), body });
  });
  return page;
}

function lastApi(page, pathname) {
  const all = page.api.filter((a) => a.url.pathname === pathname && a.body);
  return all.length ? all[all.length - 1] : null;
}

/* What the map shows: [{kind, code, cluster}] of the markers in the widget. */
function markersOf(page, root = "") {
  return page.$$eval(`${root} .leaflet-marker-icon`, (els) =>
    els.map((e) => ({ cluster: e.classList.contains("bg-cluster"), kind: e.dataset.kind || null, code: e.dataset.code || null })));
}

/* Waits until the markers are those of the last /v1/map answer; returns that answer's body or null. */
async function markersMatchMap(page, root = "") {
  return waitFor(async () => {
    const last = lastApi(page, "/v1/map");
    if (!last) return null;
    const shown = await markersOf(page, root);
    const want = last.body.results;
    const key = (m) => (m.cluster ? "cluster" : `${m.kind}/${m.code}`);
    const a = shown.map(key).sort().join(" ");
    const b = want.map(key).sort().join(" ");
    return a === b && want.length > 0 ? last.body : null;
  });
}

/* A place pin of that kind (any when null) whose centre is not covered by another marker: [{kind, code}] or null. */
function freePin(page, kind = null) {
  return page.evaluate((kind) => {
    for (const el of document.querySelectorAll(".bg-pin")) {
      if (kind && el.dataset.kind !== kind) continue;
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (top && el.contains(top) && r.top >= 0 && r.bottom <= window.innerHeight) return { kind: el.dataset.kind, code: el.dataset.code };
    }
    return null;
  }, kind);
}

function listOf(page) {
  return page.$$eval(".bg-list .bg-item", (els) =>
    els.map((e) => ({
      kind: e.dataset.kind, code: e.dataset.code,
      name: e.querySelector(".bg-item-name").textContent,
      dist: (e.querySelector(".bg-item-dist") || {}).textContent || null,
      tel: (e.querySelector("a.bg-tel") || {}).href || null,
      dir: (e.querySelector("a.bg-dir") || {}).href || null,
    })));
}

async function listMatches(page, expected) {
  const want = expected.map((p) => `${p.kind}/${p.code}`).join(" ");
  return waitFor(async () => {
    const items = await listOf(page);
    return items.map((p) => `${p.kind}/${p.code}`).join(" ") === want ? items : null;
  });
}

async function shot(page, name) {
  const file = path.join(opts.artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function demoUrl(base, tiles, extra = "") {
  return `${base}/demo?tiles=${encodeURIComponent(tiles)}${extra}`;
}

function nearestPath(kinds, limit = 10) {
  return `/v1/nearest?lat=${HERE.lat.toFixed(6)}&lon=${HERE.lon.toFixed(6)}&kind=${kinds}&limit=${limit}`;
}

// ---------------------------------------------------------------- browser scenarios

async function scenarioDesktop(base, tileBase, tiles) {
  const ctx = await newContext({ viewport: { width: 1280, height: 800 }, geolocation: { latitude: HERE.lat, longitude: HERE.lon } });
  await ctx.grantPermissions(["geolocation"], { origin: base });
  const page = await newPage(ctx);
  await page.goto(demoUrl(base, `${tileBase}/tiles/{z}/{x}/{y}.png`));
  const loaded = await waitFor(() => page.evaluate(() =>
    !!customElements.get("bhxh-geo-map") && !!document.querySelector("bhxh-geo-map .bhxh-geo .leaflet-container") && !!window.L));
  check(loaded, "the widget loads on /demo (custom element, Leaflet from the server)");
  const map = await markersMatchMap(page);
  check(map && map.results.some((r) => !r.cluster), "pins for the shipped data appear, exactly those of /v1/map for the view",
    () => `last /v1/map: ${JSON.stringify(lastApi(page, "/v1/map")?.body?.results?.length)}`);
  const z = Number(lastApi(page, "/v1/map")?.url.searchParams.get("zoom"));
  check(await waitFor(() => tiles.some((t) => t.z === z)), `tiles come from the tiles attribute (local, zoom ${z})`, `${tiles.length} tile requests`);
  await shot(page, "widget-desktop.png");

  // Geolocation granted: the nearest places, in the API's order.
  const expected = (await getJson(base, nearestPath("office,agent,facility"))).results;
  await page.click(".bg-locate");
  // The list near the map's centre may have the same order: wait for the one near the user.
  await waitFor(async () => /Gần vị trí của bạn/.test(await page.textContent(".bg-list-title")) &&
    (await page.getAttribute(".bg-item:first-child a.bg-dir", "href")).includes(HERE.lat.toFixed(6)));
  const items = await listMatches(page, expected);
  const got = items ? null : JSON.stringify((await listOf(page)).map((p) => p.code));
  check(items, "a granted location lists the nearest places in /v1/nearest's order", `got ${got}`);
  const title = await page.textContent(".bg-list-title");
  check(/Gần vị trí của bạn/.test(title), "the list says it is near the user", title);
  if (items) {
    const dists = expected.map((p) => p.distance_m);
    check(items.every((p) => p.dist) && dists.every((d, i) => i === 0 || d >= dists[i - 1]), "every item shows its distance, nearest first",
      JSON.stringify(items.map((p) => p.dist)));
    const withPhone = expected.findIndex((p) => p.phone);
    check(withPhone < 0 || (items[withPhone].tel && /^tel:\+?\d{6,}$/.test(items[withPhone].tel)),
      "a place with a phone has a tel: link", items[withPhone >= 0 ? withPhone : 0].tel);
    const d = items[0].dir || "";
    check(d.startsWith("https://www.openstreetmap.org/directions?") &&
      decodeURIComponent(d).includes(`route=${HERE.lat.toFixed(6)},${HERE.lon.toFixed(6)};${expected[0].lat},${expected[0].lon}`),
      "the directions link routes from the user to the place", d);
  }
  check(await page.locator(".bg-you").count() === 1, "the user's position is marked on the map");

  // Kind filter: only facilities, in the list and on the map; then none; then all again.
  const facilities = (await getJson(base, nearestPath("facility"))).results;
  await page.click(".bg-chip.bg-kind-office");
  await page.click(".bg-chip.bg-kind-agent");
  check(await listMatches(page, facilities), "the kind filter (facilities only) changes the list to /v1/nearest?kind=facility");
  const onlyFac = await waitFor(async () => {
    const last = lastApi(page, "/v1/map");
    const ms = await markersOf(page);
    return last && last.url.searchParams.get("kind") === "facility" && ms.length > 0 &&
      ms.every((m) => m.cluster || m.kind === "facility") ? ms : null;
  });
  check(onlyFac, "the kind filter asks /v1/map for facilities only and shows only their pins");
  await page.click(".bg-chip.bg-kind-facility");
  check(await waitFor(async () => (await page.textContent(".bg-list")).includes("Hãy chọn ít nhất một loại") && (await markersOf(page)).length === 0),
    "with no kind chosen the map is empty and the list says to choose one");
  for (const k of ["office", "agent", "facility"]) await page.click(`.bg-chip.bg-kind-${k}`);
  check(await listMatches(page, expected), "choosing all kinds again restores the list");

  // Search: debounced, the API's results in order, Escape goes back.
  const q = "benh vien da khoa kien giang";
  const searchesBefore = page.api.filter((a) => a.url.pathname === "/v1/search").length;
  await page.click(".bg-search");
  await page.keyboard.type(q, { delay: 15 });
  const sPath = `/v1/search?q=${encodeURIComponent(q)}&kind=office,agent,facility&limit=10&lat=${HERE.lat.toFixed(6)}&lon=${HERE.lon.toFixed(6)}`;
  const found = (await getJson(base, sPath)).results;
  const sItems = await listMatches(page, found);
  const sGot = sItems ? null : JSON.stringify((await listOf(page)).slice(0, 3).map((p) => p.name));
  check(sItems && found.length > 0 && sItems[0].name === "Bệnh viện Đa khoa Kiên Giang",
    "the search box lists /v1/search's results, best first", `got ${sGot}`);
  const searches = page.api.filter((a) => a.url.pathname === "/v1/search").length - searchesBefore;
  check(searches >= 1 && searches <= 2, `typing ${q.length} characters sends ${searches} search request(s) (debounced)`);
  await page.keyboard.press("Escape");
  check(await listMatches(page, expected), "Escape in the search box clears it and shows the nearest again");

  // Details from a pin click; the managing office comes from /v1/offices/{code}.
  const pin = await freePin(page, "facility");
  const place = pin && (await getJson(base, `/v1/facilities/${pin.code}`));
  if (check(place, "a facility pin is on the map to click")) {
    await page.click(`.bg-pin[data-code="${pin.code}"]`);
    const shown = await waitFor(async () => (await page.isVisible(".bg-details")) && (await page.textContent(".bg-details h2")));
    check(shown === place.name, "clicking a pin opens its details", shown);
    const text = await page.textContent(".bg-details");
    check(text.includes(place.code) && (!place.address || text.includes(place.address)), "the details show the code and the address", text.slice(0, 200));
    if (place.parent_code) {
      const office = await getJson(base, `/v1/offices/${place.parent_code}`);
      check(await waitFor(async () => (await page.textContent(".bg-managed")) === office.name), "the details name the managing office");
    }
    check(await page.isVisible(`.bg-pin.bg-selected[data-code="${pin.code}"]`), "the pin of the open place is highlighted");
    await shot(page, "widget-details.png");
    await page.keyboard.press("Escape");
    check(await waitFor(async () => (await page.isHidden(".bg-details")) && (await page.isVisible(".bg-list"))), "Escape closes the details");
  }

  // Keyboard only: Enter on a list item opens it, focus goes to its title, Escape returns focus.
  await page.focus(".bg-item:nth-child(2) .bg-item-main");
  const second = (await listOf(page))[1];
  await page.keyboard.press("Enter");
  const focused = await waitFor(() => page.evaluate(() => document.activeElement && document.activeElement.matches(".bg-details h2") && document.activeElement.textContent));
  check(focused === second.name, "Enter on a focused list item opens its details and focuses the title", focused);
  await page.keyboard.press("Escape");
  check(await waitFor(() => page.evaluate(() => document.activeElement && document.activeElement.matches(".bg-item-main"))),
    "Escape returns focus to the list");
  await page.focus(".bg-search");
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement.matches(".bg-locate")), "Tab goes from the search box to the location button");
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement.matches(".bg-chip input")), "then to the kind filter");
  const pinFocus = (await markersOf(page)).find((m) => !m.cluster);
  await page.focus(`.bg-pin[data-code="${pinFocus.code}"]`);
  await page.keyboard.press("Enter");
  check(await waitFor(async () => (await page.isVisible(".bg-details")) && (await page.getAttribute(`.bg-pin[data-code="${pinFocus.code}"]`, "class")).includes("bg-selected")),
    "Enter on a focused pin opens its details");
  check(page.errors.length === 0, "no script errors on the desktop page", page.errors.join(" | "));
  await ctx.close();
}

async function scenarioClusters(base) {
  const ctx = await newContext({ viewport: { width: 1024, height: 700 } });
  const page = await newPage(ctx);
  await page.goto(demoUrl(base, "", "&lat=15.5&lon=106&zoom=5"));
  const map = await markersMatchMap(page);
  const clusters = map ? map.results.filter((r) => r.cluster) : [];
  check(map && map.clustered && clusters.length > 0, `zoomed out, clusters appear (${clusters.length}), as /v1/map gives them`);
  await shot(page, "widget-clusters.png");
  if (clusters.length) {
    const big = clusters.reduce((a, b) => (b.point_count > a.point_count ? b : a));
    const count = await page.$$eval(".bg-cluster", (els, n) => els.findIndex((e) => e.textContent === String(n)), String(big.point_count_abbreviated));
    if (check(count >= 0, "the cluster's marker shows its count")) {
      await page.locator(".bg-cluster").nth(count).click();
      const zoomed = await waitFor(() => {
        const last = lastApi(page, "/v1/map");
        return last && Number(last.url.searchParams.get("zoom")) === Math.min(big.expansion_zoom, 19);
      });
      check(zoomed, `clicking a cluster zooms to its expansion_zoom (${big.expansion_zoom})`);
    }
  }
  check(page.errors.length === 0, "no script errors on the cluster page", page.errors.join(" | "));
  await ctx.close();
}

async function scenarioDenied(base) {
  const ctx = await newContext({ viewport: { width: 1024, height: 700 } });
  await ctx.clearPermissions();
  const page = await newPage(ctx);
  await page.goto(demoUrl(base, "none"));
  await waitFor(() => page.locator(".bg-item").count());
  const before = (await listOf(page)).map((p) => p.code).join(" ");
  await page.click(".bg-locate");
  const msg = await waitFor(async () => {
    const t = await page.textContent(".bg-status");
    return /không cho phép|chưa cho phép/i.test(t) ? t : null;
  });
  check(msg && (await page.isVisible(".bg-status")), "a refused location shows a clear message", msg);
  check(await page.getAttribute(".bg-status", "role") === "status", "the message is announced (role=status)");
  check((await listOf(page)).map((p) => p.code).join(" ") === before && (await page.textContent(".bg-list-title")).includes("Gần giữa bản đồ"),
    "the list stays on the map's centre");
  await shot(page, "widget-denied.png");
  await ctx.close();
}

async function scenarioPhone(base, tileBase) {
  const ctx = await newContext({
    viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    geolocation: { latitude: HERE.lat, longitude: HERE.lon },
  });
  await ctx.grantPermissions(["geolocation"], { origin: base });
  const page = await newPage(ctx);
  await page.goto(demoUrl(base, `${tileBase}/tiles/{z}/{x}/{y}.png`));
  check(await markersMatchMap(page), "on a 375x667 phone the pins appear");
  const layout = await page.evaluate(() => {
    const box = (s) => document.querySelector(s).getBoundingClientRect();
    const m = box(".bg-map"), side = box(".bg-side"), loc = box(".bg-locate"), search = box(".bg-search");
    return {
      scrollW: document.documentElement.scrollWidth, mapW: m.width, mapH: m.height, stacked: side.top >= m.bottom - 1,
      locRight: loc.right, searchW: search.width,
      font: parseFloat(getComputedStyle(document.querySelector(".bg-item-name") || document.body).fontSize),
    };
  });
  check(layout.scrollW <= 375, "nothing is wider than the phone's screen", `scrollWidth ${layout.scrollW}`);
  check(layout.mapW >= 300 && layout.mapH >= 200 && layout.stacked, "the map fills the width, with the list below it", JSON.stringify(layout));
  check(layout.locRight <= 375 && layout.searchW >= 200 && layout.font >= 14, "the search box, button and text are usable sizes", JSON.stringify(layout));
  await page.tap(".bg-locate");
  const expected = (await getJson(base, nearestPath("office,agent,facility"))).results;
  check(await listMatches(page, expected), "on the phone, the location button lists the nearest places");
  await shot(page, "widget-phone.png");
  await page.evaluate(() => document.querySelector(".bg-map").scrollIntoView({ block: "start" }));
  const pin = await waitFor(() => freePin(page));
  if (check(pin, "a pin is on the phone's map, free to tap")) {
    await page.tap(`.bg-pin[data-code="${pin.code}"]`);
    const inView = await waitFor(() => page.evaluate(() => {
      const d = document.querySelector(".bg-details");
      return !d.hidden && d.getBoundingClientRect().top < window.innerHeight;
    }));
    check(inView, "tapping a pin opens its details where they can be seen");
    await shot(page, "widget-phone-details.png");
  }
  check(page.errors.length === 0, "no script errors on the phone", page.errors.join(" | "));
  await ctx.close();
}

async function scenarioEnglish(base, tileBase) {
  const ctx = await newContext({ viewport: { width: 800, height: 700 } });
  const page = await newPage(ctx);
  // The demo page must not pass HTML from its URL into the page (the attribution is HTML).
  await page.goto(demoUrl(base, `${tileBase}/tiles/{z}/{x}/{y}.png`, "&lang=en&attribution=" + encodeURIComponent('<b id="injected">x</b>')));
  await waitFor(() => page.locator(".bg-item").count());
  const locate = (await page.textContent(".bg-locate")).trim();
  const title = await page.textContent(".bg-list-title");
  check(locate === "Use my location" && title === "Near the centre of the map" &&
    (await page.getAttribute(".bhxh-geo", "lang")) === "en", 'lang="en" gives the English interface', `${locate} / ${title}`);
  check(await page.locator("#injected").count() === 0, "the demo page does not take HTML from its URL");
  await ctx.close();
}

async function scenarioEmbed(base, helperBase) {
  const ctx = await newContext({ viewport: { width: 1000, height: 700 } });
  const page = await newPage(ctx);
  await page.goto(`${helperBase}/embed.html`);
  const map = await markersMatchMap(page);
  const first = lastApi(page, "/v1/map");
  check(map && first && first.url.origin === base && map.results.every((r) => r.cluster || r.kind === "facility"),
    "another site (another origin) embeds the widget with two lines; it calls the API where widget.js came from (CORS)",
    () => `api origin ${first && first.url.origin}, markers ${map && map.results.length}`);
  check(await waitFor(() => page.locator(".bg-item").count()), "the embedded widget lists places");
  check(await page.isHidden(".bg-kinds"), "with one kind there is no kind filter");
  check(page.errors.length === 0, "no script errors on the embedding page", page.errors.join(" | "));
  await shot(page, "widget-embedded.png");
  await ctx.close();
}

// ---------------------------------------------------------------- main

async function main() {
  mkdirSync(opts.artifacts, { recursive: true });
  const db = path.join(tmpDir, "release.sqlite");
  if (!importData(db)) return;
  const base = await startServer(db);
  if (!base) return;
  await checkStatic(base);
  helper = await startHelper(base);
  helper.srv.unref();
  try {
    browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
  } catch (e) {
    notOk("Chromium starts", e.message.split("\n")[0]);
    return;
  }
  ok(`Chromium ${browser.version()} starts`);
  const scenarios = [
    ["desktop", () => scenarioDesktop(base, helper.base, helper.tiles)],
    ["clusters", () => scenarioClusters(base)],
    ["denied", () => scenarioDenied(base)],
    ["phone", () => scenarioPhone(base, helper.base)],
    ["english", () => scenarioEnglish(base, helper.base)],
    ["embed", () => scenarioEmbed(base, helper.base)],
  ];
  for (const [name, run] of scenarios) {
    try {
      await run();
    } catch (e) {
      notOk(`${name} scenario ran to its end`, e.message.split("\n")[0]);
    }
  }
  check(blocked.length === 0, "no request left 127.0.0.1", blocked.slice(0, 5).join(", "));
  console.log(`# screenshots in ${opts.artifacts}`);
}

main().then(finish, (e) => {
  notOk("test script", e.stack || e.message);
  finish();
});
