"""The pages inside an iframe of a lesson page from another origin: the host receives ready,
result and error events, can drive the exercise, and messages from other origins are ignored."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from crosscheck.site.build import build_site
from crosscheck.site.server import StaticServer

pytestmark = pytest.mark.xdist_group("web_embed")  # under pytest -n, one worker builds the site, opens the lesson once

# Three origins, all on loopback (Chromium lets only a local page frame a local server):
#   the pages                     http://127.0.0.1:<port A>   (the session's static server)
#   the lesson page that embeds   http://127.0.0.1:<port B>   (a second server, for this module)
#   a third party in the lesson   http://localhost:<port B>   (same server, another origin)
#   a sibling frame of the lesson http://127.0.0.1:<port B>   (the lesson's origin, but not the parent)


def host_page(server_url: str, host_origin: str, other_origin: str) -> str:
    # The README's snippet, with the pages' origin filled in, plus a frame from a third origin.
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>A lesson</title></head>
<body style="margin:0;font:15px system-ui;background:#fff">
<h1 style="font-size:1.1rem;margin:.6rem 1rem">Lesson 4: backpropagation through a dense layer</h1>
<iframe id="exercise" src="{server_url}/pages/index.html?page=exercise&amp;activation=sigmoid&amp;timeout=5&amp;parentOrigin={host_origin}"
        style="width:100%;height:900px;border:0" title="DenseLayer exercise"></iframe>
<iframe id="lab" src="{server_url}/pages/index.html?page=lab&amp;activation=softmax&amp;parentOrigin={host_origin}"
        style="width:100%;height:400px;border:0" title="DenseLayer lab"></iframe>
<iframe id="other" src="{other_origin}/other.html" style="display:none"></iframe>
<iframe id="sibling" src="{host_origin}/sibling.html" style="display:none"></iframe>
<script>
  const PAGES = "{server_url}";
  window.received = [];
  window.addEventListener("message", (event) => {{
    if (event.origin !== PAGES || !event.data || event.data.source !== "dense-parity") return;
    window.received.push(event.data);
  }});
  window.send = (frame, message) => document.getElementById(frame).contentWindow.postMessage(message, PAGES);
</script></body></html>"""


OTHER_FRAME = """<!doctype html><script>
  // Posts to the exercise frame (the host's first frame) with "*": the browser delivers it, and the
  // exercise has to ignore it by origin.
  window.poke = (message) => parent.frames[0].postMessage(message, "*");
</script>"""


@pytest.fixture(scope="module")
def lesson_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("lesson-host")
    with StaticServer(root=root, runtime_dir=root) as server:
        server.dir = root
        yield server


@pytest.fixture(scope="module")
def site(lesson_server, tmp_path_factory):
    """The pages built for the lesson's origin (build-site --allow-origin), served with the CSP
    header that `serve` sends for it; `site.bare` serves the same folder without the header, as a
    host that does not set it would."""
    out = tmp_path_factory.mktemp("embed-site") / "site"
    manifest = build_site(out, allow_origins=[lesson_server.url])
    assert manifest["allowOrigins"] == [lesson_server.url]
    headers = {"Content-Security-Policy": manifest["frameAncestors"]}
    with StaticServer(root=out, runtime_dir=out / "pyodide", headers=headers) as server, \
            StaticServer(root=out, runtime_dir=out / "pyodide") as bare:
        server.bare = bare
        yield server


@pytest.fixture(scope="module")
def host(chromium, site, lesson_server):
    root = lesson_server.dir
    other_origin = lesson_server.url.replace("127.0.0.1", "localhost")
    (root / "lesson.html").write_text(host_page(site.url, lesson_server.url, other_origin))
    (root / "other.html").write_text(OTHER_FRAME)
    (root / "sibling.html").write_text(OTHER_FRAME)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.goto(f"{lesson_server.url}/lesson.html")
    page.other_origin = other_origin
    yield page
    page.close()


def events(page, page_name: str, kind: str) -> list[dict]:
    return page.evaluate("([p, t]) => window.received.filter(m => m.page === p && m.type === t)", [page_name, kind])


def wait_event(page, page_name: str, kind: str, count: int = 1, timeout_s: float = 120) -> dict:
    page.wait_for_function("([p, t, n]) => window.received.filter(m => m.page === p && m.type === t).length >= n",
                           arg=[page_name, kind, count], timeout=timeout_s * 1000)
    return events(page, page_name, kind)[count - 1]


