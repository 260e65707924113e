// What a page takes from its URL, and how it talks to a lesson page that embeds it in an iframe.
//
// URL parameters (all optional):
//   page=lab|exercise          which page (index.html forwards to it)
//   activation=sigmoid|relu|tanh|linear
//   case=lesson | JSON {activation?, weights, biases, inputs, upstream}   the initial case
//   parentOrigin=https://a.example[,https://b.example]   origins the events go to and commands come from
//                              (the URL belongs to whoever embeds the page, so this does not stop
//                              anyone embedding it: only the server can, with CSP frame-ancestors)
//   timeout=SECONDS            how long learner code may run (exercise; default 10)
//
// Events to the host, each {source: "dense-parity", page, type, ...}:
//   ready                       the page and its Python runtime are up
//   result {passed, details}    a check (exercise) or a run (lab) finished
//   error {message}             the page itself failed (bad URL parameter, runtime failed to load)
// Commands from the host, {type: "check" | "run" | "setCode", code?}, are obeyed only from the
// embedding page itself (event.source is window.parent, not a sibling frame or a popup) and only
// from the allowed origins (same origin when none are given); others are counted and ignored.
import { ACTIVATION_NAMES, LESSON_EXAMPLE, MATRIX_FIELDS, cloneCase } from "./cases.mjs";
import { runCase } from "./dense-layer.mjs";

export const SOURCE = "dense-parity";

export function readParams(search = location.search) {
  const params = new URLSearchParams(search);
  const problems = [];
  let spec = cloneCase(LESSON_EXAMPLE);
  let custom = false;
  const caseText = params.get("case");
  if (caseText && caseText !== "lesson") {
    try {
      const given = JSON.parse(caseText);
      const missing = MATRIX_FIELDS.filter((f) => !Array.isArray(given && given[f]));
      if (missing.length) throw new Error(`missing ${missing.join(", ")}`);
      const candidate = { activation: given.activation || spec.activation, ...Object.fromEntries(MATRIX_FIELDS.map((f) => [f, given[f]])) };
      runCase(candidate);   // the reference's own checks: shapes that fit, finite numbers
      spec = candidate;
      custom = true;
    } catch (err) {
      problems.push(`URL parameter case is not a usable case (${err.message}); showing the lesson example instead`);
    }
  }
  const activation = params.get("activation");
  if (activation) {
    if (ACTIVATION_NAMES.includes(activation.toLowerCase())) spec.activation = activation.toLowerCase();
    else problems.push(`URL parameter activation=${activation} is not one of ${ACTIVATION_NAMES.join(", ")}; using ${spec.activation}`);
  }
  const origins = (params.get("parentOrigin") || params.get("origin") || "")
    .split(",").map((o) => o.trim()).filter(Boolean);
  const parentOrigins = [];
  for (const origin of origins) {
    try {
      const parsed = new URL(origin).origin;
      if (parsed === "null") throw new Error();
      parentOrigins.push(parsed);
    } catch {
      problems.push(`URL parameter parentOrigin: ${origin} is not an origin like https://lessons.example.org`);
    }
  }
  let timeoutS = Number(params.get("timeout") || 10);
  if (!(timeoutS > 0 && timeoutS <= 600)) {
    problems.push(`URL parameter timeout=${params.get("timeout")} is not a number of seconds in (0, 600]; using 10`);
    timeoutS = 10;
  }
  return { spec, custom, parentOrigins, timeoutS, problems };
}

export class Embed {
  constructor(page, parentOrigins) {
    this.page = page;
    this.allowed = parentOrigins.length ? parentOrigins : [location.origin];
    this.explicit = parentOrigins.length > 0;
    this.embedded = window.parent !== window;
    this.ignored = 0;
    // Who embeds the page, where the browser says (Chromium, Safari: location.ancestorOrigins).
    // Only a notice: events already go only to the listed origins, and commands come only from them.
    const ancestors = location.ancestorOrigins;
    this.embedder = this.embedded && ancestors && ancestors.length ? ancestors[0] : null;
    this.problem = this.explicit && this.embedder && !this.allowed.includes(this.embedder)
      ? `This page is embedded by ${this.embedder}, which its parentOrigin parameter does not list ` +
        `(${this.allowed.join(", ")}): the embedding page gets no events and its commands are ignored.`
      : null;
    this.handlers = {};
    document.documentElement.classList.toggle("embedded", this.embedded);
    window.addEventListener("message", (event) => this._receive(event));
  }

  /** Sends an event to the embedding page; a no-op when the page is not in a frame. */
  post(type, payload = {}) {
    if (!this.embedded) return;
    const message = { source: SOURCE, page: this.page, type, ...payload };
    // With an allow-list the browser delivers only to a parent of a listed origin. Without one
    // the events (results of the learner's own work, nothing secret) go to whichever page embeds.
    for (const origin of this.explicit ? this.allowed : ["*"]) window.parent.postMessage(message, origin);
  }

  on(type, handler) {
    this.handlers[type] = handler;
  }

  _receive(event) {
    const data = event.data;
    if (!data || typeof data !== "object" || data.source === SOURCE) return;
    // The origin alone is not enough: a sibling frame or a popup of an allowed origin is not the host.
    const fromParent = event.source === window.parent;
    if (!fromParent || !this.allowed.includes(event.origin)) {
      this.ignored += 1;
      document.documentElement.dataset.ignoredMessages = String(this.ignored);
      const why = fromParent ? `allowed: ${this.allowed.join(", ")}` : "not from the embedding page";
      console.info(`dense-parity: ignored a message from ${event.origin} (${why})`);
      return;
    }
    const handler = this.handlers[data.type];
    if (handler) handler(data);
  }
}
