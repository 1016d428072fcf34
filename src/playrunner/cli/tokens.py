"""``playrunner tokens``: personal access tokens, shown once, stored as hashes."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.options import JsonOption, ServiceOption
from playrunner.cli.output import Column, console, print_empty, print_json, print_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from playrunner.models import AccessToken
    from playrunner.tokens.service import IssuedToken

app = typer.Typer(help="Create, list and revoke personal access tokens.", no_args_is_help=True)

EmailOption = Annotated[str, typer.Option("--email", help="The user the token acts as.")]


@app.command("create")
def create(
    email: EmailOption,
    name: Annotated[str, typer.Option(help="A name to recognise the token by.")],
    expires: Annotated[
        str, typer.Option(help="7d, 30d, 60d, 90d, never, or a date (YYYY-MM-DD).")
    ] = "90d",
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a token and print it once."""
    from playrunner.cli.context import in_service
    from playrunner.tokens import service as tokens_service
    from playrunner.users import service as users_service

    def work(session: Session, tenant_id: str) -> IssuedToken:
        owner = users_service.principal_for(users_service.get_by_email(session, tenant_id, email))
        return tokens_service.create_token(session, owner, name, expires)

    issued = in_service(service, work)
    token = issued.token
    expiry = token.expires_at.isoformat() if token.expires_at else None
    if as_json:
        print_json(
            {"id": str(token.id), "name": token.name, "token": issued.secret, "expires_at": expiry}
        )
        return
    console.print(f"Token {token.id} ({token.name}), expires {expiry or 'never'}.")
    console.print("Copy it now; it is not shown again:")
    typer.echo(issued.secret)


@app.command("list")
def list_(email: EmailOption, service: ServiceOption = None, as_json: JsonOption = False) -> None:
    """List a user's tokens (never their secrets)."""
    from playrunner.cli.context import in_service
    from playrunner.tokens import service as tokens_service
    from playrunner.users import service as users_service

    def work(session: Session, tenant_id: str) -> list[AccessToken]:
        owner = users_service.principal_for(users_service.get_by_email(session, tenant_id, email))
        return tokens_service.list_tokens(session, owner)

    tokens = in_service(service, work, read_only=True)
    if not tokens and not as_json:
        print_empty(
            f"tokens of {email}", f"Make one: playrunner tokens create --email {email} --name NAME"
        )
        return
    if as_json:
        print_json(
            [
                {
                    "id": str(t.id),
                    "name": t.name,
                    "hint": t.hint,
                    "created_at": t.created_at.isoformat(),
                    "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in tokens
            ]
        )
        return
    print_table(
        f"Tokens of {email}",
        [
            Column("id", "whole"),
            "name",
            Column("token", "whole"),
            Column("created", "whole", drop=1),
            Column("state", "whole"),
        ],
        [[t.id, t.name, t.hint, f"{t.created_at:%Y-%m-%d}", _state(t)] for t in tokens],
    )


def _state(token: AccessToken) -> str:
    """Whether the token works, in a few words."""
    from playrunner.tokens import service as tokens_service

    if token.revoked_at is not None:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if not tokens_service.is_live(token):
        return f"expired {token.expires_at:%Y-%m-%d}"
    return f"until {token.expires_at:%Y-%m-%d}" if token.expires_at else "no expiry"


@app.command("revoke")
def revoke(
    token_id: Annotated[uuid.UUID, typer.Argument(help="The token's id (from tokens list).")],
    email: EmailOption,
    service: ServiceOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from playrunner.cli.context import in_service
    from playrunner.tokens import service as tokens_service
    from playrunner.users import service as users_service

    def work(session: Session, tenant_id: str) -> None:
        owner = users_service.principal_for(users_service.get_by_email(session, tenant_id, email))
        tokens_service.revoke_token(session, owner, token_id)

    in_service(service, work)
    console.print(f"Revoked token {token_id}.")
