"""The registry of analyses: name -> function, iterated by the CLI, the API and the report.

An analysis module registers its public function with :func:`analysis`; a new analysis
then appears everywhere without editing three places. The parameters of the function
(after the context) must be simple typed values — ``str``, ``int``, ``float``, ``bool``,
``list[str]``, a ``Literal`` of strings, or one of these ``| None`` — so that the CLI and
the API can build their options from the signature. A parameter named ``*_file`` reads a
local file: the CLI and Python offer it, the REST API and the dashboard never do.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parcours.analyses.base import Context, Result
from parcours.errors import InputError


@dataclass(frozen=True)
class Analysis:
    name: str
    function: Callable[..., Result]
    example: str  # a CLI example, shown in --help
    needs: tuple[str, ...] = ()  # workspace tables beyond the journeys: feedback, customers

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.function) or self.name).splitlines()[0]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""

    def parameters(self) -> list[inspect.Parameter]:
        """The analysis' own parameters (without the context), with resolved annotations."""
        hints = typing.get_type_hints(self.function)
        params = list(inspect.signature(self.function).parameters.values())[1:]
        return [p.replace(annotation=hints.get(p.name, p.annotation)) for p in params]

    def parameter_help(self, name: str) -> str:
        """The ``name: text`` line of the docstring that documents parameter ``name``."""
        for line in self.doc.splitlines():
            stripped = line.strip()
            if stripped.startswith(f"{name}:"):
                return stripped[len(name) + 1 :].strip()
        return ""

    def remote_parameters(self) -> list[inspect.Parameter]:
        """The parameters a remote caller (REST API, dashboard) may set: all but those naming
        a local file (``*_file``), which only the CLI and Python offer, so that a server
        never reads a path its client chose."""
        return [p for p in self.parameters() if not p.name.endswith("_file")]

    def __call__(self, ctx: Context, **params: Any) -> Result:
        known = {p.name for p in self.parameters()}
        unknown = sorted(set(params) - known)
        if unknown:
            raise InputError(
                f"{self.name}: unknown parameter {', '.join(unknown)}; "
                f"parameters: {', '.join(sorted(known)) or 'none'}"
            )
        return self.function(ctx, **params)


REGISTRY: dict[str, Analysis] = {}


def analysis(name: str, example: str, needs: tuple[str, ...] = ()) -> Callable:
    """Register the decorated function as analysis ``name``."""

    def register(function: Callable[..., Result]) -> Callable[..., Result]:
        if name in REGISTRY:
            raise RuntimeError(f"analysis {name!r} is registered twice")
        REGISTRY[name] = Analysis(name, function, example, needs)
        return function

    return register


def get(name: str) -> Analysis:
    if name not in REGISTRY:
        raise InputError(f"unknown analysis '{name}'; analyses: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]
