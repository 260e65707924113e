// Bundles the npm packages the pages import, and python_core/facts.json, into single ES modules under web_demo/vendor/
// (generated, git-ignored), so one file serves both the browser and Node with no import map.
// Run by scripts/setup (through scripts/bundle-web.mjs) for the checkout, and by the installed harness
// for its per-user cache: node bundle_web.mjs [<root with node_modules/ and python_core/facts.json> [<outdir>]].
// Add an entry here for each package a page needs.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const direct = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
const root = resolve((direct && process.argv[2]) || join(here, "..", ".."));
const outdir = resolve((direct && process.argv[3]) || join(root, "web_demo", "vendor"));
const { build } = createRequire(join(root, "node_modules", "noop.js"))("esbuild");

// name of the output module → its source (ES module text resolved against node_modules)
const ENTRIES = {
  "mathjs": `export { create, all } from "mathjs";`,
  // The exercise page's editor: CodeMirror 6 with Python highlighting, and lint markers to
  // point at the learner's line when their code raises.
  "editor": `export { EditorView, basicSetup } from "codemirror";
export { EditorState } from "@codemirror/state";
export { keymap } from "@codemirror/view";
export { indentWithTab } from "@codemirror/commands";
export { python } from "@codemirror/lang-python";
export { setDiagnostics, lintGutter } from "@codemirror/lint";`,
  // The facts both languages read (python_core/facts.json), as a module the pages and Node import.
  "facts": `export { default } from "./python_core/facts.json";`,
};

mkdirSync(outdir, { recursive: true });
for (const [name, contents] of Object.entries(ENTRIES)) {
  await build({
    stdin: { contents, resolveDir: root, loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2020",
    minify: true,
    legalComments: "linked",
    outfile: join(outdir, `${name}.mjs`),
    logLevel: "warning",
  });
  console.error(`[bundle] ${join(outdir, name)}.mjs`);
}
