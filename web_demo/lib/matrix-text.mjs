// The lab's matrix text fields: text ⇄ rows of numbers, with messages a learner can act on.
// Nothing here throws at the page: every problem comes back as {error} for an inline message.
import { exactText } from "./ulp.mjs";

// A decimal number as people type it (JavaScript's Number() also accepts "0x1f", " ", "Infinity").
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function formatMatrix(rows) {
  return rows.map((row) => row.map(exactText).join(", ")).join("\n");
}

/** Text → {rows} or {error}. Accepts one row per line, or JSON like [[1, 2], [3, 4]]. */
export function parseMatrix(text) {
  const trimmed = text.trim();
  if (!trimmed) return { error: "enter at least one row of numbers" };
  let lines;
  if (trimmed.startsWith("[")) {
    // JSON-ish input: strip the outer bracket pair and read each inner [...] as a row.
    const inner = trimmed.replace(/^\[\s*/, "").replace(/\s*\]$/, "");
    lines = inner.startsWith("[") ? inner.split(/\]\s*,?\s*\[/).map((r) => r.replace(/[[\]]/g, "")) : [inner];
  } else {
    lines = trimmed.split(/\n/).filter((line) => line.trim() !== "");
  }
  const rows = [];
  for (const [i, line] of lines.entries()) {
    const tokens = line.trim().split(/[\s,;]+/).filter(Boolean);
    if (!tokens.length) return { error: `row ${i + 1} is empty` };
    const row = [];
    for (const [j, token] of tokens.entries()) {
      const where = `row ${i + 1}, column ${j + 1}`;
      if (/^[+-]?nan$/i.test(token)) return { error: `${where}: NaN is not allowed, every entry must be a finite number` };
      if (/^[+-]?(inf|infinity)$/i.test(token)) return { error: `${where}: ${token} is not allowed, every entry must be a finite number` };
      if (!NUMBER.test(token)) return { error: `${where}: “${token.slice(0, 24)}” is not a number` };
      const value = Number(token);
      if (!Number.isFinite(value)) return { error: `${where}: ${token} is too large for a float64` };
      row.push(value);
    }
    if (rows.length && row.length !== rows[0].length) {
      return { error: `row ${i + 1} has ${row.length} number${row.length === 1 ? "" : "s"} but row 1 has ${rows[0].length}: every row needs the same count` };
    }
    rows.push(row);
  }
  return { rows };
}

const dims = (rows) => `${rows.length} × ${rows[0].length}`;

/** Shape checks across the fields, given parsed rows; returns {field: message}. */
export function shapeProblems({ weights, biases, inputs, upstream }) {
  const problems = {};
  if (!weights) return problems;
  const nIn = weights.length, nOut = weights[0].length;
  if (biases && (biases.length !== 1 || biases[0].length !== nOut)) {
    problems.biases = `biases must be 1 × ${nOut}: one row, one number per neuron (weights has ${nOut} column${nOut === 1 ? "" : "s"}); got ${dims(biases)}`;
  }
  if (inputs && inputs[0].length !== nIn) {
    problems.inputs = `each row of inputs needs ${nIn} number${nIn === 1 ? "" : "s"}, one per row of weights; got ${inputs[0].length}`;
  }
  if (inputs && upstream && !problems.inputs && (upstream.length !== inputs.length || upstream[0].length !== nOut)) {
    problems.upstream = `the upstream gradient must be ${inputs.length} × ${nOut} (batch × neurons), like the output; got ${dims(upstream)}`;
  }
  return problems;
}
