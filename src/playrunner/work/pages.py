"""The web app's home, "My work": what is assigned to the signed-in person."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.ids import as_uuid
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import PlayRead
from playrunner.ui.pages import redirect, render
from playrunner.ui.paging import PageView
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentUser
from playrunner.work import service
from playrunner.work.service import DUE_WINDOWS, VIEW_LABELS, WorkPage, WorkQuery

router = pages_router()


@router.get("/")
async def home(user: CurrentUser) -> Response:
    return redirect("/my-work")


@router.get("/my-work")
async def my_work(
    request: Request,
    user: CurrentUser,
    db: DatabaseDep,
    status: str = "open",
    account: Annotated[str, Query(max_length=255)] = "",
    play: Annotated[str, Query(max_length=64)] = "",
    due: str = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    query = WorkQuery(view=status, account=account, play_id=as_uuid(play), due=due, offset=offset)

    def read(s: Session) -> tuple[WorkPage, list[PlayRead]]:
        page = service.my_work(s, user, query)
        plays, _ = plays_service.page_plays(s, user.tenant_id, limit=1000, offset=0)
        return page, plays

    page, plays = await db.read(read)
    filters = {"status": status, "account": account, "play": play, "due": due}

    def url(**changes: object) -> str:
        wanted = {**filters, **changes}
        return "/my-work?" + urlencode({k: v for k, v in wanted.items() if v not in ("", None)})

    return render(
        request,
        "work/my_work.html",
        {
            "page": page,
            "view": status,
            "views": VIEW_LABELS,
            "filters": filters,
            "due_windows": DUE_WINDOWS,
            "plays": [(str(p.id), p.name) for p in plays],
            "paging": PageView(page.total, query.limit, offset, len(page.items)),
            "url": url,
            "page_url": lambda offset: url(offset=offset or ""),
        },
    )