def exercise_frame(page):
    return next(f for f in page.frames if "/pages/exercise.html" in f.url)


def test_host_receives_ready_from_both_pages(host):
    ready = wait_event(host, "exercise", "ready")
    assert ready["versions"]["pyodide"] == "0.27.7"
    assert exercise_frame(host).inner_text("#problems") == ""  # embedded by its lesson origin
    wait_event(host, "lab", "ready")
    # index.html?page=… forwarded each frame to its page, with the parameters.
    urls = [f.url for f in host.frames]
    assert any("/pages/exercise.html?activation=sigmoid" in u for u in urls) and any("/pages/lab.html?" in u for u in urls)


def test_lab_reports_its_result_and_the_bad_parameter(host):
    error = wait_event(host, "lab", "error")
    assert "activation=softmax" in error["message"]
    result = wait_event(host, "lab", "result")
    assert result["passed"] is True and result["details"]["verdict"] in ("identical", "agree")
    assert result["details"]["activation"] == "sigmoid"  # the bad value fell back to the lesson's


def test_messages_from_other_origins_are_ignored(host):
    wait_event(host, "exercise", "ready")
    exercise = exercise_frame(host)
    starter = exercise.evaluate("exercise.starter")
    other = next(f for f in host.frames if f.url.startswith(host.other_origin))
    other.evaluate("() => { poke({type: 'setCode', code: 'class DenseLayer: pass'}); poke({type: 'check'}); }")
    exercise.wait_for_function("() => document.documentElement.dataset.ignoredMessages === '2'")
    assert exercise.evaluate("exercise.getCode()") == starter
    # The counter is the page's acknowledgement that it dropped both before acting on either:
    # nothing was checked, so no result can be on its way.
    assert exercise.evaluate("document.documentElement.dataset.exercise") == "idle"
    assert events(host, "exercise", "result") == []


def ignored_count(frame) -> int:
    return int(frame.evaluate("document.documentElement.dataset.ignoredMessages || '0'"))


def test_messages_from_a_frame_that_is_not_the_parent_are_ignored(host):
    """A sibling frame of the lesson's own (allowed) origin passes the origin check, but it is
    not the embedding page: its commands are ignored too."""
    wait_event(host, "exercise", "ready")
    exercise = exercise_frame(host)
    code, ignored, results = exercise.evaluate("exercise.getCode()"), ignored_count(exercise), len(events(host, "exercise", "result"))
    sibling = next(f for f in host.frames if f.url.endswith("/sibling.html"))
    assert sibling.evaluate("location.origin") == host.evaluate("location.origin")
    sibling.evaluate("() => { poke({type: 'setCode', code: 'class DenseLayer: pass'}); poke({type: 'check'}); }")
    exercise.wait_for_function("n => document.documentElement.dataset.ignoredMessages === String(n)", arg=ignored + 2)
    assert exercise.evaluate("exercise.getCode()") == code
    assert exercise.evaluate("document.documentElement.dataset.exercise") == "idle"
    assert len(events(host, "exercise", "result")) == results


def test_a_url_cannot_widen_the_lesson_origins(host, site):
    """parentOrigin can only narrow the site's lesson origins: one it does not have is refused,
    and the page, embedded by an origin no longer in its list, says so."""
    host.evaluate("""url => {
        const frame = Object.assign(document.createElement("iframe"), {id: "unlisted", src: url});
        document.body.append(frame);
    }""", f"{site.url}/pages/lab.html?parentOrigin=https://lessons.example.org")
    try:
        problems = host.frame_locator("#unlisted").locator("#problems")
        expect(problems).to_contain_text("embedded by", timeout=30000)
        host_origin = host.evaluate("location.origin")
        text = problems.inner_text()
        assert "parentOrigin: https://lessons.example.org is not among this site's lesson origins" in text
        assert f"This page is embedded by {host_origin}, which is not one of its lesson origins (none left)" in text
    finally:
        host.evaluate("document.getElementById('unlisted').remove()")


