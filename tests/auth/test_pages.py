"""Signing in to the web app and out: the session cookie, CSRF, the sign-in limits, and who
gets nothing (a wrong password, a deactivated user, another service's user)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from playrunner.models import UserRole
from playrunner.users import service as users_service
from playrunner.users.schemas import UserPatch
from tests.pages import PASSWORD, hidden_fields, sign_in
from tests.worlds import PagesWorld


def test_pages_send_a_stranger_to_sign_in_and_back(pages: PagesWorld) -> None:
    browser = pages.browser()
    answer = browser.get("/my-work?status=overdue")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=" + quote("/my-work?status=overdue", "/")

    form = hidden_fields(browser.get(answer.headers["location"]).text)
    assert form["next"] == "/my-work?status=overdue"
    signed_in = browser.post(
        "/sign-in", data={**form, "email": pages.csm.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/my-work?status=overdue"
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("playrunner_session=prses_")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert browser.get("/my-work").status_code == 200


def test_the_home_page_is_my_work(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    answer = browser.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/my-work")


def test_a_wrong_password_is_refused_and_the_email_kept(pages: PagesWorld) -> None:
    browser = pages.browser()
    answer = sign_in(browser, pages.csm.email, "not the password")
    assert answer.status_code == 401
    assert "Wrong email or password." in answer.text
    assert f'value="{pages.csm.email}"' in answer.text
    assert "playrunner_session" not in browser.cookies
    unknown = sign_in(pages.browser(), "nobody@example.com")
    assert unknown.status_code == 401
    assert "Wrong email or password." in unknown.text


def test_a_deactivated_user_gets_nothing(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    with pages.database.session() as session:
        users_service.update_user(
            session, pages.tenant.id, pages.csm.email, UserPatch(active=False)
        )
    # The session stops at once: the next page asks to sign in.
    assert browser.get("/my-work").status_code == 303
    answer = sign_in(pages.browser(), pages.csm.email)
    assert answer.status_code == 401
    assert "This user is deactivated." in answer.text


def test_a_demoted_admin_loses_admin_pages_at_once(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    assert ">Admin<" in browser.get("/my-work").text
    other_admin = pages.factory.admin(pages.tenant)
    with pages.database.session() as session:
        users_service.update_user(
            session, pages.tenant.id, pages.admin.email, UserPatch(role=UserRole.USER)
        )
    assert other_admin.role is UserRole.SERVICE_ADMIN
    assert ">Admin<" not in browser.get("/my-work").text


def test_the_sign_in_form_needs_its_csrf_token(pages: PagesWorld) -> None:
    browser = pages.browser()
    browser.get("/sign-in")
    answer = browser.post(
        "/sign-in", data={"email": pages.csm.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403
    assert "expired" in answer.text
    assert "playrunner_session" not in browser.cookies


def test_next_never_leaves_the_server(pages: PagesWorld) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        browser = pages.browser()
        page = browser.get("/sign-in", params={"next": target})
        form = hidden_fields(page.text)
        assert form["next"] == "/"
        answer = browser.post(
            "/sign-in",
            data={**form, "next": target, "email": pages.csm.email, "password": PASSWORD},
        )
        assert answer.headers["location"] == "/"


def test_sign_out_ends_the_session_everywhere(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    cookie = browser.cookies["playrunner_session"]
    refused = browser.post("/sign-out", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert browser.get("/my-work").status_code == 200

    signed_out = browser.post("/sign-out", data=hidden_fields(browser.get("/my-work").text))
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/sign-in")
    # Someone who kept a copy of the cookie gets nothing either.
    copy = pages.browser()
    copy.cookies.set("playrunner_session", cookie)
    assert copy.get("/my-work").status_code == 303


def test_another_services_user_sees_none_of_this_services_pages(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    (request,) = pages.run(pages.form_play).form_requests
    stranger = pages.signed_in(pages.other_admin)
    for url in (
        f"/tasks/{task.id}",
        f"/form-requests/{request.id}",
        "/accounts/acme",
        f"/accounts/acme/run?play={pages.task_play.id}",
    ):
        answer = stranger.get(url)
        assert answer.status_code == 404, url
        assert answer.headers["content-type"].startswith("text/html")
    assert "acme" not in stranger.get("/accounts").text
    assert "Follow up" not in stranger.get("/my-work?status=all").text


@pytest.mark.rate_limit("3/minute")
def test_guessing_passwords_is_limited(pages: PagesWorld) -> None:
    for _ in range(3):
        sign_in(pages.browser(), pages.csm.email, "guess")
    answer = sign_in(pages.browser(), pages.csm.email, PASSWORD)
    assert answer.status_code == 429
    assert "Too many sign-in attempts" in answer.text
