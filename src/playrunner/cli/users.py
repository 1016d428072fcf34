"""``playrunner users``: who may use the service, and in which role."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.options import JsonOption, ServiceOption
from playrunner.cli.output import console, print_empty, print_json, print_table
from playrunner.enums import UserRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from playrunner.models import User

app = typer.Typer(
    help="Manage users: create, change role, deactivate, set passwords.", no_args_is_help=True
)

EmailArgument = Annotated[str, typer.Argument(help="The user's email.")]


def _row(user: User) -> dict[str, str | bool]:
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "email_notifications": user.email_notifications,
    }


@app.command("list")
def list_(service: ServiceOption = None, as_json: JsonOption = False) -> None:
    """List the service's users."""
    from playrunner.cli.context import in_service
    from playrunner.pagination import every_page
    from playrunner.users import service as users_service

    users = in_service(
        service,
        lambda session, tenant_id: [
            _row(user)
            for user in every_page(
                lambda limit, offset: users_service.page_users(
                    session, tenant_id, limit=limit, offset=offset
                )
            )
        ],
        read_only=True,
    )
    if as_json:
        print_json(users)
        return
    if not users:
        print_empty("users", "Add one: playrunner users create EMAIL --name NAME")
        return
    print_table(
        "Users",
        ["email", "name", "role", "active"],
        [[u["email"], u["name"], u["role"], "yes" if u["active"] else "no"] for u in users],
    )


@app.command("create")
def create(
    email: EmailArgument,
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[UserRole, typer.Option(help="SERVICE_ADMIN or USER.")] = UserRole.USER,
    service: ServiceOption = None,
) -> None:
    """Create a user."""
    from playrunner.cli.context import in_service
    from playrunner.users import service as users_service

    user = in_service(
        service,
        lambda session, tenant_id: users_service.create_user(session, tenant_id, email, name, role),
    )
    console.print(f"Created {user.email} ({user.role.value}).")


@app.command("set-role")
def set_role(
    email: EmailArgument,
    role: Annotated[UserRole, typer.Argument(help="SERVICE_ADMIN or USER.")],
    service: ServiceOption = None,
) -> None:
    """Change a user's role; their tokens follow at once."""
    from playrunner.cli.context import in_service
    from playrunner.users import service as users_service

    in_service(service, lambda s, t: users_service.set_role(s, t, email, role))
    console.print(f"{email} is now {role.value}.")


def _set_active(email: str, service: str | None, active: bool) -> None:
    from playrunner.cli.context import in_service
    from playrunner.users import service as users_service

    def work(session: Session, tenant_id: str) -> None:
        users_service.set_active(session, tenant_id, email, active)

    in_service(service, work)
    console.print(f"{email} is now {'active' if active else 'deactivated'}.")


@app.command("deactivate")
def deactivate(email: EmailArgument, service: ServiceOption = None) -> None:
    """Deactivate a user: every token of theirs stops working at once."""
    _set_active(email, service, False)


@app.command("activate")
def activate(email: EmailArgument, service: ServiceOption = None) -> None:
    """Reactivate a user."""
    _set_active(email, service, True)


@app.command("set-password")
def set_password(
    email: EmailArgument,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input."),
    ] = False,
    service: ServiceOption = None,
) -> None:
    """Set the password a user signs in with on the OAuth consent page."""
    from playrunner.cli.context import in_service
    from playrunner.users import service as users_service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    in_service(service, lambda s, t: users_service.set_password(s, t, email, password))
    console.print(f"Password set for {email}.")


def _on_off(value: str) -> bool:
    if value.lower() in ("on", "true", "yes"):
        return True
    if value.lower() in ("off", "false", "no"):
        return False
    raise typer.BadParameter(f"{value!r}: say on or off")


@app.command("email-notifications")
def email_notifications(
    email: EmailArgument,
    wanted: Annotated[bool, typer.Argument(help="on or off.", parser=_on_off, metavar="on|off")],
    service: ServiceOption = None,
) -> None:
    """Turn a user's emails about work assigned to them on or off (their own setting: an
    admin forcing them on for everyone wins: playrunner service set)."""
    from playrunner.cli.context import in_service
    from playrunner.users import service as users_service
    from playrunner.users.schemas import PreferencesPatch

    patch = PreferencesPatch(email_notifications=wanted)
    in_service(
        service,
        lambda s, t: users_service.update_preferences(s, users_service.act_as(s, t, email), patch),
    )
    console.print(f"Emails about assigned work are {'on' if wanted else 'off'} for {email}.")
