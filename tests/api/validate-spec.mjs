#!/usr/bin/env node
// Validates api-spec/openapi.yaml (or the file given as the first argument):
//  1. against the OpenAPI 3.1 JSON Schema (@seriousme/openapi-schema-validator);
//  2. every local $ref resolves;
//  3. every schema is valid JSON Schema 2020-12 and compiles in Ajv's strict
//     schema mode (unknown keywords and formats are errors);
//  4. every example (media types, parameters, headers) is valid against its
//     schema, so the documentation cannot drift from the contract;
//  5. house rules: unique operationIds; every GET documents 200, 304, 400
//     and 500, takes If-None-Match and documents Vary on its 200, except a
//     GET whose 200 carries no ETag (/metrics: no validator, no-store),
//     which documents 200, 400 and 500 and neither 304 nor If-None-Match;
//     HEAD mirrors a GET with no bodies (304 exactly when the GET has it);
//     OPTIONS is a 204 CORS preflight; every other method documents
//     exactly 405;
//  6. parameters: each has a description, a schema and an example, and a
//     query parameter's schema is bounded (numbers: minimum and maximum;
//     strings: enum, const, pattern or maxLength; arrays: maxItems and
//     bounded items);
//  7. formats: JSON media types (application/json, application/*+json) have
//     object/array schemas, text/* ones plain-string schemas; a GET taking
//     `f` documents on its 200 exactly one media type per value of `f`
//     (json, geojson, csv), and a GET whose 200 has several media types
//     takes `f`; a paged GET (taking `cursor`) takes `limit` and documents
//     the Link header on its 200.
// Prints one line per check and "N passed, M failed"; exits 1 on any failure.

import path from "node:path";
import { checkDeps } from "./lib/deps.mjs";

checkDeps("validate-spec");
const { Validator } = await import("@seriousme/openapi-schema-validator");
const { DEFAULT_SPEC, loadSpec, makeAjv, deref, getPointer, pointerOf, validatorAt, formatErrors } =
  await import("./lib/openapi.mjs");

const specFile = path.resolve(process.argv[2] || DEFAULT_SPEC);
let passed = 0;
let failed = 0;

