"""The documented production environment passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def _check_deploy(tmp_path, **overrides):
    # A clean environment: nothing of the test run (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GONGXIN_", "DJANGO_"))}
    env.update(_env_file(ROOT / "deploy" / "production.env.example"))
    env["GONGXIN_VAR_DIR"] = str(tmp_path)
    env.update(overrides)
    return subprocess.run([sys.executable, "-m", "gongxin.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, cwd=ROOT)


def test_production_env_example_passes_check_deploy_once_its_secret_is_replaced(tmp_path):
    import secrets

    result = _check_deploy(tmp_path, GONGXIN_SECRET_KEY=secrets.token_urlsafe(64),
                           GONGXIN_AUDIT_CHECKPOINT_KEY=secrets.token_urlsafe(48))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_example_placeholder_secret_is_refused(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode != 0
    assert "GONGXIN_SECRET_KEY is not a usable secret: it is a published example or placeholder" in result.stderr


@pytest.mark.parametrize("key", ["changeme", "CHANGE-ME-to-something-long-and-random-please-0123456789",
                                 "your-secret-key-goes-here-0000000000000000000000000000", "django-insecure-abc123xyz",
                                 "gongxin-insecure-development-key-do-not-use-in-production", "aaaaaaaaaaaaaaaaaaaa"])
def test_obvious_placeholders_are_refused_and_real_keys_pass(key):
    import secrets

    from gongxin.core.env import secret_key_problem

    assert secret_key_problem(key) is not None
    assert secret_key_problem(secrets.token_urlsafe(64)) is None
    assert secret_key_problem("test-only-key-not-a-secret") is None  # the test settings' key


def test_the_example_placeholder_checkpoint_key_is_refused_and_a_missing_one_warned_about(tmp_path):
    import secrets

    result = _check_deploy(tmp_path, GONGXIN_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0 and "GONGXIN_AUDIT_CHECKPOINT_KEY is not a usable key" in result.stderr
    result = _check_deploy(tmp_path, GONGXIN_SECRET_KEY=secrets.token_urlsafe(64), GONGXIN_AUDIT_CHECKPOINT_KEY="")
    assert result.returncode != 0 and "gongxin.W001" in result.stdout + result.stderr


def test_placeholders_are_fine_in_debug_and_demo_mode(tmp_path):
    result = _check_deploy(tmp_path, GONGXIN_DEMO="1")
    assert "not a usable secret" not in result.stderr


def test_every_setting_in_the_examples_is_read_by_settings():
    settings_source = (ROOT / "src" / "gongxin" / "settings.py").read_text()
    for path in (ROOT / ".env.example", ROOT / "deploy" / "production.env.example"):
        for key in _env_file(path):
            assert f'"{key.removeprefix("GONGXIN_")}"' in settings_source, f"{path.name}: {key} is not read"
