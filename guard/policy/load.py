"""Load the policy file once into a frozen ``Policy``; refuse anything doubtful.

Unknown keys, unknown purposes, roles, bases or data classes, empty lists, prohibited
purposes and prohibited recipient categories stop loading with a ``PolicyConfigError``
that names the file, the line, the key and what is allowed there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from guard.errors import PolicyConfigError
from guard.policy.locate import PathPart, find_line
from guard.policy.model import (
    AggregateRules,
    Policy,
    PurposeRule,
    Recipient,
    StaffRole,
    StaffRules,
    TransferRules,
)
from guard.policy.vocabulary import (
    AGGREGATE_FIELDS,
    EMAIL_PURPOSES,
    GMAIL_ACTIONS,
    MIN_GROUP_SIZE_FLOOR,
    PROHIBITED_CATEGORIES,
    PROHIBITED_FAMILIES,
    RECIPIENT_BASES,
    RECIPIENT_CATEGORIES,
    RECIPIENT_ID,
    STAFF_ROLES,
    AccessBasis,
    DataClass,
    TransferBasis,
    folded_text,
    prohibited_family,
)

#: The policy file shipped with MailGuard.
DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[2] / "config" / "policy.toml"

_TOP_KEYS = ("policy", "purposes", "system", "staff", "transfers", "aggregates")
_PURPOSE_KEYS = ("description", "actors", "actions")
_PURPOSE_ACTORS = ("user", "system")
_STAFF_KEYS = ("max_grant_hours", "max_consent_days", "require_second_approval",
               "pending_request_hours", "approval_valid_hours", "security_categories", "roles")
_RECIPIENT_KEYS = ("id", "description", "category", "basis", "data_classes",
                   "requires_user_consent")
_DEFAULT_CATEGORIES = ("abuse", "fraud", "security_incident", "bug")
_DEFAULT_AGGREGATE_FIELDS = ("mailbox_count", "message_count", "thread_count")
_MAX_GRANT_HOURS_CEILING = 24 * 30
_MAX_CONSENT_DAYS_CEILING = 365
_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def load_policy(path: str | os.PathLike[str] = DEFAULT_POLICY_PATH) -> Policy:
    """Read and validate the policy file at ``path``."""
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyConfigError(f"cannot read the policy file ({error.strerror}); "
                                "give the path of a readable TOML file",
                                file=source, key="(file)") from None
    return parse_policy(text, source=source)


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Validate policy TOML ``text``; ``source`` names the file in errors."""
    text = text.removeprefix("\ufeff")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyConfigError(f"not valid TOML ({error}); fix the syntax",
                                file=source, key="(file)", line=_error_line(error)) from None
    return _Loader(text, source).build(raw)


def _error_line(error: tomllib.TOMLDecodeError) -> int | None:
    """Return the line a TOML syntax error names (Python 3.11's error has no ``lineno``)."""
    line = getattr(error, "lineno", None)
    if isinstance(line, int):
        return line
    found = _TOML_ERROR_LINE.search(str(error))
    return int(found.group(1)) if found else None


