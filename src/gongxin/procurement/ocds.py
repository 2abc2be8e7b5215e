"""Open Contracting Data Standard 1.1 releases of purchase projects (owned by the OCDS work)."""

from __future__ import annotations


def release_publish(*, project, tag: str, when=None):
    """Append the release for ``project``'s new state (``tag``: planning, tender, award,
    contract, implementation, tenderCancellation…) in the caller's transaction.
    Interface only until the OCDS module lands."""
    return None
