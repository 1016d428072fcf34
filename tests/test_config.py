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
