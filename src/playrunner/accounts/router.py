"""``/api/v1/accounts`` and ``/api/v1/account-roles``: admins write, every user reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from playrunner.accounts import bulk, service
from playrunner.accounts.schemas import (
    AccountBody,
    AccountPatch,
    AccountRead,
    AccountRoleRead,
    AccountRoleWrite,
    AccountWrite,
    BulkResult,
    BulkUpsert,
    RoleHolderWrite,
)
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import READ_ERRORS, WRITE_ERRORS
from playrunner.api.pagination import Page, PageDep
from playrunner.auth.dependencies import AdminPrincipal, CurrentPrincipal, require_scope
from playrunner.validation import FilterText, parse_model

router = APIRouter(prefix="/api/v1", tags=["Accounts"])


@router.get(
    "/accounts",
    operation_id="listAccounts",
    dependencies=[require_scope("accounts:read")],
    response_model=Page[AccountRead],
    responses=READ_ERRORS,
)
async def list_accounts(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    page: PageDep,
    parent: Annotated[
        FilterText | None, Query(description="Only children of this account id")
    ] = None,
    attribute: Annotated[
        list[FilterText] | None,
        Query(description="name=value; repeat to require several", examples=["segment=SMB"]),
    ] = None,
    holder: Annotated[
        FilterText | None, Query(description="Email holding a role on the account")
    ] = None,
    role: Annotated[FilterText | None, Query(description="With holder: the role they hold")] = None,
    q: Annotated[
        FilterText | None,
        Query(max_length=255, description="Part of the account's id or name (any case)"),
    ] = None,
) -> Page[AccountRead]:
    """Accounts of your service, ordered by account id."""
    items, total = await db.read(
        lambda s: service.page_accounts(
            s,
            principal.tenant_id,
            search=q,
            parent=parent,
            attributes=attribute,
            holder=holder,
            role=role,
            limit=page.limit,
            offset=page.offset,
        )
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/accounts",
    operation_id="createAccount",
    dependencies=[require_scope("accounts:write")],
    status_code=201,
    response_model=AccountRead,
    responses=WRITE_ERRORS,
)
async def create_account(
    body: AccountWrite, principal: AdminPrincipal, db: DatabaseDep
) -> AccountRead:
    """Create an account; 409 if the id is taken (use PUT to create-or-replace)."""
    return await db.write(
        lambda s: service.read_accounts(
            s,
            [
                service.write_account(
                    s, principal.tenant_id, body, replace=False, actor_user_id=principal.user_id
                )[0]
            ],
        )[0]
    )


@router.post(
    "/accounts/bulk",
    operation_id="bulkUpsertAccounts",
    dependencies=[require_scope("accounts:write")],
    response_model=BulkResult,
    responses=WRITE_ERRORS,
)
async def bulk_upsert(body: BulkUpsert, principal: AdminPrincipal, db: DatabaseDep) -> BulkResult:
    """Create or replace up to 10,000 accounts; one result per item, in order. Items that fail
    change nothing; the others are written together."""
    return await db.write(
        lambda s: bulk.bulk_upsert(s, principal.tenant_id, body.accounts, principal.user_id)
    )


@router.get(
    "/accounts/{account_id}",
    operation_id="getAccount",
    dependencies=[require_scope("accounts:read")],
    response_model=AccountRead,
    responses=READ_ERRORS,
)
async def get_account(account_id: str, principal: CurrentPrincipal, db: DatabaseDep) -> AccountRead:
    return await db.read(lambda s: service.read_account(s, principal.tenant_id, account_id))


@router.put(
    "/accounts/{account_id}",
    operation_id="upsertAccount",
    dependencies=[require_scope("accounts:write")],
    response_model=AccountRead,
    responses={201: {"description": "Created", "model": AccountRead}, **WRITE_ERRORS},
)
async def upsert_account(
    account_id: Annotated[str, Path(min_length=1, max_length=255)],
    body: AccountBody,
    principal: AdminPrincipal,
    db: DatabaseDep,
    response: Response,
) -> AccountRead:
    """Create the account with this id, or replace it entirely (200)."""
    spec = parse_model(
        AccountWrite, {"account_id": account_id, **body.model_dump()}, what="account"
    )

    def work(s: Session) -> tuple[AccountRead, bool]:
        account, created = service.write_account(
            s, principal.tenant_id, spec, actor_user_id=principal.user_id
        )
        return service.read_accounts(s, [account])[0], created

    account, created = await db.write(work)
    response.status_code = 201 if created else 200
    return account


@router.patch(
    "/accounts/{account_id}",
    operation_id="updateAccount",
    dependencies=[require_scope("accounts:write")],
    response_model=AccountRead,
    responses=WRITE_ERRORS,
)
async def patch_account(
    account_id: str, body: AccountPatch, principal: AdminPrincipal, db: DatabaseDep
) -> AccountRead:
    """Change some fields; attributes and roles merge (null removes one)."""
    return await db.write(
        lambda s: service.read_accounts(
            s,
            [
                service.patch_account(
                    s, principal.tenant_id, account_id, body, actor_user_id=principal.user_id
                )
            ],
        )[0]
    )


@router.delete(
    "/accounts/{account_id}",
    operation_id="deleteAccount",
    dependencies=[require_scope("accounts:write")],
    status_code=204,
    responses=WRITE_ERRORS,
)
async def delete_account(account_id: str, principal: AdminPrincipal, db: DatabaseDep) -> Response:
    """Delete the account, its tasks, form requests and runs. Its children lose their parent."""
    await db.write(lambda s: service.delete_account(s, principal.tenant_id, account_id))
    return Response(status_code=204)


@router.put(
    "/accounts/{account_id}/roles/{role}",
    operation_id="setAccountRole",
    dependencies=[require_scope("accounts:write")],
    response_model=AccountRead,
    responses=WRITE_ERRORS,
)
async def set_role(
    account_id: str, role: str, body: RoleHolderWrite, principal: AdminPrincipal, db: DatabaseDep
) -> AccountRead:
    """Make a user the holder of an account role (e.g. its Success Manager)."""
    return await db.write(
        lambda s: service.set_role_holder(s, principal.tenant_id, account_id, role, body.email)
    )


@router.delete(
    "/accounts/{account_id}/roles/{role}",
    operation_id="clearAccountRole",
    dependencies=[require_scope("accounts:write")],
    response_model=AccountRead,
    responses=WRITE_ERRORS,
)
async def clear_role(
    account_id: str, role: str, principal: AdminPrincipal, db: DatabaseDep
) -> AccountRead:
    return await db.write(
        lambda s: service.set_role_holder(s, principal.tenant_id, account_id, role, None)
    )


@router.get(
    "/account-roles",
    operation_id="listAccountRoles",
    dependencies=[require_scope("accounts:read")],
    response_model=list[AccountRoleRead],
    responses=READ_ERRORS,
    tags=["Account roles"],
)
async def list_roles(principal: CurrentPrincipal, db: DatabaseDep) -> list[AccountRoleRead]:
    return await db.read(
        lambda s: [AccountRoleRead(name=r.name) for r in service.list_roles(s, principal.tenant_id)]
    )


@router.post(
    "/account-roles",
    operation_id="createAccountRole",
    dependencies=[require_scope("accounts:write")],
    status_code=201,
    response_model=AccountRoleRead,
    responses=WRITE_ERRORS,
    tags=["Account roles"],
)
async def create_role(
    body: AccountRoleWrite, principal: AdminPrincipal, db: DatabaseDep
) -> AccountRoleRead:
    role = await db.write(lambda s: service.add_role(s, principal.tenant_id, body.name))
    return AccountRoleRead(name=role.name)


@router.patch(
    "/account-roles/{name}",
    operation_id="renameAccountRole",
    dependencies=[require_scope("accounts:write")],
    response_model=AccountRoleRead,
    responses=WRITE_ERRORS,
    tags=["Account roles"],
)
async def rename_role(
    name: str, body: AccountRoleWrite, principal: AdminPrincipal, db: DatabaseDep
) -> AccountRoleRead:
    """Rename a role: who holds it on each account, and plays assigning work by it, follow."""
    role = await db.write(lambda s: service.rename_role(s, principal.tenant_id, name, body.name))
    return AccountRoleRead(name=role.name)


@router.delete(
    "/account-roles/{name}",
    operation_id="deleteAccountRole",
    dependencies=[require_scope("accounts:write")],
    status_code=204,
    responses=WRITE_ERRORS,
    tags=["Account roles"],
)
async def delete_role(name: str, principal: AdminPrincipal, db: DatabaseDep) -> Response:
    """Remove a role and who held it; refused while a play assigns work by it."""
    await db.write(lambda s: service.delete_role(s, principal.tenant_id, name))
    return Response(status_code=204)
