// The exercise's Python editor: CodeMirror set up to indent as Python and the lesson's starter do
// (4 spaces, never a tab character, which Python would refuse next to spaces), with the page's
// Check on Ctrl/Cmd+Enter, an accessible name, and a visible line on how to leave it by keyboard
// (the editor keeps Tab for indenting; CodeMirror lets Esc then Tab move focus on).
import {
  EditorView, EditorState, EditorSelection, basicSetup, keymap, python, lintGutter, Prec, indentUnit, indentMore, indentLess,
  HighlightStyle, syntaxHighlighting, defaultHighlightStyle,
} from "../vendor/editor.mjs";

export const INDENT = 4;

/** Tab: with a selection, indent its lines; otherwise spaces up to the next multiple of INDENT. */
function tabSpaces(view) {
  const { state } = view;
  if (state.selection.ranges.some((r) => !r.empty)) return indentMore(view);
  view.dispatch(state.update(state.changeByRange((range) => {
    const column = range.head - state.doc.lineAt(range.head).from;
    const spaces = " ".repeat(INDENT - (column % INDENT));
    return { changes: { from: range.head, insert: spaces }, range: EditorSelection.cursor(range.head + spaces.length) };
  }), { scrollIntoView: true, userEvent: "input" }));
  return true;
}

// CodeMirror's default colours, with the two below 4.5:1 on white (escapes #e40, invalid #f00) darkened.
const DARKER = { "#e40": "#b83200", "#f00": "#c00" };
const highlightStyle = HighlightStyle.define(defaultHighlightStyle.specs.map((spec) =>
  DARKER[spec.color] ? { ...spec, color: DARKER[spec.color] } : spec));

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const CHECK_KEY = isMac ? "Cmd+Enter" : "Ctrl+Enter";

/**
 * The extensions for a Python editor. onCheck runs on Ctrl/Cmd+Enter, ahead of CodeMirror's own
 * binding of that key (which would insert a blank line); label is the editor's accessible name.
 */
export function pythonEditorExtensions({ onCheck, label }) {
  return [
    basicSetup, python(), lintGutter(), syntaxHighlighting(highlightStyle),
    indentUnit.of(" ".repeat(INDENT)), EditorState.tabSize.of(INDENT),
    EditorView.editorAttributes.of({ class: "python-editor" }),
    // (tabindex: a contenteditable is focusable anyway; saying so lets checkers see the scroller is reachable)
    EditorView.contentAttributes.of({ "aria-label": label, "aria-describedby": "editor-keys", tabindex: "0" }),
    Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => { onCheck(); return true; }, preventDefault: true }])),
    keymap.of([{ key: "Tab", run: tabSpaces, shift: indentLess }]),
  ];
}

/** The line under the editor that says which keys do what, in particular how to leave it. */
export function keysNote() {
  const note = document.createElement("p");
  note.id = "editor-keys";
  note.className = "status-line editor-keys";
  note.textContent = `Tab indents by ${INDENT} spaces · ${CHECK_KEY} checks · to leave the editor with the keyboard, press Esc, then Tab.`;
  return note;
}
