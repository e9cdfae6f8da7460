"""Commands whose parameters are read when they run, so that ``parcours --help`` starts fast.

Typer reads the signature of every command each time ``parcours`` starts. An analysis'
signature lives in its module, which imports pandas, Ibis and SciPy; the choices of
``parcours init`` come from the journey-map package (Pydantic, Ibis). A lazy command is
listed with its help line alone; its function is loaded, and its options read, only when it
runs or shows its own ``--help``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand

# The settings of every Typer app of the CLI: how help is written, and errors left to main().
APP_SETTINGS: dict[str, Any] = {
    "rich_markup_mode": "markdown",
    "pretty_exceptions_enable": False,
    "add_completion": False,
}


def command_of(function: Callable[..., Any], name: str | None) -> TyperCommand:
    """The command Typer builds from ``function``."""
    one = typer.Typer(**APP_SETTINGS)
    one.command(name=name)(function)
    command = typer.main.get_command(one)
    assert isinstance(command, TyperCommand)  # one command and no callback: not a group
    return command


class LazyCommand(TyperCommand):
    """A command listed by its help line; ``load()`` returns its function when it runs."""

    # Set by parcours.cli.localize: gives the real command the words of the reader's
    # language once it is built (a hook, so that this module needs not import that one).
    localized: Callable[[TyperCommand], None] | None = None

    @staticmethod
    def load() -> Callable[..., Any]:
        raise NotImplementedError

    # Click reads a command's arguments (and --help) in make_context: build the real one here.
    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        real = command_of(self.load(), self.name)
        if self.localized is not None:
            self.localized(real)
        return real.make_context(info_name, args, parent=parent, **extra)


def _listed() -> None:
    """Never runs: a LazyCommand hands its arguments to the loaded command."""


def add_lazy_command(
    app: typer.Typer,
    name: str,
    help: str,  # noqa: A002  # typer's own name for it
    load: Callable[[], Callable[..., Any]],
    panel: str | None = None,
) -> None:
    """Add command ``name`` to ``app``, listed with ``help``; ``load()`` returns its function.
    tests/cli/test_fast_start.py keeps ``help`` equal to the function's first paragraph."""
    lazy = type(f"Lazy_{name}", (LazyCommand,), {"load": staticmethod(load)})
    app.command(name=name, help=help, cls=lazy, rich_help_panel=panel)(_listed)
