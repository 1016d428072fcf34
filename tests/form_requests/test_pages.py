"""A form request's page: the questions as inputs of their types, validation exactly as the
API's (errors beside the fields, what was typed kept), then the account with its new values;
a second submission refused politely."""

from __future__ import annotations

import re

from tests.pages import hidden_fields, post_form
from tests.worlds import PagesWorld


def form_play(pages: PagesWorld) -> str:
    (request,) = pages.run(pages.form_play).form_requests
    return f"/form-requests/{request.id}"


def test_the_questions_are_inputs_of_their_types(pages: PagesWorld) -> None:
    url = form_play(pages)
    html = pages.signed_in(pages.csm).get(url).text
    assert "How is Acme Inc.?" in html  # the instructions
    # list (three options): radios, the current value checked and shown
    assert re.search(r'type="radio"[^>]*name="answer-sentiment" value="Green" checked', html)
    assert "Now on the account: Green" in html
    assert 'name="answer-note" type="text"' in html
    assert 'name="answer-score" type="number"' in html
    assert 'name="answer-renewal" type="date"' in html
    assert 'type="checkbox" id="answer-channels-1" name="answer-channels" value="email"' in html
    assert 'name="answer-reference" value="yes"' in html
    assert '<span class="sr-only"> (required)</span>' in html  # Sentiment is required
    for name in ("sentiment", "note", "score", "renewal", "channels", "reference"):
        assert f'for="answer-{name}' in html  # every input has its label


def test_errors_are_the_apis_beside_their_fields_and_typing_is_kept(pages: PagesWorld) -> None:
    url = form_play(pages)
    browser = pages.signed_in(pages.csm)
    refused = post_form(
        browser,
        url,
        url,
        {"answer-sentiment": "Red", "answer-score": "three", "answer-note": "Champion left"},
    )
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert refused.text.count("must be a number") == 2  # the summary and beside the field
    assert 'href="#answer-score"' in refused.text
    assert 'value="Champion left"' in refused.text
    assert re.search(r'value="Red" checked', refused.text)
    assert pages.signed_in(pages.admin).get("/accounts/acme").text.count("Champion left") == 0

    missing = post_form(browser, url, url, {"answer-note": "x"})
    assert "is required" in missing.text


def test_answers_change_the_account_and_the_page_shows_it(pages: PagesWorld) -> None:
    url = form_play(pages)
    browser = pages.signed_in(pages.csm)
    done = post_form(
        browser,
        url,
        url,
        {
            "answer-sentiment": "Red",
            "answer-score": "3",
            "answer-reference": "no",
            "answer-channels": "phone",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/accounts/acme?answered={url.rsplit('/', 1)[1]}"
    account = browser.get(done.headers["location"]).text
    assert "Your answers are saved" in account
    assert "channels, reference, score, sentiment" in account
    assert re.search(r'<dt>sentiment</dt><dd class="changed">Red</dd>', account)
    assert re.search(r'<dt>score</dt><dd class="changed">3</dd>', account)
    assert re.search(r'<dt>reference</dt><dd class="changed">No</dd>', account)
    api = pages.signed_in(pages.admin).get("/accounts/acme").text
    assert "<dt>sentiment</dt><dd>Red</dd>" in api


def test_a_second_submission_is_refused_politely(pages: PagesWorld) -> None:
    url = form_play(pages)
    browser = pages.signed_in(pages.csm)
    page = browser.get(url)
    assert post_form(browser, url, url, {"answer-sentiment": "Yellow"}).status_code == 303
    # The same form posted again (another tab, the back button): nothing changes.
    again = browser.post(url, data={**hidden_fields(page.text), "answer-sentiment": "Green"})
    assert again.status_code == 409
    assert "Your answers were not saved" in again.text
    assert "Form request is already submitted" in again.text
    assert "This form request was answered" in browser.get(url).text
    assert "<dt>sentiment</dt><dd>Yellow</dd>" in browser.get("/accounts/acme").text


def test_someone_elses_form_request_is_not_found(pages: PagesWorld) -> None:
    pages.factory.account(pages.tenant, "initech")  # no Success Manager: the runner gets it
    (request,) = pages.run(pages.form_play, "initech").form_requests
    assert pages.signed_in(pages.csm).get(f"/form-requests/{request.id}").status_code == 404
    assert pages.signed_in(pages.admin).get(f"/form-requests/{request.id}").status_code == 200
