"""Inbound events: admins create sources and their rules; systems post signed events, which
are stored (deduplicated by their id), answered ``202`` and processed by the outbox workers.

Receiving is kept cheap (the signature, one INSERT, the commit): an event is processed later,
in its own transaction with what it causes (attributes set, a play run) and its outcome, so
it is processed once. An admin can try a source's rules on a sample event (``test_rules``):
the same decision, nothing written.
"""

from __future__ import annotations

import functools
import hmac
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal, require_service_admin
from playrunner.automations import service as automations_service
from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database, after_commit
from playrunner.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidRequest,
    NotFound,
    PlayrunnerError,
)
from playrunner.ids import time_ordered_id
from playrunner.inbound import repository, rules
from playrunner.inbound.schemas import (
    EventAccepted,
    InboundEventRead,
    RuleRead,
    RuleTestResult,
    RuleWrite,
    SourceCreate,
    SourceCreated,
    SourceRead,
)
from playrunner.models import (
    EventRule,
    EventSource,
    InboundEvent,
    InboundEventStatus,
    RuleAction,
    RunSource,
)
from playrunner.models.records import AccountSnapshot
from playrunner.outbox import batches, wakeup
from playrunner.outbox.workers import Kind
from playrunner.plays import service as plays_service
from playrunner.runs.engine import start_run
from playrunner.users import service as users_service
from playrunner.webhooks import signing

logger = logging.getLogger("playrunner.inbound")
OUTBOX_KIND = "process_event"
EVENTS_PATH = "/api/v1/events"
TOKEN_PREFIX = "pr_evt_"  # a source's token (a secret: the prefix tells what it is)


# Sources


def source_read(source: EventSource) -> SourceRead:
    return SourceRead(
        id=source.id,
        name=source.name,
        description=source.description,
        events_url=f"{EVENTS_PATH}/{source.id}",
        created_at=source.created_at,
    )


def list_sources(session: Session, actor: Principal) -> list[SourceRead]:
    require_service_admin(actor)
    return [source_read(s) for s in repository.sources(session, actor.tenant_id)]


def get_source(
    session: Session, actor: Principal, source_id: uuid.UUID, *, for_update: bool = False
) -> EventSource:
    """The service's source (``for_update``: held until the transaction ends, so that a
    change and a deletion of it cannot interleave)."""
    require_service_admin(actor)
    found = repository.source(session, actor.tenant_id, source_id, for_update=for_update)
    if found is None:
        raise NotFound(f"Event source {source_id} not found", field="source_id")
    return found


