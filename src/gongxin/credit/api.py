"""The credit module's JSON API (/api/v1/credit/...)."""

from ninja import Router

router = Router(tags=["credit"])
