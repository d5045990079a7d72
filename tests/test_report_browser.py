"""The HTML report of a real run in headless Chromium: loads cleanly, offline, every chart drawn, data inert.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: file
descriptors 3 and 4, NUL-separated JSON), so no websocket client is needed. The page reports
console messages, exceptions, log entries and every network request it starts; a control page
that does make a request and log an error proves the harness would see them.

One real run per modality (tabular with both approaches, so the verdict box compares them; image,
audio and text with the primary approach, one trial) is opened and checked: the verdict box, the
table of contents (every link lands on an element), every chart drawn, no console error, no request.

Skipped where Debian's ``chromium`` is not installed (``.ci/run`` installs it when it can). The
screenshots are written beside each report as ``report.png``; with ``AUTOML_DOCS_SCREENSHOT=1`` the
tabular one is also copied to ``docs/images/report.png`` (the README's picture).
"""

from __future__ import annotations

import base64
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package chromium) not installed"),
    pytest.mark.slow,  # five real fits (one with a network) and eight browser starts: about 90 s on 2 cores
]

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
         "--disable-background-networking", "--disable-extensions", "--mute-audio", "--hide-scrollbars"]
PROBE = """JSON.stringify({
  svgs: [...document.querySelectorAll("figure svg")].map(s => {
    const b = s.getBoundingClientRect();
    return {width: b.width, height: b.height,
            marks: s.querySelectorAll("rect,circle,polyline,polygon,line,text").length};
  }),
  figures: document.querySelectorAll("figure").length,
  missing: document.querySelectorAll("figure .missing").length,
  scripts: document.getElementsByTagName("script").length,
  text: document.body.innerText,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
})"""


