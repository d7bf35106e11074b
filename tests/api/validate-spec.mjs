#!/usr/bin/env node
// Validates api-spec/openapi.yaml (or the file given as the first argument):
//  1. against the OpenAPI 3.1 JSON Schema (@seriousme/openapi-schema-validator);
//  2. every local $ref resolves;
//  3. every schema is valid JSON Schema 2020-12 and compiles in Ajv's strict
//     schema mode (unknown keywords and formats are errors);
//  4. every example (media types, parameters, headers) is valid against its
//     schema, so the documentation cannot drift from the contract;
//  5. house rules: unique operationIds; every GET documents 200, 304 and 500
//     and takes If-None-Match; HEAD mirrors a GET with no bodies; OPTIONS is
//     a 204 CORS preflight; every other method documents exactly 405.
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
        const missing = ["200", "304", "500"].filter((s) => !statuses.includes(s));
        const params = (op.parameters || []).map((prm) => (prm.$ref ? deref(doc, prm.$ref.slice(1)).node : prm));
        const hasInm = params.some((prm) => prm && prm.in === "header" && prm.name === "If-None-Match");
        report(
          missing.length === 0 && hasInm && Boolean(op.operationId),
          `${where} has operationId, documents 200/304/500 and If-None-Match`,
          `missing: ${missing.concat(hasInm ? [] : ["If-None-Match"]).concat(op.operationId ? [] : ["operationId"]).join(", ")}`,
        );
      } else if (method === "head") {
        const withBody = statuses.filter((st) => {
          const r = deref(doc, pointerOf(["paths", p, method, "responses", st])).node;
          return r && r.content;
        });
        report(
          statuses.includes("200") && statuses.includes("304") && withBody.length === 0 && Boolean(item.get),
          `${where} mirrors a GET: documents 200 and 304, no bodies`,
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

finish();
