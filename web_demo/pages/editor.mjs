// The exercise's Python editor: CodeMirror set up to indent as Python and the lesson's starter do
// (4 spaces, never a tab character, which Python would refuse next to spaces), with the page's
// Check on Ctrl/Cmd+Enter, an accessible name, and a visible line on how to leave it by keyboard
// (the editor keeps Tab for indenting; CodeMirror lets Esc then Tab move focus on).
import {
  EditorView, EditorState, EditorSelection, basicSetup, keymap, python, lintGutter, Prec, indentUnit, indentMore, indentLess,
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

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const CHECK_KEY = isMac ? "Cmd+Enter" : "Ctrl+Enter";

/**
 * The extensions for a Python editor. onCheck runs on Ctrl/Cmd+Enter, ahead of CodeMirror's own
 * binding of that key (which would insert a blank line); label is the editor's accessible name.
 */
export function pythonEditorExtensions({ onCheck, label }) {
  return [
    basicSetup, python(), lintGutter(),
    indentUnit.of(" ".repeat(INDENT)), EditorState.tabSize.of(INDENT),
    EditorView.editorAttributes.of({ class: "python-editor" }),
    EditorView.contentAttributes.of({ "aria-label": label, "aria-describedby": "editor-keys" }),
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
