"""The documented production environment passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def test_production_env_example_passes_check_deploy(tmp_path):
    # A clean environment: nothing of the test run (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GONGXIN_", "DJANGO_"))}
    env.update(_env_file(ROOT / "deploy" / "production.env.example"))
    env["GONGXIN_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "gongxin.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_setting_in_the_examples_is_read_by_settings():
    settings_source = (ROOT / "src" / "gongxin" / "settings.py").read_text()
    for path in (ROOT / ".env.example", ROOT / "deploy" / "production.env.example"):
        for key in _env_file(path):
            assert f'"{key.removeprefix("GONGXIN_")}"' in settings_source, f"{path.name}: {key} is not read"
