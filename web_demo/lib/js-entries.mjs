// The functions a host may call in the JavaScript reference by name (str → str), for the
// js-chromium worker and the js-node runtime alike: the JavaScript side of python_core/entries.py.
import { probeLibm, runBatch, runtimeVersions } from "./wire.mjs";
import { TRAINING_ENTRIES } from "./network.mjs";
import { runAuthorBatch } from "./author.mjs";
import { runFunctionBatch } from "./functions.mjs";

// author:runBatch runs a course author's bundled layer (author.mjs), functions:runBatch any function of
// their bundled file (functions.mjs); both answer with a promise.
export const ENTRY_POINTS = Object.freeze({
  "wire:runBatch": runBatch, "wire:probeLibm": probeLibm, "author:runBatch": runAuthorBatch,
  "functions:runBatch": runFunctionBatch, ...TRAINING_ENTRIES,
});

export function callEntry(target, argument) {
  if (!Object.hasOwn(ENTRY_POINTS, target)) {
    throw new Error(`${JSON.stringify(target)} is not a JavaScript entry point; known: ${Object.keys(ENTRY_POINTS).join(", ")}`);
  }
  return ENTRY_POINTS[target](argument);
}

export { runtimeVersions };
