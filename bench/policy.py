"""Benchmark policy decisions: MailGuard's evaluator beside Cedar (cedarpy) on the same mix.

Run ``python -m bench.policy [--quick] [--json FILE]``. Both engines get the same
realistic request mix (users reading and sending, sync jobs, consented support views,
security investigations, aggregates, and denied cases including prohibited purposes);
Cedar evaluates an equivalent policy set, parsed once into a ``PolicySet``, with
pre-built request dicts and a pre-parsed empty entity set, so only evaluation is timed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from guard.policy import (
    AccessBasis,
    AccessRequest,
    Actor,
    ActorKind,
    Consent,
    Grant,
    GrantReference,
    Resources,
    check_access,
    load_policy,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ALICE = "alice@example.com"

CEDAR_POLICIES = """
forbid(principal, action, resource) when {
  context.purpose like "advertising*" || context.purpose like "data_sale*" ||
  context.purpose like "credit*" || context.purpose like "ai_training*"
};
permit(principal, action in [Action::"profile.get", Action::"messages.get",
  Action::"messages.list", Action::"attachments.get", Action::"threads.get",
  Action::"threads.list", Action::"labels.get", Action::"labels.list",
  Action::"drafts.get", Action::"drafts.list", Action::"history.list"], resource)
when { context.actor_kind == "user" && context.actor_id == context.mailbox &&
       context.purpose == "email.read" };
permit(principal, action in [Action::"messages.send", Action::"drafts.send"], resource)
when { context.actor_kind == "user" && context.actor_id == context.mailbox &&
       context.purpose == "email.send" };
permit(principal, action in [Action::"messages.list", Action::"threads.list"], resource)
when { context.actor_kind == "user" && context.actor_id == context.mailbox &&
       context.purpose == "email.search" };
permit(principal, action in [Action::"messages.modify", Action::"messages.trash",
  Action::"threads.modify", Action::"labels.list", Action::"labels.create"], resource)
when { context.actor_kind == "user" && context.actor_id == context.mailbox &&
       context.purpose == "email.organize" };
permit(principal, action in [Action::"profile.get", Action::"history.list",
  Action::"messages.list", Action::"messages.get", Action::"threads.list",
  Action::"labels.list"], resource)
when { context.actor_kind == "system" && ["gmail-sync"].contains(context.actor_id) &&
       context.purpose == "email.sync" && context.mailbox != "" };
permit(principal, action in [Action::"messages.get", Action::"attachments.get"], resource)
when { context.actor_kind == "staff" && ["support", "security"].contains(context.role) &&
       context.basis == "consent" && context.purpose == "support.consented_view" &&
       context has consent && context.consent.user == context.mailbox &&
       (context.consent.grantee == context.actor_id ||
        context.consent.grantee == context.role) &&
       !context.consent.revoked && context.consent.expires_at > context.now &&
       context.consent.expires_at - context.now <= 2592000 &&
       context.thread_ids == [] && context.message_ids != [] &&
       context.consent.message_ids.containsAll(context.message_ids) };
permit(principal, action in [Action::"profile.get", Action::"messages.get",
  Action::"messages.list", Action::"attachments.get", Action::"threads.get",
  Action::"threads.list", Action::"labels.get", Action::"labels.list",
  Action::"history.list"], resource)
when { context.actor_kind == "staff" && context.role == "security" &&
       context.basis == "security" && context.purpose == "security.investigation" &&
       context has grant && context.grant.basis == "security" &&
       context.grant.staff_id == context.actor_id && !context.grant.revoked &&
       context.grant.expires_at > context.now &&
       context.grant.expires_at - context.now <= 259200 &&
       context.grant.mailbox == context.mailbox && context.grant.case_id != "" &&
       ["abuse", "fraud", "security_incident", "bug"].contains(context.grant.category) &&
       context.grant.approved_by != "" &&
       context.grant.approved_by != context.grant.staff_id };
permit(principal, action == Action::"aggregate.query", resource)
when { context.actor_kind == "staff" && context.role == "ops" &&
       context.basis == "aggregate" && context.purpose == "operations.aggregate" &&
       context.mailbox == "" && context.message_ids == [] && context.thread_ids == [] };
