"""The privacy blueprint; its pages live under ``/u/<account>/privacy/`` of each mailbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from webclient.privacy import wording
from webclient.privacy.wording import p_, pn_

blueprint = Blueprint("privacy", __name__, url_prefix="/u/<int:account>/privacy")


@blueprint.record_once
def _install_wording(state: BlueprintSetupState) -> None:
    """Make the privacy domain's ``p_`` and ``pn_`` available to every template.

    The message view's links to these pages use them too, so they are app-wide.
    """
    state.app.jinja_env.globals.update(p_=p_, pn_=pn_)


@blueprint.context_processor
def _labels() -> dict[str, Any]:
    """Give the privacy templates the words for roles, bases, data classes and times."""
    return {"when": wording.when, "role_label": wording.role_label,
            "basis_label": wording.basis_label, "action_label": wording.action_label,
            "data_class_label": wording.data_class_label,
            "recipient_name": wording.recipient_name,
            "refusal_reason": wording.refusal_reason}


@blueprint.after_request
def _no_store(response: Response) -> Response:
    """Keep consents, subjects and the access history out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
