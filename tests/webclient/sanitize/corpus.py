"""Load the hostile corpus: one message per file, named after the attack it reproduces."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "corpus"
_EXPECT = re.compile(r"<!-- expect: ([^>]*?) -->")


@dataclass(frozen=True, slots=True)
class HostileCase:
    """One hostile message and what sanitizing it must report."""

    name: str
    template: str
    expected_blocked: int | None
    expect_mismatched: bool
    expect_punycode: bool

    def render(self, *, remote_origin: str, remote_http_origin: str) -> str:
        """Fill in the origin that stands for remote image and script hosts."""
        return (
            self.template.replace("{{REMOTE_HTTP}}", remote_http_origin)
            .replace("{{REMOTE_NOSCHEME}}", remote_origin.split(":", 1)[1])
            .replace("{{REMOTE}}", remote_origin)
        )


def load_corpus() -> list[HostileCase]:
    """Return every case in the corpus directory, sorted by name."""
    cases = []
    for path in sorted(CORPUS_DIR.glob("*.html")):
        template = path.read_text(encoding="utf-8")
        match = _EXPECT.search(template)
        words = match.group(1).split() if match else []
        blocked = next((int(w.split("=", 1)[1]) for w in words if w.startswith("blocked=")),
                       None)
        cases.append(
            HostileCase(
                name=path.stem,
                template=template,
                expected_blocked=blocked,
                expect_mismatched="mismatched" in words,
                expect_punycode="punycode" in words,
            )
        )
    return cases
