"""Where a webhook may go, as pure functions: every spelling of an inside address is refused at registration
and at delivery, and only the operator's allow-list opens a way to an internal back office."""

from __future__ import annotations

import ipaddress

import pytest

from shared.webhooks import (
    Outcome,
    TargetPolicy,
    UrlRefused,
    check_url,
    is_public,
    literal_address,
    outcome_of_status,
    permitted_addresses,
)

STRICT = TargetPolicy()

INSIDE_SPELLINGS = [
    "https://127.0.0.1/hook",
    "https://127.1/hook",  # inet_aton's short form
    "https://localhost/hook",
    "https://LOCALHOST./hook",
    "https://hooks.localhost/hook",
    "https://[::1]/hook",
    "https://[0:0:0:0:0:0:0:1]/hook",
    "https://0.0.0.0/hook",
    "https://0/hook",
    "https://[::]/hook",
    "https://2130706433/hook",  # decimal
    "https://017700000001/hook",  # octal
    "https://0177.0.0.1/hook",
    "https://0x7f000001/hook",  # hex
    "https://0x7f.0x0.0x0.0x1/hook",
    "https://0x7f.1/hook",
    "https://169.254.169.254/latest/meta-data/",  # the cloud metadata address
    "https://[fe80::1]/hook",  # link-local
    "https://[fe80::1%25eth0]/hook",
    "https://10.0.0.8/hook",  # private ranges
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://[fc00::1]/hook",  # unique local
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "https://[::ffff:7f00:1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://224.0.0.1/hook",  # multicast
    "https://198.18.0.1/hook",  # benchmarking
    "https://240.0.0.1/hook",  # reserved
]


@pytest.mark.parametrize("url", INSIDE_SPELLINGS)
def test_every_spelling_of_an_inside_address_is_refused(url: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        check_url(url, STRICT)
    assert refused.value.outcome is Outcome.REFUSED_ADDRESS


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.258", "10.1.1.2"),
        ("[::1]", "::1"),
        ("93.184.216.34", "93.184.216.34"),
    ],
)
def test_literal_addresses_are_read_as_a_browser_or_inet_aton_reads_them(spelling: str, address: str) -> None:
    assert literal_address(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "hooks.region.example", "0x7f.example", "1.2.3.example"])
def test_names_are_not_addresses(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "1.2.65536", "0x100000000"])
def test_numbers_that_are_no_address_are_refused(host: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        check_url(f"https://{host}/hook", STRICT)
    assert refused.value.outcome is Outcome.REFUSED_URL


@pytest.mark.parametrize(
    "url",
    ["https://user:secret@hooks.example.com/hook", "https://user@hooks.example.com/", "https://:x@hooks.example.com/"],
)
def test_userinfo_is_refused(url: str) -> None:
    with pytest.raises(UrlRefused, match="user name or password"):
        check_url(url, STRICT)


def test_plain_http_only_with_the_development_setting() -> None:
    with pytest.raises(UrlRefused, match="https"):
        check_url("http://hooks.example.com/hook", STRICT)
    with pytest.raises(UrlRefused, match="https"):
        check_url("ftp://hooks.example.com/hook", TargetPolicy(allow_http=True))
    assert check_url("http://hooks.example.com/hook", TargetPolicy(allow_http=True)) == ("hooks.example.com", 80)


def test_public_hosts_pass_with_their_port() -> None:
    assert check_url("https://hooks.example.com/hook", STRICT) == ("hooks.example.com", 443)
    assert check_url("https://93.184.216.34:8443/x", STRICT) == ("93.184.216.34", 8443)
    assert check_url("https://[2606:2800:220:1::]/x", STRICT) == ("2606:2800:220:1::", 443)


def test_the_allow_list_opens_only_what_it_names() -> None:
    policy = TargetPolicy.of(allow_http=False, allow_list=["10.20.0.0/16", "backoffice.region.internal", ""])
    assert check_url("https://10.20.3.4/hook", policy) == ("10.20.3.4", 443)
    assert check_url("https://[::ffff:10.20.3.4]/hook", policy)  # the same address, IPv4-mapped
    with pytest.raises(UrlRefused):
        check_url("https://10.21.0.1/hook", policy)
    with pytest.raises(UrlRefused):
        check_url("https://127.0.0.1/hook", policy)
    # A host name on the list may resolve to an internal address; another name may not.
    assert permitted_addresses("backoffice.region.internal", ["10.99.0.1"], policy)
    assert permitted_addresses("BACKOFFICE.region.internal.", ["10.99.0.1"], policy)
    with pytest.raises(UrlRefused):
        permitted_addresses("hooks.example.com", ["10.99.0.1"], policy)


@pytest.mark.parametrize(
    "answers",
    [
        ["127.0.0.1"],
        ["93.184.216.34", "10.0.0.1"],  # one inside address is enough to refuse
        ["::ffff:169.254.169.254"],
        ["fe80::1%eth0"],
        ["not-an-address"],
    ],
)
def test_a_name_that_resolves_inside_is_refused_at_delivery(answers: list[str]) -> None:
    with pytest.raises(UrlRefused) as refused:
        permitted_addresses("hooks.example.com", answers, STRICT)
    assert refused.value.outcome is Outcome.REFUSED_ADDRESS


def test_a_name_that_resolves_to_nothing_is_unreachable() -> None:
    with pytest.raises(UrlRefused) as refused:
        permitted_addresses("hooks.example.com", [], STRICT)
    assert refused.value.outcome is Outcome.UNREACHABLE


def test_public_means_globally_routable_also_inside_ipv6() -> None:
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
    assert not is_public(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert not is_public(ipaddress.ip_address("64:ff9b::7f00:1"))
    assert not is_public(ipaddress.ip_address("2002:a00:1::"))


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (301, Outcome.HTTP_ERROR_3XX),
        (404, Outcome.HTTP_ERROR_4XX),
        (500, Outcome.HTTP_ERROR_5XX),
        (599, Outcome.HTTP_ERROR_5XX),
    ],
)
def test_statuses_map_to_coarse_classes(status: int, outcome: Outcome) -> None:
    assert outcome_of_status(status) is outcome