def policy_version(content: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex digest of ``content`` serialised as canonical JSON."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def format_key(path: Sequence[PathPart]) -> str:
    """Return ``path`` written as a TOML key, e.g. ``purposes."email.read".actions``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            piece = part if part.replace("_", "").replace("-", "").isalnum() else f'"{part}"'
            out += ("." if out else "") + piece
    return out


class _Loader:
    """Walk the parsed TOML, checking each key and building the frozen values."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source

    def fail(self, path: Sequence[PathPart], problem: str) -> NoReturn:
        raise PolicyConfigError(problem, file=self.source, key=format_key(path),
                                line=find_line(self.text, path))

    def table(self, value: Any, path: Sequence[PathPart], allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, "expected a table")
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                self.fail((*path, key), f"unknown key; allowed here: {', '.join(allowed)}")
        return value

    def text_value(self, value: Any, path: Sequence[PathPart]) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "expected a non-empty string")
        return value

    def integer(self, value: Any, path: Sequence[PathPart], low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected an integer between {low} and {high}")
        if not low <= value <= high:
            self.fail(path, f"{value} is out of range; allowed: {low} to {high}")
        return value

    def boolean(self, value: Any, path: Sequence[PathPart]) -> bool:
        if not isinstance(value, bool):
            self.fail(path, "expected true or false")
        return value

    def choices(self, value: Any, path: Sequence[PathPart], allowed: Iterable[str],
                *, what: str) -> tuple[str, ...]:
        allowed = sorted(allowed)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, f"expected a list of {what}; allowed: {', '.join(allowed)}")
        if not value:
            self.fail(path, f"an empty list allows nothing; list at least one of: "
                            f"{', '.join(allowed)}")
        for item in value:
            if item not in allowed:
                self.fail(path, f"unknown {what} {item!r}; allowed: {', '.join(allowed)}")
        if len(set(value)) != len(value):
            self.fail(path, f"lists a {what} twice; list each once")
        return tuple(sorted(value))

    def build(self, raw: dict[str, Any]) -> Policy:
        self.table(raw, (), _TOP_KEYS)
        meta = self.table(raw.get("policy", {}), ("policy",), ("name", "description"))
        name = self.text_value(meta.get("name", "mailguard"), ("policy", "name"))
        description = meta.get("description", "")
        if not isinstance(description, str):
            self.fail(("policy", "description"), "expected a string")
        purposes, purposes_out = self.purposes(raw)
        jobs = self.system(raw)
        staff, staff_out = self.staff(raw)
        transfers, transfers_out = self.transfers(raw)
        aggregates, aggregates_out = self.aggregates(raw)
        content: dict[str, Any] = {
            "policy": {"name": name, "description": description},
            "purposes": purposes_out,
            "system": {"jobs": sorted(jobs)},
            "staff": staff_out,
            "transfers": transfers_out,
            "aggregates": aggregates_out,
        }
        return Policy(
            source=self.source,
            version=policy_version(content),
            purposes=MappingProxyType(purposes),
            system_jobs=jobs,
            staff=staff,
            transfers=transfers,
            aggregates=aggregates,
            content=MappingProxyType(content),
        )

    def purposes(self, raw: dict[str, Any]) -> tuple[dict[str, PurposeRule], dict[str, Any]]:
        section = raw.get("purposes")
        if section is None:
            self.fail(("purposes",), "missing; define at least one of: "
                                     + ", ".join(sorted(EMAIL_PURPOSES)))
        if not isinstance(section, dict) or not section:
            self.fail(("purposes",), "define at least one of: " + ", ".join(sorted(EMAIL_PURPOSES)))
        rules: dict[str, PurposeRule] = {}
        out: dict[str, Any] = {}
        for name, body in section.items():
            path = ("purposes", name)
            family = prohibited_family(name)
            if family is not None:
                self.fail(path, f"purposes of the {family!r} family ({PROHIBITED_FAMILIES[family]})"
                                " are prohibited and can never be allowed; remove this entry")
            if name not in EMAIL_PURPOSES:
                self.fail(path, "unknown purpose; allowed: " + ", ".join(sorted(EMAIL_PURPOSES)))
            body = self.table(body, path, _PURPOSE_KEYS)
            description = self.text_value(body.get("description", name), (*path, "description"))
            if "actors" not in body:
                self.fail((*path, "actors"), "missing; say who may use this purpose: "
                                             + ", ".join(_PURPOSE_ACTORS))
            actors = self.choices(body["actors"], (*path, "actors"), _PURPOSE_ACTORS,
                                  what="actor kind")
            if "actions" not in body:
                self.fail((*path, "actions"), "missing; list the Gmail actions this purpose "
                                              "allows, e.g. messages.get")
            actions = self.choices(body["actions"], (*path, "actions"), GMAIL_ACTIONS,
                                   what="Gmail action")
            rules[name] = PurposeRule(name=name, description=description,
                                      users="user" in actors, system="system" in actors,
                                      actions=frozenset(actions))
            out[name] = {"description": description, "actors": list(actors),
                         "actions": list(actions)}
        return rules, out

    def system(self, raw: dict[str, Any]) -> frozenset[str]:
        section = self.table(raw.get("system", {}), ("system",), ("jobs",))
        jobs = section.get("jobs", [])
        path = ("system", "jobs")
        if not isinstance(jobs, list) or not all(isinstance(j, str) and j for j in jobs):
            self.fail(path, "expected a list of system job ids, e.g. [\"gmail-sync\"]")
        if "jobs" in section and not jobs:
            self.fail(path, "an empty list allows nothing; list the system job ids or "
                            "remove the key")
        if len(set(jobs)) != len(jobs):
            self.fail(path, "lists a system job twice; list each once")
        for job in jobs:
            if _names_prohibited_recipient(job):
                self.fail(path, f"system job {job!r} is named as an advertising, "
                                "data-brokerage, credit or AI-training use, and those are "
                                "prohibited; remove it")
            if not RECIPIENT_ID.fullmatch(job):
                self.fail(path, f"system job {job!r} is not a plain id: use letters a-z, "
                                "digits, '.', '_' and '-' (starting with a letter or digit, "
                                "at most 128), so no look-alike can pass for another job")
        return frozenset(jobs)

    def staff(self, raw: dict[str, Any]) -> tuple[StaffRules, dict[str, Any]]:
        section = self.table(raw.get("staff", {}), ("staff",), _STAFF_KEYS)
        max_grant = self.integer(section.get("max_grant_hours", 72),
                                 ("staff", "max_grant_hours"), 1, _MAX_GRANT_HOURS_CEILING)
        max_consent = self.integer(section.get("max_consent_days", 30),
                                   ("staff", "max_consent_days"), 1, _MAX_CONSENT_DAYS_CEILING)
        pending = self.integer(section.get("pending_request_hours", 24),
                               ("staff", "pending_request_hours"), 1, _MAX_GRANT_HOURS_CEILING)
        approval = self.integer(section.get("approval_valid_hours", 72),
                                ("staff", "approval_valid_hours"), 1, _MAX_GRANT_HOURS_CEILING)
        second = self.choices(section.get("require_second_approval", ["security", "legal"]),
                              ("staff", "require_second_approval"), ("security", "legal"),
                              what="basis")
        categories_raw = section.get("security_categories", list(_DEFAULT_CATEGORIES))
        path = ("staff", "security_categories")
        if not isinstance(categories_raw, list) or not all(
                isinstance(c, str) and c.replace("_", "").isalnum() for c in categories_raw):
            self.fail(path, "expected a list of category names such as "
                            + ", ".join(_DEFAULT_CATEGORIES))
        if not categories_raw:
            self.fail(path, "an empty list allows nothing; list at least one category")
        if len(set(categories_raw)) != len(categories_raw):
            self.fail(path, "lists a category twice; list each once")
        roles_raw = section.get("roles")
        if roles_raw is None:
            self.fail(("staff", "roles"), "missing; give each staff role its bases, roles: "
                                          + ", ".join(STAFF_ROLES))
        roles_raw = self.table(roles_raw, ("staff", "roles"), STAFF_ROLES)
        if not roles_raw:
            self.fail(("staff", "roles"), "define at least one role: " + ", ".join(STAFF_ROLES))
        roles: dict[str, StaffRole] = {}
        for role, bases_raw in roles_raw.items():
            ceiling = STAFF_ROLES[role]
            bases = self.choices(bases_raw, ("staff", "roles", role),
                                 (b.value for b in ceiling), what=f"basis for role {role}")
            roles[role] = StaffRole(name=role, bases=frozenset(AccessBasis(b) for b in bases))
        rules = StaffRules(
            roles=MappingProxyType(roles),
            second_approval=frozenset(AccessBasis(b) for b in second),
            max_grant=timedelta(hours=max_grant),
            max_consent=timedelta(days=max_consent),
            security_categories=frozenset(categories_raw),
            pending_for=timedelta(hours=pending),
            approval_for=timedelta(hours=approval),
        )
        out = {
            "max_grant_hours": max_grant,
            "max_consent_days": max_consent,
            "require_second_approval": list(second),
            "pending_request_hours": pending,
            "approval_valid_hours": approval,
            "security_categories": sorted(categories_raw),
            "roles": {role: sorted(b.value for b in r.bases) for role, r in roles.items()},
        }
        return rules, out

    def transfers(self, raw: dict[str, Any]) -> tuple[TransferRules, dict[str, Any]]:
        section = self.table(raw.get("transfers", {}), ("transfers",),
                             ("allow_security_basis", "recipients"))
        allow_security = self.boolean(section.get("allow_security_basis", False),
                                      ("transfers", "allow_security_basis"))
        listed = section.get("recipients", [])
        if not isinstance(listed, list):
            self.fail(("transfers", "recipients"), "expected [[transfers.recipients]] tables")
        if "recipients" in section and not listed:
            self.fail(("transfers", "recipients"), "an empty list allows nothing; list a "
                                                   "recipient or remove the key")
        bases = [TransferBasis.FEATURE, TransferBasis.LEGAL, TransferBasis.MERGER]
        if allow_security:
            bases.append(TransferBasis.SECURITY)
        recipients: dict[str, Recipient] = {}
        out: list[dict[str, Any]] = []
        for index, body in enumerate(listed):
            path: tuple[PathPart, ...] = ("transfers", "recipients", index)
            body = self.table(body, path, _RECIPIENT_KEYS)
            for key in ("id", "category", "basis", "data_classes"):
                if key not in body:
                    self.fail((*path, key), "missing; every recipient needs id, category, "
                                            "basis and data_classes")
            rid = self.text_value(body["id"], (*path, "id"))
            category = self.text_value(body["category"], (*path, "category"))
            if _names_prohibited_recipient(category):
                self.fail((*path, "category"),
                          f"recipients of category {category!r} may never receive Gmail data;"
                          " remove this recipient")
            if category not in RECIPIENT_CATEGORIES:
                self.fail((*path, "category"), f"unknown category {category!r}; allowed: "
                                               + ", ".join(sorted(RECIPIENT_CATEGORIES)))
            if _names_prohibited_recipient(rid):
                self.fail((*path, "id"), f"recipient {rid!r} is named as an advertising, "
                                         "data-brokerage, credit or AI-training recipient, "
                                         "and those may never receive Gmail data; remove it")
            if not RECIPIENT_ID.fullmatch(rid):
                self.fail((*path, "id"), f"recipient {rid!r} is not a plain id: use letters "
                                         "a-z, digits, '.', '_' and '-' (starting with a "
                                         "letter or digit, at most 128), so no look-alike "
                                         "character can make one recipient pass for another")
            if rid.strip().lower() in {r.strip().lower() for r in recipients}:
                self.fail((*path, "id"), f"recipient {rid!r} is listed twice (ids are "
                                         "compared without case); list it once")
            basis_name = self.text_value(body["basis"], (*path, "basis"))
            allowed_bases = [b.value for b in bases]
            if basis_name not in allowed_bases:
                hint = (" (security needs [transfers] allow_security_basis = true)"
                        if basis_name == "security" else "")
                self.fail((*path, "basis"), f"unknown basis {basis_name!r}; allowed: "
                                            + ", ".join(allowed_bases) + hint)
            basis = TransferBasis(basis_name)
            classes = self.choices(body["data_classes"], (*path, "data_classes"),
                                   (c.value for c in DataClass), what="data class")
            default_consent = basis in (TransferBasis.FEATURE, TransferBasis.MERGER)
            consent = self.boolean(body.get("requires_user_consent", default_consent),
                                   (*path, "requires_user_consent"))
            if basis is TransferBasis.MERGER and not consent:
                self.fail((*path, "requires_user_consent"),
                          "a merger transfer needs the user's explicit prior consent; set true")
            fitting = RECIPIENT_BASES[category]
            if basis not in fitting:
                self.fail((*path, "basis"), f"a recipient of category {category!r} is never "
                                            f"sent data on the {basis.value} basis; allowed "
                                            f"for {category}: "
                                            + ", ".join(sorted(b.value for b in fitting)))
            description = self.text_value(body.get("description", rid), (*path, "description"))
            recipients[rid] = Recipient(id=rid, description=description, category=category,
                                        basis=basis,
                                        data_classes=frozenset(DataClass(c) for c in classes),
                                        requires_user_consent=consent)
            out.append({"id": rid, "description": description, "category": category,
                        "basis": basis.value, "data_classes": list(classes),
                        "requires_user_consent": consent})
        rules = TransferRules(allow_security_basis=allow_security,
                              recipients=MappingProxyType(recipients))
        return rules, {"allow_security_basis": allow_security, "recipients": out}

    def aggregates(self, raw: dict[str, Any]) -> tuple[AggregateRules, dict[str, Any]]:
        section = self.table(raw.get("aggregates", {}), ("aggregates",),
                             ("min_group_size", "fields"))
        k = self.integer(section.get("min_group_size", 50), ("aggregates", "min_group_size"),
                         MIN_GROUP_SIZE_FLOOR, 1_000_000)
        fields = self.choices(section.get("fields", list(_DEFAULT_AGGREGATE_FIELDS)),
                              ("aggregates", "fields"), AGGREGATE_FIELDS, what="field")
        return (AggregateRules(min_group_size=k, fields=frozenset(fields)),
                {"min_group_size": k, "fields": list(fields)})


def _names_prohibited_recipient(name: str) -> bool:
    """Return True when a recipient id or category names a prohibited kind of recipient.

    Case, width and separators do not matter (``Ad_Network``, ``data-broker-acme``,
    ``adnetwork``, full-width ``acme-ａｄｓ``).
    """
    if name in PROHIBITED_CATEGORIES or prohibited_family(name) is not None:
        return True
    words = [w for w in re.split(r"[^0-9a-z]+", folded_text(name)) if w]
    squashed = "".join(words)
    return any(prohibited_family(w) is not None for w in words) or any(
        category.replace("_", "") in squashed for category in PROHIBITED_CATEGORIES)
