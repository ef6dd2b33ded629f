"""Run headless Chromium against loopback servers and watch sanitized mail for any effect.

The detector is layered: alert/confirm/prompt/print replaced in every frame before any of
its scripts, Playwright's dialog event, console capture (which also shows policy
violations), every request the page makes with its resource type, the requests both
loopback servers receive, and an inspection of the DOM the browser actually built.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from webclient.sanitize import FRAME_SANDBOX

from .loopback import RecordingServer, loopback_tls_context

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Any name lookup fails, so nothing can leave the machine even if a test is wrong.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

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

INSPECT_FRAME = f"""
async ([allowedImages, settle]) => {{
  if (settle) await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.__allowedImages = allowedImages;
  const findings = ({INSPECT_DOM})();
  const loaded = [...document.images].filter(i => i.complete && i.naturalWidth > 0).length;
  return [findings, loaded];
}}
"""
"""Settle a frame, then return its DOM findings and how many images loaded, in one call."""


@dataclass(frozen=True, slots=True)
class Observation:
    """Everything the detector saw while one page with its frames loaded and settled."""

    executions: tuple[str, ...]
    dialogs: tuple[str, ...]
    console: tuple[str, ...]
    unexpected_requests: tuple[str, ...]
    request_types: dict[str, str]
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
        request_types: dict[str, str] = {}
        dialogs: list[str] = []
        console: list[str] = []
        page: Page = self.context.new_page()
        page.set_default_timeout(15_000)
        def on_request(request: object) -> None:
            requests.append(request.url)  # type: ignore[attr-defined]
            request_types[request.url] = request.resource_type  # type: ignore[attr-defined]

        page.on("request", on_request)
        page.on("console", lambda m: console.append(m.text))

        def on_dialog(dialog: object) -> None:
            dialogs.append(dialog.type)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        try:
            page.goto(page_url, wait_until="load")
            findings: dict[str, list[str]] = {}
            loaded: dict[str, int] = {}
            by_name = {f.name: f for f in page.frames}
            for frame_id in frames:
                frame = by_name.get(frame_id)
                if frame is None:
                    handle = page.query_selector(f"iframe#{frame_id}")
                    frame = handle.content_frame() if handle else None
                if frame is None:
                    findings[frame_id] = ["frame missing"]
                    continue
                # A sandboxed frame runs no callbacks at all, rAF included: settle bare ones.
                findings[frame_id], loaded[frame_id] = frame.evaluate(
                    INSPECT_FRAME, [f"{self.remote.origin}/allowed-", "bare" in frame_id]
                )
            executions = page.evaluate("() => window.__xss || []")
        finally:
            page.close()
        allowed = re.compile(
            re.escape(self.app.origin) + r"/(page/\d+|mail/cid/.*)$"
            + "|" + re.escape(self.remote.origin) + r"/allowed-(bare|framed)[\w-]*/img/"
        )
        return Observation(
            executions=tuple(executions),
            dialogs=tuple(dialogs),
            console=tuple(console),
            unexpected_requests=tuple(u for u in requests if not allowed.match(u)),
            request_types=request_types,
            remote_requests=tuple(self.remote.seen()[remote_before:]),
            dom_findings=findings,
            images_loaded=loaded,
        )


@contextmanager
def open_harness(tls_dir: Path) -> Iterator[Harness]:
    """Start both loopback servers and Debian's Chromium; stop them all afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install -y chromium`")
    app, remote = RecordingServer("http"), RecordingServer("https")
    app.start()
    remote.start(tls=loopback_tls_context(tls_dir))
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


def iframe(frame_id: str, document: str, *, sandboxed: bool) -> str:
    """Return an iframe tag showing `document` through srcdoc, production-sandboxed or not."""
    sandbox = f' sandbox="{FRAME_SANDBOX}"' if sandboxed else ""
    srcdoc = html.escape(document, quote=True)
    return f'<iframe id="{frame_id}" name="{frame_id}"{sandbox} srcdoc="{srcdoc}"></iframe>'


def bare_document(fragment: str) -> str:
    """Wrap a fragment in a plain document: no sandbox, no policy, the sanitizer alone."""
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{fragment}</body></html>'