"""


def request_mix() -> list[AccessRequest]:
    """Return a realistic mix: mostly user traffic, some sync, staff, and denials."""
    consent = Consent(id="c-1", user=ALICE, grantee="support",
                      message_ids=frozenset({f"m{i}" for i in range(20)}),
                      expires_at=NOW + timedelta(days=7))
    grant = Grant(id="g-1", staff_id="sec-1", basis=AccessBasis.SECURITY,
                  reference=GrantReference(case_id="CASE-9", category="abuse"), mailbox=ALICE,
                  expires_at=NOW + timedelta(hours=24), approved_by="sec-2")
    user = Actor(ActorKind.USER, ALICE)
    one = Resources(message_ids=frozenset({"m1"}))

    def u(purpose: str, action: str, mailbox: str = ALICE) -> AccessRequest:
        return AccessRequest(actor=user, action=action, mailbox=mailbox, purpose=purpose,
                             now=NOW, resources=one)

    support = AccessRequest(actor=Actor(ActorKind.STAFF, "staff-7", "support"),
                            action="messages.get", mailbox=ALICE,
                            purpose="support.consented_view", basis=AccessBasis.CONSENT,
                            resources=one, consent=consent, now=NOW)
    security = AccessRequest(actor=Actor(ActorKind.STAFF, "sec-1", "security"),
                             action="messages.get", mailbox=ALICE,
                             purpose="security.investigation", basis=AccessBasis.SECURITY,
                             resources=one, grant=grant, now=NOW)
    sync = AccessRequest(actor=Actor(ActorKind.SYSTEM, "gmail-sync"), action="history.list",
                         mailbox=ALICE, purpose="email.sync", now=NOW)
    ops = AccessRequest(actor=Actor(ActorKind.STAFF, "ops-1", "ops"), action="aggregate.query",
                        mailbox=None, purpose="operations.aggregate",
                        basis=AccessBasis.AGGREGATE, now=NOW)
    return [
        u("email.read", "messages.get"), u("email.read", "messages.list"),
        u("email.read", "threads.get"), u("email.read", "messages.get"),
        u("email.search", "messages.list"), u("email.send", "messages.send"),
        u("email.organize", "messages.modify"), u("email.read", "messages.get", "bob@x.com"),
        u("advertising.targeting", "messages.get"), u("email.read", "messages.send"),
        sync, dataclasses.replace(sync, action="messages.get"),
        support, dataclasses.replace(support, resources=Resources(
            message_ids=frozenset({"m99"}))),
        dataclasses.replace(support, consent=dataclasses.replace(
            consent, revoked_at=NOW - timedelta(hours=1))),
        security, dataclasses.replace(security, grant=dataclasses.replace(
            grant, approved_by="sec-1")),
        ops, dataclasses.replace(ops, mailbox=ALICE),
    ]


def to_cedar(request: AccessRequest) -> dict[str, Any]:
    """Return ``request`` as a Cedar request with everything the policies need in context."""
    epoch = int(request.now.timestamp())
    context: dict[str, Any] = {
        "actor_kind": request.actor.kind.value, "actor_id": request.actor.id,
        "role": request.actor.role or "", "purpose": request.purpose,
        "basis": request.basis.value if request.basis else "", "mailbox": request.mailbox or "",
        "now": epoch, "message_ids": sorted(request.resources.message_ids),
        "thread_ids": sorted(request.resources.thread_ids),
    }
    if request.consent is not None:
        c = request.consent
        context["consent"] = {"user": c.user, "grantee": c.grantee,
                              "message_ids": sorted(c.message_ids),
                              "expires_at": int(c.expires_at.timestamp()),
                              "revoked": c.revoked_at is not None and c.revoked_at <= request.now}
    if request.grant is not None:
        g = request.grant
        context["grant"] = {"basis": g.basis.value, "staff_id": g.staff_id,
                            "mailbox": g.mailbox, "case_id": g.reference.case_id or "",
                            "category": g.reference.category or "",
                            "approved_by": g.approved_by or "",
                            "expires_at": int(g.expires_at.timestamp()),
                            "revoked": g.revoked_at is not None and g.revoked_at <= request.now}
    return {"principal": f'Actor::"{request.actor.id}"',
            "action": f'Action::"{request.action}"',
            "resource": f'Mailbox::"{request.mailbox or "none"}"',
            "context": json.dumps(context)}


def _median_us(call: Callable[[Any], Any], items: list[Any], rounds: int, inner: int) -> float:
    """Return the median µs per call over ``rounds`` timed batches of ``inner`` calls each."""
    samples: list[float] = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter_ns()
            for _ in range(inner):
                call(item)
            samples.append((time.perf_counter_ns() - started) / inner / 1000)
    return statistics.median(samples)


def run(quick: bool) -> list[dict[str, Any]]:
    """Run the benchmark and return its rows (name, value, unit, goal, notes)."""
    import cedarpy

    policy = load_policy()
    mix = request_mix()
    rounds, inner = (5, 50) if quick else (30, 200)
    ours = _median_us(lambda r: check_access(policy, r), mix, rounds, inner)

    policy_set = cedarpy.PolicySet.from_str(CEDAR_POLICIES)
    entities = cedarpy.Entities.from_json_str("[]")
    cedar_requests = [to_cedar(r) for r in mix]
    cedar_rounds, cedar_inner = (3, 20) if quick else (10, 100)
    cedar = _median_us(lambda r: cedarpy.is_authorized(r, policy_set, entities), cedar_requests,
                       cedar_rounds, cedar_inner)

    ours_allowed = [check_access(policy, r).allowed for r in mix]
    cedar_allowed = [cedarpy.is_authorized(r, policy_set, entities).allowed
                     for r in cedar_requests]
    agree = sum(a == b for a, b in zip(ours_allowed, cedar_allowed, strict=True)) / len(mix)
    allowed = sum(ours_allowed)
    mix_note = f"{len(mix)} requests, {allowed} allowed, {len(mix) - allowed} denied"
    return [
        {"name": "policy.decision.median", "value": round(ours, 3), "unit": "µs",
         "goal": "< 5", "notes": f"check_access in-process; {mix_note}"},
        {"name": "policy.cedar.median", "value": round(cedar, 3), "unit": "µs",
         "goal": "reference", "notes": "cedarpy.is_authorized, pre-parsed PolicySet and "
                                       "Entities, pre-built requests (context as JSON)"},
        {"name": "policy.cedar_to_ours_ratio", "value": round(cedar / ours, 1), "unit": "x",
         "goal": "> 1", "notes": "how many times slower Cedar is on the same mix"},
        {"name": "policy.cedar_agreement", "value": agree, "unit": "fraction",
         "goal": "1.0", "notes": "share of the mix where both engines allow or deny alike"},
    ]


def main(argv: list[str] | None = None) -> int:
    """Run from the command line: print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.policy")
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick)
    for row in rows:
        print(f"{row['name']:<30} {row['value']:>10} {row['unit']:<9} goal {row['goal']:<10}"
              f" {row['notes']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