def create_source(
    session: Session, actor: Principal, spec: SourceCreate, settings: Settings
) -> SourceCreated:
    """A new source; the answer carries its signing secret, shown only this once."""
    require_service_admin(actor)
    if repository.name_taken(session, actor.tenant_id, spec.name):
        raise Conflict(f"An event source named {spec.name!r} already exists", field="name")
    source = EventSource(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        name=spec.name,
        description=spec.description,
        secret_salt=signing.new_salt(),
        created_by=actor.user_id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(source)
    session.flush()
    return _with_secret(source, settings)


def rotate_secret(
    session: Session, actor: Principal, source_id: uuid.UUID, settings: Settings
) -> SourceCreated:
    """A new signing secret and token (shown once); the old ones are refused."""
    source = get_source(session, actor, source_id, for_update=True)
    source.secret_salt = signing.new_salt()
    source.updated_at = utcnow()
    session.flush()
    _forget_signer(session, source.id, settings)
    return _with_secret(source, settings)


def delete_source(
    session: Session, actor: Principal, source_id: uuid.UUID, settings: Settings
) -> None:
    """Delete a source with its rules and the events it received."""
    session.delete(get_source(session, actor, source_id, for_update=True))
    session.flush()
    _forget_signer(session, source_id, settings)


def _with_secret(source: EventSource, settings: Settings) -> SourceCreated:
    key = signing.server_key(settings)
    return SourceCreated(
        **source_read(source).model_dump(),
        secret=signing.endpoint_secret(key, source.secret_salt),
        token=signing.derived_token(key, source.secret_salt, TOKEN_PREFIX),
    )


# Rules


def list_rules(session: Session, actor: Principal, source_id: uuid.UUID) -> list[RuleRead]:
    source = get_source(session, actor, source_id)
    found = repository.rules(session, source.id)
    names = repository.play_names(session, {r.play_id for r in found if r.play_id})
    return [rule_read(r, names) for r in found]


def rule_read(rule: EventRule, play_names: Mapping[uuid.UUID, str]) -> RuleRead:
    return RuleRead(
        id=rule.id,
        name=rule.name,
        position=rule.position,
        match=rule.match,
        account_path=rule.account_path,
        action=rule.action,
        attributes=rule.attributes,
        play_id=rule.play_id,
        play=play_names.get(rule.play_id) if rule.play_id else None,
        enabled=rule.enabled,
    )


def add_rule(session: Session, actor: Principal, source_id: uuid.UUID, spec: RuleWrite) -> RuleRead:
    """Add a rule after the source's others."""
    source = get_source(session, actor, source_id, for_update=True)
    rule = EventRule(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        source_id=source.id,
        position=repository.next_position(session, source.id),
        created_at=utcnow(),
    )
    _set_rule(session, actor, rule, spec)
    session.add(rule)
    session.flush()
    return _read_one(session, rule)


def replace_rule(
    session: Session, actor: Principal, source_id: uuid.UUID, rule_id: uuid.UUID, spec: RuleWrite
) -> RuleRead:
    rule = _get_rule(session, actor, source_id, rule_id)
    _set_rule(session, actor, rule, spec)
    session.flush()
    return _read_one(session, rule)


def delete_rule(
    session: Session, actor: Principal, source_id: uuid.UUID, rule_id: uuid.UUID
) -> None:
    session.delete(_get_rule(session, actor, source_id, rule_id))
    session.flush()


def _get_rule(
    session: Session, actor: Principal, source_id: uuid.UUID, rule_id: uuid.UUID
) -> EventRule:
    source = get_source(session, actor, source_id, for_update=True)
    found = repository.rule(session, source.id, rule_id)
    if found is None:
        raise NotFound(f"Rule {rule_id} not found", field="rule_id")
    return found


def _set_rule(session: Session, actor: Principal, rule: EventRule, spec: RuleWrite) -> None:
    rule.name = spec.name
    rule.match = dict(spec.match)
    rule.account_path = spec.account_path
    rule.action = spec.action
    rule.enabled = spec.enabled
    rule.updated_at = utcnow()
    rule.attributes = (
        dict(spec.attributes)
        if spec.action is RuleAction.SET_ATTRIBUTES and spec.attributes
        else None
    )
    rule.play_id = None
    if spec.action is RuleAction.RUN_PLAY and spec.play is not None:
        # The checks a trigger makes (found, active, manual), with the trigger's messages.
        play_id = plays_service.id_of(session, actor.tenant_id, spec.play)
        try:
            plan = automations_service.runnable_play(session, actor, str(play_id))
        except PlayrunnerError as exc:
            raise InvalidRequest(exc.message, field="play") from None
        rule.play_id = plan.id


def _read_one(session: Session, rule: EventRule) -> RuleRead:
    names = repository.play_names(session, {rule.play_id} if rule.play_id else set())
    return rule_read(rule, names)


# Receiving


@dataclass(frozen=True)
class Signer:
    """What receiving an event needs of its source (kept per process: ``signer``)."""

    source_id: uuid.UUID
    tenant_id: str
    name: str
    webhook: Webhook  # verifies with the source's secret
    token: bytes  # the source's token, for senders that cannot sign


# Which sources exist, and their secrets, are asked on every event, so this process keeps
# each for at most SOURCES_TTL seconds: a rotation or deletion made in this process applies
# to the next event (its commit forgets the entry), one made by another process within
# that time.
SOURCES_TTL = 1.0
_signers: dict[tuple[str, uuid.UUID], tuple[float, Signer | None]] = {}


def cached_signer(source_id: uuid.UUID, settings: Settings) -> Signer | None:
    """The source, if this process read it less than SOURCES_TTL ago (no database work:
    the receiving route asks this first)."""
    cached = _signers.get((settings.database_url, source_id))
    if cached is None or cached[1] is None or time.monotonic() - cached[0] > SOURCES_TTL:
        return None
    return cached[1]


def signer(session: Session, source_id: uuid.UUID, settings: Settings) -> Signer:
    """The source events are posted to, by id (the caller is known by its signature or its
    token only)."""
    key = (settings.database_url, source_id)
    now = time.monotonic()
    cached = _signers.get(key)
    if cached is None or now - cached[0] > SOURCES_TTL:
        source = repository.source_anywhere(session, source_id)
        found = None
        if source is not None:
            server_key = signing.server_key(settings)
            secret = signing.endpoint_secret(server_key, source.secret_salt)
            token = signing.derived_token(server_key, source.secret_salt, TOKEN_PREFIX).encode()
            found = Signer(source.id, source.tenant_id, source.name, Webhook(secret), token)
        cached = _signers[key] = (now, found)
    if cached[1] is None:
        raise NotFound(f"Event source {source_id} not found", field="source_id")
    return cached[1]


def _forget_signer(session: Session, source_id: uuid.UUID, settings: Settings) -> None:
    key = (settings.database_url, source_id)
    after_commit(session, lambda: _forget(key))


def _forget(key: tuple[str, uuid.UUID]) -> None:
    _signers.pop(key, None)


def verify(source: Signer, body: bytes, headers: Mapping[str, str]) -> str:
    """The event's id, once it is the source's (its signature, or else its token: 401
    otherwise, logged) and its body a JSON object."""
    authorization = headers.get("authorization")
    if authorization is not None and "webhook-signature" not in headers:
        _check_token(source, authorization)
    else:
        try:
            source.webhook.verify(body, dict(headers))
        except WebhookVerificationError as exc:
            _refused(source, str(exc))
            raise AuthenticationFailed(
                "Invalid signature: sign events with the source's secret"
                " (or send its token: Authorization: Bearer <token>)"
            ) from None
    event_id = headers.get("webhook-id", "")
    if not 0 < len(event_id) <= 255:
        raise InvalidRequest("webhook-id must be 1 to 255 characters", field="webhook-id")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidRequest("The event must be a JSON object", field="body") from None
    if not isinstance(payload, dict):
        raise InvalidRequest("The event must be a JSON object", field="body")
    return event_id


def _check_token(source: Signer, authorization: str) -> None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), source.token):
        _refused(source, "the token is not the source's")
        raise AuthenticationFailed(
            "Invalid token: send the source's token as Authorization: Bearer <token>"
        )


