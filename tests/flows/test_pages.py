"""Flows and account roles in the admin console: create, rename, delete, with the API's rules
about what is still in use."""

from __future__ import annotations

from playrunner.accounts import service as accounts_service
from playrunner.flows import service as flows_service
from tests.pages import post_form
from tests.worlds import PagesWorld


def change(pages: PagesWorld, **fields: str) -> tuple[int, str]:
    browser = pages.signed_in(pages.admin)
    answer = post_form(browser, "/setup", "/setup", fields)
    if answer.status_code == 303:
        return 303, browser.get(answer.headers["location"]).text
    return answer.status_code, answer.text


def test_flows_are_created_renamed_and_deleted(pages: PagesWorld) -> None:
    status, page = change(pages, do="create_flow", id="renewal", name="Renewal")
    assert (status, "Flow renewal created." in page) == (303, True)
    status, page = change(pages, do="rename_flow", id="renewal", name="Renewals")
    assert 'value="Renewals"' in page
    assert change(pages, do="create_flow", id="renewal", name="Again")[0] == 409
    status, page = change(pages, do="create_flow", id="Not A Key", name="x")
    assert status == 400
    assert "must be lowercase letters" in page
    assert change(pages, do="delete_flow", id="renewal")[0] == 303
    with pages.database.session() as session:
        assert flows_service.list_flows(session, pages.tenant.id) == []


def test_roles_are_created_renamed_and_deleted_unless_in_use(pages: PagesWorld) -> None:
    assert change(pages, do="create_role", name="Onboarding Manager")[0] == 303
    status, page = change(pages, do="rename_role", role="Onboarding Manager", name="Onboarder")
    assert "renamed to Onboarder" in page
    status, page = change(pages, do="delete_role", role="Success Manager")
    assert status == 409
    assert "is used by a SuccessPlay" in page
    assert change(pages, do="delete_role", role="Onboarder")[0] == 303
    with pages.database.session() as session:
        roles = [role.name for role in accounts_service.list_roles(session, pages.tenant.id)]
    assert roles == ["Sales Manager", "Success Manager"]


def test_a_renamed_role_keeps_who_holds_it_and_the_plays_using_it(pages: PagesWorld) -> None:
    change(pages, do="rename_role", role="Success Manager", name="CSM")
    (task,) = pages.run(pages.task_play).tasks
    assert task.assignee_user_id == pages.csm.id
    assert "<dt>CSM</dt>" in pages.signed_in(pages.admin).get("/accounts/acme").text
