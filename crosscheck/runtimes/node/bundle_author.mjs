// Bundles an author's JavaScript lesson file (ES module or CommonJS) into one ES module for Node and
// the browser alike, with a source map back to the author's files. "mathjs" (or any package) resolves
// from the author's folder first and then from the harness's node_modules, so a lesson folder with no
// node_modules of its own gets the harness's pinned math.js.
// Usage: node bundle_author.mjs <entry file> <out file> <harness node_modules> [site]   (the entry's text on
// stdin: the text the harness read and hashed, so that an edit of the file meanwhile is not what runs)
// "site": the bundle a static site ships (build-site --js): minified, with no source map, so that it holds
// no path of the building machine (an unminified bundle names each bundled file by its relative path, in
// comments and in CommonJS wrappers); the licences of bundled packages are kept at its end.
// Prints one JSON line: {"ok": true} | {"ok": false, "errors": [{text, file, line, column}]}.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const [entry, outfile, nodeModules, mode] = process.argv.slice(2);
const site = mode === "site";
const { build } = createRequire(join(resolve(nodeModules), "noop.js"))("esbuild");

try {
  await build({
    stdin: { contents: readFileSync(0, "utf8"), resolveDir: dirname(resolve(entry)), sourcefile: resolve(entry),
             loader: "js" },
    absWorkingDir: dirname(resolve(entry)),
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2020",
    nodePaths: [resolve(nodeModules)],
    outfile: resolve(outfile),
    ...(site ? { minify: true, sourcemap: false, legalComments: "eof" } : { sourcemap: "linked" }),
    logLevel: "silent",
  });
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  const errors = (err.errors || [{ text: String(err.message || err) }]).map((e) => ({
    text: e.text,
    file: e.location ? resolve(dirname(resolve(entry)), e.location.file) : null,
    line: e.location ? e.location.line : null,
    column: e.location ? e.location.column : null,
  }));
  console.log(JSON.stringify({ ok: false, errors }));
}
