"""The three Indonesian catalogues: committed as the shared builder makes them, every count."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.support import Translations

from webclient.privacy.translations import indonesian as privacy
from webclient.review.translations import indonesian as review
from webclient.translations import indonesian as messages
from webclient.translations.catalogue_builder import CatalogueSource, build

CATALOGUES = [pytest.param(m.SOURCE, m.INDONESIAN, id=m.SOURCE.domain)
              for m in (messages, privacy, review)]


def entries(path: Path) -> dict[object, object]:
    """Return a compiled catalogue's messages and their wordings."""
    catalog = read_mo(io.BytesIO(path.read_bytes()))
    return {m.id if isinstance(m.id, str) else tuple(m.id):
            m.string if isinstance(m.string, str) else tuple(m.string)
            for m in catalog if m.id}


@pytest.mark.parametrize(("source", "table"), CATALOGUES)
def test_the_committed_catalogue_is_what_the_builder_makes(source, table, tmp_path, capsys):
    fresh = dataclasses.replace(source, directory=tmp_path, template=None)
    assert build(fresh, table) == 0
    assert f"wrote {len(source.messages())} {source.domain} messages" in capsys.readouterr().out
    assert entries(fresh.compiled()) == entries(source.compiled()), (
        f"run `python -m webclient.{'' if source.domain == 'messages' else source.domain + '.'}"
        "translations.indonesian` and commit the catalogue")


@pytest.mark.parametrize(("source", "table"), CATALOGUES)
def test_count_dependent_messages_are_indonesian_for_every_count(source, table):
    with open(source.compiled(), "rb") as handle:
        catalogue = Translations(handle, domain=source.domain)
    plural = [m for m in source.messages() if isinstance(m, tuple)]
    assert plural, "each catalogue has count-dependent messages"
    for singular, many in plural:
        for num in (0, 1, 2, 7):
            assert catalogue.ngettext(singular, many, num) not in (singular, many), (
                singular, num)


def test_a_missing_wording_stops_the_build_and_writes_nothing(tmp_path, capsys):
    source = CatalogueSource(domain="privacy", keywords={"p_": None, "pn_": (1, 2)},
                             method_map=[("templates/privacy/**.html", "jinja2")],
                             directory=tmp_path)
    table = dict(privacy.INDONESIAN)
    del table["Privacy centre"]
    assert build(source, table) == 1
    assert "no Indonesian translation for: 'Privacy centre'" in capsys.readouterr().err
    assert not source.compiled().exists()