def _refused(source: Signer, why: str) -> None:
    logger.warning("event refused for source %s (%s): %s", source.source_id, source.name, why)


async def receive(database: Database, source: Signer, event_id: str, body: bytes) -> EventAccepted:
    """Store a verified event unless the source has one with its id, and wake this
    process's workers for it. One statement (two deliveries of one event racing store it
    once), through the driver, committed with the loop turn's other writes: receiving must
    stay much cheaper than what the event then causes."""
    now, row_id = utcnow(), time_ordered_id()  # the primary-key index grows at its end
    row: dict[str, object] = {
        "id": row_id,
        "tenant_id": source.tenant_id,
        "source_id": source.source_id,
        "event_id": event_id,
        "payload": body.decode(),
        "status": InboundEventStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    stored = await repository.store_event(database, row)
    if not stored:
        return EventAccepted(id=event_id, status="duplicate")
    wakeup.tell(OUTBOX_KIND, [row_id])
    return EventAccepted(id=event_id, status="accepted")


def list_events(
    session: Session, actor: Principal, source_id: uuid.UUID, limit: int = 50
) -> list[InboundEventRead]:
    """The source's latest events, newest first, each with what came of it."""
    source = get_source(session, actor, source_id)
    return [
        InboundEventRead(
            id=event.id,
            event_id=event.event_id,
            received_at=event.created_at,
            status=event.status,
            outcome=event.outcome
            or (f"Not processed: {event.last_error}" if event.last_error else None),
            rule_id=event.rule_id,
            account_id=account_id,
            run_id=event.run_id,
        )
        for event, account_id in repository.events(session, source.id, limit)
    ]


# Deciding and processing


@dataclass(frozen=True)
class Decision:
    """What an event comes to: the rule, the account, and what to do (or why nothing)."""

    match: rules.Match | None
    account: AccountSnapshot | None
    outcome: str  # what was (or would be) done, or why nothing
    attributes: dict[str, Any] | None = None

    @property
    def acts(self) -> bool:
        return self.account is not None


def decide(session: Session, source: EventSource, payload: Any) -> Decision:
    """Which rule applies to the event, on which account, to do what."""
    match = rules.first_match(repository.rules(session, source.id), payload)
    if match is None:
        return Decision(None, None, "No rule matched")
    name = match.rule.name
    if match.account_id is None:
        path = match.rule.account_path
        return Decision(match, None, f"Rule {name!r} matched; {path!r} gave no account id")
    account = accounts_service.find_snapshot(session, source.tenant_id, match.account_id)
    if account is None:
        return Decision(
            match, None, f"Rule {name!r} matched; account {match.account_id!r} not found"
        )
    if match.rule.action is RuleAction.SET_ATTRIBUTES:
        values = rules.values(match.rule, payload)
        if not values:
            return Decision(match, None, f"Rule {name!r} matched; no attribute value found")
        shown = ", ".join(sorted(values))
        return Decision(
            match, account, f"Rule {name!r}: set {shown} on {account.account_id}", values
        )
    return Decision(match, account, f"Rule {name!r}: ran the play on {account.account_id}")


def test_rules(
    session: Session, actor: Principal, source_id: uuid.UUID, payload: dict[str, Any]
) -> RuleTestResult:
    """What the source's rules would do with this event; nothing is written."""
    source = get_source(session, actor, source_id)
    decision = decide(session, source, payload)
    match = decision.match
    rule = _read_one(session, match.rule) if match else None
    result = RuleTestResult(
        rule=rule,
        account_id=decision.account.account_id
        if decision.account
        else (match.account_id if match else None),
        outcome=decision.outcome.replace(": ran the play", ": would run the play").replace(
            ": set ", ": would set "
        ),
        attributes=decision.attributes,
    )
    if decision.account is not None and match is not None and match.rule.play_id is not None:
        result.dry_run = automations_service.dry_run(
            session, actor, str(match.rule.play_id), decision.account.account_id
        )
    return result


def process_many(
    database: Database, settings: Settings, ids: list[uuid.UUID]
) -> dict[uuid.UUID, float]:
    """Process those of these events that are due and free, with what they cause
    (``outbox.batches``). Returns the seconds until the next try of those that failed."""
    return batches.all_or_each(
        database,
        settings,
        ids,
        _process_due,
        table=InboundEvent,
        failed=InboundEventStatus.FAILED,
        what="process an inbound event",
    )


def _process_due(session: Session, ids: list[uuid.UUID]) -> None:
    for event_id in ids:
        _process(session, event_id)


def _process(session: Session, event_id: uuid.UUID) -> None:
    event = repository.event_for_update(session, event_id)
    now = utcnow()
    if event is None or not repository.due_now(session, [event.id], now):
        return
    source = repository.source_anywhere(session, event.source_id)
    if source is None:
        return
    decision = decide(session, source, orjson.loads(event.payload))
    event.rule_id = decision.match.rule.id if decision.match else None
    event.account_id = decision.account.id if decision.account else None
    event.outcome = decision.outcome[:1000]
    event.status = InboundEventStatus.PROCESSED if decision.acts else InboundEventStatus.IGNORED
    event.attempts += 1
    event.finished_at = now
    event.locked_until = None
    if decision.account is None or decision.match is None:
        return
    rule, account = decision.match.rule, decision.account
    if decision.attributes is not None:
        row = accounts_service.get_account_by_pk(session, source.tenant_id, account.id)
        accounts_service.update_attributes(
            session, row, decision.attributes, actor_user_id=source.created_by
        )
        return
    event.run_id, why_not = _run_play(session, source, rule, account)
    if why_not is not None:
        event.status = InboundEventStatus.IGNORED
        event.outcome = f"Rule {rule.name!r} matched; {why_not}"[:1000]


def _run_play(
    session: Session, source: EventSource, rule: EventRule, account: AccountSnapshot
) -> tuple[uuid.UUID | None, str | None]:
    """Run the rule's play on the account, as the source's creator (or the service's first
    admin), through the trigger's checks; the run's id, or why it did not run."""
    user = users_service.acting_user(session, source.tenant_id, source.created_by)
    if user is None:
        return None, "the service has no active admin to run the play as"
    runner = users_service.principal_for(user)
    try:
        plan = automations_service.runnable_play(
            session, runner, str(rule.play_id), admins_only=False
        )
    except PlayrunnerError as refused:
        return None, refused.message
    automations_service.lock_for_duplicates(session, plan, [account])
    outcome = start_run(session, plan, account, runner, RunSource.EVENT)
    return outcome.run.id, None


def _sender(settings: Settings, database: Database) -> Any:
    return functools.partial(process_many, database, settings)


KIND = Kind(
    name=OUTBOX_KIND,
    table=InboundEvent,
    sender=_sender,
    waiting=lambda session, _settings: repository.any_pending_event(session),
)
