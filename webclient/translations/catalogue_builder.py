"""Fill and compile one Indonesian catalogue of the web client from its table of wordings.

The web client keeps three catalogue domains: the mail client's ``messages`` (``_``,
``gettext``, ``ngettext``, ``lazy_gettext``, ``_l``), the privacy pages' ``privacy``
(``p_``/``pn_``) and the review pages' ``review`` (``tr``/``ntr``). Each domain's
``indonesian`` module names where its messages are marked (a ``CatalogueSource``) and holds
the table of Indonesian wordings; ``build`` extracts the messages from the code and
templates, refuses when the table lacks any (naming each, so no visible string ships
untranslated), and writes ``id/LC_MESSAGES/<domain>.po`` and the ``.mo`` Flask-Babel loads.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

WEBCLIENT = Path(__file__).resolve().parents[1]
LOCALE = "id"

#: A message id: its text, or its singular and plural for a count-dependent message.
Message = str | tuple[str, str]
#: Its Indonesian wording; a count-dependent message may give one wording for every count.
Wording = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CatalogueSource:
    """One catalogue domain: the calls that mark its messages, the files, where it lives.

    ``method_map`` patterns are relative to the ``webclient`` folder. ``template``, when
    given, also receives the extracted messages as an untranslated ``.pot`` file.
    """

    domain: str
    keywords: Mapping[str, Any]
    method_map: Sequence[tuple[str, str]]
    directory: Path
    template: Path | None = None

    def messages(self) -> list[Message]:
        """Return every message of this domain in the code and templates, first-seen order."""
        found: dict[Message, None] = {}
        for _file, _line, message, _comments, _context in extract_from_dir(
                WEBCLIENT, self.method_map, keywords=dict(self.keywords)):
            key: Message = ((str(message[0]), str(message[1]))
                            if isinstance(message, tuple | list) else message)
            found.setdefault(key, None)
        return list(found)

    def compiled(self) -> Path:
        """Return the path of the compiled catalogue Flask-Babel reads."""
        return self.directory / LOCALE / "LC_MESSAGES" / f"{self.domain}.mo"


def build(source: CatalogueSource, indonesian: Mapping[Message, Wording]) -> int:
    """Write and compile ``source``'s Indonesian catalogue; return 1 naming what is missing.

    Nothing is written when a message has no wording (or a message of one form is given
    several), so a half-translated catalogue never replaces a complete one.
    """
    messages = source.messages()
    problems = [f"no Indonesian translation for: {m!r}" for m in messages if m not in indonesian]
    problems += [f"give one wording, not several, for: {m!r}" for m in messages
                 if isinstance(m, str) and isinstance(indonesian.get(m), tuple)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    catalog = Catalog(locale=LOCALE, domain=source.domain, project="MailGuard", fuzzy=False)
    for message in messages:
        catalog.add(message, _forms(message, indonesian[message], catalog.num_plurals))
    target = source.compiled().parent
    target.mkdir(parents=True, exist_ok=True)
    with open(target / f"{source.domain}.po", "wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, no_location=True)
    with open(source.compiled(), "wb") as handle:
        write_mo(handle, catalog)
    if source.template is not None:
        template = Catalog(domain=source.domain, project="MailGuard", fuzzy=False)
        for message in messages:
            template.add(message)
        with open(source.template, "wb") as handle:
            write_po(handle, template, omit_header=False, sort_output=True, no_location=True)
    print(f"wrote {len(messages)} {source.domain} messages")
    return 0


def _forms(message: Message, wording: Wording, plurals: int) -> Wording:
    """Return ``wording`` with one entry per plural form for a count-dependent message."""
    if isinstance(message, str):
        return wording
    given = (wording,) if isinstance(wording, str) else wording
    # Indonesian does not inflect for number: one wording serves every plural form.
    return tuple(given[min(i, len(given) - 1)] for i in range(plurals))
