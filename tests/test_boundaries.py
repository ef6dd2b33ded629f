"""Only guard/_gmail.py may import the Gmail client library (or its transport, httplib2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("guard", "audit", "webclient")
ALLOWED = {Path("guard/_gmail.py")}
FORBIDDEN = ("googleapiclient", "httplib2", "google_auth_httplib2")


def imported_modules(source: str) -> set[str]:
    """Return every module name imported anywhere in ``source`` (including nested imports)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in
              ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return names


def forbidden_imports(source: str) -> set[str]:
    """Return the imports in ``source`` that reach the Gmail client library."""
    return {name for name in imported_modules(source)
            if name.split(".")[0] in FORBIDDEN}


def product_modules() -> list[Path]:
    return sorted(p.relative_to(ROOT) for package in PRODUCT_PACKAGES
                  for p in (ROOT / package).rglob("*.py"))


def test_the_scan_sees_the_modules_and_the_allowed_import() -> None:
    modules = product_modules()
    assert Path("guard/_gmail.py") in modules
    assert Path("guard/transport.py") in modules
    assert forbidden_imports((ROOT / "guard/_gmail.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", [
    "import googleapiclient",
    "from googleapiclient.discovery import build",
    "import httplib2 as h",
    "def f():\n    from google_auth_httplib2 import AuthorizedHttp\n",
    "import importlib\nimportlib.import_module('googleapiclient.discovery')",
])
def test_the_scan_catches_every_import_form(source: str) -> None:
    assert forbidden_imports(source)


@pytest.mark.parametrize("source", [
    "import google.auth",
    "from guard import _gmail",
    "import requests",
])
def test_the_scan_leaves_other_imports_alone(source: str) -> None:
    assert not forbidden_imports(source)


def test_only_the_gmail_module_imports_the_client_library() -> None:
    offenders = {
        str(path): sorted(found)
        for path in product_modules() if path not in ALLOWED
        for found in [forbidden_imports((ROOT / path).read_text(encoding="utf-8"))] if found
    }
    assert offenders == {}, (
        "only guard/_gmail.py may import the Gmail client library; move these calls "
        f"behind it: {offenders}")
