"""Regenerate the review pages' Indonesian catalogue (run this module with ``python -m``).

Extracts every ``tr``/``ntr`` message of the review pages, the compliance report and the
charts, fills ``id/LC_MESSAGES/review.po`` from the table below and compiles
``review.mo``. A message missing from the table stops the script, so no visible string
ships untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

HERE = Path(__file__).parent
WEBCLIENT = HERE.parents[1]
KEYWORDS = {"tr": None, "ntr": (1, 2)}
METHODS = [("review/**.py", "python"), ("charts.py", "python"),
           ("templates/review/**.html", "jinja2")]

INDONESIAN: dict[str | tuple[str, str], str | tuple[str, ...]] = {
}


def messages() -> set[str | tuple[str, str]]:
    """Return every review message in the code and templates."""
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            WEBCLIENT, METHODS, keywords=KEYWORDS):
        found.add(tuple(message) if isinstance(message, tuple | list) else message)
    return found


def main() -> int:
    """Write and compile the catalogue; return 1 naming untranslated messages."""
    wanted = messages()
    missing = sorted(str(m) for m in wanted if m not in INDONESIAN)
    if missing:
        print("untranslated review messages:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    catalog = Catalog(locale="id", domain="review", project="MailGuard")
    for message in sorted(wanted, key=str):
        translation = INDONESIAN[message]
        catalog.add(message, translation)
    folder = HERE / "id" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "review.po", "wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False)
    with open(folder / "review.mo", "wb") as handle:
        write_mo(handle, catalog)
    print(f"wrote {len(wanted)} review messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
