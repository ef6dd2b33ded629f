"""Turn untrusted mail HTML into a fragment that is safe to show in the message frame.

The pipeline: cap the input and its nesting depth (``webclient.nesting_depth``), let nh3
(ammonia on html5ever, a spec-compliant HTML parser) parse it and keep only allow-listed
tags and attributes, filter every URL and every style value here (nh3 checks neither CSS
values nor what an image URL would leak), then walk nh3's canonical serialization once to
filter `<style>` blocks, replace blocked images by placeholders and collect the links with
their real targets.

Security caveats: this is one of three layers. The fragment must be shown only through
`frame_document()` inside `<iframe sandbox="allow-popups allow-popups-to-escape-sandbox">`
(never `allow-scripts` or `allow-same-origin`), whose meta Content-Security-Policy forbids
scripts, and the frame should be sent with `Referrer-Policy: no-referrer` (the pages
around it send `same-origin`: no referrer to other sites).

Remote images, when the reader allows them, are kept for https and upgraded from http to
https: plain http would let anyone on the path see and alter what the reader loads, and an
image that only exists over http breaks visibly instead of loading insecurely.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nh3

from webclient.nesting_depth import limit_nesting
from webclient.sanitize_css import filter_style_attribute, filter_stylesheet

MAX_INPUT_CHARS = 2_000_000
"""Longer mail is cut here before parsing and flagged `truncated`; the cut may drop markup."""

MAX_LINK_TEXT_CHARS = 300

FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
"""The `sandbox` attribute value for the message iframe: links may open, nothing may run."""

_CSP_COMMON = (
    "default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; "
    "connect-src 'none'; font-src 'none'; media-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)

FRAME_CSP = f"{_CSP_COMMON}; img-src 'self'"
"""The frame's policy while remote images are blocked: only the app's own cid route loads."""

FRAME_CSP_REMOTE_IMAGES = f"{_CSP_COMMON}; img-src 'self' https:"
"""The frame's policy once the reader allowed remote images for this message."""

FRAME_STYLESHEET = (Path(__file__).parent / "static" / "frame.css").read_text(encoding="utf-8")

_BLOCKED_SRC = "mg-blocked:remote"
# nh3 checks URL schemes before calling the attribute filter, so no input can arrive with
# this scheme; only the filter below produces it, for the placeholder pass to find.

ALLOWED_TAGS: frozenset[str] = frozenset(
    (set(nh3.ALLOWED_TAGS) - {"area", "map"})
    | {"style", "font", "tfoot", "center", "big", "address", "section", "main"}
)

_DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "title", "svg", "math", "template", "iframe", "object", "embed",
        "applet", "frame", "frameset", "noembed", "noframes", "textarea", "select",
        "option", "head",
    }
)

