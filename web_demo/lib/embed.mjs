// What a page takes from its URL, and how it talks to a lesson page that embeds it in an iframe.
//
// URL parameters (all optional):
//   page=lab|exercise          which page (index.html forwards to it)
//   activation=sigmoid|relu|tanh|linear
//   case=lesson | saturated | JSON {activation?, weights, biases, inputs, upstream}   the initial case
//   parentOrigin=https://a.example[,https://b.example]   narrows the site's lesson origins (below)
//                              to these; it can never add one (the URL belongs to whoever embeds)
//   timeout=SECONDS            how long learner code may run (exercise; default 10, at most 30)
//
// The lesson origins are fixed when the site is built (site-config.mjs, written by
// `build-site --allow-origin`); with none (development), only the pages' own origin. Events go
// only to them (never to "*"), commands are obeyed only from them, and `serve` sends the same
// list as Content-Security-Policy: frame-ancestors, so other sites cannot frame the pages at all.
//
// Events to the host, each {source: "dense-parity", page, type, ...}:
//   ready                       the page and its Python runtime are up
//   result {passed, details}    a check (exercise) or a run (lab) finished
//   error {message}             the page itself failed (bad URL parameter, runtime failed to load)
//   codeSet                     (exercise) a setCode was applied; the code is not echoed
// No event carries the learner's source code.
// Commands from the host, {type: "check" | "run" | "setCode" | "reset", code?}, are obeyed only from the
// embedding page itself (event.source is window.parent, not a sibling frame or a popup) and only
// from the allowed origins; others are counted and ignored.
import { ACTIVATION_NAMES, LESSON_EXAMPLE, MATRIX_FIELDS, SATURATED_EXAMPLE, cloneCase } from "./cases.mjs";
import { runCase } from "./dense-layer.mjs";
import site from "./site-config.mjs";

export const SOURCE = "dense-parity";
export const MAX_TIMEOUT_S = 30;

export function readParams(search = location.search) {
  const params = new URLSearchParams(search);
  const problems = [];
  let spec = cloneCase(LESSON_EXAMPLE);
  let custom = false;
  const caseText = params.get("case");
  if (caseText === "saturated") {
    spec = cloneCase(SATURATED_EXAMPLE);
    custom = true;
  } else if (caseText && caseText !== "lesson") {
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
  if (!(timeoutS > 0)) {
    problems.push(`URL parameter timeout=${params.get("timeout")} is not a positive number of seconds; using 10`);
    timeoutS = 10;
  } else if (timeoutS > MAX_TIMEOUT_S) {
    problems.push(`URL parameter timeout=${params.get("timeout")} is above the cap of ${MAX_TIMEOUT_S} s; using ${MAX_TIMEOUT_S}`);
    timeoutS = MAX_TIMEOUT_S;
  }
  return { spec, custom, parentOrigins, timeoutS, problems };
}

/** The site's lesson origins (site-config.mjs), or the pages' own origin when none are configured. */
export function lessonOrigins(configured = site.lessonOrigins, own = location.origin) {
  return configured.length ? configured.map((o) => new URL(o).origin) : [own];
}

export class Embed {
  constructor(page, parentOrigins, siteOrigins = lessonOrigins()) {
    this.page = page;
    // The URL may narrow the site's list, never widen it.
    const refused = parentOrigins.filter((o) => !siteOrigins.includes(o));
    this.allowed = parentOrigins.length ? parentOrigins.filter((o) => siteOrigins.includes(o)) : siteOrigins;
    this.embedded = window.parent !== window;
    this.ignored = 0;
    // Who embeds the page, where the browser says (Chromium, Safari: location.ancestorOrigins).
    const ancestors = location.ancestorOrigins;
    this.embedder = this.embedded && ancestors && ancestors.length ? ancestors[0] : null;
    const problems = [];
    if (refused.length) {
      problems.push(`URL parameter parentOrigin: ${refused.join(", ")} ${refused.length === 1 ? "is" : "are"} not among ` +
        `this site's lesson origins (${siteOrigins.join(", ")}); a URL can only narrow them`);
    }
    if (this.embedder && !this.allowed.includes(this.embedder)) {
      problems.push(`This page is embedded by ${this.embedder}, which is not one of its lesson origins ` +
        `(${this.allowed.join(", ") || "none left"}): the embedding page gets no events and its commands are ignored.`);
    }
    this.problem = problems.join(" ") || null;
    this.handlers = {};
    document.documentElement.classList.toggle("embedded", this.embedded);
    window.addEventListener("message", (event) => this._receive(event));
  }

  /** Sends an event to the embedding page; a no-op when the page is not in a frame. */
  post(type, payload = {}) {
    if (!this.embedded) return;
    const message = { source: SOURCE, page: this.page, type, ...payload };
    // Never to "*": the browser delivers each only to a parent of that very origin.
    for (const origin of this.allowed) window.parent.postMessage(message, origin);
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
