"""requirements.txt alone must be enough for the checker: every package it uses is pinned there.

A fresh ``pip install -r requirements.txt`` once left ``lxml_html_clean`` out (it arrives only
through the ``lxml[html_clean]`` extra of a dependency, which some pip versions drop), and the
checker then failed at import. Two guards, both without the network:

* every third-party module that ``claims/checking`` imports directly is pinned exactly;
* every distribution the checker loads when it runs (imported in a fresh interpreter, one page
  extracted) is either pinned or a plain (non-extra) dependency of something pinned.
"""

import ast
import importlib.metadata as md
import json
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
CHECKER = ROOT / "claims" / "checking"


def pinned() -> dict[str, str]:
    """Distribution name → exact version, from requirements.txt (exact pins only)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        specs = list(requirement.specifier)
        if len(specs) == 1 and specs[0].operator == "==":
            pins[canonicalize_name(requirement.name)] = specs[0].version
    return pins


def guaranteed(pins) -> set[str]:
    """Pinned distributions and everything they require without an extra, transitively."""
    seen, todo = set(), list(pins)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for raw in requires:
            requirement = Requirement(raw)
            marker = str(requirement.marker or "")
            if "extra" in marker:
                continue
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(requirement.name))
    return seen


def distributions_of(modules) -> set[str]:
    owners = md.packages_distributions()
    return {canonicalize_name(d) for m in modules for d in owners.get(m.split(".")[0], [])}


def test_every_third_party_module_the_checker_imports_is_pinned():
    imported = set()
    for path in CHECKER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module)
    third_party = {m for m in imported if m.split(".")[0] not in sys.stdlib_module_names | {"claims", "tracker"}}
    missing = distributions_of(third_party) - set(pinned())
    assert third_party and not missing, f"imported by claims/checking but not pinned in requirements.txt: {missing}"


PROBE = r"""
import importlib, json, os, pkgutil, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "probe")
import django
django.setup()
before = set(sys.modules)
import claims.checking
for info in pkgutil.iter_modules(claims.checking.__path__):
    importlib.import_module("claims.checking." + info.name)
from claims.checking import compare, extract
page = "<html><head><title>T</title></head><body><article><p>" + "A sentence of the story. " * 40
found = extract.extract(page + "</p></article></body></html>", "https://example.org/a")
assert found.text, "nothing extracted"
compare.find_quote("a sentence of the story", found.text)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_everything_the_checker_loads_comes_with_requirements_txt_alone():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    pins = pinned()
    not_guaranteed = distributions_of(loaded) - guaranteed(pins)
    assert not not_guaranteed, (
        f"the checker loads {sorted(not_guaranteed)}, which requirements.txt neither pins nor gets "
        "as a plain dependency of a pin: pin them"
    )
    assert re.fullmatch(r"[\d.]+", pins["lxml-html-clean"])


# The locks: every package, transitively, as the suite passed (scripts/lock-requirements.py).


def _lock(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    return pins


def _pins_of(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    return pins


def test_the_locks_hold_every_pin_at_its_version():
    runtime, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    for pins, lock, name in (
        (_pins_of("requirements.txt"), runtime, "requirements.lock"),
        (_pins_of("requirements.txt") | _pins_of("requirements-dev.txt"), dev, "requirements-dev.lock"),
    ):
        wrong = {p: (v, lock.get(p)) for p, v in pins.items() if lock.get(p) != v}
        assert not wrong, f"{name} disagrees with the pins (pin, lock): {wrong}; re-run scripts/lock-requirements.py"
    assert {p: dev.get(p) for p in runtime} == runtime, "requirements.lock and requirements-dev.lock disagree"


def test_the_runtime_lock_holds_everything_requirements_txt_needs_as_installed():
    import importlib.util

    spec = importlib.util.spec_from_file_location("lock_requirements", ROOT / "scripts" / "lock-requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    needed = module.closure(module.requirements(ROOT / "requirements.txt"))
    runtime = _lock("requirements.lock")
    missing, extra = needed - set(runtime), set(runtime) - needed
    assert not missing and not extra, f"requirements.lock is stale: missing {missing}, extra {extra}"
    stale = {name: (version, md.version(name)) for name, version in runtime.items() if md.version(name) != version}
    assert not stale, f"installed versions differ from requirements.lock (lock, installed): {stale}"