_GENERIC_ATTRIBUTES = {
    "style", "class", "id", "title", "dir", "lang", "align", "valign", "bgcolor",
    "width", "height",
    # kept so that the frame hides what the sender hid, as `display: none` already does,
    # and a reply's quote (webclient.mail.html_text) leaves out what the frame hid
    "hidden",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GENERIC_ATTRIBUTES,
    "a": {"href", "name"},
    "img": {"src", "srcset", "alt", "border", "hspace", "vspace"},
    "table": {"cellpadding", "cellspacing", "border", "background", "summary"},
    "td": {"colspan", "rowspan", "nowrap", "background", "headers", "scope", "abbr"},
    "th": {"colspan", "rowspan", "nowrap", "background", "headers", "scope", "abbr"},
    "tr": {"background"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "bdo": {"dir"},
}

_URL_SCHEMES = {"http", "https", "mailto", "cid"}
_LINK_ATTRIBUTES = {"target": "_blank", "rel": "noopener noreferrer nofollow"}

# What the reporting pass looks for: tags that the main pass drops, by category.
_REPORTED_TAGS: dict[str, str] = {
    "script": "script", "noscript": "script",
    "iframe": "embedded-content", "object": "embedded-content", "embed": "embedded-content",
    "applet": "embedded-content", "frame": "embedded-content",
    "frameset": "embedded-content", "portal": "embedded-content",
    "form": "form", "input": "form", "button": "form", "textarea": "form",
    "select": "form", "option": "form",
    "meta": "meta", "base": "base", "link": "link", "svg": "svg", "math": "math",
    "template": "template",
}
_REPORTED_TAG_RE = re.compile(r"<(" + "|".join(_REPORTED_TAGS) + r")[\s>/]")

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRIPPED_ANYWHERE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_SQUEEZE_TEXT = re.compile(r"[\x00-\x20\x7f]+")
# C0 controls other than the HTML whitespace ones (tab, LF, FF, CR) and NUL (shown as
# U+FFFD). ESC begins an ISO-2022-JP escape sequence: a page read in that charset swallows
# the bytes after it, quotes and `>` included, and so parses attributes the sanitiser
# never saw. No mail needs these characters in its text.
_INVISIBLE_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_SCRIPT_SCHEME_TEXT = re.compile(r"(?:java|vb|live)script:")

# nh3 serializes canonically: start tags are `<name a="v">` with `"` escaped inside values,
# text has `<` escaped, comments are stripped; raw text appears only inside <style>.
_TAG_RE = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'>/=]+(?:="[^"]*")?)*)\s*/?>')
_ATTR_RE = re.compile(r'([^\s"\'>/=]+)(?:="([^"]*)")?')
_STYLE_END_RE = re.compile(r"</style", re.IGNORECASE)

