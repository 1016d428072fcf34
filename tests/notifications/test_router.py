"""The API of email settings: a user's own (``PATCH /api/v1/users/me``) and the service's
(``GET``/``PATCH /api/v1/service``, admins only), with clear refusals."""

from __future__ import annotations

import pytest

from tests.worlds import ApiWorld, problem


def test_a_user_turns_their_own_emails_off_and_on(api: ApiWorld) -> None:
    assert api.user.get("/api/v1/users/me").json()["email_notifications"] is True
    off = api.user.patch("/api/v1/users/me", json={"email_notifications": False})
    assert off.status_code == 200, off.text
    assert off.json()["email_notifications"] is False
    assert off.json()["email"] == api.user_user.email
    assert api.user.get("/api/v1/users/me").json()["email_notifications"] is False
    # Nobody else's changed.
    admin = api.admin.get("/api/v1/users/me").json()
    assert admin["email_notifications"] is True
    on = api.user.patch("/api/v1/users/me", json={"email_notifications": True})
    assert on.json()["email_notifications"] is True
    # Nothing given: nothing changes.
    assert api.user.patch("/api/v1/users/me", json={}).json()["email_notifications"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email_notifications": "no"}, "body.email_notifications"),
        ({"email_notifications": 0}, "body.email_notifications"),
        ({"emails": False}, "body.emails"),
    ],
)
def test_bad_preferences_are_refused_naming_the_field(
    api: ApiWorld, payload: dict[str, object], field: str
) -> None:
    answer = api.user.patch(
        "/api/v1/users/me", json=payload, headers={"accept": "application/json"}
    )
    assert problem(answer, 400)["field"] == field


def test_admins_force_emails_on_for_their_service_only(api: ApiWorld) -> None:
    shown = api.admin.get("/api/v1/service").json()
    assert shown == {
        "id": api.tenant.id,
        "name": api.tenant.name,
        "force_email_notifications": False,
        "email_configured": False,
    }
    forced = api.admin.patch("/api/v1/service", json={"force_email_notifications": True})
    assert forced.status_code == 200, forced.text
    assert forced.json()["force_email_notifications"] is True
    assert api.admin.get("/api/v1/service").json()["force_email_notifications"] is True
    other = api.stranger.get("/api/v1/service").json()
    assert other["force_email_notifications"] is False


def test_only_admins_see_or_change_the_service(api: ApiWorld) -> None:
    headers = {"accept": "application/json"}
    assert problem(api.user.get("/api/v1/service", headers=headers), 403)
    refused = api.user.patch(
        "/api/v1/service", json={"force_email_notifications": True}, headers=headers
    )
    assert problem(refused, 403)
    bad = api.admin.patch("/api/v1/service", json={"force_email_notifications": "yes"})
    assert problem(bad, 400)["field"] == "body.force_email_notifications"
