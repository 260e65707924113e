// Bundles the npm packages the pages import, and python_core/facts.json, into single ES modules under web_demo/vendor/
// (generated, git-ignored), so one file serves both the browser and Node with no import map.
// Run by scripts/setup; add an entry here for each package a page needs.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "web_demo", "vendor");

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
  console.error(`[bundle] web_demo/vendor/${name}.mjs`);
}
