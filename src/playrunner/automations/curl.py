"""The seed's curl statement for the trigger call, pointed at a server: what the demo banner
and a play's page print for people to paste into a shell."""

from __future__ import annotations

import shlex

PATH = "/api/v2/automations/run-manual-successplay"


def curl_statement(base_url: str, token_header: str, play_id: str, account_id: str) -> str:
    """``token_header``: the ``-H`` argument carrying the token, quoted for the shell."""
    body = f'{{\n"successplayId": "{play_id}",\n"accountId": "{account_id}"\n}}'
    return (
        f"curl -L {single_quoted(base_url + PATH)} \\\n"
        f"-H {token_header} \\\n"
        f"-H 'Content-Type: application/json' \\\n"
        f"-d {single_quoted(body)}"
    )


def single_quoted(text: str) -> str:
    """Quote like the seed does ('...'), falling back to shlex for text with quotes in it."""
    return f"'{text}'" if "'" not in text else shlex.quote(text)
