"""users.watch and users.stop: push-notification watches, registered but never published.

``watch`` checks its request as Gmail does and answers the mailbox's current historyId
and an expiration seven days ahead, so a client's renewal and history-sync logic runs
unchanged. Nothing is published anywhere: the emulator has no Cloud Pub/Sub, so no
notification ever reaches the topic; a client under test learns of new mail by calling
``history.list`` from the historyId that ``watch`` answered.
"""

from __future__ import annotations

import re

from flask import Response

from fakegmail.binding import check_enum
from fakegmail.errors import invalid_argument
from fakegmail.gmail_messages import USERS, id_list
from fakegmail.http_io import Routes, answer, json_body, no_content
from fakegmail.methods import emulator_state, gmail_method
from fakegmail.state import Account

routes = Routes()

_TOPIC = re.compile(r"projects/[^/\s]+/topics/[^/\s]+")


@routes.route(f"{USERS}/watch", methods=["POST"])
@gmail_method("gmail.users.watch")
def watch(account: Account) -> Response:
    """Register (or renew) the mailbox's watch; answer its historyId and expiration.

    400 "Invalid topicName" unless ``topicName`` reads ``projects/<project>/topics/<topic>``
    (Gmail also requires the project to be the OAuth client's and the topic to exist; the
    emulator has neither to check against), and for a label the mailbox lacks.
    """
    body = json_body()
    topic = body.get("topicName")
    if not isinstance(topic, str) or not _TOPIC.fullmatch(topic):
        raise invalid_argument("Invalid topicName does not match projects/*/topics/*")
    label_ids = id_list(body, "labelIds")
    known = {label["id"] for label in account.mailbox.list_labels()}
    for label_id in label_ids:
        if label_id not in known:
            raise invalid_argument(f"Invalid label: {label_id}")
    behavior = None
    for field, proto in (("labelFilterBehavior", "label_filter_behavior"),
                         ("labelFilterAction", "label_filter_action")):
        value = body.get(field)
        if value is not None:
            check_enum("WatchRequest", field, value, proto)
            behavior = behavior or value  # labelFilterBehavior wins, as Gmail documents
    now_ms = int(emulator_state().clock() * 1000)
    registered = account.settings.start_watch(topic, label_ids, behavior, now_ms=now_ms)
    return answer({"historyId": str(account.mailbox.history_id),
                   "expiration": str(registered.expiration_ms)})


@routes.route(f"{USERS}/stop", methods=["POST"])
@gmail_method("gmail.users.stop")
def stop(account: Account) -> Response:
    """Stop the mailbox's watch; Gmail's empty answer, whether or not one was registered."""
    account.settings.stop_watch()
    return no_content()