function report(ok, name, reason) {
  if (ok) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${reason ? ": " + reason : ""}`);
  }
}

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

let doc;
try {
  doc = loadSpec(specFile);
  report(true, `parse ${path.relative(process.cwd(), specFile) || specFile}`);
} catch (err) {
  report(false, `parse ${specFile}`, err.message);
  finish();
}

// 1. The OpenAPI meta-schema.
{
  const validator = new Validator();
  const res = await validator.validate(doc);
  const name = `OpenAPI ${doc.openapi} document is valid`;
  if (res.valid && validator.version === "3.1") {
    report(true, name);
  } else {
    const errs = res.errors ? JSON.stringify(res.errors, null, 2) : `version ${validator.version}`;
    report(false, name, "\n" + errs);
  }
}

// 2. Every $ref resolves.
{
  const dangling = [];
  let count = 0;
  (function walk(node, tokens) {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, tokens.concat(i)));
    } else if (node && typeof node === "object") {
      if (typeof node.$ref === "string") {
        count++;
        try {
          deref(doc, pointerOf(tokens));
        } catch (err) {
          dangling.push(`${pointerOf(tokens)}: ${err.message}`);
        }
      }
      for (const [k, v] of Object.entries(node)) walk(v, tokens.concat(k));
    }
  })(doc, []);
  report(dangling.length === 0, `all ${count} $refs resolve`, dangling.join("; "));
}

// 3. Schemas: collect every schema location, meta-validate and compile.
const ajv = makeAjv(doc, { strict: true });
const schemaPointers = [];
for (const name of Object.keys((doc.components && doc.components.schemas) || {})) {
  schemaPointers.push(pointerOf(["components", "schemas", name]));
}
function addParamLike(tokens) {
  const node = getPointer(doc, pointerOf(tokens));
  if (node && node.schema) schemaPointers.push(pointerOf(tokens.concat("schema")));
}
for (const name of Object.keys((doc.components && doc.components.parameters) || {})) {
  addParamLike(["components", "parameters", name]);
}
for (const name of Object.keys((doc.components && doc.components.headers) || {})) {
  addParamLike(["components", "headers", name]);
}
function mediaTypes(responseTokens) {
  const resp = getPointer(doc, pointerOf(responseTokens));
  if (!resp || !resp.content) return [];
  return Object.keys(resp.content).map((mt) => responseTokens.concat("content", mt));
}
const responseLocations = [];
for (const name of Object.keys((doc.components && doc.components.responses) || {})) {
  responseLocations.push(["components", "responses", name]);
}
for (const [p, item] of Object.entries(doc.paths || {})) {
  for (const [method, op] of Object.entries(item)) {
    if (!op || typeof op !== "object" || !op.responses) continue;
    for (const status of Object.keys(op.responses)) {
      if (!op.responses[status].$ref) responseLocations.push(["paths", p, method, "responses", status]);
    }
  }
}
const mediaLocations = [];
for (const loc of responseLocations) {
  for (const mt of mediaTypes(loc)) {
    mediaLocations.push(mt);
    schemaPointers.push(pointerOf(mt.concat("schema")));
  }
}

for (const ptr of schemaPointers) {
  const schema = getPointer(doc, ptr);
  const name = `schema ${ptr} is valid JSON Schema 2020-12 and compiles`;
  try {
    if (!ajv.validateSchema(schema)) throw new Error(formatErrors(ajv.errors));
    validatorAt(ajv, ptr);
    report(true, name);
  } catch (err) {
    report(false, name, err.message);
  }
}

// 4. Examples against their schemas.
function checkExamples(holderTokens, schemaPtr) {
  const holder = getPointer(doc, pointerOf(holderTokens));
  const found = [];
  if (holder && "example" in holder) found.push({ tokens: holderTokens.concat("example"), value: holder.example });
  if (holder && holder.examples && typeof holder.examples === "object") {
    for (const [n, ex] of Object.entries(holder.examples)) {
      const { node, pointer } = deref(doc, pointerOf(holderTokens.concat("examples", n)));
      if (node && "value" in node) found.push({ tokens: pointer.split("/").slice(1), value: node.value, ptr: pointer });
    }
  }
  if (found.length === 0) return;
  let validate;
  try {
    validate = validatorAt(ajv, schemaPtr);
  } catch (err) {
    report(false, `examples of ${pointerOf(holderTokens)}`, `schema does not compile: ${err.message}`);
    return;
  }
  for (const ex of found) {
    const where = ex.ptr || pointerOf(ex.tokens);
    report(validate(ex.value), `example ${where} matches its schema`, formatErrors(validate.errors));
  }
}
for (const loc of mediaLocations) checkExamples(loc, pointerOf(loc.concat("schema")));
for (const name of Object.keys((doc.components && doc.components.parameters) || {})) {
  const t = ["components", "parameters", name];
  checkExamples(t, pointerOf(t.concat("schema")));
}
for (const name of Object.keys((doc.components && doc.components.headers) || {})) {
  const t = ["components", "headers", name];
  checkExamples(t, pointerOf(t.concat("schema")));
}
// Parameters written inline in a path item or an operation.
const inlineParams = [];
for (const [p, item] of Object.entries(doc.paths || {})) {
  const lists = [[["paths", p, "parameters"], item.parameters]];
  for (const [method, op] of Object.entries(item)) {
    if (op && typeof op === "object" && Array.isArray(op.parameters)) lists.push([["paths", p, method, "parameters"], op.parameters]);
  }
  for (const [tokens, list] of lists) {
    (list || []).forEach((prm, i) => {
      if (prm && !prm.$ref) inlineParams.push(tokens.concat(i));
    });
  }
}
for (const t of inlineParams) {
  const ptr = pointerOf(t.concat("schema"));
  if (getPointer(doc, ptr) === undefined) continue;
  try {
    validatorAt(ajv, ptr);
  } catch (err) {
    report(false, `schema ${ptr} compiles`, err.message);
    continue;
  }
  checkExamples(t, ptr);
}

// 5. House rules.
{
  const ids = new Map();
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "put", "post", "delete", "options", "head", "patch", "trace"].includes(method)) continue;
      const where = `${method.toUpperCase()} ${p}`;
      if (op.operationId) {
        if (ids.has(op.operationId)) report(false, `operationId ${op.operationId} unique`, `also on ${ids.get(op.operationId)}`);
        ids.set(op.operationId, where);
      }
      const statuses = Object.keys(op.responses || {});
      if (method === "get") {
        const params = operationParams(item, op);
        const hasInm = params.some((prm) => prm && prm.in === "header" && prm.name === "If-None-Match");
        if (!hasValidator(p, "get")) {
          const missing = ["200", "400", "500"].filter((s) => !statuses.includes(s));
          const extra = (statuses.includes("304") ? ["304"] : []).concat(hasInm ? ["If-None-Match"] : []);
          report(
            missing.length === 0 && extra.length === 0 && Boolean(op.operationId),
            `${where} (no ETag on its 200) has operationId, documents 200/400/500, no 304 and no If-None-Match`,
            `missing: ${missing.concat(op.operationId ? [] : ["operationId"]).join(", ") || "none"}; should not have: ${extra.join(", ") || "none"}`,
          );
        } else {
          const missing = ["200", "304", "400", "500"].filter((s) => !statuses.includes(s));
          report(
            missing.length === 0 && hasInm && Boolean(op.operationId),
            `${where} has operationId, documents 200/304/400/500 and If-None-Match`,
            `missing: ${missing.concat(hasInm ? [] : ["If-None-Match"]).concat(op.operationId ? [] : ["operationId"]).join(", ")}`,
          );
        }
        if (statuses.includes("200")) checkGetFormats(p, where, params, op);
      } else if (method === "head") {
        const withBody = statuses.filter((st) => {
          const r = deref(doc, pointerOf(["paths", p, method, "responses", st])).node;
          return r && r.content;
        });
        const want304 = !item.get || hasValidator(p, "get");
        report(
          statuses.includes("200") && statuses.includes("304") === want304 && withBody.length === 0 && Boolean(item.get),
          `${where} mirrors a GET: documents 200${want304 ? " and 304" : " and no 304"}, no bodies`,
          `statuses ${statuses.join(", ")}; with body: ${withBody.join(", ") || "none"}`,
        );
      } else if (method === "options") {
        report(statuses.length === 1 && statuses[0] === "204", `${where} documents only 204 (CORS preflight)`, `has ${statuses.join(", ")}`);
      } else {
        report(statuses.length === 1 && statuses[0] === "405", `${where} documents only 405`, `has ${statuses.join(", ")}`);
      }
    }
  }
  report(ids.size > 0, `${ids.size} operationIds are unique`);
}

// 6. Every parameter is described, exemplified and (query) bounded.
{
  const seen = new Set();
  const all = [];
  for (const name of Object.keys((doc.components && doc.components.parameters) || {})) {
    const ptr = pointerOf(["components", "parameters", name]);
    all.push({ ptr, node: getPointer(doc, ptr) });
    seen.add(ptr);
  }
  for (const t of inlineParams) all.push({ ptr: pointerOf(t), node: getPointer(doc, pointerOf(t)) });
  for (const { ptr, node } of all) {
    const problems = [];
    if (!node || typeof node !== "object") continue;
    if (typeof node.description !== "string" || node.description.trim() === "") problems.push("no description");
    if (!node.schema) problems.push("no schema");
    const hasExample = "example" in node || (node.examples && Object.keys(node.examples).length > 0);
    if (!hasExample) problems.push("no example");
    if (node.schema && node.in === "query") problems.push(...unbounded(node.schema, "schema"));
    report(problems.length === 0, `parameter ${node.in} ${node.name} (${ptr}) has a description, an example${node.in === "query" ? " and limits" : ""}`, problems.join("; "));
  }
}

finish();

// Resolves a schema's $ref chain (local refs only).
function resolveSchema(schema) {
  let s = schema;
  const seen = new Set();
  while (s && typeof s === "object" && typeof s.$ref === "string" && !seen.has(s.$ref)) {
    seen.add(s.$ref);
    s = getPointer(doc, s.$ref.slice(1));
  }
  return s;
}

// What makes a query parameter's schema unbounded; [] when it is bounded.
function unbounded(schema, where) {
  const s = resolveSchema(schema);
  if (!s || typeof s !== "object") return [`${where}: not a schema`];
  if ("enum" in s || "const" in s) return [];
  const types = [].concat(s.type || []);
  const out = [];
  if (types.includes("number") || types.includes("integer")) {
    const lo = "minimum" in s || "exclusiveMinimum" in s;
    const hi = "maximum" in s || "exclusiveMaximum" in s;
    if (!lo || !hi) out.push(`${where}: a number needs minimum and maximum`);
  }
  if (types.includes("string") && !("pattern" in s) && !("maxLength" in s)) {
    out.push(`${where}: a string needs enum, const, pattern or maxLength`);
  }
  if (types.includes("array")) {
    if (!("maxItems" in s)) out.push(`${where}: an array needs maxItems`);
    if (Array.isArray(s.prefixItems)) s.prefixItems.forEach((it, i) => out.push(...unbounded(it, `${where}.prefixItems[${i}]`)));
    if (s.items && s.items !== false) out.push(...unbounded(s.items, `${where}.items`));
  }
  if (types.length === 0) out.push(`${where}: no type`);
  return out;
}

// Whether the operation's 200 documents an ETag (a validator for If-None-Match).
function hasValidator(p, method) {
  const ok200 = deref(doc, pointerOf(["paths", p, method, "responses", "200"])).node;
  return Object.keys((ok200 && ok200.headers) || {}).some((h) => h.toLowerCase() === "etag");
}

function operationParams(item, op) {
  const byKey = new Map();
  for (const prm of (item.parameters || []).concat(op.parameters || [])) {
    const node = prm && prm.$ref ? deref(doc, prm.$ref.slice(1)).node : prm;
    if (node) byKey.set(`${node.in}:${node.name}`, node);
  }
  return [...byKey.values()];
}

function isJsonMedia(mt) {
  return mt === "application/json" || /^application\/[^/]+\+json$/.test(mt);
}

// 7. Formats of a GET's 200, its Vary header, and paging.
function checkGetFormats(p, where, params, op) {
  const ok200 = deref(doc, pointerOf(["paths", p, "get", "responses", "200"]));
  const resp = ok200.node || {};
  const content = resp.content || {};
  const mts = Object.keys(content);
  const headers = Object.keys(resp.headers || {}).map((h) => h.toLowerCase());
  report(headers.includes("vary"), `${where} 200 documents the Vary header`, "no Vary header");

  const shapeProblems = [];
  for (const mt of mts) {
    const s = resolveSchema(content[mt].schema);
    const types = s ? [].concat(s.type || []) : [];
    if (isJsonMedia(mt)) {
      if (types.includes("string")) shapeProblems.push(`${mt} has a string schema`);
    } else if (mt.startsWith("text/")) {
      if (!(types.length === 1 && types[0] === "string")) shapeProblems.push(`${mt} schema is not a plain string`);
    } else if (!(types.length === 1 && types[0] === "string" && s.contentMediaType === mt)) {
      // A binary download (e.g. application/vnd.sqlite3): a string naming its media type.
      shapeProblems.push(`${mt} is neither JSON nor text, nor a string schema with contentMediaType ${mt}`);
    }
  }
  report(shapeProblems.length === 0, `${where} 200: JSON media types have JSON schemas, text/* ones string schemas`, shapeProblems.join("; "));

  const f = params.find((prm) => prm.in === "query" && prm.name === "f");
  const MEDIA = { json: "application/json", geojson: "application/geo+json", csv: "text/csv" };
  if (f) {
    const values = (resolveSchema(f.schema) || {}).enum || [];
    const want = values.map((v) => MEDIA[v] || `(unknown format ${v})`);
    const same = want.length === mts.length && want.every((m) => mts.includes(m));
    report(same, `${where} takes f=${values.join("|")} and its 200 documents exactly ${want.join(", ")}`, `documents ${mts.join(", ")}`);
  } else {
    report(mts.length <= 1, `${where} 200 has one media type (no f parameter)`, `documents ${mts.join(", ")} without f`);
  }

  if (params.some((prm) => prm.in === "query" && prm.name === "cursor")) {
    const hasLimit = params.some((prm) => prm.in === "query" && prm.name === "limit");
    report(hasLimit && headers.includes("link"), `${where} is paged: takes limit and documents Link on its 200`,
      `${hasLimit ? "" : "no limit parameter; "}${headers.includes("link") ? "" : "no Link header"}`);
  }
}
