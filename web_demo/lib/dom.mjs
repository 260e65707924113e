// A tiny element builder: the pages build their DOM from data, never from HTML strings, so a
// learner's text (code, error messages) can never become markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Shows a list of problems (strings) as warnings in `container`. */
export function showProblems(container, problems) {
  container.replaceChildren(...problems.map((p) => el("div", { class: "message warn", role: "alert" }, p)));
}
