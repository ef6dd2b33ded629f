"""No input string makes the sanitizer raise or emit anything active."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webclient.sanitize import sanitize_email_html, text_to_html

from .inertness import violations

TAGS = ["script", "img", "a", "svg", "math", "style", "noscript", "p", "div", "table", "td",
        "iframe", "form", "xmp", "title", "textarea", "template", "mglyph", "mtext", "object",
        "base", "meta", "body", "select", "option", "listing", "plaintext", "font"]
ATTRS = ["onerror", "onload", "ONCLICK", "href", "src", "style", "title", "background",
         "srcset", "id", "class", "xlink:href", "formaction", "action", "alt"]
VALUES = ["javascript:alert(1)", "jav&#x09;ascript:alert(1)", "&#106;avascript:x",
          " \x01javascript:x", "JaVaScRiPt:x", "vbscript:x", "data:text/html,x",
          "width:expression(alert(1))", "width:\\65 xpression(1)", "background:url(javascript:x)",
          "x", "https://t.test/a.png", "cid:a", "</style><img src=x onerror=alert(1)>",
          "\"><script>alert(1)</script>", "alert(1)", "position:fixed", "-moz-binding:url(x)",
          "</noscript><img src=x onerror=alert(1)>", "`", "'", "&quot;"]


@st.composite
def tags(draw: st.DrawFn) -> str:
    """Draw one start tag, end tag or text piece of hostile-looking markup."""
    kind = draw(st.integers(0, 5))
    tag = draw(st.sampled_from(TAGS))
    if kind == 0:
        return f"</{tag}>"
    if kind == 1:
        return draw(st.sampled_from(VALUES))
    attrs = draw(st.lists(st.tuples(st.sampled_from(ATTRS), st.sampled_from(VALUES)), max_size=3))
    quote = draw(st.sampled_from(['"', "'", ""]))
    rendered = "".join(f" {a}={quote}{v}{quote}" for a, v in attrs)
    return f"<{tag}{rendered}>"


markup = st.lists(st.one_of(tags(), st.text(max_size=8)), max_size=25).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=markup, remote=st.booleans())
def test_hostile_markup_never_raises_and_comes_out_inert(html: str, remote: bool) -> None:
    result = sanitize_email_html(html, allow_remote_images=remote, cid_url=lambda c: "/cid/x")
    assert violations(result.html, urls_allowed_in_css=remote) == []
    assert result.removed != ("unrenderable",)


@settings(max_examples=200, deadline=None)
@given(html=st.text())
def test_any_text_never_raises_and_comes_out_inert(html: str) -> None:
    result = sanitize_email_html(html, allow_remote_images=False)
    assert violations(result.html) == []
    assert result.removed != ("unrenderable",)


@settings(max_examples=200, deadline=None)
@given(html=markup)
def test_sanitizing_twice_changes_nothing_more(html: str) -> None:
    once = sanitize_email_html(html, allow_remote_images=False, cid_url=lambda c: "/cid/x").html
    twice = sanitize_email_html(once, allow_remote_images=False, cid_url=lambda c: "/cid/x")
    assert violations(twice.html) == []


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_plain_text_never_raises_and_comes_out_inert(text: str) -> None:
    assert violations(text_to_html(text)) == []
