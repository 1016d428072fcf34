"""Commands that prepare and start Playrunner: init, migrate, demo, serve, worker."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.options import JsonOption
from playrunner.cli.output import console, print_json

if TYPE_CHECKING:
    from datetime import datetime

    from playrunner.config import Settings
    from playrunner.demo.seed import DemoInfo, DemoToken


def migrate() -> None:
    """Apply pending database migrations."""
    from playrunner.cli.context import database

    with database(migrate=True) as db:
        console.print(f"Database is up to date: {db.url.render_as_string(hide_password=True)}")


def init(
    service_name: Annotated[str, typer.Option(help="Name of the new service.")],
    admin_email: Annotated[str, typer.Option(help="Email of its first admin.")],
    admin_name: Annotated[str, typer.Option(help="Name of its first admin.")] = "Admin",
    service_id: Annotated[
        str | None, typer.Option(help="Service id (SP-1234-01); generated when omitted.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Migrate the database, create a service and its first admin, and print a token."""
    from playrunner.cli.context import database
    from playrunner.models import UserRole
    from playrunner.tenants import service as tenants_service
    from playrunner.tokens import service as tokens_service
    from playrunner.users import service as users_service

    with database(migrate=True) as db, db.session() as session:
        tenant = tenants_service.create_tenant(session, service_name, service_id)
        admin = users_service.create_user(
            session, tenant.id, admin_email, admin_name, role=UserRole.SERVICE_ADMIN
        )
        issued = tokens_service.create_token(
            session, users_service.principal_for(admin), "first admin token", "90d"
        )
    if as_json:
        print_json({"service_id": tenant.id, "admin_email": admin.email, "token": issued.secret})
        return
    console.print(f"Created service [bold]{tenant.id}[/] ({tenant.name})")
    console.print(f"Admin: {admin.email}")
    console.print(f"Admin token (shown once, expires in 90 days): [bold]{issued.secret}[/]")


def demo(
    new_tokens: Annotated[
        bool,
        typer.Option(
            "--new-tokens",
            help="Issue new demo tokens even if the earlier ones still work (they keep working).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the demo service (once) and print how to call it. The demo tokens printed
    earlier keep working; new ones are printed when a demo user has none (a fresh database)."""
    from playrunner.cli.context import database
    from playrunner.config import Settings
    from playrunner.demo.seed import seed_demo

    with database(migrate=True) as db, db.session() as session:
        info = seed_demo(session, new_tokens=new_tokens)
    if as_json:
        print_json(info.as_json())
    else:
        print_banner(info, Settings())


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (PLAYRUNNER_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (PLAYRUNNER_PORT).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Worker processes. Share limits through PLAYRUNNER_REDIS_URL."),
    ] = 1,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Seed the demo service first and print how to call it.")
    ] = False,
) -> None:
    """Serve the API."""
    from playrunner import server
    from playrunner.cli.context import database
    from playrunner.config import Settings
    from playrunner.demo.seed import seed_demo

    settings = Settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update=overrides)
    # Migrate (and seed) once, here, before any worker starts.
    with database(migrate=settings.auto_migrate or with_demo) as db:
        if with_demo:
            with db.session() as session:
                info = seed_demo(session)
            print_banner(info, settings)
    if workers > 1 and settings.redis_url is None:
        console.print(
            f"[yellow]Note:[/] {workers} workers without PLAYRUNNER_REDIS_URL: each worker counts"
            " rate limits on its own, so a token may make up to"
            f" {workers} times its limit.",
            highlight=False,
        )
    server.serve(settings, workers)


def command_name() -> str:
    """How to type ``playrunner`` from the current shell (``make run`` does not put the
    virtual environment on PATH)."""
    if shutil.which("playrunner"):
        return "playrunner"
    executable = Path(sys.argv[0]).resolve()
    try:
        return str(executable.relative_to(Path.cwd()))
    except ValueError:
        return str(executable)


# The shell variable the banner's curl statement reads when the token was printed earlier.
TOKEN_VARIABLE = "ADMIN_TOKEN"


def print_banner(info: DemoInfo, settings: Settings) -> None:
    from playrunner.automations.curl import curl_statement, single_quoted

    base_url = settings.base_url
    account = info.accounts[0]
    admin, user = info.admin_token, info.user_token
    created = "   (created just now)" if info.created else ""
    lines = [
        f"URL:          {base_url}   (API docs: {base_url}/docs)",
        f"Sign in:      {info.admin_email} / {info.admin_password}   (admin)",
        f"              {info.user_email} / {info.user_password}   (Success Manager)",
        f"Service:      {info.service_id}{created}",
        f"Admin token:  {_token_line(admin, info.admin_email + ', admin')}",
        f"User token:   {_token_line(user, info.user_email + ', not an admin')}",
    ]
    if admin.issued_now or user.issued_now:
        lines += _note(
            "New tokens are shown only this once: copy them now. They keep working when you"
            " restart (make run, playrunner demo) until they expire."
        )
    if not (admin.issued_now and user.issued_now):
        lines += _note(
            "A token printed earlier keeps working until it expires; only its hash is kept, so"
            f" it cannot be shown again. Lost it? {command_name()} demo --new-tokens prints new"
            " ones (the earlier ones keep working)."
        )
    lines += ["", "Run the follow-up task play on an account (the seed's curl statement):"]
    if admin.issued_now:
        token_header = single_quoted(f"app-token: {admin.secret}")
    else:
        lines.append(
            f"(first set {TOKEN_VARIABLE} to the admin token printed on {_day(admin.issued_at)},"
            f" {admin.hint}: {TOKEN_VARIABLE}=prpat_...)"
        )
        token_header = f'"app-token: ${TOKEN_VARIABLE}"'
    lines += [
        "",
        curl_statement(base_url, token_header, info.plays["task"], account),
        "",
        f"Then: {command_name()} tasks list --account {account}",
        f"Other plays: form={info.plays['form']}",
        f"             event_only={info.plays['event_only']}",
        f"             inactive={info.plays['inactive']}",
    ]
    console.rule("Playrunner demo")
    for line in lines:
        # soft_wrap: never break a token or the curl statement across lines.
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    console.rule()


def _token_line(token: DemoToken, whose: str) -> str:
    expiry = f"valid until {_day(token.expires_at)}" if token.expires_at else "never expires"
    if token.issued_now:
        return f"{token.secret}   ({whose}; new, {expiry})"
    return f"{token.hint}   ({whose}; printed on {_day(token.issued_at)}, {expiry})"


def _note(text: str) -> list[str]:
    """A note under the tokens, indented as their values are."""
    return textwrap.wrap(text, width=94, initial_indent=" " * 14, subsequent_indent=" " * 14)


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "?"


def worker(
    threads: Annotated[
        int, typer.Option(min=1, max=64, help="Deliveries sent at once by this process.")
    ] = 4,
) -> None:
    """Deliver webhooks and send emails until stopped (Ctrl-C or SIGTERM). Run any number of
    these beside `serve --workers N` (with PLAYRUNNER_WEBHOOK_WORKERS=0 there to leave
    sending to them)."""
    from playrunner.cli.context import database
    from playrunner.config import Settings
    from playrunner.outbox.kinds import every_kind
    from playrunner.outbox.workers import Workers

    settings = Settings()
    email = "and emails" if settings.email_enabled else "(email is off: no PLAYRUNNER_SMTP_HOST)"
    with database() as db:
        console.print(
            f"Delivering webhooks {email} with {threads} threads (process {os.getpid()})."
        )
        Workers(settings, db, every_kind()).run_forever(threads)
