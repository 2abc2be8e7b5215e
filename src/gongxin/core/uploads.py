"""Upload limits enforced before Django reads a request body."""

from __future__ import annotations

FORM_FIELDS_ALLOWANCE = 64 * 1024  # the multipart framing and the form's other fields


def body_exceeds(request, file_limit: int) -> bool:
    """Whether a POST announces a body larger than a ``file_limit``-byte upload could need.
    Checked before ``request.POST``/``request.FILES`` are touched, so an oversized upload is
    refused without being received and spooled to disk."""
    if request.method != "POST":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > file_limit + FORM_FIELDS_ALLOWANCE
