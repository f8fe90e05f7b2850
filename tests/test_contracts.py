"""The house rules CI checks besides ruff, mypy and lint-imports: the public surface, the error tree.

Like httpx's ``test_all_imports_are_exported``: ``evidence.__all__`` is exactly what the package
offers, sorted; every exception class in the package is one node of the tree drawn in
``evidence.errors``, so a caller can catch ``EvidenceError`` and know it caught them all.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import evidence
import evidence.errors


def _submodules() -> list[types.ModuleType]:
    # evidence.app is the Streamlit wiring: importing it outside `streamlit run` is harmless (no st call
    # at import), but it is skipped here so the check needs no Streamlit runtime.
    names = [m.name for m in pkgutil.walk_packages(evidence.__path__, "evidence.")]
    return [importlib.import_module(n) for n in names if not n.startswith("evidence.app")]


def test_all_is_exactly_the_public_surface() -> None:
    public = sorted(
        (name for name, value in vars(evidence).items()
         if (not name.startswith("_") or name == "__version__") and not isinstance(value, types.ModuleType)),
        key=str.casefold,
    )
    assert evidence.__all__ == public


def test_every_public_name_is_documented() -> None:
    for name in evidence.__all__:
        value = getattr(evidence, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"evidence.{name} has no docstring"


def test_every_exception_is_in_the_one_tree() -> None:
    tree = evidence.errors.__doc__ or ""
    found = {}
    for module in _submodules():
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__.startswith("evidence"):
                found[name] = value
    assert found, "no exception classes found"
    for name, cls in found.items():
        assert cls.__module__ == "evidence.errors", f"{name} is defined in {cls.__module__}, not evidence.errors"
        assert issubclass(cls, evidence.errors.EvidenceError), f"{name} is not an EvidenceError"
        assert f" {name} " in tree.replace("─", " "), f"{name} is missing from the tree in evidence.errors"
    assert set(evidence.errors.__all__) >= set(found)


def test_import_needs_no_posix_only_module() -> None:
    # Windows has no fcntl: the package imports without it (the refresh lock imports it lazily).
    import subprocess
    import sys

    code = "import sys; sys.modules['fcntl'] = None; import evidence, evidence.cli; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr
