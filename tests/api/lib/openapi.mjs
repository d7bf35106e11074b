// Loading api-spec/openapi.yaml and checking values against its schemas.
//
// The whole OpenAPI document is added to one Ajv (JSON Schema 2020-12)
// instance under SPEC_ID, so a schema anywhere in it is compiled by JSON
// pointer and its '#/components/...' $refs resolve against the document.
// Shared by validate-spec.mjs and check-responses.mjs; Node 18 compatible.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import YAML from "yaml";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const Ajv2020 = Ajv2020Module.default || Ajv2020Module;
const addFormats = addFormatsModule.default || addFormatsModule;

export const SPEC_ID = "https://bhxh-geo.invalid/api-spec/openapi.json";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_ROOT = path.resolve(here, "..", "..", "..");
export const DEFAULT_SPEC = path.join(SOURCE_ROOT, "api-spec", "openapi.yaml");

// OpenAPI keywords that may sit inside a Schema Object but are not JSON Schema.
const OPENAPI_SCHEMA_KEYWORDS = ["discriminator", "xml", "externalDocs", "example"];
// The document's paths and components are added to Ajv as a (vacuous) root
// schema, so that JSON pointers into them resolve; these two names must
// then be known keywords. Other top-level fields are left out (the OpenAPI
// meta-schema validates them).
const OPENAPI_ROOT_FIELDS = ["paths", "components"];

// Returns the parsed document (plain JSON data; YAML aliases expanded).
export function loadSpec(file = DEFAULT_SPEC) {
  const text = readFileSync(file, "utf8");
  const doc = YAML.parse(text, { maxAliasCount: -1, prettyErrors: true });
  // Round-trip through JSON so aliased nodes become independent copies.
  return JSON.parse(JSON.stringify(doc));
}

// Returns an Ajv instance that knows the document under SPEC_ID.
// strictSchema makes unknown keywords and formats an error (used by the
// spec validator); response checking can pass { strict: false }.
export function makeAjv(doc, { strict = false } = {}) {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    strictSchema: strict,
    strictNumbers: strict,
    validateFormats: true,
  });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_SCHEMA_KEYWORDS.concat(OPENAPI_ROOT_FIELDS));
  ajv.addSchema({ paths: doc.paths || {}, components: doc.components || {} }, SPEC_ID);
  return ajv;
}

export function escapePointer(token) {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointerOf(tokens) {
  return tokens.map((t) => "/" + escapePointer(t)).join("");
}

// Returns the node at a JSON pointer ("" or "/a/b") in doc, or undefined.
export function getPointer(doc, pointer) {
  if (pointer === "" || pointer === "#") return doc;
  const parts = pointer.replace(/^#/, "").split("/").slice(1);
  let node = doc;
  for (const raw of parts) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

// Follows local $refs ('#/...') from the node at pointer; returns
// { node, pointer } of the final target. Throws on a dangling or remote ref.
export function deref(doc, pointer) {
  const seen = new Set();
  let node = getPointer(doc, pointer);
  while (node && typeof node === "object" && typeof node.$ref === "string") {
    const ref = node.$ref;
    if (!ref.startsWith("#")) throw new Error(`${pointer}: only local $refs are supported, got ${ref}`);
    if (seen.has(ref)) throw new Error(`${pointer}: $ref cycle at ${ref}`);
    seen.add(ref);
    pointer = ref.slice(1);
    node = getPointer(doc, pointer);
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  }
  return { node, pointer };
}

// Returns a compiled Ajv validator for the schema at pointer in the document.
export function validatorAt(ajv, pointer) {
  const v = ajv.getSchema(SPEC_ID + "#" + pointer);
  if (!v) throw new Error(`no schema at ${pointer}`);
  return v;
}

// Formats Ajv errors as one short string.
export function formatErrors(errors) {
  if (!errors || errors.length === 0) return "";
  return errors
    .slice(0, 8)
    .map((e) => {
      let extra = "";
      if (e.params && e.params.additionalProperty) extra = ` '${e.params.additionalProperty}'`;
      else if (e.params && e.params.unevaluatedProperty) extra = ` '${e.params.unevaluatedProperty}'`;
      else if (e.params && e.params.allowedValues) extra = ` ${JSON.stringify(e.params.allowedValues)}`;
      else if (e.params && "allowedValue" in e.params) extra = ` ${JSON.stringify(e.params.allowedValue)}`;
      return `${e.instancePath || "(root)"} ${e.message}${extra}`;
    })
    .join("; ") + (errors.length > 8 ? `; … ${errors.length - 8} more` : "");
}

// Finds the path template of the spec that matches a concrete path.
// Returns { template, params } or null. Literal templates win over ones
// with parameters.
export function matchPath(doc, concretePath) {
  const templates = Object.keys(doc.paths || {});
  templates.sort((a, b) => (a.match(/\{/g) || []).length - (b.match(/\{/g) || []).length);
  for (const template of templates) {
    const names = [];
    const re = new RegExp(
      "^" +
        template
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const m = /^\{([^}]+)\}$/.exec(part);
            if (m) {
              names.push(m[1]);
              return "([^/]+)";
            }
            return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          })
          .join("") +
        "$",
    );
    const m = re.exec(concretePath);
    if (m) {
      const params = {};
      names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { template, params };
    }
  }
  return null;
}
