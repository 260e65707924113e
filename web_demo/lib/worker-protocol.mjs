// The one request loop behind every worker (pyodide-worker.mjs, harness/js-worker.mjs) and every
// Node runtime (crosscheck/runtimes/node/protocol.mjs):
//   in  {id, op, ...}      out {id, ok: true, value} | {id, ok: false, error: {type, message, traceback}}
// An op that is not offered, or that throws, is answered with its error; nothing is left unanswered.
import { errorRecord } from "./error-record.mjs";

export async function answer(ops, request) {
  const { id = null, op } = request || {};
  try {
    if (!Object.hasOwn(ops, op)) throw new Error(`unknown op ${JSON.stringify(op)}`);
    return { id, ok: true, value: await ops[op](request) };
  } catch (err) {
    return { id, ok: false, error: errorRecord(err) };
  }
}

/** In a worker: answer each message posted to it. */
export function serveWorker(ops) {
  self.onmessage = async (event) => postMessage(await answer(ops, event.data));
}
