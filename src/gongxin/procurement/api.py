"""The procurement API: OCDS releases, record packages and the change feed."""

from ninja import Router

router = Router(tags=["procurement"])
