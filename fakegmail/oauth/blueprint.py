"""The OAuth blueprint and the accessors its views share."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app
from flask.blueprints import BlueprintSetupState

from fakegmail.oauth.registry import OAuthRegistry
from fakegmail.state import EmulatorState

blueprint = Blueprint("oauth", __name__, template_folder="../templates")


@blueprint.record_once
def _init_registry(setup: BlueprintSetupState) -> None:
    setup.app.extensions["fakegmail.oauth"] = OAuthRegistry()


def oauth_registry(app: Flask | None = None) -> OAuthRegistry:
    """Return the OAuth registry of ``app`` (default: the app serving this request)."""
    registry: OAuthRegistry = (app or current_app).extensions["fakegmail.oauth"]
    return registry


def emulator_state() -> EmulatorState:
    """Return the emulator state behind the current request."""
    state: EmulatorState = current_app.extensions["fakegmail"]
    return state
