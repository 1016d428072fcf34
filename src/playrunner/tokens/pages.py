"""Personal access tokens, for every signed-in user: their own tokens, created with Totango's
expiry choices (the secret shown once, with a copy button), renamed, revoked."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import TokenId
from playrunner.auth.principal import Principal
from playrunner.errors import PlayrunnerError
from playrunner.tokens import service
from playrunner.tokens.schemas import TokenRead
from playrunner.ui.errors import field_messages
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentUser, PostedForm

router = pages_router()

# The service's choices, as people read them, and a date of one's own.
EXPIRIES = [
    *(
        (choice, "No expiry" if choice == "never" else f"{choice[:-1]} days")
        for choice in service.EXPIRY_CHOICES
    ),
    ("custom", "A date of your choice"),
]


@router.get("/tokens")
async def tokens_page(request: Request, user: CurrentUser, db: DatabaseDep) -> Response:
    return await _page(request, user, db)


@router.post("/tokens")
async def create_token(
    request: Request, user: CurrentUser, form: PostedForm, db: DatabaseDep
) -> Response:
    name = form.get("name").strip()
    choice = form.get("expires", "90d")
    expires = form.get("expires_on").strip() if choice == "custom" else choice
    try:
        issued = await db.write(lambda s: service.create_token(s, user, name, expires))
    except PlayrunnerError as refused:
        errors = field_messages(refused)
        if "expires" in errors and choice == "custom":
            errors["expires_on"] = errors.pop("expires")
        typed = {"name": name, "expires": choice, "expires_on": form.get("expires_on")}
        return await _page(request, user, db, errors=errors, typed=typed, status=400)
    return await _page(request, user, db, secret=issued.secret, created=name)


@router.post("/tokens/{token_id}")
async def change_token(
    request: Request, user: CurrentUser, token_id: TokenId, form: PostedForm, db: DatabaseDep
) -> Response:
    """Rename a token, or revoke it (the next call with it gets 401)."""
    try:
        if form.get("do") == "revoke":
            await db.write(lambda s: service.revoke_token(s, user, token_id))
        else:
            name = form.get("name")
            await db.write(lambda s: service.update_token(s, user, token_id, name=name))
    except PlayrunnerError as refused:
        return await _page(request, user, db, error=refused.message, status=refused.status_code)
    return redirect("/tokens")


async def _page(
    request: Request,
    user: Principal,
    db: DatabaseDep,
    *,
    secret: str | None = None,
    created: str | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    tokens = await db.read(
        lambda s: [TokenRead.model_validate(t) for t in service.list_tokens(s, user)]
    )
    return render(
        request,
        "tokens/tokens.html",
        {
            "tokens": sorted(tokens, key=lambda t: (t.revoked_at is not None, t.name)),
            "secret": secret,
            "created": created,
            "errors": errors or {},
            "error": error,
            "typed": typed or {"name": "", "expires": "90d", "expires_on": ""},
            "expiries": EXPIRIES,
        },
        status=status,
    )
