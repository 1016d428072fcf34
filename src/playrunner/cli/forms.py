"""``playrunner forms``: the form requests waiting for someone, and answering them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from playrunner.cli.errors import CommandFailed
from playrunner.cli.options import AsOption, JsonOption, ServiceOption
from playrunner.cli.output import Column, console, print_empty, print_json, print_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from playrunner.forms.schemas import FormFieldRead

app = typer.Typer(help="See and answer form requests.", no_args_is_help=True)


@app.command("pending")
def pending(
    as_email: Annotated[
        str | None, typer.Option("--as", help="Only requests assigned to this email.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List open form requests and the fields each asks for."""
    from playrunner.auth.principal import operator
    from playrunner.cli.context import in_service
    from playrunner.form_requests import service as form_requests_service
    from playrunner.form_requests.repository import FormRequestFilter
    from playrunner.models import FormRequestStatus

    where = FormRequestFilter(assignee_email=as_email, status=FormRequestStatus.OPEN, limit=limit)
    requests, _ = in_service(
        service,
        lambda session, tenant_id: form_requests_service.page_form_requests(
            session, operator(tenant_id), where
        ),
        read_only=True,
    )
    if as_json:
        print_json(requests)
        return
    if not requests:
        print_empty(
            "open form requests",
            "A play that requests information makes them: playrunner run PLAY ACCOUNT_ID"
            " --as EMAIL (playrunner plays list shows the plays).",
            {"--as": as_email},
        )
        return
    print_table(
        "Open form requests",
        [
            Column("id", "whole"),
            Column("form", drop=1),
            "account",
            Column("assignee", drop=3),
            Column("due", "whole", drop=2),
            Column("fields", "wrap"),
        ],
        [
            [
                r.id,
                r.form,
                r.account_id,
                r.assignee,
                r.due_date,
                "\n".join(_describe(field) for field in r.fields),
            ]
            for r in requests
        ],
    )


def _describe(field: FormFieldRead) -> str:
    options = f": {'|'.join(field.options)}" if field.options else ""
    required = ", required" if field.required else ""
    return f"{field.attribute} ({field.type.value}{options}{required})"


def parse_answers(pairs: list[str], answers_json: str | None) -> dict[str, Any]:
    """``key=value`` pairs (value read as JSON when it parses, else as text) and/or a JSON
    object. The form's own rules check the result; nothing is converted by field type here."""
    import orjson

    answers: dict[str, Any] = {}
    if answers_json:
        try:
            loaded = orjson.loads(answers_json)
        except orjson.JSONDecodeError as exc:
            raise CommandFailed(f"--answers is not valid JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise CommandFailed("--answers must be a JSON object")
        answers.update(loaded)
    for pair in pairs:
        key, separator, raw = pair.partition("=")
        if not separator or not key:
            raise CommandFailed(f"--answer {pair!r} is not in the form attribute=value")
        try:
            answers[key] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            answers[key] = raw
    if not answers:
        raise CommandFailed("Give at least one --answer attribute=value (or --answers JSON)")
    return answers


@app.command("submit")
def submit(
    request_id: Annotated[uuid.UUID, typer.Argument(help="The form request's id.")],
    as_email: AsOption,
    answer: Annotated[
        list[str] | None,
        typer.Option("--answer", help="attribute=value; repeat for each field."),
    ] = None,
    answers_json: Annotated[
        str | None, typer.Option("--answers", help='All answers as JSON: {"sentiment": "Red"}')
    ] = None,
    service: ServiceOption = None,
) -> None:
    """Submit answers; the account's attributes change in the same transaction."""
    from playrunner.cli.context import in_service
    from playrunner.form_requests import service as form_requests_service
    from playrunner.users import service as users_service

    answers = parse_answers(answer or [], answers_json)

    def work(session: Session, tenant_id: str) -> dict[str, Any]:
        actor = users_service.act_as(session, tenant_id, as_email)
        submitted = form_requests_service.submit(session, actor, request_id, answers)
        return dict(submitted.answers or {})

    saved = in_service(service, work)
    console.print(f"Submitted form request {request_id}; the account now has:")
    for key, value in saved.items():
        console.print(f"  {key} = {value!r}", highlight=False)
