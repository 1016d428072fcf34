"""``/api/v1/successplays``: admins define, change, enable, disable and delete plays; every
user of the service reads them. A play reads back exactly as it was written, so what GET
answers can be sent back with PUT."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy.orm import Session

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.pagination import Page, PageDep
from playrunner.api.paths import PlayId
from playrunner.auth.dependencies import AdminPrincipal, CurrentPrincipal, require_scope
from playrunner.plays import service
from playrunner.plays.schemas import PLAY_EXAMPLE, PlayRead, PlayWrite
from playrunner.plays.service import OpenItemsChoice

router = APIRouter(prefix="/api/v1/successplays", tags=["SuccessPlays"])

PlayBody = Annotated[
    PlayWrite,
    Body(openapi_examples={"follow_up": {"summary": "A task and a form", "value": PLAY_EXAMPLE}}),
]


@router.post(
    "",
    operation_id="createSuccessPlay",
    dependencies=[require_scope("successplays:write")],
    status_code=201,
    response_model=PlayRead,
    responses=problem_responses(400, 401, 403, 409, 429, 503),
)
async def create_play(body: PlayBody, principal: AdminPrincipal, db: DatabaseDep) -> PlayRead:
    """Define a play. Every flow, form, account role, user and template it names is checked
    first; a manual play may only create tasks or request information. 409 if the key is
    taken. The id is made by the server."""

    def work(s: Session) -> PlayRead:
        play = service.create_play(s, principal.tenant_id, body, key=body.key)
        return service.read_plays(s, [play])[0]

    return await db.write(work)


@router.get(
    "",
    operation_id="listSuccessPlays",
    dependencies=[require_scope("successplays:read")],
    response_model=Page[PlayRead],
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def list_plays(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    page: PageDep,
    trigger: Annotated[
        Literal["manual", "event"] | None, Query(description="Only plays with this trigger")
    ] = None,
    status: Annotated[
        Literal["active", "inactive"] | None, Query(description="Only enabled, or disabled, plays")
    ] = None,
) -> Page[PlayRead]:
    """Your service's plays, ordered by name."""
    items, total = await db.read(
        lambda s: service.page_plays(
            s,
            principal.tenant_id,
            trigger=trigger,
            active=None if status is None else status == "active",
            limit=page.limit,
            offset=page.offset,
        )
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/{play_id}",
    operation_id="getSuccessPlay",
    dependencies=[require_scope("successplays:read")],
    response_model=PlayRead,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def get_play(principal: CurrentPrincipal, play_id: PlayId, db: DatabaseDep) -> PlayRead:
    """One play, as it was written."""
    return await db.read(lambda s: service.read_play(s, principal.tenant_id, play_id))


@router.put(
    "/{play_id}",
    operation_id="replaceSuccessPlay",
    dependencies=[require_scope("successplays:write")],
    response_model=PlayRead,
    responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
)
async def replace_play(
    principal: AdminPrincipal, play_id: PlayId, body: PlayBody, db: DatabaseDep
) -> PlayRead:
    """Replace a play's whole definition and actions (a key left out is removed), checked as
    on creation. Tasks and form requests it already made are not changed."""

    def work(s: Session) -> PlayRead:
        play = service.replace_play(s, principal.tenant_id, play_id, body, key=body.key)
        return service.read_plays(s, [play])[0]

    return await db.write(work)


@router.post(
    "/{play_id}/enable",
    operation_id="enableSuccessPlay",
    dependencies=[require_scope("successplays:write")],
    response_model=PlayRead,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def enable_play(principal: AdminPrincipal, play_id: PlayId, db: DatabaseDep) -> PlayRead:
    """Let the play run again."""
    return await db.write(
        lambda s: service.read_plays(
            s, [service.set_active(s, principal.tenant_id, play_id, True)]
        )[0]
    )


@router.post(
    "/{play_id}/disable",
    operation_id="disableSuccessPlay",
    dependencies=[require_scope("successplays:write")],
    response_model=PlayRead,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def disable_play(principal: AdminPrincipal, play_id: PlayId, db: DatabaseDep) -> PlayRead:
    """Stop the play: the trigger API then answers "SuccessPlay not found" for it, as
    Totango does. Tasks and form requests it already made stay open."""
    return await db.write(
        lambda s: service.read_plays(
            s, [service.set_active(s, principal.tenant_id, play_id, False)]
        )[0]
    )


@router.delete(
    "/{play_id}",
    operation_id="deleteSuccessPlay",
    dependencies=[require_scope("successplays:write")],
    status_code=204,
    responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
)
async def delete_play(
    principal: AdminPrincipal,
    play_id: PlayId,
    db: DatabaseDep,
    open_tasks: Annotated[
        OpenItemsChoice,
        Query(
            description="When the play has open tasks or form requests: refuse (409), or"
            " cancel them and delete the play"
        ),
    ] = "refuse",
) -> Response:
    """Delete a play; it is then not found anywhere, and its key is free again. Its runs stay
    in the history."""
    await db.write(
        lambda s: service.delete_play(s, principal.tenant_id, play_id, open_items=open_tasks)
    )
    return Response(status_code=204)
