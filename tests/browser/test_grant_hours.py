"""The grant request form in Chromium takes the durations the console accepts (half an
hour included) and sends a zero to the server, which says what a duration must be."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_staff_console import (  # noqa: F401, F811 - fixtures
    staff_sign_in,
    staff_site,
    windows,
)
from tests.webclient.staff.conftest import SECURITY_1


def fill_request(page, site, hours: str) -> None:  # type: ignore[no-untyped-def]
    """Fill the request form for a security case lasting ``hours`` and send it."""
    page.goto(site.url + "staff/grants/new")
    page.get_by_label("Mailbox (Gmail address)").fill("half-hour@customer-browser.test")
    page.get_by_label("Security case", exact=True).check()
    page.get_by_label("Security case id").fill("SEC-2025-030")
    page.get_by_label("Case category").select_option("fraud")
    page.get_by_label("Duration in hours").fill(hours)
    page.get_by_role("button", name="Request access").click()


def test_half_an_hour_is_sent_and_granted_for_thirty_minutes(staff_site, windows):  # noqa: F811
    site = staff_site
    window = windows()
    staff_sign_in(window, site, SECURITY_1)
    page = window.page
    fill_request(page, site, "0.5")
    expect(page.locator(".grant-status")).to_have_text("Waiting for approval")
    grant_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    grant = site.guard.grants.get(grant_id)
    assert (grant.expires_at - grant.requested_at).total_seconds() == 1800


def test_zero_hours_is_explained_with_the_form_kept(staff_site, windows):  # noqa: F811
    site = staff_site
    window = windows()
    staff_sign_in(window, site, SECURITY_1)
    page = window.page
    fill_request(page, site, "0")
    expect(page.locator(".flash.error")).to_have_text(
        "A grant lasts more than zero and at most 72 hours.")
    expect(page.get_by_label("Duration in hours")).to_have_value("0")
    expect(page.get_by_label("Security case id")).to_have_value("SEC-2025-030")
