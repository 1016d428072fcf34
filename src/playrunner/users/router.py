"""``/api/v1/users``: admins manage the users of their service; everyone can see themself."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.pagination import Page, PageDep
from playrunner.auth.dependencies import AdminPrincipal, CurrentPrincipal, require_scope
from playrunner.users import service
from playrunner.users.schemas import PreferencesPatch, UserCreate, UserPatch, UserRead

router = APIRouter(prefix="/api/v1/users", tags=["Users"])


@router.get(
    "",
    operation_id="listUsers",
    dependencies=[require_scope("users:read")],
    response_model=Page[UserRead],
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def list_users(principal: AdminPrincipal, db: DatabaseDep, page: PageDep) -> Page[UserRead]:
    """Users of your service, ordered by email."""

    def work(s: Session) -> tuple[list[UserRead], int]:
        users, total = service.page_users(
            s, principal.tenant_id, limit=page.limit, offset=page.offset
        )
        return [UserRead.model_validate(user) for user in users], total

    items, total = await db.read(work)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "",
    operation_id="createUser",
    dependencies=[require_scope("users:write")],
    status_code=201,
    response_model=UserRead,
    responses=problem_responses(400, 401, 403, 409, 429, 503),
)
async def create_user(body: UserCreate, principal: AdminPrincipal, db: DatabaseDep) -> UserRead:
    """Add a user to your service; 409 if the email is taken. They sign in with a token an
    admin issues from the CLI, or one they create themselves once they have one."""
    return await db.write(
        lambda s: UserRead.model_validate(
            service.create_user(s, principal.tenant_id, body.email, body.name, body.role)
        )
    )


@router.get(
    "/me",
    operation_id="getCurrentUser",
    dependencies=[require_scope("users:read")],
    response_model=UserRead,
    responses=problem_responses(401, 403, 429, 503),
)
async def get_current_user(principal: CurrentPrincipal, db: DatabaseDep) -> UserRead:
    """The user your token acts as."""
    return await db.read(
        lambda s: UserRead.model_validate(
            service.get_user(s, principal.tenant_id, principal.user_id)
        )
    )


@router.patch(
    "/me",
    operation_id="updateCurrentUser",
    dependencies=[require_scope("users:write")],
    response_model=UserRead,
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def update_current_user(
    body: PreferencesPatch, principal: CurrentPrincipal, db: DatabaseDep
) -> UserRead:
    """Change your own settings: `email_notifications: false` stops the emails about work
    assigned to you (unless an admin forces them on for everyone)."""
    return await db.write(
        lambda s: UserRead.model_validate(service.update_preferences(s, principal, body))
    )


@router.patch(
    "/{email}",
    operation_id="updateUser",
    dependencies=[require_scope("users:write")],
    response_model=UserRead,
    responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
)
async def update_user(
    email: str, body: UserPatch, principal: AdminPrincipal, db: DatabaseDep
) -> UserRead:
    """Rename, change the role of, or (de)activate a user. Deactivation and demotion apply to
    their very next call; the last active admin cannot deactivate or demote themself (409)."""
    return await db.write(
        lambda s: UserRead.model_validate(service.update_user(s, principal.tenant_id, email, body))
    )
