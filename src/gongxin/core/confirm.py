"""The confirmation step before an irreversible action (issuing a code, locking a report,
publishing a conclusion, awarding, writing a permanent credit record): one mechanism for every
view, a page rather than a JavaScript dialog (the CSP allows no inline script).

A view validates its form as usual, then asks::

    @confirmable
    def project_award(request, pk):
        ...
        if form.is_valid():
            if (page := confirmation(request, Confirmation(title=..., facts=[...], effects=[...],
                                                           irreversible=..., button=..., back_url=...))):
                return page
            services.project_award(...)

Without a confirmation the POST renders ``confirmation.html`` (the summary, what will happen,
what cannot be undone, the confirm button and a way back) and changes nothing; the page posts
the same fields again with a signed token. ``@confirmable`` makes the confirmed POST
idempotent: a second submission of the same token (a double click, a reload) is not run again
but sent where the first one led.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

TOKEN_FIELD = "gx_confirmation"
_SALT = "gongxin.core.confirm"
_MAX_AGE = 2 * 60 * 60  # a confirmation page left open over lunch still works
_SESSION_KEY = "gx_confirmed"
_REMEMBERED = 20


@dataclass
class Confirmation:
    """What the confirmation page says. ``facts``: (label, value) pairs of the summary;
    ``effects``: what will happen; ``irreversible``: what cannot be undone; ``fields``: bound
    form fields asked on the page itself (a reason), rendered by ``includes/field.html``;
    ``carry``: hidden fields to post instead of the submitted ones (a page shown on GET, or
    after a draft was saved under a new version)."""

    title: str
    button: str
    back_url: str
    irreversible: str
    effects: Sequence[str] = ()
    facts: Sequence[tuple[str, object]] = ()
    fields: Sequence = ()
    danger: bool = False
    errors: Sequence[str] = ()
    carry: dict | None = None


def _token(request) -> str:
    return signing.dumps({"u": getattr(request.user, "pk", None), "p": request.path, "n": secrets.token_hex(8)},
                         salt=_SALT)


def _read(request) -> dict | None:
    raw = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("u") != getattr(request.user, "pk", None) or data.get("p") != request.path:
        return None
    return data


def is_confirmed(request) -> bool:
    """This POST comes from the confirmation page of this URL, for this user."""
    return _read(request) is not None


def confirmation(request, step: Confirmation, *, status: int = 200) -> HttpResponse | None:
    """None when the POST is confirmed (go on and act); otherwise the confirmation page, which
    re-posts the submitted fields (not files) with a fresh token. Nothing has changed."""
    if is_confirmed(request) and not step.errors and not any(f.errors for f in step.fields):
        return None
    asked = {getattr(f, "html_name", "") for f in step.fields}
    if step.carry is not None:
        carried = list(step.carry.items())
    elif request.method == "POST":
        carried = [(name, value) for name in request.POST
                   if name not in ("csrfmiddlewaretoken", TOKEN_FIELD) and name not in asked
                   for value in request.POST.getlist(name)]
    else:
        carried = []
    invalid = bool(step.errors) or any(f.errors for f in step.fields)
    return render(request, "confirmation.html", {"step": step, "carried": carried, "token": _token(request)},
                  status=400 if invalid else status)


def confirmable(view):
    """Wrap a view whose POST performs a confirmed action: a token already acted on redirects
    to where its first use led (with a message) without running the view again; a confirmed
    POST that ends in a redirect remembers its token in the session."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        data = _read(request)
        if data is None:
            return view(request, *args, **kwargs)
        done = request.session.get(_SESSION_KEY, {})
        if data["n"] in done:
            messages.info(request, _("This was already done; here is the result."))
            return redirect(done[data["n"]])
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseRedirect):
            done = dict(list(request.session.get(_SESSION_KEY, {}).items())[-(_REMEMBERED - 1):])
            done[data["n"]] = response.url
            request.session[_SESSION_KEY] = done
        return response

    return wrapper
