"""Posting through the confirmation step of an irreversible action (gongxin.core.confirm), as
a user does: the first POST shows the confirmation page and changes nothing, the second posts
what that page carries, with its token."""

from __future__ import annotations

import re
from html import unescape

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirmation_fields(html: str) -> list[tuple[str, str]]:
    """The hidden fields of the confirmation form on a rendered confirmation page."""
    form = html.split('data-testid="confirmation-form"', 1)[1].split("</form>", 1)[0]
    return [(name, unescape(value)) for name, value in _HIDDEN.findall(form)]


def confirm_post(client, url: str, data: dict | None = None, *, extra: dict | None = None, **kwargs):
    """POST ``data`` to ``url``; on the confirmation page, confirm (adding ``extra``, the fields
    asked on the page itself). Returns the response to the confirmed POST."""
    first = client.post(url, data or {})
    html = first.content.decode()
    assert 'data-testid="confirmation-form"' in html, f"no confirmation page ({first.status_code})"
    payload: dict[str, list[str]] = {}
    for name, value in confirmation_fields(html):
        payload.setdefault(name, []).append(value)
    for name, value in (extra or {}).items():
        payload[name] = value if isinstance(value, list) else [value]
    action = url
    return client.post(action, payload, **kwargs)
