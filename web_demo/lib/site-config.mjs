// The lesson origins that may embed these pages and drive them. This copy is the development
// default: none, so embedding messages are accepted only from the pages' own origin.
// `python -m crosscheck build-site --allow-origin https://lessons.example.org` (repeatable)
// writes the built site's copy, and `serve --root` sends the matching
// Content-Security-Policy: frame-ancestors header. A URL parameter can narrow the list, never widen it.
export default {
  lessonOrigins: [],
};
