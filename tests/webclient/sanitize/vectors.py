"""Load the vendored public XSS vector lists and check output with a second HTML parser.

`inertness.py` reads a fragment with Python's tokenizer; this module reads it with lxml
(libxml2's HTML parser), so a fragment that one parser misreads still has to pass the
other. C0 control characters, which libxml2 refuses, become U+FFFD first: they are text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html

VECTORS_DIR = Path(__file__).parent / "public_vectors"

ACTIVE_TAGS = frozenset(
    {
        "script", "iframe", "object", "embed", "applet", "form", "input", "button",
        "textarea", "select", "option", "meta", "base", "link", "svg", "math", "template",
        "frame", "frameset", "noscript", "noembed", "noframes", "xmp", "listing",
        "plaintext", "portal", "isindex", "bgsound", "param", "keygen", "image", "animate",
        "set", "handler", "xml",
    }
)
ACTIVE_ATTRIBUTES = frozenset(
    {"srcdoc", "formaction", "action", "xlink:href", "data", "dynsrc", "lowsrc", "poster",
     "http-equiv", "codebase", "datasrc", "folder"}
)
IMAGE_ATTRIBUTES = ("src", "srcset", "background")
CSS_HAZARDS = ("expression(", "@import", "behavior", "-moz-binding", "javascript:",
               "vbscript:", "-o-link")

_SQUEEZE = re.compile(r"[\x00-\x20\x7f\\]+|/\*.*?\*/", re.DOTALL)
_SCRIPT_URL = re.compile(r"(?:java|vb|live)script:")
_LIBXML_REFUSES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CSS_URL = re.compile(r"url\(\"?([^\")]*)")
_APP_IMAGE = "/mail/cid/"


@dataclass(frozen=True, slots=True)
class PublicVector:
    """One vector of a public list: where it comes from and the markup to sanitize."""

    source: str
    id: int
    name: str
    html: str

    @property
    def label(self) -> str:
        """Return `source-id`, the vector's test id."""
        return f"{self.source}-{self.id}"


@dataclass(frozen=True, slots=True)
class VectorSource:
    """One vendored list, as its JSON file describes it."""

    file: str
    title: str
    url: str
    licence: str
    vectors: tuple[PublicVector, ...]


def load_sources() -> list[VectorSource]:
    """Return every vendored list, sorted by file name."""
    sources = []
    for path in sorted(VECTORS_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        key = path.stem.split("-", 1)[0]
        vectors = tuple(
            PublicVector(source=key, id=int(v["id"]), name=v["name"], html=v["html"])
            for v in doc["vectors"]
        )
        sources.append(VectorSource(path.name, doc["source"], doc["url"], doc["licence"],
                                    vectors))
    return sources


def load_vectors() -> list[PublicVector]:
    """Return the vectors of every vendored list, in file order."""
    return [v for source in load_sources() for v in source.vectors]


def _css_findings(where: str, css: str, *, remote_images_allowed: bool) -> list[str]:
    """Name the hazards in one style attribute or block."""
    squeezed = _SQUEEZE.sub("", css).lower()
    found = [f"{where}: {hazard}" for hazard in CSS_HAZARDS if hazard in squeezed]
    for url in _CSS_URL.findall(squeezed):
        if not _allowed_image(url, remote_images_allowed=remote_images_allowed):
            found.append(f"{where}: url({url[:40]})")
    return found


def _allowed_image(url: str, *, remote_images_allowed: bool) -> bool:
    """Tell whether an image URL is one the policy lets the frame load."""
    return url.startswith(_APP_IMAGE) or (remote_images_allowed and url.startswith("https://"))


def findings(fragment: str, *, remote_images_allowed: bool) -> list[str]:
    """Return every way lxml's reading of `fragment` could run script or load unasked."""
    fragment = _LIBXML_REFUSES.sub("\ufffd", fragment)
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ACTIVE_TAGS or ":" in tag:
            found.append(f"element {tag}")
        for name, value in element.attrib.items():
            name = name.lower()
            squeezed = _SQUEEZE.sub("", value).lower()
            if name.startswith("on"):
                found.append(f"handler {tag}[{name}]")
            if name in ACTIVE_ATTRIBUTES or ":" in name:
                found.append(f"attribute {tag}[{name}]")
            if _SCRIPT_URL.search(squeezed):
                found.append(f"script URL {tag}[{name}]")
            if name == "href" and not re.match(r"(https?|mailto):", squeezed):
                found.append(f"link {tag}[href]")
            if name in IMAGE_ATTRIBUTES:
                urls = [c.split()[0] for c in value.split(",") if c.split()] if name == "srcset" \
                    else [value.strip()]
                found.extend(
                    f"image {tag}[{name}]" for u in urls
                    if not _allowed_image(u, remote_images_allowed=remote_images_allowed)
                )
            if name == "style":
                found.extend(_css_findings(f"{tag}[style]", value,
                                           remote_images_allowed=remote_images_allowed))
        if tag == "style":
            css = element.text or ""
            if "<" in css:
                found.append("style block: <")
            found.extend(_css_findings("style block", css,
                                       remote_images_allowed=remote_images_allowed))
    return found
