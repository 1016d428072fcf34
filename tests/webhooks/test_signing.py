"""The key webhook secrets derive from: the setting, else a key file made once, private."""

from __future__ import annotations

import stat
from pathlib import Path

from playrunner.config import Settings
from playrunner.webhooks import signing


def test_the_key_file_is_made_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=str(tmp_path / "keys" / "playrunner.key"))
    first = signing.server_key(settings)
    assert len(first) >= 40
    assert signing.server_key(settings) == first
    path = Path(settings.secret_key_file)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["playrunner.key"]  # no leftovers


def test_the_setting_wins_over_the_file(tmp_path: Path) -> None:
    settings = Settings(secret_key="from-env", secret_key_file=str(tmp_path / "k"))
    assert signing.server_key(settings) == b"from-env"
    assert not (tmp_path / "k").exists()
    secret = signing.endpoint_secret(b"from-env", "salt")
    assert secret.startswith("whsec_")
    assert secret != signing.endpoint_secret(b"from-env", "other salt")
