"""The training page in headless Chromium: XOR and MNIST 5 vs 8 trained in Pyodide and in JavaScript
(two workers) with the page's default settings; the curves agree per epoch within the harness
tolerance, XOR classifies its four rows, MNIST reaches 90% of the test digits; Stop stops; the
page answers while it trains. Screenshots at desktop and phone widths (artifacts/screenshots/)."""

from __future__ import annotations

import numpy as np
import pytest

from python_core.network import Network

pytestmark = pytest.mark.xdist_group("web_train")  # under pytest -n, one worker opens the page once

RTOL, ATOL = 1e-12, 1e-15
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


@pytest.fixture(scope="module")
def train_page(lesson_pages):
    page = lesson_pages.open("/pages/train.html")
    page.wait_for_function("() => document.documentElement.dataset.train === 'idle' && !document.querySelector('#train').disabled")
    yield page
    page.close()


def train_and_wait(page, timeout_s: float = 240) -> dict:
    page.click("#train")
    page.wait_for_function("() => ['done', 'stopped', 'failed'].includes(document.documentElement.dataset.train)",
                           timeout=timeout_s * 1000, polling=200)
    assert page.evaluate("document.documentElement.dataset.train") == "done", page.inner_text("#status")
    return page.evaluate("window.trainingResult")


def test_no_serious_accessibility_violation_after_load(train_page, lesson_pages):
    lesson_pages.assert_accessible(train_page, "training page after load")
    # before any run the heat maps are placeholders that say so, not solid squares
    for name in ("python", "javascript"):
        assert "not trained yet" in train_page.inner_text(f"#heat-{name}-caption")


def test_xor_trains_in_both_runtimes_to_four_correct_rows_with_one_curve(train_page, lesson_pages):
    page = train_page
    page.select_option("#task", "xor")
    settings = {k: page.input_value(f"#{k}") for k in ("hidden", "lr", "epochs")}
    result = train_and_wait(page)
    epochs = int(settings["epochs"])
    assert result["epochs"] == {"python": epochs, "javascript": epochs}
    assert result["accuracy"] == {"python": 1.0, "javascript": 1.0} and result["goalMet"]
    # Independently: python_core natively, same settings and seed, gives the page's outputs
    net = Network([2, int(settings["hidden"]), 1], "sigmoid", "mse", "random_scaled", 1.0, 0)
    losses = net.fit(XOR_X, XOR_Y.reshape(-1, 1), epochs, float(settings["lr"]))
    native = net.predict(XOR_X).ravel()
    for name in ("python", "javascript"):
        outputs = np.array(result[f"{name}Outputs"])
        assert np.array_equal(outputs >= 0.5, XOR_Y == 1)
        assert np.allclose(outputs, native, rtol=1e-9, atol=0)
    assert result["finalLoss"]["python"] == pytest.approx(losses[-1], rel=1e-9)
    p = result["parity"]
    assert p["epochsCompared"] == epochs and p["withinTolerance"] and p["epochsOutsideTolerance"] == 0
    assert p["worstAbsDiff"] <= ATOL + RTOL * float(losses.max())
    assert "4 of 4 rows right" in page.inner_text("#summary")
    assert page.evaluate("document.activeElement.id") == "train"  # kept through the run (aria-disabled)
    # the live region spoke of the run's end, with its outcome, not of each chunk
    assert "Done" in page.inner_text("#announce") and "4 of 4 rows right" in page.inner_text("#announce")
    lesson_pages.assert_accessible(page, "training page after XOR")
    lesson_pages.screenshot(page, "train-xor-desktop")
    lesson_pages.screenshot(page, "train-xor-phone", viewport=lesson_pages.PHONE)


def test_mnist_trains_in_both_runtimes_to_95_percent_with_one_curve(train_page, lesson_pages):
    page = train_page
    page.select_option("#task", "mnist")
    result = train_and_wait(page)
    epochs = int(page.input_value("#epochs"))
    assert result["epochs"] == {"python": epochs, "javascript": epochs}
    assert result["accuracy"]["python"] >= 0.95 and result["accuracy"]["javascript"] >= 0.95 and result["goalMet"]
    assert result["accuracy"]["python"] == result["accuracy"]["javascript"]
    assert result["parity"]["withinTolerance"] and result["parity"]["epochsCompared"] == epochs
    digits = page.eval_on_selector_all(".digit", "cells => cells.map(c => [c.dataset.label, c.className, c.dataset.guess, c.lastChild.textContent])")
    assert len(digits) == 40
    for label, cls, guess, text in digits:  # a mistake is marked as one, and only a mistake
        assert guess in ("5", "8") and text.startswith(f"predicted {guess} {'✓' if guess == label else '✗'}"), text
        assert ("wrong" in cls) == (guess != label)
    assert f"after epoch {epochs}" in page.inner_text("#digits-epoch")
    assert "Test accuracy now" in page.inner_text("#summary")
    lesson_pages.screenshot(page, "train-mnist-desktop")
    lesson_pages.screenshot(page, "train-mnist-phone", viewport=lesson_pages.PHONE)


