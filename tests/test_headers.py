"""Security headers on every kind of page (HTML, API, error pages)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/orgs/", "/orgs/51100000500002862F/", "/accounts/login/", "/api/v1/orgs",
                                 "/api/v1/docs", "/no-such-page/"])
def test_security_headers(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy


@pytest.mark.django_db
def test_the_api_documentation_links_back_to_the_site(client):
    page = client.get("/api/v1/docs").content.decode()
    assert 'data-testid="api-back"' in page and 'href="/orgs/"' in page
