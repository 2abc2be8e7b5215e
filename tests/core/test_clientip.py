"""The client address behind a trusted reverse proxy (core/clientip.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from gongxin.core.clientip import client_ip, parse_networks


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


def test_the_right_most_untrusted_forwarded_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    assert client_ip(_request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"
    # A client-written entry on the left is not believed; inner proxies on the right are skipped.
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.5")) == "198.51.100.1"
    assert client_ip(_request("10.0.0.7", "garbage, 198.51.100.2")) == "198.51.100.2"
    # Only proxies: the left-most of them.
    assert client_ip(_request("127.0.0.1", "10.0.0.5")) == "10.0.0.5"
    assert client_ip(_request("127.0.0.1")) == "127.0.0.1"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_forward(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("192.0.2.66", "198.51.100.1")) == "192.0.2.66"


def test_ipv6_and_mapped_addresses(settings):
    settings.TRUSTED_PROXIES = ["::1", "fd00::/8"]
    assert client_ip(_request("::1", "2001:db8::1, fd00::2")) == "2001:db8::1"
    assert client_ip(_request("::ffff:192.0.2.1")) == "192.0.2.1"


def test_a_bad_trusted_proxy_entry_is_refused_loudly(monkeypatch):
    with pytest.raises(ValueError, match="not-an-address"):
        parse_networks(["127.0.0.1", "not-an-address"])
    import importlib

    import gongxin.settings

    monkeypatch.setenv("GONGXIN_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured, match="GONGXIN_TRUSTED_PROXIES"):
        importlib.reload(gongxin.settings)
    monkeypatch.delenv("GONGXIN_TRUSTED_PROXIES")
    importlib.reload(gongxin.settings)
