// Where the Pyodide worker (pyodide-worker.mjs) finds Pyodide, relative to this file.
// This is the offline default: the assembled runtime folder served next to the pages.
// `python -m crosscheck build-site --runtime cdn` writes a different copy of this file into
// the built site (the official CDN for the same Pyodide version, plus the dense-parity wheel
// shipped with the site, because the CDN does not have it).
export default {
  mode: "local",
  indexURL: "../pyodide/",
  // loadPackage names from the runtime's pyodide-lock.json, or wheel URLs relative to this file.
  packages: ["dense-parity"],
};
