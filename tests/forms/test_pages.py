"""Forms in the admin console: questions with their types, options and required flags, each
updating an account attribute; the API's rules on save and on delete."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playrunner.forms import service as forms_service
from tests.pages import post_form
from tests.worlds import PagesWorld


def form_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "name": "Health check",
        "fields[0].label": "How healthy is the account?",
        "fields[0].attribute": "health",
        "fields[0].type": "list",
        "fields[0].options": "Good\nAt risk\n",
        "fields[0].required": "on",
        "fields[1].label": "Seats in use",
        "fields[1].attribute": "seats",
        "fields[1].type": "number",
        "fields[1].options": "",
        "do": "save",
    }
    fields.update(overrides)
    return fields


def test_an_admin_creates_a_form(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    done = post_form(browser, "/forms/new", "/forms/new", form_fields())
    assert done.status_code == 303, done.text
    form_id = re.fullmatch(r"/forms/([0-9a-f-]+)/edit\?saved=1", done.headers["location"])
    assert form_id is not None
    with pages.database.session() as session:
        form = forms_service.get_form(session, pages.tenant.id, uuid.UUID(form_id.group(1)))
        fields = [(f.attribute, f.type.value, list(f.options), f.required) for f in form.fields]
    assert fields == [("health", "list", ["Good", "At risk"], True), ("seats", "number", [], False)]
    assert "Health check" in browser.get("/forms").text


def test_the_apis_rules_refuse_a_bad_form_beside_its_fields(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    bad = form_fields(**{"fields[0].options": "", "fields[1].attribute": "9 lives"})
    refused = post_form(browser, "/forms/new", "/forms/new", bad)
    assert refused.status_code == 400
    assert "needs options" in refused.text
    assert 'id="fields[1].attribute-error"' in refused.text


def test_questions_are_added_and_removed(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    added = post_form(browser, "/forms/new", "/forms/new", form_fields(do="add_field"))
    assert 'name="fields[2].label"' in added.text
    removed = post_form(browser, "/forms/new", "/forms/new", form_fields(do="remove:0"))
    assert 'value="Seats in use"' in removed.text
    assert 'value="How healthy is the account?"' not in removed.text


def test_an_edited_form_asks_its_new_question_in_the_next_request(pages: PagesWorld) -> None:
    with pages.database.session() as session:
        (sentiment,) = forms_service.page_forms(session, pages.tenant.id, limit=10, offset=0)[0]
    url = f"/forms/{sentiment.id}/edit"
    browser = pages.signed_in(pages.admin)
    edited = {
        "name": "Sentiment",
        "fields[0].label": "Overall sentiment",
        "fields[0].attribute": "sentiment",
        "fields[0].type": "list",
        "fields[0].options": "Green\nYellow\nRed",
        "fields[0].required": "on",
        "fields[1].label": "Champion still there?",
        "fields[1].attribute": "champion",
        "fields[1].type": "boolean",
        "fields[1].options": "",
        "do": "save",
    }
    assert post_form(browser, url, url, edited).status_code == 303
    (request,) = pages.run(pages.form_play).form_requests
    page = pages.signed_in(pages.csm).get(f"/form-requests/{request.id}").text
    assert "Overall sentiment" in page
    assert "Champion still there?" in page
    assert "Renewal" not in page


def test_a_form_in_use_is_not_deleted(pages: PagesWorld) -> None:
    with pages.database.session() as session:
        (sentiment,) = forms_service.page_forms(session, pages.tenant.id, limit=10, offset=0)[0]
    url = f"/forms/{sentiment.id}/edit"
    refused = post_form(pages.signed_in(pages.admin), url, f"/forms/{sentiment.id}/delete", {})
    assert refused.status_code == 409
    assert "is used by SuccessPlay" in refused.text
