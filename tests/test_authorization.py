"""The URL-enumerating authorization test (DESIGN.md, Tests): every route in the URL conf must
have an expected status for every actor here, so a new view cannot escape review."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.authz import ACTORS, SIGNED_IN, every, signed_in_only  # noqa: F401
from tests.conftest import build_actors, org_factory

# route name -> (URL, with {org_a} for organization A's USCC; expected status per actor)
EXPECTED = {
    "index": ("/", every(302)),
    "registry:org_list": ("/orgs/?q=协会", every(200)),
    "registry:org_profile": ("/orgs/{org_a}/", every(200)),  # the registry is public
    "accounts:login": ("/accounts/login/", {"public": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "accounts:logout": ("/accounts/logout/", every(405)),  # POST only
    "accounts:password_change": ("/accounts/password/", signed_in_only()),
    "accounts:home": ("/accounts/", signed_in_only()),
    "set_language": ("/i18n/setlang/", every(302)),
    "accounts:export_organizations": ("/accounts/export/", every(405)),  # POST only
    # Exports belong to their requester alone (tests/core/test_exports.py); anyone else's is a 404.
    "export_status": ("/exports/3f1c1d9e-8a52-4c1e-9a55-2b7e0c1d2f00/", signed_in_only(404)),
    "export_download": ("/exports/3f1c1d9e-8a52-4c1e-9a55-2b7e0c1d2f00/download/", signed_in_only(404)),
    "api:api-root": ("/api/v1/", every(404)),  # django-ninja's root: nothing there but the routes below
    "api:openapi-json": ("/api/v1/openapi.json", every(200)),
    "api:openapi-view": ("/api/v1/docs", every(200)),
    "api:search_orgs": ("/api/v1/orgs?q=协会", every(200)),
    "api:get_org": ("/api/v1/orgs/{org_a}", every(200)),
    "api:get_org_section": ("/api/v1/orgs/{org_a}/sections/penalties", every(200)),
    "admin": ("/admin/", {**signed_in_only(302), "admin": 200}),
}


# Each domain's expectations live beside its tests in tests/authz_<domain>.py (EXPECTED and
# POSTS dicts in the same shape), merged here, so the enumeration still covers every route.
def _merge_parts():
    import importlib.util
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("authz_*.py")):
        spec = importlib.util.spec_from_file_location(f"tests.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name in getattr(module, "EXPECTED", {}):
            assert name not in EXPECTED, f"{name} expected twice"
        EXPECTED.update(getattr(module, "EXPECTED", {}))
        _PART_POSTS.update(getattr(module, "POSTS", {}))
        if hasattr(module, "setup"):
            _SETUPS.append(module.setup)


def url_values(actors) -> dict:
    """Values for the placeholders in the URLs: {org_a}, and whatever each part's
    ``setup(actors) -> dict`` creates (an application, a report, an inspection...)."""
    values = {"org_a": actors["org_a"].uscc}
    for setup in _SETUPS:
        values.update(setup(actors))
    return values


_PART_POSTS: dict = {}
_SETUPS: list = []
_merge_parts()


def _route_names(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if p.namespace == "admin":
                yield "admin"  # Django's admin: its own staff check guards every admin URL
                continue
            yield from _route_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else f"{namespace}<unnamed {p.pattern}>"


def test_every_route_has_expectations_for_every_actor():
    names = set(_route_names())
    missing = sorted(names - set(EXPECTED))
    assert not missing, f"routes without an authorization expectation: {missing}"
    for name, (_url, statuses) in EXPECTED.items():
        assert set(statuses) == set(ACTORS), name


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("authz-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, world_media):
    """The files the parts' setups store (reports, PDFs, the OCDS bulk files) live as long as
    the module's objects."""
    settings.MEDIA_ROOT = world_media
    settings.OCDS_BULK_DIR = str(world_media / "ocds-bulk")
    settings.AUDIT_CHECKPOINT_DIR = str(world_media / "checkpoints")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """The actors and every part's objects, built once for the module (hundreds of cases each
    used to build them again) inside a transaction rolled back at the end; each test runs in a
    savepoint within it, so what a POST changes is undone before the next case."""
    with override_settings(MEDIA_ROOT=world_media, OCDS_BULK_DIR=str(world_media / "ocds-bulk")), \
            django_db_blocker.unblock(), transaction.atomic():
        actors = build_actors(org_factory())
        yield actors, url_values(actors)
        transaction.set_rollback(True)


@pytest.fixture
def actors(world, db):
    return world[0]


@pytest.fixture
def client_for(actors):
    def get(name: str) -> Client:
        client = Client()
        if actors[name] is not None:
            client.force_login(actors[name])
        return client

    return get


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_route_answers_each_actor_as_expected(route, world, client_for):
    url, statuses = EXPECTED[route]
    url = url.format(**world[1])
    got = {actor: client_for(actor).get(url).status_code for actor in ACTORS}
    assert got == statuses


@pytest.mark.django_db
def test_workspace_lists_only_organizations_in_scope(actors, client_for):
    def listed(actor):
        return client_for(actor).get("/accounts/").content.decode()

    zhuhai, foshan = listed("officer_zhuhai"), listed("officer_foshan")
    assert actors["org_a"].name in zhuhai and actors["org_b"].name in zhuhai
    assert actors["org_foshan"].name not in zhuhai
    assert actors["org_foshan"].name in foshan and actors["org_a"].name not in foshan
    own = listed("org_user_a")
    assert actors["org_a"].name in own and actors["org_b"].name not in own
    assert actors["org_a"].name not in listed("purchaser")
    sponsored = listed("sponsor")
    assert actors["org_b"].name in sponsored and actors["org_a"].name not in sponsored


# POST routes: (URL, form data, expected status per actor). Every other route is read-only.
POSTS = {
    "accounts:logout": ("/accounts/logout/", {}, every(302)),
    "set_language": ("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"}, every(302)),
    "accounts:password_change": ("/accounts/password/", {"old_password": "wrong"}, signed_in_only(200)),
}


POSTS.update(_PART_POSTS)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(POSTS))
def test_posts_answer_each_actor_as_expected(route, world, client_for):
    url, data, statuses = POSTS[route]
    url = url.format(**world[1])
    responses = {actor: client_for(actor).post(url, data) for actor in ACTORS}
    assert {a: r.status_code for a, r in responses.items()} == statuses
    if route == "set_language":  # never an open redirect
        assert all(not r["Location"].startswith("https://evil") for r in responses.values())


def test_read_only_routes_refuse_post(client):
    assert client.post("/orgs/").status_code == 405
    assert client.post("/api/v1/orgs").status_code == 405