PAGE = """JSON.stringify({
  verdict: (document.querySelector("section.verdict") || {innerText: ""}).innerText.trim(),
  keys: document.querySelectorAll("section.verdict dl.keys > div").length,
  toc: [...document.querySelectorAll("nav.toc a")].map(a => a.getAttribute("href")),
  landed: [...document.querySelectorAll("nav.toc a")]
    .filter(a => document.getElementById(a.getAttribute("href").slice(1))).length,
  svgs: [...document.querySelectorAll("svg")].map(s => {
    const b = s.getBoundingClientRect();
    const marks = [...s.querySelectorAll("path,rect,circle,polyline,polygon,line")]
      .filter(m => m.parentNode === s && !(m.tagName === "rect" && m.getAttribute("fill") === "#ffffff"
                                           && m.getAttribute("x") === null));
    return {cls: s.getAttribute("class"), id: s.getAttribute("aria-labelledby"), width: b.width, height: b.height,
            marks: marks.length};
  }),
  figures: document.querySelectorAll("figure").length,
  missing: [...document.querySelectorAll("figure .missing")].map(m => m.innerText),
})"""


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe."""

    def __init__(self, profile: Path, width: int = 1200, height: int = 900):
        cmd_read, self._write = os.pipe()
        self._read, res_write = os.pipe()

        def fds() -> None:  # in the child: commands on fd 3, replies on fd 4
            a, b = os.dup(cmd_read), os.dup(res_write)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=fds,
            pass_fds=(3, 4))
        os.close(cmd_read)
        os.close(res_write)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, session: bool = False, timeout: float = 30, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._next(timeout)
            if reply.get("id") == self._id:
                assert "error" not in reply, (method, reply["error"])
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._next(timeout))
        return next(e for e in self.events if e.get("method") == method)

    def open(self, path: Path) -> None:
        self.call("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # late console messages and requests
        self.call("Runtime.evaluate", session=True, expression="1")  # drains what arrived meanwhile

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)["result"]["value"]

    def problems(self) -> list[str]:
        """Console messages, uncaught exceptions, error/warning log entries and dialogs (e.g. alert)."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled":
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown" or method == "Page.javascriptDialogOpening":
                found.append(f"{method}: {json.dumps(params)[:300]}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['level']}: {params['entry']['text']}")
        return found

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (AssertionError, OSError, TimeoutError, EOFError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)

    def _next(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 16)
                if not chunk:
                    raise EOFError("Chromium closed the pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)


@pytest.fixture
def browser(tmp_path):
    tools = DevTools(tmp_path / "profile")
    yield tools
    tools.close()


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    """A real run on wine.csv with one column and one class renamed to ``<script>alert(1)</script>``."""
    folder = tmp_path_factory.mktemp("browser")
    frame = pd.read_csv(REPO / "data" / "wine.csv").rename(columns={"alcohol": SCRIPT})
    frame["cultivar"] = frame["cultivar"].replace({"class_0": SCRIPT})
    data = folder / "hostile.csv"
    frame.to_csv(data, index=False)
    result = CliRunner().invoke(main, ["fit", str(data), "--budget", "10s", "--no-compare", "--max-trials", "2",
                                       "--out", str(folder / "runs"), "--quiet"])
    assert result.exit_code == 0, (result.output, result.exception)
    return next((folder / "runs").iterdir()) / "report.html"


def test_the_harness_sees_requests_and_console_errors(browser, tmp_path):
    page = tmp_path / "control.html"
    page.write_text('<!doctype html><img src="http://127.0.0.1:9/x.png"><script>console.error("seen")</script>')
    browser.open(page)
    assert any(url.startswith("http://127.0.0.1:9/") for url in browser.requests())
    assert any("seen" in p for p in browser.problems())


def test_report_loads_offline_without_errors_and_draws_every_chart(browser, hostile_report):
    browser.open(hostile_report)
    assert browser.problems() == []
    assert browser.requests() == [hostile_report.resolve().as_uri()]  # the file itself, nothing else
    page = json.loads(browser.evaluate(PROBE))
    assert page["figures"] == len(page["svgs"]) + page["missing"]
    assert len(page["svgs"]) >= 8  # anytime, trials, cost, confusion, per-class, ROC, PR, calibration (+ importance,
    # which a busy machine can cut to no column within its time limit)
    for svg in page["svgs"]:
        assert svg["width"] > 100 and svg["height"] > 60 and svg["marks"] > 10, svg  # one bar: 100 px tall

    shot = base64.b64decode(browser.call("Page.captureScreenshot", session=True, format="png",
                                         captureBeyondViewport=True)["data"])
    screenshot = hostile_report.with_name("report.png")
    screenshot.write_bytes(shot)
    from PIL import Image

    image = Image.open(io.BytesIO(shot)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert image.height > 2000 and len(colours) > 50  # a long page, not a blank one
    assert any(rgb == (0x00, 0x72, 0xB2) for _, rgb in colours)  # the Okabe-Ito blue of the charts

    pdf = base64.b64decode(browser.call("Page.printToPDF", session=True)["data"])
    assert pdf.startswith(b"%PDF")


def test_column_and_class_named_script_stay_inert_text(browser, hostile_report):
    html = hostile_report.read_text()
    assert SCRIPT not in html
    browser.open(hostile_report)
    page = json.loads(browser.evaluate(PROBE))
    assert page["scripts"] == 0
    assert SCRIPT in page["text"]  # shown as text, escaped in the source
    assert not any(e.get("method") == "Page.javascriptDialogOpening" for e in browser.events)


def test_report_fits_a_phone_screen(tmp_path, hostile_report):
    phone = DevTools(tmp_path / "phone", width=390, height=844)
    try:
        phone.call("Emulation.setDeviceMetricsOverride", session=True, width=390, height=844,
                   deviceScaleFactor=2, mobile=True)
        phone.open(hostile_report)
        page = json.loads(phone.evaluate(PROBE))
        assert page["overflow"] <= 1  # wide tables scroll inside their box; the page itself does not
        assert all(svg["width"] <= 390 for svg in page["svgs"])
    finally:
        phone.close()


# --------------------------------------------------------------------------- a real run on each modality


def _fit(data: Path, out: Path, *options: str) -> Path:
    result = CliRunner().invoke(main, ["fit", str(data), "--budget", "90s", "--max-trials", "1", "--max-epochs", "1",
                                       "--out", str(out), "--quiet", *options])
    assert result.exit_code == 0, (result.output, result.exception)
    return next(out.iterdir())


@pytest.fixture(scope="module")
def modality_runs(tmp_path_factory) -> dict[str, Path]:
    """Run directories, one per modality: wine with both approaches; tiny images (a folder), clips and
    reviews with the primary approach only."""
    from synthetic import labelled, make_folder, reviews

    root = tmp_path_factory.mktemp("modalities")
    runs = {"tabular": _fit(REPO / "data" / "wine.csv", root / "tabular")}
    images = make_folder(root / "images", per_class=12)
    runs["image"] = _fit(images, root / "image", "--no-compare")
    clips, target = labelled("audio", "binary", root / "clips", n=40)
    runs["audio"] = _fit(clips, root / "audio", "--no-compare", "--target", target)
    text = root / "reviews.csv"
    reviews(80).to_csv(text, index=False)
    runs["text"] = _fit(text, root / "text", "--no-compare", "--target", "label")
    return runs


@pytest.mark.parametrize("modality", ["tabular", "image", "audio", "text"])
def test_report_of_each_modality_reads_cleanly_in_a_browser(modality, modality_runs, tmp_path):
    run = modality_runs[modality]
    report = run / "report.html"
    tools = DevTools(tmp_path / "profile", width=1200, height=1500)
    try:
        tools.call("Emulation.setDeviceMetricsOverride", session=True, width=1200, height=1500, deviceScaleFactor=1,
                   mobile=False)  # the screenshot: verdict to first charts, small enough for the README
        tools.open(report)
        assert tools.problems() == []
        assert tools.requests() == [report.resolve().as_uri()]  # offline: the file itself, nothing else
        page = json.loads(tools.evaluate(PAGE))
        shot = base64.b64decode(tools.call("Page.captureScreenshot", session=True, format="png")["data"])
    finally:
        tools.close()
    (run / "report.png").write_bytes(shot)

    assert len(page["verdict"]) > 40, page["verdict"]
    if modality == "tabular":  # both approaches: the box compares them
        assert page["keys"] == 4 and "deep network" in page["verdict"]
    assert page["toc"] == ["#verdict", "#leaderboard", "#use", "#charts", "#costs", "#trail", "#profile", "#hardware"]
    assert page["landed"] == len(page["toc"])
    charts = [s for s in page["svgs"] if s["cls"] == "chart"]
    assert len(charts) == page["figures"] - len(page["missing"]) >= 8  # trials, cost, confusion, ROC, PR, ...
    for svg in page["svgs"]:
        assert svg["width"] > 20 and svg["height"] > 10 and svg["marks"] >= (3 if svg["cls"] == "chart" else 1), svg
    assert {s["id"].split("-title")[0] for s in charts} >= {"trials", "roc", "precision_recall", "calibration"}
    if modality == "tabular":
        assert sum(s["cls"] == "spark" for s in page["svgs"]) == 13  # a histogram per numeric column
        from PIL import Image

        image = Image.open(io.BytesIO(shot))
        assert image.size == (1200, 1500) and len(shot) < 300_000
        if os.environ.get("AUTOML_DOCS_SCREENSHOT") == "1":
            (REPO / "docs" / "images").mkdir(exist_ok=True)
            (REPO / "docs" / "images" / "report.png").write_bytes(shot)
