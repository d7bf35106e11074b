// Fails clearly, before anything imports them, when the npm packages the
// API tests need are not installed (run `npm ci` at the source root).
// Dependency-free on purpose: it must load when node_modules is missing.

import { createRequire } from "node:module";

const NEEDED = ["@seriousme/openapi-schema-validator", "ajv", "ajv-formats", "yaml"];

export function checkDeps(testName) {
  const require = createRequire(import.meta.url);
  const missing = [];
  for (const name of NEEDED) {
    try {
      // Resolve the package.json: it exists for ESM-only packages too.
      require.resolve(`${name}/package.json`);
    } catch (_) {
      missing.push(name);
    }
  }
  if (missing.length === 0) return;
  console.log(
    `not ok - ${testName}: npm packages missing (${missing.join(", ")}); ` +
      "run `npm ci` in the source root (scripts/test does) and try again",
  );
  console.log("0 passed, 1 failed");
  process.exit(1);
}
