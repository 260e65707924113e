// How every worker and Node process reports an exception to its host: {type, message, traceback},
// the shape python_core.wire gives a Python exception, so a host reads errors from JavaScript and
// from Python alike. It imports nothing, so that a host can report even a module that failed to load.

export function errorRecord(err) {
  // A Python exception from Pyodide surfaces as PythonError whose message is the formatted
  // traceback; its last line is "Type: message".
  if (err && err.type && err.constructor && err.constructor.name === "PythonError") {
    const lines = String(err.message).trim().split("\n");
    const last = lines[lines.length - 1];
    const message = last.startsWith(err.type + ": ") ? last.slice(err.type.length + 2) : last;
    return { type: err.type, message, traceback: err.message };
  }
  return { type: (err && err.name) || "Error", message: String((err && err.message) || err), traceback: (err && err.stack) || "" };
}
