"""``/api/v1/tokens``: the caller's own personal access tokens. Anyone signed in manages
theirs, and only theirs: another user's token id is simply not found."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.paths import TokenId
from playrunner.auth.dependencies import PERSONAL_TOKENS_ONLY, CurrentPrincipal
from playrunner.tokens import service
from playrunner.tokens.schemas import TokenCreate, TokenCreated, TokenPatch, TokenRead

# Not for OAuth applications: a personal token made here would escape the app's scopes.
router = APIRouter(prefix="/api/v1/tokens", tags=["Tokens"], dependencies=[PERSONAL_TOKENS_ONLY])


@router.get(
    "",
    operation_id="listTokens",
    response_model=list[TokenRead],
    responses=problem_responses(401, 403, 429, 503),
)
async def list_tokens(principal: CurrentPrincipal, db: DatabaseDep) -> list[TokenRead]:
    """Your tokens, oldest first, revoked and expired ones included. Never the secrets."""
    return await db.read(
        lambda s: [TokenRead.model_validate(t) for t in service.list_tokens(s, principal)]
    )


@router.post(
    "",
    operation_id="createToken",
    status_code=201,
    response_model=TokenCreated,
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def create_token(
    body: TokenCreate, principal: CurrentPrincipal, db: DatabaseDep
) -> TokenCreated:
    """Issue a token that acts as you. The secret (``token``) is shown in this answer only."""

    def work(s: Session) -> TokenCreated:
        issued = service.create_token(s, principal, body.name, body.expires)
        read = TokenRead.model_validate(issued.token)
        return TokenCreated(**read.model_dump(), token=issued.secret)

    return await db.write(work)


@router.patch(
    "/{token_id}",
    operation_id="updateToken",
    response_model=TokenRead,
    responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
)
async def update_token(
    principal: CurrentPrincipal, token_id: TokenId, body: TokenPatch, db: DatabaseDep
) -> TokenRead:
    """Rename a token or change its expiry (counted from now); a revoked token cannot change."""
    return await db.write(
        lambda s: TokenRead.model_validate(
            service.update_token(s, principal, token_id, name=body.name, expires=body.expires)
        )
    )


@router.delete(
    "/{token_id}",
    operation_id="revokeToken",
    status_code=204,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def revoke_token(principal: CurrentPrincipal, token_id: TokenId, db: DatabaseDep) -> Response:
    """Revoke a token: the next call with it gets 401. Revoking again changes nothing."""
    await db.write(lambda s: service.revoke_token(s, principal, token_id))
    return Response(status_code=204)
