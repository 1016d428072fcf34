"""``playrunner apps``: OAuth applications. The client secret is printed once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.errors import CommandFailed
from playrunner.cli.options import JsonOption, ServiceOption
from playrunner.cli.output import Column, console, print_empty, print_json, print_table
from playrunner.enums import GrantType

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from playrunner.oauth.schemas import AppRead

app = typer.Typer(
    help="OAuth applications: register, list, change, rotate secrets, delete.", no_args_is_help=True
)

AppArgument = Annotated[str, typer.Argument(help="The app's id or client id.")]


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="A name admins and users recognise.")],
    grant: Annotated[
        list[GrantType],
        typer.Option(help="A grant type; repeat for several.", show_default=False),
    ],
    scope: Annotated[
        list[str],
        typer.Option(help="A scope (see `playrunner apps scopes`); repeat for several."),
    ],
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option(help="For authorization_code: a redirect URI; repeat for several."),
    ] = None,
    acting_user: Annotated[
        str | None,
        typer.Option(help="For client_credentials: email of the user the app acts as."),
    ] = None,
    token_lifetime: Annotated[
        int | None,
        typer.Option(
            help="Seconds an access token lives (60 to 86400).",
            show_default="3600",
        ),
    ] = None,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an app and print its client id and secret (the secret only now)."""
    from playrunner.cli.context import in_service
    from playrunner.oauth import service as oauth_service
    from playrunner.oauth.schemas import AppCreate
    from playrunner.validation import parse_model

    given = {"access_token_lifetime": token_lifetime} if token_lifetime is not None else {}
    fields = {
        "name": name,
        "grant_types": grant,
        "scopes": scope,
        "redirect_uris": redirect_uri or [],
        "acting_user": acting_user,
        **given,
    }
    spec = parse_model(AppCreate, fields, what="application")
    issued = in_service(service, lambda s, t: oauth_service.create_app(s, t, spec))
    _print_secret(issued.app, issued.secret, as_json)


@app.command("list")
def list_(service: ServiceOption = None, as_json: JsonOption = False) -> None:
    """List the service's apps (never their secrets)."""
    from playrunner.cli.context import in_service
    from playrunner.oauth import service as oauth_service
    from playrunner.pagination import every_page

    apps = in_service(
        service,
        lambda s, t: every_page(
            lambda limit, offset: oauth_service.page_apps(s, t, limit=limit, offset=offset)
        ),
        read_only=True,
    )
    if as_json:
        print_json(apps)
        return
    if not apps:
        print_empty(
            "OAuth applications",
            "Register one: playrunner apps create --name NAME --grant client_credentials"
            " --scope SCOPE --acting-user EMAIL (playrunner apps scopes lists the scopes).",
        )
        return
    print_table(
        "OAuth applications",
        [
            # Either id names an app in the other commands: at 80 columns, one is enough.
            Column("id", "whole", drop=1),
            "name",
            Column("client id", "whole"),
            Column("grants", "wrap", drop=3),
            Column("scopes", "wrap", drop=2),
            Column("acting user", drop=4),
        ],
        [
            [
                a.id,
                a.name,
                a.client_id,
                " ".join(a.grant_types),
                " ".join(a.scopes),
                a.acting_user or "",
            ]
            for a in apps
        ],
    )


@app.command("update")
def update(
    reference: AppArgument,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    grant: Annotated[
        list[GrantType] | None,
        typer.Option(help="The grant types (replacing them); repeat for several."),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(help="The scopes (replacing them); repeat for several."),
    ] = None,
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option(help="The redirect URIs (replacing them); repeat for several."),
    ] = None,
    acting_user: Annotated[
        str | None, typer.Option(help="Email of the user client-credentials tokens act as.")
    ] = None,
    no_acting_user: Annotated[
        bool, typer.Option("--no-acting-user", help="Clear the acting user.")
    ] = False,
    token_lifetime: Annotated[
        int | None, typer.Option(help="Seconds an access token lives (60 to 86400).")
    ] = None,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change an app; only the options given change. Tokens the change makes wrong (a grant
    removed, another acting user) are revoked at once; a scope removed stops working at once."""
    from playrunner.cli.context import in_service
    from playrunner.oauth import service as oauth_service
    from playrunner.oauth.schemas import AppPatch
    from playrunner.validation import parse_model

    given: dict[str, object] = {
        "name": name,
        "grant_types": grant,
        "scopes": scope,
        "redirect_uris": redirect_uri,
        "acting_user": acting_user,
        "access_token_lifetime": token_lifetime,
    }
    changes = {field: value for field, value in given.items() if value is not None}
    if no_acting_user:
        if acting_user is not None:
            raise CommandFailed("Give --acting-user or --no-acting-user, not both")
        changes["acting_user"] = None
    if not changes:
        raise CommandFailed("Nothing to change: give at least one option (see --help)")
    patch = parse_model(AppPatch, changes, what="application")
    read = in_service(
        service,
        lambda s, t: oauth_service.update_app(
            s, t, oauth_service.find_app(s, t, reference).id, patch
        ),
    )
    if as_json:
        print_json(read)
        return
    console.print(f"Updated {read.name} ({read.client_id}).", highlight=False)


@app.command("rotate-secret")
def rotate_secret(
    reference: AppArgument, service: ServiceOption = None, as_json: JsonOption = False
) -> None:
    """Give an app a new client secret and print it once; the old one stops working."""
    from playrunner.cli.context import in_service
    from playrunner.oauth import service as oauth_service

    issued = in_service(
        service,
        lambda s, t: oauth_service.rotate_secret(s, t, oauth_service.find_app(s, t, reference).id),
    )
    _print_secret(issued.app, issued.secret, as_json)


@app.command("delete")
def delete(reference: AppArgument, service: ServiceOption = None) -> None:
    """Delete an app: every token it holds stops working at once."""
    from playrunner.cli.context import in_service
    from playrunner.oauth import service as oauth_service

    def work(session: Session, tenant_id: str) -> str:
        found = oauth_service.find_app(session, tenant_id, reference)
        oauth_service.delete_app(session, tenant_id, found.id)
        return found.name

    name = in_service(service, work)
    console.print(f"Deleted {name}; its tokens are revoked.")


@app.command("scopes")
def scopes(as_json: JsonOption = False) -> None:
    """List the scopes an app can be given."""
    from playrunner.auth import scopes as catalogue

    if as_json:
        print_json([{"scope": s.name, "label": s.label} for s in catalogue.CATALOGUE])
        return
    print_table(
        "Scopes",
        [Column("scope", "whole"), Column("label", "wrap")],
        [[s.name, s.label] for s in catalogue.CATALOGUE],
    )


def _print_secret(read: AppRead, secret: str, as_json: bool) -> None:
    if as_json:
        print_json({**read.model_dump(mode="json"), "client_secret": secret})
        return
    console.print(f"{read.name}: client id {read.client_id}", highlight=False)
    console.print("Client secret (copy it now; it is not shown again):")
    typer.echo(secret)
