"""The canonical actors and status helpers shared by the authorization expectations
(tests/test_authorization.py and the per-domain tests/authz_<domain>.py parts)."""

ACTORS = ["public", "org_user_a", "org_user_b", "founder", "officer_zhuhai", "officer_foshan", "sponsor",
          "purchaser", "evaluator", "admin"]
SIGNED_IN = ACTORS[1:]


def every(status):
    return dict.fromkeys(ACTORS, status)


def signed_in_only(status=200):
    return {"public": 302, **dict.fromkeys(SIGNED_IN, status)}


def only(allowed: dict, others=404, public=302):
    """``allowed`` actors get their status; every other signed-in actor ``others`` (404: no
    existence leak), the public ``public`` (302 to the login page)."""
    return {"public": public, **dict.fromkeys(SIGNED_IN, others), **allowed}
