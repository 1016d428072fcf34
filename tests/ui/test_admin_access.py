"""The admin console is for admins: everyone else gets a clear 403 page on every one of its
pages (GET and POST alike), never a stack trace or a JSON document."""

from __future__ import annotations

import uuid

from playrunner.config import Settings
from playrunner.forms import service as forms_service
from playrunner.users import service as users_service
from playrunner.webhooks import service as webhooks_service
from playrunner.webhooks.schemas import EndpointCreate
from tests.pages import hidden_fields
from tests.worlds import PagesWorld

ADMIN_PAGES = [
    "/successplays",
    "/successplays/new",
    "/successplays/{play}",
    "/successplays/{play}/edit",
    "/runs",
    "/runs/{run}",
    "/forms",
    "/forms/new",
    "/setup",
    "/users",
    "/users/{user}",
    "/apps",
    "/webhooks",
    "/webhooks/{endpoint}",
    "/forms/{form}/edit",
    "/accounts/new",
    "/accounts/acme/edit",
    "/accounts/import",
]
ADMIN_FORMS = [
    "/webhooks",
    "/webhooks/{endpoint}",
    "/webhooks/deliveries/{delivery}",
    "/forms/{form}/edit",
    "/successplays/new",
    "/successplays/{play}/edit",
    "/successplays/{play}/active",
    "/forms/new",
    "/setup",
    "/users",
    "/users/{user}",
    "/apps",
    "/accounts/new",
    "/accounts/acme/edit",
    "/accounts/import",
]


def admin_page_ids(world: PagesWorld, run_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """What the admin pages' paths name: a play, a run, a user, a webhook endpoint, a form."""
    with world.database.session() as session:
        admin = users_service.principal_for(world.admin)
        settings = Settings(secret_key="k", webhooks_allow_private_networks=True)
        spec = EndpointCreate(url="http://127.0.0.1:9/hook", events=["*"])
        endpoint = webhooks_service.create_endpoint(session, admin, spec, settings)
        form = forms_service.find_form_by_name(session, world.tenant.id, "Sentiment")
    assert form is not None
    return {
        "play": world.task_play.id,
        "run": run_id,
        "user": world.csm.id,
        "endpoint": endpoint.id,
        "delivery": uuid.uuid4(),
        "form": form.id,
    }


def test_a_regular_user_gets_403_on_every_admin_page(pages: PagesWorld) -> None:
    ids = admin_page_ids(pages, pages.run(pages.task_play).run.id)
    csm, admin = pages.signed_in(pages.csm), pages.signed_in(pages.admin)
    token = hidden_fields(csm.get("/my-work").text)["csrf_token"]
    attempts = [("GET", page) for page in ADMIN_PAGES] + [("POST", page) for page in ADMIN_FORMS]
    for method, page in attempts:
        url = page.format(**ids)
        answer = csm.request(method, url, data={"csrf_token": token} if method == "POST" else None)
        assert answer.status_code == 403, (method, url, answer.status_code)
        assert answer.headers["content-type"].startswith("text/html")
        assert "This page is for the service&#39;s admins." in answer.text
        if method == "GET":
            assert admin.get(url).status_code == 200, url


def test_regular_users_see_no_admin_navigation(pages: PagesWorld) -> None:
    csm_page = pages.signed_in(pages.csm).get("/my-work").text
    assert 'href="/successplays"' not in csm_page
    assert 'href="/tokens"' in csm_page  # their own tokens are theirs to manage
    assert 'href="/successplays"' in pages.signed_in(pages.admin).get("/my-work").text
