import pytest

from civiquest.core.client_ip import client_ip


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.1", "203.0.113.9", "10.0.0.1"),  # no trusted proxy: the header is ignored
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the left entry may be forged
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.66, 203.0.113.9, 10.1.2.3", "203.0.113.9"),  # past our proxies
        (["10.0.0.1"], "192.0.2.5", "203.0.113.9", "192.0.2.5"),  # from a peer that is not a proxy: ignored
        (["127.0.0.1"], "127.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_ip_trusts_only_the_listed_proxies(rf, settings, proxies, remote, forwarded, expected):
    settings.CIVIQUEST_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
