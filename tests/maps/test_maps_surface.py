"""The public surface of parcours.maps is what ``__all__`` says, and its docstring examples run."""

from __future__ import annotations

import doctest
import importlib

import pytest

import parcours.maps

MODULES = ["duration", "rules", "model", "yaml_io", "validate", "templates", "draft"]


def test_every_exported_name_exists_once() -> None:
    assert sorted(parcours.maps.__all__) == sorted(set(parcours.maps.__all__))
    for name in parcours.maps.__all__:
        assert hasattr(parcours.maps, name), name


@pytest.mark.parametrize("module", ["__init__", *MODULES])
def test_docstring_examples_run(module: str) -> None:
    target = (
        parcours.maps
        if module == "__init__"
        else importlib.import_module(f"parcours.maps.{module}")
    )
    result = doctest.testmod(target, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
