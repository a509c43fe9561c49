"""Signed webhooks, as regional back offices receive them.

Each POST carries:
- `X-Jointcall-Event-Id`: the feed event's id (increasing per region; the same on every retry),
- `X-Jointcall-Timestamp`: Unix seconds when this attempt was signed,
- `X-Jointcall-Signature`: `v1=` + hex HMAC-SHA256 with the subscription's secret of
  `<timestamp>.<raw body>`.
A receiver recomputes the signature over the raw body, compares in constant time, rejects a
timestamp more than 5 minutes off its clock (a replayed old request), and ignores an event id it
has already processed (a retry after a lost acknowledgement).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias
from urllib.parse import urlsplit

import httpx

TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signed_headers(secret: str, event_id: int, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Jointcall-Event-Id": str(event_id),
        "X-Jointcall-Timestamp": str(timestamp),
        "X-Jointcall-Signature": signature(secret, timestamp, body),
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float, tolerance_s: int = TOLERANCE_S) -> bool:
    """What a receiver does; `headers` looked up case-insensitively is the caller's business."""
    try:
        timestamp = int(headers["X-Jointcall-Timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get("X-Jointcall-Signature", ""))


# --- where a webhook may go (issue 13: no request reaches what is inside) ---------------------------

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
# A resolver answers the addresses of a host name (tests inject one; delivery calls it once per attempt).
Resolver: TypeAlias = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class Outcome(StrEnum):
    """What a delivery log says about an attempt: a coarse class, never the error's text (which would tell
    an open port from a closed one)."""

    DELIVERED = "delivered"
    HTTP_ERROR_3XX = "http_error_3xx"  # a redirect: never followed
    HTTP_ERROR_4XX = "http_error_4xx"
    HTTP_ERROR_5XX = "http_error_5xx"
    TIMEOUT = "timeout"
    REFUSED_ADDRESS = "refused_address"  # the host is, or resolves to, an address that is not globally routable
    REFUSED_URL = "refused_url"  # the URL breaks the rules (e.g. http since JOINTCALL_WEBHOOKS_ALLOW_HTTP was unset)
    UNREACHABLE = "unreachable"  # no answer from DNS, a refused connection, TLS or protocol failure


@dataclass(frozen=True)
class TargetPolicy:
    """Which URLs a subscription may have and which addresses a delivery may connect to.

    Only globally routable addresses, unless the operator allow-lists a host name or a network (an internal
    back office); https only, unless plain http is allowed explicitly (development)."""

    allow_http: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, *, allow_http: bool, allow_list: Iterable[str]) -> TargetPolicy:
        """`allow_list`: host names (`backoffice.region.internal`) and networks (`10.20.0.0/16`, `127.0.0.1/32`)."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip() for e in allow_list):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(_host_key(entry))
        return cls(allow_http=allow_http, allowed_hosts=frozenset(hosts), allowed_networks=tuple(networks))

    def permits_address(self, host: str, address: IPAddress) -> bool:
        if _host_key(host) in self.allowed_hosts:
            return True
        if any(address in network or embedded(address) in network for network in self.allowed_networks):
            return True
        return is_public(address)


def _host_key(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, NAT64, 6to4, Teredo), else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast, also for the IPv4 address an IPv6 one carries."""
    inner = embedded(address)
    return all(a.is_global and not a.is_multicast for a in {address, inner})


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host spells literally, in any spelling a URL parser or inet_aton accepts
    (`[::1]`, `2130706433`, `0x7f.1`, `0177.0.0.1`), or None for a host name.

    Raises ValueError for what is neither (e.g. an IPv4 part out of range)."""
    bare = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    parts = bare.rstrip(".").split(".")
    # WHATWG's rule: a host whose last label is a number is an IPv4 address (or invalid), never a name.
    if not parts or not _is_ipv4_number(parts[-1]):
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError("an IPv4 address out of range")
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ipaddress.IPv4Address(value)


def _is_ipv4_number(part: str) -> bool:
    if part.lower().startswith("0x"):
        return all(c in "0123456789abcdefABCDEF" for c in part[2:])
    return part != "" and part.isdigit() and part.isascii()


def _ipv4_number(part: str) -> int:
    if not part:
        raise ValueError("an empty IPv4 part")
    if part.lower().startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part, 10)


class UrlRefused(ValueError):
    """A webhook URL breaks the rules; `reason` says which, for the 422 naming the `url` field."""

    def __init__(self, reason: str, outcome: Outcome) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome


def check_url(url: str, policy: TargetPolicy) -> tuple[str, int]:
    """The host and port a subscription's URL names, or UrlRefused: scheme, userinfo, and a host that is
    literally (or by the name `localhost`) an address that is not globally routable. No DNS here."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and policy.allow_http):
        reason = "must be an https URL" + ("" if scheme != "http" else " (plain http is for development only)")
        raise UrlRefused(reason, Outcome.REFUSED_URL)
    if "@" in parts.netloc:
        raise UrlRefused("must not carry a user name or password", Outcome.REFUSED_URL)
    try:
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UrlRefused("has an invalid host or port", Outcome.REFUSED_URL) from exc
    if not host:
        raise UrlRefused("must name a host", Outcome.REFUSED_URL)
    try:
        address = literal_address(host)
    except ValueError as exc:
        raise UrlRefused("has a host that is neither a name nor a valid address", Outcome.REFUSED_URL) from exc
    name = _host_key(host)
    if address is None and (name in _LOCAL_NAMES or name.endswith(".localhost")) and name not in policy.allowed_hosts:
        raise UrlRefused("must not point at this machine (localhost)", Outcome.REFUSED_ADDRESS)
    if address is not None and not policy.permits_address(host, address):
        raise UrlRefused(
            "must point at a globally routable address (not loopback, private, link-local or reserved)",
            Outcome.REFUSED_ADDRESS,
        )
    return (str(address) if address is not None else name), port


def permitted_addresses(host: str, answers: Iterable[str], policy: TargetPolicy) -> list[IPAddress]:
    """The resolved addresses, all of them permitted, or UrlRefused: one address that is not is enough to
    refuse (a name that answers both a public and an internal address is not one to trust)."""
    addresses: list[IPAddress] = []
    for answer in answers:
        try:
            address = ipaddress.ip_address(answer)  # a zone (`fe80::1%eth0`) is not an address: refused
        except ValueError as exc:
            raise UrlRefused("resolves to something that is not an address", Outcome.REFUSED_ADDRESS) from exc
        if not policy.permits_address(host, address):
            raise UrlRefused("resolves to an address that is not globally routable", Outcome.REFUSED_ADDRESS)
        addresses.append(address)
    if not addresses:
        raise UrlRefused("does not resolve", Outcome.UNREACHABLE)
    return addresses


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def outcome_of_status(status_code: int) -> Outcome:
    if 200 <= status_code < 300:
        return Outcome.DELIVERED
    if 300 <= status_code < 400:
        return Outcome.HTTP_ERROR_3XX
    if 400 <= status_code < 500:
        return Outcome.HTTP_ERROR_4XX
    return Outcome.HTTP_ERROR_5XX


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    status_code: int | None = None


def delivery_client(*, connect_timeout_s: float, read_timeout_s: float, max_connections: int) -> httpx.AsyncClient:
    """The client every delivery goes through: no redirects, no proxy from the environment, a fresh connection
    per attempt (a pooled one, keyed by address, could carry another host's TLS session)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(connect=connect_timeout_s, read=read_timeout_s, write=read_timeout_s, pool=None),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=0),
    )


async def post_signed(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    policy: TargetPolicy,
    resolver: Resolver,
    deadline_s: float,
) -> Attempt:
    """POST `body` to `url`, resolving its host once, here, and connecting to the address that was checked
    (no second lookup a rebinding DNS could answer differently). Never raises for the receiver's faults."""
    try:
        host, port = check_url(url, policy)
        literal = literal_address(host)
        async with asyncio.timeout(min(deadline_s, client.timeout.connect or deadline_s)):
            answers = [str(literal)] if literal is not None else await resolver(host, port)
        address = permitted_addresses(host, answers, policy)[0]
    except UrlRefused as refused:
        return Attempt(refused.outcome)
    except (OSError, TimeoutError, UnicodeError, ValueError):
        return Attempt(Outcome.UNREACHABLE)
    original = httpx.URL(url)
    target = original.copy_with(host=str(address))
    request_headers = {**headers, "Host": original.netloc.decode("ascii")}
    extensions = {"sni_hostname": original.host} if original.scheme == "https" else {}
    try:
        async with asyncio.timeout(deadline_s):
            request = client.build_request("POST", target, content=body, headers=request_headers, extensions=extensions)
            response = await client.send(request, stream=True)  # the body is never read: a status is enough
            await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return Attempt(Outcome.TIMEOUT)
    except (httpx.HTTPError, OSError, ssl.SSLError):
        return Attempt(Outcome.UNREACHABLE)
    return Attempt(outcome_of_status(response.status_code), response.status_code)