def test_host_drives_the_exercise_and_receives_results(host, lesson_pages):
    wait_event(host, "exercise", "ready")
    exercise = exercise_frame(host)
    starter = exercise.evaluate("exercise.starter")
    solution = (starter.replace('todo("the derivative of the activation")', "self.output * (1 - self.output)")
                .replace('todo("dWeights")', "self.inputs.T @ dZ")
                .replace('todo("dBiases")', "dZ.sum(axis=0, keepdims=True)")
                .replace('todo("dInputs, the gradient passed back")', "dZ @ self.weights.T"))
    host.evaluate("code => { send('exercise', {type: 'setCode', code}); send('exercise', {type: 'check'}); }", solution)
    wait_event(host, "exercise", "codeSet")   # acknowledged, without the code
    assert "code" not in events(host, "exercise", "codeSet")[0]
    result = wait_event(host, "exercise", "result", count=1, timeout_s=60)
    assert result["passed"] is True and result["details"]["kind"] == "pass"
    assert [c["passed"] for c in result["details"]["cases"]] == [True] * 5
    # The viewport only: Chromium does not paint cross-origin frames that are off screen.
    lesson_pages.shots_dir.mkdir(parents=True, exist_ok=True)
    host.screenshot(path=str(lesson_pages.shots_dir / "embed-host-desktop.png"))

    wrong = solution.replace("dZ.sum(axis=0, keepdims=True)", "dZ.mean(axis=0, keepdims=True)")
    host.evaluate("code => { send('exercise', {type: 'setCode', code}); send('exercise', {type: 'check'}); }", wrong)
    result = wait_event(host, "exercise", "result", count=2, timeout_s=60)
    details = result["details"]
    assert result["passed"] is False and details["array"] == "dBiases" and details["element"] == [0, 0]
    assert float(details["values"]["given"]) * 3 == pytest.approx(float(details["values"]["expected"]), rel=1e-12)
    json.dumps(result)  # plain data, nothing a host cannot keep
    assert host.errors == []


def test_events_carry_no_source_code(host):
    """A result names the line and the error, never the learner's code: the lesson page is
    another site, and the code is the learner's."""
    wait_event(host, "exercise", "ready")
    exercise = exercise_frame(host)
    starter = exercise.evaluate("exercise.starter")
    # An exception, so that the page quotes the learner's line (the innermost frame's) under the error.
    secret_line = 'self.dWeights = self.inputs.T @ dZ + 0 * len("my private note") + self.wieghts'
    code = starter.replace('todo("the derivative of the activation")', "self.output * (1 - self.output)") \
                  .replace('self.dWeights = todo("dWeights")', secret_line) \
                  .replace('todo("dBiases")', "dZ.sum(axis=0, keepdims=True)") \
                  .replace('todo("dInputs, the gradient passed back")', "dZ @ self.weights.T")
    count = len(events(host, "exercise", "result"))
    exercise.evaluate("code => exercise.setCode(code)", code)   # the learner's own edit
    host.evaluate("() => send('exercise', {type: 'check'})")
    result = wait_event(host, "exercise", "result", count=count + 1, timeout_s=60)
    assert result["details"]["kind"] == "error" and result["details"]["title"].startswith("AttributeError on line"), result
    assert "my private note" in exercise.inner_text("#feedback")   # the learner sees their line
    assert "my private note" not in json.dumps(result), result      # the host does not
    assert all(k in ("expected", "given") for k in result["details"]["values"])


def test_code_from_the_host_is_not_saved_over_the_learners(host):
    wait_event(host, "exercise", "ready")
    exercise = exercise_frame(host)
    mine = exercise.evaluate("exercise.starter") + "\n# the learner's own work\n"
    exercise.evaluate("code => exercise.setCode(code)", mine)
    exercise.evaluate("() => window.dispatchEvent(new Event('pagehide'))")   # flushes the save
    key = "dense-parity/exercise/backward/sigmoid"
    assert exercise.evaluate("k => localStorage.getItem(k)", key) == mine
    acks = len(events(host, "exercise", "codeSet"))
    host.evaluate("() => send('exercise', {type: 'setCode', code: 'class DenseLayer:\\n    pass\\n'})")
    wait_event(host, "exercise", "codeSet", count=acks + 1)
    assert exercise.evaluate("exercise.getCode()") == "class DenseLayer:\n    pass\n"   # shown
    exercise.evaluate("() => window.dispatchEvent(new Event('pagehide'))")
    assert exercise.evaluate("k => localStorage.getItem(k)", key) == mine   # not saved over the learner's
    acks = len(events(host, "exercise", "codeSet"))
    host.evaluate("() => send('exercise', {type: 'reset'})")
    exercise.wait_for_function("() => exercise.getCode() === exercise.starter")
    exercise.evaluate("() => window.dispatchEvent(new Event('pagehide'))")
    assert exercise.evaluate("k => localStorage.getItem(k)", key) == mine
    # The learner's next edit of their own is saved again.
    exercise.click(".cm-content")
    host.keyboard.press("End")
    host.keyboard.type("  ")
    exercise.wait_for_function("k => localStorage.getItem(k) === exercise.getCode()", arg=key)
    assert exercise.evaluate("exercise.getCode()") not in (mine, exercise.evaluate("exercise.starter"))


