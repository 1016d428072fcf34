"""Where webhooks may go: not to this server's own network, unless an admin allows it.

An endpoint URL is refused when its host is, or resolves to, a loopback, private,
link-local, multicast, reserved or unspecified address (server-side request forgery: a
webhook must not reach the database port or a cloud metadata service). The check runs when
the endpoint is saved and again before every send, on the address actually connected to
(DNS may change in between). ``PLAYRUNNER_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true`` lifts it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from playrunner.errors import InvalidRequest


def check_url(url: str) -> tuple[str, int]:
    """The URL's host and port, if it is an http(s) URL a webhook may be sent to."""
    not_http = InvalidRequest("url must be an http:// or https:// URL with a host", field="url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a broken [IPv6] host, say
        raise not_http from None
    if parts.scheme not in ("http", "https") or not host:
        raise not_http
    try:
        host.encode("idna")  # what the Host header and DNS will carry
    except UnicodeError:
        raise InvalidRequest(f"url's host {host!r} is not a valid host name", field="url") from None
    if parts.username or parts.password:
        raise InvalidRequest("url must not carry a user name or password", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidRequest("url has an invalid port", field="url") from None
    return host, port


def addresses_of(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InvalidRequest(f"url's host {host!r} cannot be resolved", field="url") from None
    # In the resolver's order of preference, each once.
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def refuse_private(url: str, allow_private: bool) -> None:
    """Refuse ``url`` if any address its host resolves to is not a public one."""
    check_url(url)
    if not allow_private:
        allowed_addresses(url, allow_private)


def allowed_addresses(url: str, allow_private: bool) -> tuple[str, int, list[str]]:
    """The URL's host, port and the addresses it resolves to now, all of them allowed."""
    host, port = check_url(url)
    found = addresses_of(host, port)
    for address in [] if allow_private else found:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise InvalidRequest(
                f"url points at {address}, a loopback or private address: webhooks go to"
                " public addresses unless PLAYRUNNER_WEBHOOKS_ALLOW_PRIVATE_NETWORKS is true",
                field="url",
            )
    return host, port, found
