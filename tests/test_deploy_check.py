"""`check --deploy` is clean with exactly the production variables the README documents:
the README's block is parsed here, so the documentation cannot drift from what passes."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_production_variables() -> dict[str, str]:
    """The `export` of the README's "Production" block, placeholders (`...`) filled in."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    export = re.search(r"^export (.*?)(?<!\\)\n", block, re.S | re.M).group(1).replace("\\\n", " ")
    variables = dict(word.split("=", 1) for word in shlex.split(export))
    for name, value in variables.items():
        if value == "...":
            variables[name] = secrets.token_urlsafe(50)
        elif value.endswith("://..."):
            variables[name] = value.replace("://...", "://placeholder.example:1/0")
    return variables


def _deploy_check(variables: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the README sets: none of the test run's own defaults (pytest-env) leak in.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **variables}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_lists_what_ci_uses():
    variables = readme_production_variables()
    ci = (ROOT / ".ci" / "run").read_text()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"):
        assert name in variables and f"{name}=" in ci, name


def test_check_deploy_is_clean_with_the_readmes_production_variables():
    result = _deploy_check(readme_production_variables())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_check_fails_without_the_https_settings():
    """The test can fail: without the HSTS and redirect settings the same check warns."""
    variables = {k: v for k, v in readme_production_variables().items() if not k.startswith("SECURE_")}
    result = _deploy_check(variables)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # HSTS
