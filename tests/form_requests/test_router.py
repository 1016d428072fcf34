"""/api/v1/form-requests over real HTTP: listing, reading, answering and cancelling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worlds import ApiWorld, SentimentWorld, problem


@pytest.fixture
def world(api: ApiWorld) -> SentimentWorld:
    return SentimentWorld(api)


def test_submitting_changes_the_account_visibly(world: SentimentWorld) -> None:
    api = world.api
    response = api.user.post(
        world.url(world.mine, "/submit"),
        json={"answers": {"sentiment": "Red", "note": "Champion left", "score": 3}},
    )

    assert response.status_code == 200, response.text
    request = response.json()
    assert (request["status"], request["submitted_at"] is not None) == ("submitted", True)
    assert request["answers"] == {"sentiment": "Red", "note": "Champion left", "score": 3}
    assert world.attributes() == {
        "segment": "SMB",
        "sentiment": "Red",
        "note": "Champion left",
        "score": 3,
    }
    assert api.user.get(world.url(world.mine)).json()["status"] == "submitted"


def test_a_second_submission_is_refused(world: SentimentWorld) -> None:
    api = world.api
    first = api.user.post(
        world.url(world.mine, "/submit"), json={"answers": {"sentiment": "Yellow"}}
    )
    assert first.status_code == 200, first.text
    second = api.admin.post(
        world.url(world.mine, "/submit"), json={"answers": {"sentiment": "Red"}}
    )
    assert problem(second, 409)["detail"] == "Form request is already submitted"
    assert world.attributes()["sentiment"] == "Yellow"
    problem(api.user.post(world.url(world.mine, "/cancel")), 409)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"answers": {"sentiment": "Blue"}}, "answers", "sentiment: must be one of"),
        ({"answers": {"note": "no sentiment"}}, "answers", "sentiment: is required"),
        ({"answers": {"sentiment": "Red", "colour": "x"}}, "answers", "has no field 'colour'"),
        ({"answers": {"sentiment": "Red", "score": "high"}}, "answers", "score:"),
        ({"answers": {"sentiment": "Red", "note": "a\x00b"}}, "body.answers", "NUL characters"),
        ({"answers": ["Red"]}, "body.answers", "valid dictionary"),
        ({}, "body.answers", "Field required"),
        ({"answers": {"sentiment": "Red"}, "by": "me"}, "body.by", "Extra inputs"),
    ],
)
def test_bad_answers_name_the_field_and_change_nothing(
    world: SentimentWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(world.api.user.post(world.url(world.mine, "/submit"), json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert world.attributes() == {"segment": "SMB", "sentiment": "Green"}
    assert world.api.user.get(world.url(world.mine)).json()["status"] == "open"


def test_read_one_with_its_questions(world: SentimentWorld) -> None:
    request = world.api.user.get(world.url(world.mine)).json()
    assert (request["form"], request["account_id"], request["assignee"]) == (
        "Sentiment",
        "acme",
        world.api.user_user.email,
    )
    assert request["instructions"] == "Sentiment for acme Ltd?"
    assert [f["attribute"] for f in request["fields"]] == [
        "sentiment",
        "note",
        "score",
        "renewal",
        "channels",
        "reference",
    ]
    assert request["fields"][0]["options"] == ["Green", "Yellow", "Red"]
    assert (request["status"], request["answers"]) == ("open", None)


def test_cancel(world: SentimentWorld) -> None:
    api = world.api
    cancelled = api.user.post(world.url(world.mine, "/cancel"))
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    refused = api.user.post(
        world.url(world.mine, "/submit"), json={"answers": {"sentiment": "Red"}}
    )
    assert problem(refused, 409)["detail"] == "Form request is already cancelled"
    assert problem(api.admin.post(world.url(world.mine, "/cancel")), 409)["field"] == "status"
    assert world.attributes()["sentiment"] == "Green"
    # Admins cancel anyone's.
    assert api.admin.post(world.url(world.theirs, "/cancel")).json()["status"] == "cancelled"


def test_users_see_and_answer_only_their_own(world: SentimentWorld) -> None:
    api = world.api
    listed = api.user.get("/api/v1/form-requests").json()
    assert (listed["total"], [r["id"] for r in listed["items"]]) == (1, [world.mine])
    assert api.admin.get("/api/v1/form-requests").json()["total"] == 2
    problem(api.user.get(world.url(world.theirs)), 404)
    body = {"answers": {"sentiment": "Red"}}
    problem(api.user.post(world.url(world.theirs, "/submit"), json=body), 404)
    problem(api.user.post(world.url(world.theirs, "/cancel")), 404)
    assert api.admin.get(world.url(world.theirs)).json()["status"] == "open"
    # Admins answer anyone's.
    assert api.admin.post(world.url(world.theirs, "/submit"), json=body).status_code == 200


def test_another_service_sees_nothing(world: SentimentWorld) -> None:
    api = world.api
    body = {"answers": {"sentiment": "Red"}}
    assert problem(api.stranger.get(world.url(world.mine)), 404)["field"] == "form_request_id"
    problem(api.stranger.post(world.url(world.mine, "/submit"), json=body), 404)
    problem(api.stranger.post(world.url(world.mine, "/cancel")), 404)
    assert api.stranger.get("/api/v1/form-requests").json()["total"] == 0
    assert world.attributes()["sentiment"] == "Green"
    assert api.user.get(world.url(world.mine)).json()["status"] == "open"


def test_listing_filters_and_pages(world: SentimentWorld) -> None:
    api = world.api
    api.admin.post(world.url(world.theirs, "/submit"), json={"answers": {"sentiment": "Red"}})

    def ids(client_params: dict[str, Any], as_user: bool = False) -> list[str]:
        client = api.user if as_user else api.admin
        response = client.get("/api/v1/form-requests", params=client_params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids({}) == [world.theirs, world.mine]
    assert ids({"assignee": api.user_user.email.upper()}) == [world.mine]
    assert ids({"assignee": api.admin_user.email}) == [world.theirs]
    assert ids({"status": "open"}) == [world.mine]
    assert ids({"status": "submitted"}) == [world.theirs]
    assert ids({"account": "globex"}) == [world.theirs]
    assert ids({"account": "nope"}) == []
    assert ids({"account": "acme", "status": "submitted"}) == []
    page = api.admin.get("/api/v1/form-requests", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [r["id"] for r in page["items"]]) == (2, [world.mine])
    # A regular user's filters apply within their own requests.
    assert ids({"account": "globex"}, as_user=True) == []
    assert ids({"assignee": api.admin_user.email}, as_user=True) == []
    assert ids({"status": "open"}, as_user=True) == [world.mine]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1001}, "query.limit"),
        ({"status": "done"}, "query.status"),
        ({"offset": "x"}, "query.offset"),
    ],
)
def test_listing_bad_input_names_the_parameter(
    world: SentimentWorld, params: dict[str, Any], field: str
) -> None:
    assert problem(world.api.user.get("/api/v1/form-requests", params=params), 400)["field"] == (
        field
    )


def test_malformed_ids_are_not_found(world: SentimentWorld) -> None:
    api = world.api
    body = {"answers": {"sentiment": "Red"}}
    for response in (
        api.user.get(world.url("42")),
        api.user.post(world.url("42", "/submit"), json=body),
        api.user.post(world.url("42", "/cancel")),
    ):
        assert problem(response, 404)["detail"] == "Form request 42 not found"
