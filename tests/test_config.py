"""Settings: a rate limit someone set is checked; the default is not re-checked (that would
load `limits` in every CLI command)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from playrunner.config import Settings


def test_a_rate_limit_that_is_not_one_is_refused_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="PLAYRUNNER_RATE_LIMIT 'often' is not a rate"):
        Settings(rate_limit="often")


def test_a_rate_limit_in_limits_notation_is_taken() -> None:
    assert Settings(rate_limit="5000/hour").rate_limit == "5000/hour"
    assert Settings().rate_limit == "100/minute"


def test_email_is_off_without_an_smtp_host_and_on_with_a_host_and_a_from_address() -> None:
    assert Settings().email_enabled is False
    on = Settings(smtp_host="smtp.example.com", smtp_from="Playrunner <p@example.com>")
    assert (on.email_enabled, on.smtp_port_or_default) == (True, 587)
    tls = Settings(smtp_host="smtp.example.com", smtp_from="p@example.com", smtp_security="TLS")
    assert tls.smtp_port_or_default == 465
    assert Settings(smtp_host=" ").email_enabled is False  # blank is unset


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"smtp_host": "smtp.example.com"}, "PLAYRUNNER_SMTP_FROM is needed"),
        ({"smtp_host": "h", "smtp_from": "nobody"}, "PLAYRUNNER_SMTP_FROM 'nobody' is not an"),
        ({"smtp_password": "secret"}, "PLAYRUNNER_SMTP_PASSWORD is set without"),
        ({"smtp_security": "ssl"}, "smtp_security"),
    ],
)
def test_incomplete_smtp_settings_are_refused_naming_the_variable(
    given: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**given)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, 1001])
def test_a_database_pool_size_out_of_range_is_refused_naming_the_setting(size: int) -> None:
    with pytest.raises(ValidationError, match="database_pool_size"):
        Settings(database_pool_size=size)
