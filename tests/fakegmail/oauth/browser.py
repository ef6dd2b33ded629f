"""A minimal browser for the consent page: read its form, press a button, follow redirects."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests


@dataclass
class ConsentForm:
    """What the consent page shows: where it posts, its hidden fields, accounts, scopes."""

    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    checked: str | None = None
    scope_words: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form = ConsentForm()
        self._in_scope_item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.form.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self.form.accounts.append(a["value"])
            if "checked" in a:
                self.form.checked = a["value"]
        elif tag == "li" and "title" in a:
            self._in_scope_item = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._in_scope_item = False

    def handle_data(self, data: str) -> None:
        if self._in_scope_item and data.strip():
            self.form.scope_words.append(data.strip())


def read_consent(html: str) -> ConsentForm:
    """Parse the consent page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.form


@dataclass(frozen=True, slots=True)
class Redirect:
    """Where the consent page sent the browser back to, with its query parameters."""

    url: str
    params: dict[str, str]


def open_consent(auth_url: str) -> tuple[requests.Response, ConsentForm]:
    """GET the authorization URL and return the response and its parsed consent form."""
    page = requests.get(auth_url, timeout=10)
    return page, read_consent(page.text)


def press(auth_url: str, action: str, *, account: str | None = None,
          other_email: str | None = None) -> Redirect:
    """Open ``auth_url``, choose ``account`` and press Allow/Cancel; return the redirect."""
    page, form = open_consent(auth_url)
    assert page.status_code == 200, page.text
    data = dict(form.hidden, action=action)
    chosen = account or form.checked
    if chosen:
        data["account"] = chosen
    if other_email:
        data["other_email"] = other_email
    answer = requests.post(urljoin(page.url, form.action), data=data, allow_redirects=False,
                           timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    return Redirect(url=location, params={k: v[0] for k, v in query.items()})
