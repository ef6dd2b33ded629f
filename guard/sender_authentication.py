"""Tell whether Gmail authenticated a message as sent by the domain its From names.

Anyone can write any From address. Gmail checks SPF, DKIM and DMARC when it receives a
message and records the outcome in an ``Authentication-Results`` header (RFC 8601) that it
adds on top of the message's headers, naming itself (``mx.google.com``). Only that header
is read: the topmost one, and only when Gmail wrote it; headers further down were written
by the sender or by servers on the way and prove nothing.

The From domain counts as authenticated when DMARC passed for it (``dmarc=pass`` with
``header.from`` that domain), or when DKIM or SPF passed for a domain aligned with it
(the same domain, or one a subdomain of the other, as DMARC's relaxed alignment has it).
Anything else, a header missing or unreadable included, is not authenticated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: The authentication service id Gmail's receiving servers write.
GMAIL_AUTHSERV_ID = "mx.google.com"
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True, slots=True)
class _Result:
    """One method's result in an Authentication-Results header."""

    method: str
    result: str
    properties: dict[str, str]


def _results(value: str) -> tuple[str, list[_Result]]:
    """Return the authentication service id and the results of one header value."""
    text = value
    for _ in range(8):  # comments nest; a deeper nesting is left and reads as nothing
        text = _COMMENT.sub(" ", text)
    pieces = text.split(";")
    head = pieces[0].split()
    results = []
    for piece in pieces[1:]:
        tokens = piece.split()
        if not tokens or "=" not in tokens[0]:
            continue
        method, _, result = tokens[0].partition("=")
        properties = {}
        for token in tokens[1:]:
            key, equals, val = token.partition("=")
            if equals:
                properties[key.lower()] = val.strip('"').lower()
        results.append(_Result(method=method.lower(), result=result.lower(),
                               properties=properties))
    return (head[0].lower() if head else ""), results


def _domain(value: str) -> str:
    """Return the domain of an address or an ``@domain`` identity, lower-case."""
    return value.rpartition("@")[2].strip().strip(".").lower()


def _aligned(domain: str, from_domain: str) -> bool:
    """Tell whether ``domain`` is the From domain, or one is a subdomain of the other."""
    if "." not in domain or "." not in from_domain:
        return False
    return (domain == from_domain or from_domain.endswith("." + domain)
            or domain.endswith("." + from_domain))


def _passing_domains(result: _Result) -> Iterator[str]:
    if result.result != "pass":
        return
    props = result.properties
    if result.method == "dkim":
        yield from (_domain(props[k]) for k in ("header.d", "header.i") if k in props)
    elif result.method == "spf":
        if "smtp.mailfrom" in props:  # DMARC aligns SPF by the envelope sender only
            yield _domain(props["smtp.mailfrom"])


def sender_authenticated(authentication_results: str | None, from_address: str) -> bool:
    """Tell whether Gmail's own Authentication-Results header vouches for ``from_address``.

    :param authentication_results: the topmost Authentication-Results header of the
        message, as Gmail gives it (None when there is none).
    """
    from_domain = _domain(from_address) if "@" in from_address else ""
    if not authentication_results or not from_domain:
        return False
    authserv_id, results = _results(authentication_results)
    if authserv_id != GMAIL_AUTHSERV_ID:
        return False
    for result in results:
        if result.method == "dmarc" and result.result == "pass":
            if result.properties.get("header.from", "") == from_domain:
                return True
        if any(_aligned(domain, from_domain) for domain in _passing_domains(result)):
            return True
    return False
