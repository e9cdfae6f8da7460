"""What an analysis declares about itself: :class:`Analysis`, one per analysis module.

Each analysis module ends with ``ANALYSIS = Analysis("name", function, example=...)``, and
:data:`parcours.analyses.ANALYSES` lists them in one explicit tuple: the CLI commands, the
Python methods, the API routes, the dashboard and the report all iterate it.

The parameters of the function (after the context) must be simple typed values — ``str``,
``int``, ``float``, ``bool``, ``list[str]``, a ``Literal`` of strings, or one of these
``| None`` — so that the CLI and the API can build their options from the signature. A
parameter named ``*_file`` reads a local file: the CLI and Python offer it, the REST API and
the dashboard never do. The function's return annotation names its result type.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parcours.analyses.base import Context, Result
from parcours.errors import InputError

# Parameters for an overview of the whole map (the report, a first run on the dashboard),
# given the context; the function's own defaults fill in the rest.
Overview = Callable[[Context], dict[str, Any]]


def no_parameters(ctx: Context) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Analysis:
    name: str
    function: Callable[..., Result]
    example: str  # a CLI example, shown in --help
    needs: tuple[str, ...] = ()  # workspace tables beyond the journeys: feedback, customers
    overview: Overview = no_parameters

    @property
    def result_type(self) -> type[Result]:
        """The result class the function returns (its return annotation)."""
        returned = typing.get_type_hints(self.function)["return"]
        if not (isinstance(returned, type) and issubclass(returned, Result)):
            raise TypeError(f"analysis {self.name}: returns {returned!r}, not a Result type")
        return returned

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.function) or self.name).splitlines()[0]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""

    def parameters(self) -> list[inspect.Parameter]:
        """The analysis' own parameters (without the context), with resolved annotations."""
        return list(_parameters(self.function))

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


@functools.cache
def _parameters(function: Callable[..., Result]) -> tuple[inspect.Parameter, ...]:
    # Resolving the annotations takes milliseconds; every dashboard page asks for them.
    hints = typing.get_type_hints(function)
    params = list(inspect.signature(function).parameters.values())[1:]
    return tuple(p.replace(annotation=hints.get(p.name, p.annotation)) for p in params)