def test_stop_ends_a_run_and_the_page_keeps_answering(train_page):
    page = train_page
    page.select_option("#task", "xor")
    page.fill("#epochs", "100000")
    page.click("#train")
    page.wait_for_function("() => (window.trainingResult = null, document.documentElement.dataset.train === 'training')")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('epoch') && "
                           "/Python at epoch [1-9]/.test(document.querySelector('#status').textContent)")
    # the page's own thread is free while both workers train: it answers at once, and the button works
    assert page.evaluate("1 + 1") == 2
    page.click("#stop")
    page.wait_for_function("() => document.documentElement.dataset.train === 'stopped'", timeout=60_000)
    result = page.evaluate("window.trainingResult")
    assert 0 < result["epochs"]["python"] < 100000 and result["phase"] == "stopped"
    # Each heat map and table column says which epoch its runtime's weights are from: after a Stop
    # the two runtimes are at different epochs, and each says its own.
    for name in ("python", "javascript"):
        epoch = result["epochs"][name]
        assert page.get_attribute(f"#heat-{name}-caption", "id") and \
            page.evaluate(f"document.getElementById('heat-{name}').closest('figure').dataset.epoch") == str(epoch)
        assert f"after epoch {epoch:,}" in page.inner_text(f"#heat-{name}-caption")
    headers = page.eval_on_selector_all("#xor-rows th[data-epoch]", "ths => ths.map(th => [th.dataset.epoch, th.textContent])")
    assert headers == [[str(result["epochs"][n]), f"{label} (epoch {result['epochs'][n]:,})"]
                       for n, label in (("python", "Python"), ("javascript", "JavaScript"))]
    assert page.get_attribute("#train", "aria-disabled") == "false" and page.get_attribute("#stop", "aria-disabled") == "true"
    assert page.evaluate("document.activeElement.id") == "stop"  # the pressed button kept the focus
    assert page.errors == []


def test_an_embedding_lesson_gets_ready_and_result_and_can_start_a_run(chromium, tmp_path):
    """The embed protocol of the lab and exercise (web_demo/lib/embed.mjs): ready, then a "train"
    command from the parent starts a run and a result event reports it. The pages are built for the
    lesson's origin (build-site --allow-origin): only a lesson origin may drive them."""
    from crosscheck.site.build import build_site
    from crosscheck.site.server import StaticServer

    lesson_root = tmp_path / "lesson"
    lesson_root.mkdir()
    with StaticServer(root=lesson_root, runtime_dir=lesson_root) as lesson:
        build_site(tmp_path / "site", allow_origins=[lesson.url])
        with StaticServer(root=tmp_path / "site", runtime_dir=tmp_path / "site" / "pyodide") as static_server:
            _embed_and_train(chromium, static_server, lesson, lesson_root)


def _embed_and_train(chromium, static_server, lesson, tmp_path):
    (tmp_path / "lesson.html").write_text(f"""<!doctype html><meta charset="utf-8">
<iframe id="train" src="{static_server.url}/pages/index.html?page=train&amp;task=xor&amp;parentOrigin={lesson.url}"
    style="width:1200px;height:900px;border:0"></iframe>
<script>
  window.received = [];
  addEventListener("message", (e) => {{ if (e.origin === "{static_server.url}" && e.data && e.data.source === "dense-parity") received.push(e.data); }});
  window.send = (m) => document.getElementById("train").contentWindow.postMessage(m, "{static_server.url}");
</script>""")
    page = chromium.new_page()
    try:
        page.goto(f"{lesson.url}/lesson.html")
        page.wait_for_function("() => received.some(m => m.type === 'ready')", timeout=180_000, polling=200)
        assert all(m["page"] == "train" for m in page.evaluate("received"))
        page.evaluate("send({type: 'train', settings: {task: 'xor', epochs: 1500}})")
        page.wait_for_function("() => received.some(m => m.type === 'result')", timeout=180_000, polling=200)
        [result] = page.evaluate("received.filter(m => m.type === 'result')")
        assert result["passed"] is True
        details = result["details"]
        assert details["task"] == "xor" and details["epochs"] == {"python": 1500, "javascript": 1500}
        assert details["accuracy"] == {"python": 1.0, "javascript": 1.0} and details["parity"]["withinTolerance"]
        assert not page.evaluate("received.some(m => m.type === 'error')")
    finally:
        page.close()
