// Bundles an author's JavaScript lesson file (ES module or CommonJS) into one ES module for Node and
// the browser alike, with a source map back to the author's files. "mathjs" (or any package) resolves
// from the author's folder first and then from the harness's node_modules, so a lesson folder with no
// node_modules of its own gets the harness's pinned math.js.
// Usage: node bundle_author.mjs <entry file> <out file> <harness node_modules> [site]   (the entry's text on
// stdin: the text the harness read and hashed, so that an edit of the file meanwhile is not what runs)
// "site": the bundle a static site ships (build-site --js): minified, with no source map, so that it holds
// no path of the building machine (an unminified bundle names each bundled file by its relative path, in
// comments and in CommonJS wrappers); the licences of bundled packages are kept at its end.
// Prints one JSON line: {"ok": true, "packages": {name: version}, "exports": [names]} |
// {"ok": false, "errors": [{text, file, line, column}]}.
// "packages" names the version of every package whose files went into the bundle, read from the
// package.json of the folder esbuild took them from (the author's node_modules or the harness's), so that
// the report names the mathjs that computed the author's results. "exports": a CommonJS file's only
// export is "default" (its names are known when it runs).
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const [entry, outfile, nodeModules, mode] = process.argv.slice(2);
const site = mode === "site";
const { build } = createRequire(join(resolve(nodeModules), "noop.js"))("esbuild");

// {name: version} of each package a bundled file belongs to: the nearest node_modules/<name>[/<scoped>].
function bundledPackages(metafile, workingDir) {
  const packages = {};
  for (const input of Object.keys(metafile.inputs)) {
    const parts = resolve(workingDir, input).split(/[\\/]/);
    const at = parts.lastIndexOf("node_modules");
    if (at < 0 || at + 1 >= parts.length) continue;
    const nameParts = parts[at + 1].startsWith("@") ? parts.slice(at + 1, at + 3) : [parts[at + 1]];
    const manifest = [...parts.slice(0, at + 1), ...nameParts, "package.json"].join("/");
    const name = nameParts.join("/");
    if (name in packages || !existsSync(manifest)) continue;
    try {
      packages[name] = JSON.parse(readFileSync(manifest, "utf8")).version || "unknown";
    } catch {
      packages[name] = "unknown";
    }
  }
  return packages;
}

try {
  const result = await build({
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
    metafile: true,
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => !file.endsWith(".map"));
  console.log(JSON.stringify({ ok: true, packages: bundledPackages(result.metafile, dirname(resolve(entry))),
                               exports: output ? output[1].exports : [] }));
} catch (err) {
  const errors = (err.errors || [{ text: String(err.message || err) }]).map((e) => ({
    text: e.text,
    file: e.location ? resolve(dirname(resolve(entry)), e.location.file) : null,
    line: e.location ? e.location.line : null,
    column: e.location ? e.location.column : null,
  }));
  console.log(JSON.stringify({ ok: false, errors }));
}