def other_site(origin: str, pages: list[tuple[str, str]]) -> str:
    frames = "\n".join(f'<iframe id="{fid}" src="{src}" style="width:100%;height:300px;border:0"></iframe>'
                       for fid, src in pages)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Another site</title></head><body>
{frames}
<script>
  window.received = [];
  window.addEventListener("message", (event) => {{
    if (event.data && event.data.source === "dense-parity") window.received.push(event.data);
  }});
  window.send = (frame, message) => document.getElementById(frame).contentWindow.postMessage(message, "*");
</script></body></html>"""


def test_another_site_cannot_drive_the_exercise_or_hear_from_it(chromium, site, lesson_server, static_server):
    """A site that is not a lesson origin frames the pages (from a host that does not send the CSP
    header), names itself in parentOrigin and asks for a long timeout: its commands are ignored,
    it gets no events, and the timeout is capped. Without parentOrigin, nothing goes to "*"; and
    the development pages (no lesson origins) accept no other origin either."""
    evil = lesson_server.url.replace("127.0.0.1", "localhost")
    bare = site.bare.url
    (lesson_server.dir / "evil.html").write_text(other_site(evil, [
        ("exercise", f"{bare}/pages/exercise.html?parentOrigin={evil}&timeout=600"),
        ("lab", f"{bare}/pages/lab.html"),
        ("dev", f"{static_server.url}/pages/lab.html?parentOrigin={evil}"),
    ]))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{evil}/evil.html")
        frame = lambda fid: next(f for f in page.frames if f.name == fid or f.url == page.eval_on_selector(f"#{fid}", "e => e.src"))  # noqa: E731
        exercise, lab, dev = (frame(fid) for fid in ("exercise", "lab", "dev"))
        for f, state in ((exercise, "python"), (lab, "lab"), (dev, "lab")):
            want = "ready" if state == "python" else "done"
            f.wait_for_function(f"() => document.documentElement.dataset.{state} === '{want}'", timeout=120000)
        problems = exercise.inner_text("#problems")
        assert f"parentOrigin: {evil} is not among this site's lesson origins ({lesson_server.url})" in problems
        assert "timeout=600 is above the cap of 30 s; using 30" in problems
        assert f"parentOrigin: {evil} is not among this site's lesson origins ({static_server.url})" in dev.inner_text("#problems")
        starter = exercise.evaluate("exercise.starter")
        page.evaluate("() => { send('exercise', {type: 'setCode', code: 'import js\\nclass DenseLayer: pass\\n'});"
                      " send('exercise', {type: 'check'}); send('dev', {type: 'run'}); }")
        exercise.wait_for_function("() => document.documentElement.dataset.ignoredMessages === '2'")
        dev.wait_for_function("() => document.documentElement.dataset.ignoredMessages === '1'")
        assert exercise.evaluate("exercise.getCode()") == starter
        assert exercise.evaluate("document.documentElement.dataset.exercise") == "idle"
        assert page.evaluate("window.received") == []   # no ready, result or error, from any of the three
    finally:
        page.close()


def test_the_csp_header_keeps_other_sites_from_framing_the_pages(chromium, site, lesson_server):
    evil = lesson_server.url.replace("127.0.0.1", "localhost")
    (lesson_server.dir / "framer.html").write_text(other_site(evil, [("lab", f"{site.url}/pages/lab.html")]))
    page = chromium.new_page()
    try:
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=30000) as message:
            page.goto(f"{evil}/framer.html")
        assert lesson_server.url in message.value.text
    finally:
        page.close()
