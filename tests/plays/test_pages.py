"""SuccessPlays in the admin console: the list, a play's page (its id in the URL, the curl),
the editor (every field, actions added and removed, templates previewed, the API's
validation beside each field), activating and deactivating."""

from __future__ import annotations

import re
from typing import Any

import pytest

from playrunner.plays import service as plays_service
from playrunner.plays.schemas import CreateTaskAction, as_spec
from tests.pages import hidden_fields, post_form
from tests.worlds import PagesWorld


def editor_fields(**overrides: Any) -> dict[str, Any]:
    """A new play with a task (for the Success Manager) and a form request."""
    fields = {
        "name": "Renewal kickoff",
        "description": "Start the renewal 90 days out",
        "objective": "",
        "triggers": "manual",
        "active": "on",
        "duplicate_policy": "allow",
        "actions[0].type": "create_task",
        "actions[0].title": "Kick off the renewal of {{ account.name }}",
        "actions[0].description": "Segment {{ account.attributes.segment }}",
        "actions[0].flow": "",
        "actions[0].priority": "1",
        "actions[0].due_in_days": "5",
        "actions[0].assignee.kind": "account_role",
        "actions[0].assignee.role": "Success Manager",
        "actions[0].assignee.email": "",
        "actions[1].type": "request_information",
        "actions[1].form": "Sentiment",
        "actions[1].instructions": "How is {{ account.name }}?",
        "actions[1].due_in_days": "2",
        "actions[1].assignee.kind": "runner",
        "actions[1].assignee.role": "Success Manager",
        "actions[1].assignee.email": "",
        "do": "save",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def test_the_list_shows_each_plays_trigger_state_actions_and_runs(pages: PagesWorld) -> None:
    pages.run(pages.task_play)
    html = pages.signed_in(pages.admin).get("/successplays").text
    assert "Salesforce follow-up" in html
    row = re.search(r"Salesforce follow-up</a>.*?</tr>", html, re.S)
    assert row is not None
    assert "Manual" in row.group(0)
    assert "Active" in row.group(0)
    assert re.search(r"<td>1</td>", row.group(0))  # one run in the last 30 days
    assert "Retired" in html
    assert "Inactive" in html


def test_a_plays_page_carries_its_id_and_the_curl_for_it(pages: PagesWorld) -> None:
    pages.run(pages.task_play)
    html = pages.signed_in(pages.admin).get(f"/successplays/{pages.task_play.id}").text
    assert f'<code id="play-id">{pages.task_play.id}</code>' in html
    assert "/api/v2/automations/run-manual-successplay" in html
    assert f"&#34;successplayId&#34;: &#34;{pages.task_play.id}&#34;" in html
    assert "Recent runs" in html
    assert "acme" in html


def test_an_admin_creates_a_play_with_both_actions(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    done = post_form(browser, "/successplays/new", "/successplays/new", editor_fields())
    assert done.status_code == 303, done.text
    play_id = re.fullmatch(r"/successplays/([0-9a-f-]+)\?saved=1", done.headers["location"])
    assert play_id is not None
    with pages.database.session() as session:
        play = plays_service.read_play(session, pages.tenant.id, play_id.group(1))
    assert play.name == "Renewal kickoff"
    assert [a.type for a in play.actions] == ["create_task", "request_information"]
    task = play.actions[0]
    assert isinstance(task, CreateTaskAction)
    assert task.priority == 1
    assert play.actions[1].assignee.kind == "runner"
    assert "SuccessPlay saved" in browser.get(done.headers["location"]).text


def test_the_apis_validation_is_shown_beside_each_field(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    bad = editor_fields(**{"actions[0].title": "", "actions[1].form": "Nope", "name": ""})
    refused = post_form(browser, "/successplays/new", "/successplays/new", bad)
    assert refused.status_code == 400
    assert 'id="actions[0].title-error"' in refused.text
    assert 'id="name-error"' in refused.text
    assert 'value="Kick off' not in refused.text  # the title was emptied, as typed
    assert "Segment {{ account.attributes.segment }}" in refused.text  # the rest is kept
    # Once the schema holds, the service's own rules: the form must exist.
    unknown_form = editor_fields(**{"actions[1].form": "Nope"})
    refused = post_form(browser, "/successplays/new", "/successplays/new", unknown_form)
    assert refused.status_code == 400
    assert "form &#39;Nope&#39; does not exist" in refused.text
    assert 'id="actions[1].form-error"' in refused.text


def test_actions_are_added_and_removed_and_templates_previewed(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    added = post_form(
        browser, "/successplays/new", "/successplays/new", editor_fields(do="add_task")
    )
    assert added.status_code == 200
    assert 'name="actions[2].title"' in added.text
    removed = post_form(
        browser, "/successplays/new", "/successplays/new", editor_fields(do="remove:0")
    )
    assert 'name="actions[1].type"' not in removed.text
    assert 'value="request_information"' in removed.text
    preview = post_form(
        browser,
        "/successplays/new",
        "/successplays/new",
        editor_fields(do="preview", preview_account="acme"),
    )
    assert "Kick off the renewal of Acme Inc." in preview.text
    assert "Segment Enterprise" in preview.text
    assert "How is Acme Inc.?" in preview.text
    unknown = post_form(
        browser,
        "/successplays/new",
        "/successplays/new",
        editor_fields(do="preview", preview_account="nobody"),
    )
    assert "Account not found" in unknown.text


def test_editing_saves_the_play_and_keeps_its_key(pages: PagesWorld) -> None:
    with pages.database.session() as session:
        play = plays_service.read_play(session, pages.tenant.id, pages.task_play.id)
        spec = as_spec(play)
        plays_service.replace_play(session, pages.tenant.id, play.id, spec, key="follow-up")
    browser = pages.signed_in(pages.admin)
    url = f"/successplays/{pages.task_play.id}/edit"
    page = browser.get(url).text
    assert "next <code>playrunner apply</code>" in page
    form = hidden_fields(page)
    fields = editor_fields(name="Follow-up, renamed")
    done = browser.post(url, data={**form, **fields})
    assert done.status_code == 303
    with pages.database.session() as session:
        saved = plays_service.read_play(session, pages.tenant.id, pages.task_play.id)
    assert (saved.name, saved.key, len(saved.actions)) == ("Follow-up, renamed", "follow-up", 2)


def test_deactivating_and_activating(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    browser = pages.signed_in(pages.admin)
    url = f"/successplays/{pages.task_play.id}"
    assert post_form(browser, url, f"{url}/active", {"active": "false"}).status_code == 303
    page = browser.get(url).text
    assert "This play is inactive" in page
    # Its open tasks stay open, as in Totango.
    assert "pill not_started" in pages.signed_in(pages.csm).get(f"/tasks/{task.id}").text
    assert (
        "Salesforce follow-up"
        not in pages.signed_in(pages.csm)
        .get("/accounts/acme")
        .text.split("Run a SuccessPlay")[1]
        .split("</section>")[0]
    )
    assert post_form(browser, url, f"{url}/active", {"active": "true"}).status_code == 303
    assert "This play is inactive" not in browser.get(url).text


@pytest.mark.settings(public_url="https://playrunner.example.com")
def test_behind_a_proxy_the_curl_and_password_links_name_the_public_url(
    pages: PagesWorld,
) -> None:
    admin = pages.signed_in(pages.admin)
    page = admin.get(f"/successplays/{pages.task_play.id}").text
    assert (
        "curl -L &#39;https://playrunner.example.com/api/v2/automations/run-manual-successplay&#39;"
        in page
    )
    invited = post_form(
        admin, "/users", "/users", {"email": "new@example.com", "name": "New", "how": "link"}
    )
    assert '<pre id="password-link">https://playrunner.example.com/set-password/' in invited.text


def test_an_admin_gives_an_event_play_its_criteria_in_the_editor(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    fields = editor_fields(
        triggers="event",
        **{
            "criteria.match": "any",
            "criteria.run_on": "exit",
            "conditions[0].attribute": "sentiment",
            "conditions[0].op": "in",
            "conditions[0].value": "Red, Yellow",
            "conditions[1].attribute": "renewal_date",
            "conditions[1].op": "within_days",
            "conditions[1].value": "60",
            "conditions[2].attribute": "",
            "conditions[2].op": "equals",
            "conditions[2].value": "",
        },
    )
    done = post_form(browser, "/successplays/new", "/successplays/new", fields)
    assert done.status_code == 303, done.text
    play_id = done.headers["location"].split("/")[2].split("?")[0]
    with pages.database.session() as session:
        play = plays_service.read_play(session, pages.tenant.id, play_id)
    assert play.event_criteria is not None
    assert play.event_criteria.model_dump() == {
        "match": "any",
        "run_on": "exit",
        "conditions": [
            {"attribute": "sentiment", "op": "in", "value": ["Red", "Yellow"]},
            {"attribute": "renewal_date", "op": "within_days", "value": 60},
        ],
    }
    editor = browser.get(f"/successplays/{play_id}/edit").text
    assert 'value="Red, Yellow"' in editor  # reads back as typed
    assert 'id="conditions[2].attribute"' in editor  # and a blank row to add one

    bad = {**fields, "conditions[1].value": "soon"}
    refused = post_form(browser, "/successplays/new", "/successplays/new", bad)
    assert refused.status_code == 400
    assert "within_days takes a whole number of days" in refused.text
    assert 'id="conditions[1]-error"' in refused.text
    manual = {**fields, "triggers": "manual"}
    refused = post_form(browser, "/successplays/new", "/successplays/new", manual)
    assert refused.status_code == 400
    assert "event_criteria needs the event trigger" in refused.text
