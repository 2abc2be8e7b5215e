"""The README's search examples are true against the demo registry ``gongxin seed`` loads
(3,000 organizations, seed 2026, as ``make run`` does)."""

from io import StringIO

import pytest
from django.core.management import call_command

from gongxin.core import regions
from gongxin.core.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_registry():
    regions.load_into(Region)
    call_command("seed", orgs=3000, seed=2026, batch=1000, no_accounts=True, no_annual=True, stdout=StringIO())


def names(client, q):
    return [i["name"] for i in client.get("/api/v1/orgs", {"q": q}).json()["items"]]


def test_the_readme_pinyin_examples_find_what_it_says(client, demo_registry):
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    assert "`zhsgcwxh` finds 珠海市广场舞协会, `gcwxh` too" in readme
    assert names(client, "zhsgcwxh")[0] == "珠海市广场舞协会"
    assert "珠海市广场舞协会" in names(client, "gcwxh")