_URL_LIKE_TEXT = re.compile(
    r"^(?:[a-z][a-z0-9+.\-]*://|mailto:)?(?:[^\s/@:]+(?::[^\s/@]*)?@)?"
    r"((?:[\w\-]+\.)+[\w\-]{2,})\.?(?::\d+)?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FrameWords:
    """What the sanitised fragment itself says to the reader, in the reader's language.

    This module knows no request or language; the caller passes the wording, and the
    English defaults serve tests and tools.
    """

    blocked_image: str = "Image"
    blocked_image_title: str = "Remote image blocked"
    unrenderable: str = "This message could not be displayed safely."


ENGLISH = FrameWords()


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """A link in the message: where it really goes and whether its text pretends otherwise.

    `mismatched` is true when the visible text looks like a URL, domain or address of a
    different site than `href`, or when `href` hides a host behind `user@`.
    `punycode_host` is the ASCII (xn--) form of an internationalised host, which may
    imitate another domain with look-alike letters; None for plain ASCII hosts.
    """

    href: str
    text: str
    mismatched: bool
    punycode_host: str | None


@dataclass(frozen=True, slots=True)
class SanitizedHtml:
    """A safe body fragment for the message frame and what was taken out to make it so."""

    html: str
    blocked_remote_images: int
    links: tuple[LinkInfo, ...]
    removed: tuple[str, ...]
    truncated: bool = False


class _Run:
    """Mutable bookkeeping for one sanitize call."""

    __slots__ = ("allow_remote_images", "blocked", "cid_url", "removed", "words")

    def __init__(
        self, *, allow_remote_images: bool, cid_url: Callable[[str], str] | None,
        words: FrameWords = ENGLISH,
    ) -> None:
        self.allow_remote_images = allow_remote_images
        self.cid_url = cid_url
        self.words = words
        self.blocked = 0
        self.removed: set[str] = set()

    def image_url(self, raw: str) -> str | None:
        """Return the URL to load for image reference `raw`, or None to drop it."""
        url = _normalize_url(raw)
        if url is None:
            self.removed.add("unsafe-url")
            return None
        scheme = _scheme(url)
        if scheme == "cid":
            return self._cid(url[4:])
        if scheme in ("http", "https"):
            if not self.allow_remote_images:
                self.blocked += 1
                self.removed.add("remote-image")
                return None
            return "https:" + url[len(scheme) + 1 :]
        self.removed.add(_url_category(scheme))
        return None

    def _cid(self, reference: str) -> str | None:
        """Map a `cid:` reference through the caller's route, if there is one."""
        content_id = urllib.parse.unquote(reference).strip().strip("<>")
        if self.cid_url is None or not content_id:
            self.removed.add("cid-image")
            return None
        try:
            mapped = self.cid_url(content_id)
        except Exception:  # the caller's mapping failing must not break rendering
            self.removed.add("cid-image")
            return None
        if not isinstance(mapped, str) or _scheme(mapped) not in ("", "http", "https"):
            self.removed.add("cid-image")
            return None
        return mapped

    def attribute(self, tag: str, name: str, value: str) -> str | None:
        """Filter one attribute that nh3's allow-list kept (nh3's `attribute_filter`)."""
        if tag == "a" and name in _LINK_ATTRIBUTES:
            return _LINK_ATTRIBUTES[name]  # set by nh3 itself, never taken from the mail
        # nh3 also calls this for URL attributes of elements it is about to drop
        # (`<script src>`, `<embed src>`); those must neither count nor be kept.
        if tag not in ALLOWED_TAGS or (
            name not in _GENERIC_ATTRIBUTES and name not in ALLOWED_ATTRIBUTES.get(tag, ())
        ):
            return None
        if name == "href":
            return self._href(value)
        if name == "src":
            mapped = self.image_url(value)
            if mapped is None and not self.allow_remote_images and _is_remote(value):
                return _BLOCKED_SRC
            return mapped
        if name == "background":
            return self.image_url(value)
        if name == "srcset":
            return self._srcset(value)
        if name == "style":
            filtered = filter_style_attribute(value, image_url=self.image_url)
            self.removed.update(filtered.removed)
            return filtered.css or None
        if _SCRIPT_SCHEME_TEXT.search(_SQUEEZE_TEXT.sub("", value).lower()):
            # Inert here, but an attribute reading like a script URL helps nobody.
            self.removed.add("javascript-url")
            return None
        if name == "class":
            kept = [c for c in value.split() if not c.lower().startswith("mg-")]
            return " ".join(kept) or None
        return value

    def _href(self, value: str) -> str | None:
        """Keep http(s) and mailto link targets; protocol-relative ones become https."""
        url = _normalize_url(value)
        if url is None:
            self.removed.add("unsafe-url")
            return None
        scheme = _scheme(url)
        if scheme in ("http", "https", "mailto"):
            return url
        self.removed.add(_url_category(scheme))
        return None

    def _srcset(self, value: str) -> str | None:
        """Filter every candidate of a `srcset` through the image policy."""
        kept = []
        for candidate in value.split(","):
            parts = candidate.split()
            if not parts:
                continue
            mapped = self.image_url(parts[0])
            if mapped is not None and "," not in mapped and " " not in mapped:
                kept.append(" ".join([mapped, *parts[1:2]]))
        return ", ".join(kept) or None


def sanitize_email_html(
    html_text: str, *, allow_remote_images: bool, cid_url: Callable[[str], str] | None = None,
    words: FrameWords = ENGLISH,
) -> SanitizedHtml:
    """Return a safe fragment of `html_text` for the sandboxed message frame; never raise.

    :param cid_url: maps a Content-ID to the app's URL for that inline part; without it
        `cid:` images are removed.
    :param words: the placeholder and notice wording, in the reader's language.
    """
    try:
        return _sanitize(html_text, allow_remote_images=allow_remote_images, cid_url=cid_url,
                         words=words)
    except Exception:  # last resort: an unexpected failure shows nothing rather than raw mail
        return SanitizedHtml(
            html=f'<p class="mg-unrenderable">{html.escape(words.unrenderable)}</p>',
            blocked_remote_images=0,
            links=(),
            removed=("unrenderable",),
            truncated=False,
        )


def _sanitize(
    html_text: str, *, allow_remote_images: bool, cid_url: Callable[[str], str] | None,
    words: FrameWords,
) -> SanitizedHtml:
    """Do the work of `sanitize_email_html`."""
    if not isinstance(html_text, str):
        html_text = ""
    truncated = len(html_text) > MAX_INPUT_CHARS
    if truncated:
        html_text = html_text[:MAX_INPUT_CHARS]
    html_text = _INVISIBLE_CONTROLS.sub("", html_text.replace("\x00", "\ufffd"))
    run = _Run(allow_remote_images=allow_remote_images, cid_url=cid_url, words=words)
    limited = limit_nesting(html_text)  # the parser's time grows with the square of depth
    if limited.dropped:
        html_text = limited.html
        run.removed.add("deep-nesting")
    run.removed.update(_report_dropped_markup(html_text))
    cleaned = nh3.clean(
        html_text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=run.attribute,
        strip_comments=True,
        link_rel=_LINK_ATTRIBUTES["rel"],
        set_tag_attribute_values={"a": {"target": _LINK_ATTRIBUTES["target"]}},
        url_schemes=set(_URL_SCHEMES),
    )
    body, links = _finish(cleaned, run)
    return SanitizedHtml(
        html=body,
        blocked_remote_images=run.blocked,
        links=tuple(links),
        removed=tuple(sorted(run.removed)),
        truncated=truncated,
    )


def _report_dropped_markup(html_text: str) -> set[str]:
    """Name the categories of markup the main pass will drop, parsing as it does."""
    found: set[str] = set()

    def record(tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            found.add("event-handler")
        elif name in ("href", "src", "action", "formaction", "xlink:href", "data"):
            url = _normalize_url(value)
            scheme = _scheme(url) if url is not None else "unsafe"
            if scheme not in ("", "http", "https", "mailto", "cid"):
                found.add(_url_category(scheme))
        return None

    skeleton = nh3.clean(
        html_text,
        tags=set(_REPORTED_TAGS) | {"a", "img"},
        clean_content_tags=set(),
        attributes={"*": set(), "a": {"href"}, "img": {"src"}, "form": {"action"},
                    "button": {"formaction"}, "input": {"formaction"}, "object": {"data"}},
        generic_attribute_prefixes={"on"},
        attribute_filter=record,
        strip_comments=True,
        link_rel=None,
        url_schemes={"javascript", "vbscript", "livescript", "data", "http", "https",
                     "mailto", "cid", "file", "ftp"},
    )
    found.update(_REPORTED_TAGS[m.group(1)] for m in _REPORTED_TAG_RE.finditer(skeleton))
    return found


def _finish(cleaned: str, run: _Run) -> tuple[str, list[LinkInfo]]:
    """Walk nh3's output once: filter style blocks, add placeholders, collect links."""
    out: list[str] = []
    links: list[LinkInfo] = []
    link_href: str | None = None
    link_text: list[str] = []
    link_start = 0
    pos = 0
    length = len(cleaned)
    while pos < length:
        lt = cleaned.find("<", pos)
        if lt < 0:
            lt = length
        if lt > pos:
            text = cleaned[pos:lt]
            out.append(text)
            if link_href is not None:
                link_text.append(html.unescape(text))
            pos = lt
            continue
        match = _TAG_RE.match(cleaned, pos)
        if match is None:  # not canonical markup: show the character, never interpret it
            out.append("&lt;")
            pos += 1
            continue
        pos = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        attrs = [(a.lower(), html.unescape(v or "")) for a, v in _ATTR_RE.findall(match.group(3))]
        if closing:
            if name == "a" and link_href is not None:
                links.append(_close_link(out, link_start, link_href, link_text))
                link_href, link_text = None, []
            out.append(f"</{name}>")
        elif name == "style":
            end = _STYLE_END_RE.search(cleaned, pos)
            css_end = end.start() if end else length
            filtered = filter_stylesheet(cleaned[pos:css_end], image_url=run.image_url)
            run.removed.update(filtered.removed)
            if filtered.css:
                out.append(f"<style>{filtered.css}</style>")
            close = cleaned.find(">", css_end)
            pos = length if end is None or close < 0 else close + 1
        elif name == "img" and (_BLOCKED_SRC in (v for a, v in attrs if a == "src")):
            alt = next((v for a, v in attrs if a == "alt"), "")
            label = html.escape(alt[:MAX_LINK_TEXT_CHARS].strip() or run.words.blocked_image)
            title = html.escape(run.words.blocked_image_title, quote=True)
            out.append(f'<span class="mg-blocked-image" title="{title}">{label}</span>')
        elif name == "a":
            href = next((v for a, v in attrs if a == "href"), None)
            if href is not None:
                if link_href is not None:
                    links.append(_close_link(out, link_start, link_href, link_text))
                link_href, link_text, link_start = href, [], len(out)
                attrs = [(a, v) for a, v in attrs if a != "title"]
                attrs.append(("title", _display_target(href)))
            out.append(_start_tag(name, attrs))
        else:
            out.append(_start_tag(name, attrs))
    if link_href is not None:
        links.append(_close_link(out, link_start, link_href, link_text))
    return "".join(out), links


_STYLE_ATTRIBUTE = re.compile(r' style="[^"]*"')


def _close_link(out: list[str], start: int, href: str, text: list[str]) -> LinkInfo:
    """Describe the link whose start tag is `out[start]`, marking it if it deceives."""
    info = _link_info(href, "".join(text))
    if info.mismatched or info.punycode_host:
        # Its own style attribute would win over the frame's mark (frame.css), so it goes.
        tag = _STYLE_ATTRIBUTE.sub("", out[start])
        if ' class="' in tag:
            out[start] = tag.replace(' class="', ' class="mg-suspicious-link ', 1)
        else:
            out[start] = tag[:-1] + ' class="mg-suspicious-link">'
    return info


def _start_tag(name: str, attrs: list[tuple[str, str]]) -> str:
    """Serialize a start tag with every value escaped, `<` and `>` included."""
    rendered = "".join(f' {a}="{html.escape(v, quote=True)}"' for a, v in attrs)
    return f"<{name}{rendered}>"


def _normalize_url(raw: str) -> str | None:
    """Normalize a URL as a browser would before reading its scheme; None if hostile.

    Browsers drop leading and trailing C0 controls and spaces and remove tabs and newlines
    anywhere, so `java\\tscript:` is `javascript:`; any other control character is refused.
    A leading `//` (or its backslash spellings) is protocol-relative and becomes https.
    """
    url = _STRIPPED_ANYWHERE.sub("", raw.strip(_C0_AND_SPACE))
    if not url or _CONTROL.search(url):
        return None
    if url[:2].replace("\\", "/") == "//":
        url = "https://" + url[2:].lstrip("/\\")
    scheme = _scheme(url)
    if scheme in ("http", "https"):
        url = scheme + url[len(scheme) :]
        parts = urllib.parse.urlsplit(url.replace("\\", "/"))
        if not parts.hostname:
            return None
    return url


def _scheme(url: str) -> str:
    """Return the lower-case scheme of `url`, or "" for a relative reference."""
    match = _SCHEME_RE.match(url)
    return match.group(1).lower() if match else ""


def _is_remote(raw: str) -> bool:
    """Tell whether an image reference would be fetched from another host."""
    url = _normalize_url(raw)
    return url is not None and _scheme(url) in ("http", "https")


def _url_category(scheme: str) -> str:
    """Name the removal category of a URL with a refused scheme."""
    if scheme in ("javascript", "vbscript", "data"):
        return f"{scheme}-url"
    if scheme == "livescript":
        return "javascript-url"
    return "relative-url" if scheme == "" else "unsafe-url"


def _ascii_host(host: str) -> tuple[str, bool]:
    """Return the ASCII form of `host` and whether any label is internationalised."""
    labels = []
    international = False
    for label in host.lower().rstrip(".").split("."):
        if label.isascii():
            international = international or label.startswith("xn--")
            labels.append(label)
            continue
        international = True
        try:
            labels.append(label.encode("idna").decode("ascii"))
        except UnicodeError:
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
    return ".".join(labels), international


def _host_of(href: str) -> tuple[str | None, bool]:
    """Return the host a link goes to and whether it hides behind `user@`."""
    if _scheme(href) == "mailto":
        address = urllib.parse.unquote(href[7:].split("?", 1)[0].split(",", 1)[0])
        return (address.rsplit("@", 1)[1] if "@" in address else None), False
    try:
        parts = urllib.parse.urlsplit(href.replace("\\", "/"))
        return parts.hostname, "@" in parts.netloc
    except ValueError:
        return None, False


def _same_site(a: str, b: str) -> bool:
    """Tell whether two ASCII hosts are the same or one is a subdomain of the other."""
    a, b = a.removeprefix("www."), b.removeprefix("www.")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _link_info(href: str, text: str) -> LinkInfo:
    """Describe one link: its real target, its text, and whether either deceives."""
    text = " ".join(text.split())[:MAX_LINK_TEXT_CHARS]
    host, has_userinfo = _host_of(href)
    ascii_host, international = _ascii_host(host) if host else ("", False)
    mismatched = has_userinfo
    shown = _URL_LIKE_TEXT.match(text)
    if shown and ascii_host:
        text_host, _ = _ascii_host(shown.group(1))
        mismatched = mismatched or not _same_site(text_host, ascii_host)
    return LinkInfo(
        href=href,
        text=text,
        mismatched=mismatched,
        punycode_host=ascii_host if international else None,
    )


def _display_target(href: str) -> str:
    """Return `href` with its host in ASCII, as the hover title that cannot be spoofed."""
    host, _ = _host_of(href)
    if not host or host.isascii():
        return href
    ascii_host, _ = _ascii_host(host)
    return href.replace(host, ascii_host, 1) if host in href else f"{href} ({ascii_host})"


_LINKIFY_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def text_to_html(text: str) -> str:
    """Render a plain-text body as escaped HTML with http(s) links and its line breaks."""
    if not isinstance(text, str):
        return '<div class="mg-plaintext"></div>'
    text = _INVISIBLE_CONTROLS.sub("", text[:MAX_INPUT_CHARS].replace("\x00", "\ufffd"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces: list[str] = []
    pos = 0
    for match in _LINKIFY_RE.finditer(text):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        start, end = match.start(), match.start() + len(url)
        pieces.append(html.escape(text[pos:start]))
        target = _normalize_url(url)
        if target is None:
            pieces.append(html.escape(url))
        else:
            pieces.append(
                f'<a href="{html.escape(target, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer nofollow" '
                f'title="{html.escape(_display_target(target), quote=True)}">'
                f"{html.escape(url)}</a>"
            )
        pos = end
    pieces.append(html.escape(text[pos:]))
    body = "".join(pieces).replace("\n", "<br>")
    return f'<div class="mg-plaintext">{body}</div>'


def frame_csp(*, allow_remote_images: bool) -> str:
    """Return the Content-Security-Policy for the message frame."""
    return FRAME_CSP_REMOTE_IMAGES if allow_remote_images else FRAME_CSP


def frame_document(body_html: str, *, allow_remote_images: bool) -> str:
    """Wrap a sanitized fragment in the document to put in the frame's `srcdoc`.

    The meta policy comes first so it governs everything after it; the no-referrer meta
    keeps the reader's mailbox URL from reaching image hosts.
    """
    csp = html.escape(frame_csp(allow_remote_images=allow_remote_images), quote=True)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="referrer" content="no-referrer">'
        f"<style>{FRAME_STYLESHEET}</style></head>"
        f'<body class="mg-message">{body_html}</body></html>'
    )
