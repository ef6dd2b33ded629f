"""Check a sanitized fragment the way an attacker would need it to fail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

FORBIDDEN_TAGS = frozenset(
    {
        "script", "iframe", "object", "embed", "applet", "form", "input", "button",
        "textarea", "select", "meta", "base", "link", "svg", "math", "template", "frame",
        "frameset", "noscript", "noembed", "noframes", "xmp", "listing", "plaintext",
    }
)
_SQUEEZE = re.compile(r"[\x00-\x20\x7f\\]+|/\*.*?\*/", re.DOTALL)
_SCRIPT_URL = re.compile(r"(?:java|vb|live)script:")
# Invisible C0 controls; ESC (ISO-2022-JP's escape) would let a page read in that charset
# parse other attributes than the sanitizer saw.
_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a fragment could still act on the reader."""

    where: str
    what: str


class _Collector(HTMLParser):
    """Gather tags, decoded attributes and style text from a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.violations: list[Violation] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.violations.append(Violation(tag, "forbidden element"))
        self._in_style = tag == "style"
        for name, value in attrs:
            squeezed = _SQUEEZE.sub("", value or "").lower()
            if name.startswith("on"):
                self.violations.append(Violation(f"{tag}[{name}]", "event handler"))
            if _SCRIPT_URL.search(squeezed):
                self.violations.append(Violation(f"{tag}[{name}]", "script URL"))
            if name in ("href", "src", "srcset", "background") and "data:" in squeezed:
                self.violations.append(Violation(f"{tag}[{name}]", "data URL"))
            if name == "style":
                for hazard in ("expression(", "url(", "behavior", "-moz-binding"):
                    if hazard in squeezed:
                        self.violations.append(
                            Violation(f"{tag}[{name}]", f"hazardous CSS {hazard}")
                        )

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            squeezed = _SQUEEZE.sub("", data).lower()
            for hazard in ("expression(", "@import", "javascript:", "behavior", "url("):
                if hazard in squeezed:
                    self.violations.append(Violation("style", f"hazardous CSS {hazard}"))


def violations(fragment: str, *, urls_allowed_in_css: bool = False) -> list[Violation]:
    """Return every way `fragment` could execute script or reach out unasked."""
    found: list[Violation] = []
    if "<script" in fragment.lower():
        found.append(Violation("markup", "<script"))
    if _CONTROLS.search(fragment):
        found.append(Violation("markup", "control character"))
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    found.extend(collector.violations)
    if urls_allowed_in_css:
        found = [v for v in found if not (v.what.startswith("hazardous CSS")
                                          and "url(" in v.what)]
    return found
