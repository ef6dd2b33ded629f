"""Load every sanitized hostile message in headless Chromium and watch for any effect.

Each case is shown in four frames of one page: with remote images blocked and allowed,
each both bare (same-origin srcdoc, no sandbox, no policy: the sanitizer alone) and as
production frames it (sandboxed srcdoc with `frame_document`'s Content-Security-Policy).
The detector is layered: alert/confirm/prompt/print replaced in every frame before any
of its scripts, Playwright's dialog event, console capture (which also shows policy
violations), every request the page makes, the requests both loopback servers receive,
and an inspection of the DOM the browser actually built.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from webclient.sanitize import FRAME_SANDBOX, frame_document, sanitize_email_html

from .corpus import HostileCase, load_corpus
from .loopback import RecordingServer, loopback_tls_context

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Any name lookup fails, so nothing can leave the machine even if a test is wrong.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
FRAMES = ("blocked-bare", "blocked-framed", "allowed-bare", "allowed-framed")
CASES = load_corpus()

HOOKS = """
(() => {
  const hit = (kind) => function () {
    const where = window.frameElement ? window.frameElement.id : 'top';
    try { (window.top.__xss = window.top.__xss || []).push(kind + '@' + where); } catch (e) {}
    console.log('__xss ' + kind + '@' + where);
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    try { window[name] = hit(name); } catch (e) {}
  }
})();
"""

INSPECT_DOM = """
() => {
  const bad = [];
  const forbidden = new Set(['script', 'iframe', 'object', 'embed', 'applet', 'form',
    'input', 'button', 'textarea', 'select', 'meta', 'base', 'link', 'svg', 'math',
    'template', 'frame', 'frameset', 'noscript', 'portal']);
  const body = document.body;
  for (const el of body ? body.querySelectorAll('*') : []) {
    const tag = el.localName;
    if (forbidden.has(tag)) bad.push('element ' + tag);
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') bad.push('namespace ' + tag);
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) bad.push('handler ' + tag + '[' + a.name + ']');
      const v = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (/(java|vb|live)script:/.test(v)) bad.push('script url ' + tag + '[' + a.name + ']');
    }
    if (tag === 'a' && el.hasAttribute('href') && !/^(https?|mailto):/.test(el.href)) {
      bad.push('link ' + el.href);
    }
    if (tag === 'a' && el.hasAttribute('href') && el.target !== '_blank') bad.push('target');
    if (tag === 'img' && el.currentSrc && !el.currentSrc.startsWith(window.__allowedImages)
        && !el.currentSrc.includes('/mail/cid/')) {
      bad.push('image ' + el.currentSrc);
    }
    const style = getComputedStyle(el);
    if (['fixed', 'sticky', 'absolute'].includes(style.position)) {
      bad.push('position ' + style.position);
    }
  }
  const base = document.querySelector('base');
  if (base) bad.push('base element');
  return bad;
}
"""

SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@dataclass(frozen=True, slots=True)
class Observation:
    """Everything the detector saw while one page with its frames loaded and settled."""

    executions: tuple[str, ...]
    dialogs: tuple[str, ...]
    console: tuple[str, ...]
    unexpected_requests: tuple[str, ...]
    remote_requests: tuple[str, ...]
    dom_findings: dict[str, list[str]]
    images_loaded: dict[str, int]


@dataclass
class Harness:
    """A Chromium context and two loopback servers: the app, and a remote image host."""

    context: BrowserContext
    app: RecordingServer
    remote: RecordingServer
    pages_made: int = 0

    def remote_base(self, frame_id: str) -> str:
        """Return the remote origin plus a path prefix naming the frame it is used in."""
        return f"{self.remote.origin}/{frame_id}"

    def observe(self, frames: dict[str, str]) -> Observation:
        """Serve a page holding `frames` (id -> iframe tag) and watch it load and settle."""
        self.pages_made += 1
        path = f"/page/{self.pages_made}"
        body = "".join(frames.values())
        self.app.pages[path] = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>frame test</title>'
            f"</head><body>{body}</body></html>"
        ).encode()
        page_url = self.app.origin + path
        remote_before = len(self.remote.seen())
        requests: list[str] = []
        dialogs: list[str] = []
        console: list[str] = []
        page: Page = self.context.new_page()
        page.set_default_timeout(15_000)
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console.append(m.text))

        def on_dialog(dialog: object) -> None:
            dialogs.append(dialog.type)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        try:
            page.goto(page_url, wait_until="load")
            findings: dict[str, list[str]] = {}
            loaded: dict[str, int] = {}
            for frame_id in frames:
                handle = page.query_selector(f"iframe#{frame_id}")
                frame = handle.content_frame() if handle else None
                if frame is None:
                    findings[frame_id] = ["frame missing"]
                    continue
                if frame_id.endswith("bare"):
                    # A sandboxed frame runs no callbacks at all, rAF included.
                    frame.evaluate(SETTLE)
                frame.evaluate(
                    "prefix => { window.__allowedImages = prefix; }",
                    f"{self.remote.origin}/allowed-",
                )
                findings[frame_id] = frame.evaluate(INSPECT_DOM)
                loaded[frame_id] = frame.evaluate(
                    "() => [...document.images].filter(i => i.complete && i.naturalWidth > 0)"
                    ".length"
                )
            executions = page.evaluate("() => window.__xss || []")
        finally:
            page.close()
        allowed = re.compile(
            re.escape(self.app.origin) + r"/(page/\d+|mail/cid/.*)$"
            + "|" + re.escape(self.remote.origin) + r"/allowed-(bare|framed)/img/"
        )
        return Observation(
            executions=tuple(executions),
            dialogs=tuple(dialogs),
            console=tuple(console),
            unexpected_requests=tuple(u for u in requests if not allowed.match(u)),
            remote_requests=tuple(self.remote.seen()[remote_before:]),
            dom_findings=findings,
            images_loaded=loaded,
        )


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Start the servers and Debian's Chromium once for this module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install -y chromium`")
    app, remote = RecordingServer("http"), RecordingServer("https")
    app.start()
    remote.start(tls=loopback_tls_context(tmp_path_factory.mktemp("tls")))
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=CHROMIUM_ARGS
        )
        context = browser.new_context(ignore_https_errors=True)
        context.add_init_script(HOOKS)
        try:
            yield Harness(context=context, app=app, remote=remote)
        finally:
            context.close()
            browser.close()
            app.stop()
            remote.stop()


def _cid(content_id: str) -> str:
    return f"/mail/cid/{content_id}"


def _iframe(frame_id: str, document: str, *, sandboxed: bool) -> str:
    sandbox = f' sandbox="{FRAME_SANDBOX}"' if sandboxed else ""
    srcdoc = html.escape(document, quote=True)
    return f'<iframe id="{frame_id}"{sandbox} srcdoc="{srcdoc}"></iframe>'


def _bare_document(fragment: str) -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{fragment}</body></html>'


def _case_frames(harness: Harness, case: HostileCase) -> dict[str, str]:
    frames = {}
    for frame_id in FRAMES:
        allow = frame_id.startswith("allowed")
        base = harness.remote_base(frame_id)
        source = case.render(remote_origin=base, remote_http_origin=base.replace("https:", "http:"))
        fragment = sanitize_email_html(source, allow_remote_images=allow, cid_url=_cid).html
        if frame_id.endswith("bare"):
            frames[frame_id] = _iframe(frame_id, _bare_document(fragment), sandboxed=False)
        else:
            document = frame_document(fragment, allow_remote_images=allow)
            frames[frame_id] = _iframe(frame_id, document, sandboxed=True)
    return frames


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_message_has_no_effect_in_chromium(harness: Harness, case: HostileCase) -> None:
    seen = harness.observe(_case_frames(harness, case))
    assert seen.executions == ()
    assert seen.dialogs == ()
    assert [m for m in seen.console if "__xss" in m or "Content Security Policy" in m] == []
    assert seen.unexpected_requests == ()
    assert [r for r in seen.remote_requests if not r.startswith("/allowed-")] == []
    assert [r for r in seen.remote_requests if "/img/" not in r] == []
    assert seen.dom_findings["blocked-bare"] == []
    assert seen.dom_findings["allowed-bare"] == []
    if case.expected_blocked:
        assert any(r.startswith("/allowed-framed/img/") for r in seen.remote_requests)
        assert any(r.startswith("/allowed-bare/img/") for r in seen.remote_requests)


def test_with_consent_allowed_images_load_over_https(harness: Harness) -> None:
    base = harness.remote_base("allowed-framed")
    source = (
        f'<img src="{base}/img/a.png"><img src="{base.replace("https:", "http:")}/img/b.png">'
        f'<div style="background:url({base}/img/c.png);width:5px;height:5px"></div>'
    )
    fragment = sanitize_email_html(source, allow_remote_images=True).html
    document = frame_document(fragment, allow_remote_images=True)
    seen = harness.observe({"allowed-framed": _iframe("allowed-framed", document, sandboxed=True)})
    assert sorted(seen.remote_requests) == [
        "/allowed-framed/img/a.png", "/allowed-framed/img/b.png", "/allowed-framed/img/c.png",
    ]
    assert seen.images_loaded["allowed-framed"] == 2
    assert seen.unexpected_requests == ()


def test_cid_images_load_from_the_app_route(harness: Harness) -> None:
    fragment = sanitize_email_html(
        '<img src="cid:logo@x">', allow_remote_images=False, cid_url=_cid
    ).html
    document = frame_document(fragment, allow_remote_images=False)
    before = len(harness.app.seen())
    seen = harness.observe({"blocked-framed": _iframe("blocked-framed", document, sandboxed=True)})
    assert "/mail/cid/logo@x" in harness.app.seen()[before:]
    assert seen.images_loaded["blocked-framed"] == 1
    assert seen.remote_requests == ()


# The detector must be able to fail: unsanitized markup trips each of its layers.


def test_detector_sees_script_run_in_an_unsanitized_frame(harness: Harness) -> None:
    raw = (
        "<img src=/missing.png onerror=alert(1)>"
        "<details open ontoggle=confirm(2)><summary>s</summary>"
    )
    seen = harness.observe({"blocked-bare": _iframe("blocked-bare", _bare_document(raw),
                                                    sandboxed=False)})
    assert "alert@blocked-bare" in seen.executions
    assert "confirm@blocked-bare" in seen.executions
    assert any("__xss alert" in m for m in seen.console)
    assert "handler img[onerror]" in seen.dom_findings["blocked-bare"]


def test_detector_sees_dialogs_the_hooks_miss(harness: Harness) -> None:
    # A fresh about:blank frame has the browser's own alert, not the replaced one.
    raw = (
        "<img src=/missing.png onerror=\"document.body.appendChild("
        "document.createElement('iframe')).contentWindow.alert(1)\">"
    )
    seen = harness.observe({"blocked-bare": _iframe("blocked-bare", _bare_document(raw),
                                                    sandboxed=False)})
    assert seen.dialogs == ("alert",) or seen.executions != ()


def test_detector_sees_remote_loads_and_overlays_in_an_unsanitized_frame(
    harness: Harness,
) -> None:
    raw = (
        f'<img src="{harness.remote_base("blocked-bare")}/img/pixel.gif">'
        '<div style="position:fixed;top:0">fake</div><a href="javascript:void 0">x</a>'
    )
    seen = harness.observe({"blocked-bare": _iframe("blocked-bare", _bare_document(raw),
                                                    sandboxed=False)})
    assert seen.remote_requests == ("/blocked-bare/img/pixel.gif",)
    assert seen.unexpected_requests == (f"{harness.remote.origin}/blocked-bare/img/pixel.gif",)
    assert "position fixed" in seen.dom_findings["blocked-bare"]
    assert any(f.startswith("script url a[href]") for f in seen.dom_findings["blocked-bare"])


def test_frame_policy_alone_blocks_script_and_remote_loads(harness: Harness) -> None:
    raw = f'<script>alert(1)</script><img src="{harness.remote_base("blocked-framed")}/img/p.png">'
    document = frame_document(raw, allow_remote_images=False)
    seen = harness.observe({"blocked-framed": _iframe("blocked-framed", document,
                                                      sandboxed=True)})
    assert seen.executions == () and seen.dialogs == ()
    assert seen.remote_requests == ()
    assert any("Content Security Policy" in m for m in seen.console)
