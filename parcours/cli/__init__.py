"""The ``parcours`` command line (Typer and Rich).

Exit codes: 0 success, 2 bad usage, bad input or a workspace held by another process (one
paragraph, no traceback), 1 internal error (a short message; ``PARCOURS_DEBUG=1`` shows the
traceback).
"""

from __future__ import annotations

import os
import sys
import traceback

from rich.markup import escape

from parcours.cli.forward import _command_at, forward
from parcours.cli.output import LANGS, choose_lang, err_console, used_lang
from parcours.errors import InputError, ParcoursError, WorkspaceBusyError

# The app itself is `parcours.cli.app.app`: Typer and the commands are imported only when
# the command runs here (an analysis forwarded to a server needs neither).
__all__ = ["main"]


def main() -> None:
    """Entry point: run the app and map errors to exit codes."""
    chosen = _lang_in(sys.argv[1:])
    if chosen in LANGS:  # said before the options are read: a usage error speaks it too
        choose_lang(chosen)
    try:
        # An analysis of a workspace that a server holds: the server prints it.
        code = forward(sys.argv[1:])
        if code is None:
            code = _run_here()
    except (InputError, WorkspaceBusyError) as bad:  # the user can change these
        _say_error("cmd.error", str(bad))
        sys.exit(2)
    except ParcoursError as failure:
        _say_error("cmd.error", str(failure))
        sys.exit(1)
    except Exception as crash:  # an internal error: say so plainly, trace on demand
        if os.environ.get("PARCOURS_DEBUG"):
            traceback.print_exc()
        _say_error("cmd.internal_error", f"{type(crash).__name__}: {crash}", "cmd.internal_hint")
        sys.exit(1)
    sys.exit(code)


def _run_here() -> int:
    """Run the command in this process; Typer's refusals are said in the run's language
    (its own messages are English only)."""
    import typer

    from parcours.cli.app import app

    try:
        code = app(standalone_mode=False, prog_name="parcours")
    except typer.Abort:  # Ctrl-C at a prompt, or a confirmation declined
        err_console.print(escape(_words("cmd.aborted")), highlight=False)
        return 1
    except typer.TyperException as usage:  # bad usage, or a value that does not convert
        # `parcours` or `parcours maps` alone: the help, already shown, is all there is to say
        # (Typer tells this error by its name too: its module is private)
        if type(usage).__name__ != "NoArgsIsHelpError":
            _say_usage(usage)
        return int(getattr(usage, "exit_code", 2))
    return code if isinstance(code, int) else 0  # typer.Exit(code) comes back as its code


def _lang_in(argv: list[str]) -> str | None:
    """The value of ``parcours --lang X`` (or ``--lang=X``) given before the command."""
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--lang":
            return argv[index + 1] if index + 1 < len(argv) else None
        if not arg.startswith("-"):  # the command: its own --lang is its business
            return None
    return None


def _flags(argv: list[str]) -> dict[str, str]:
    """The parameters of the analysis command in ``argv`` and their flags: min_journeys →
    --min-journeys; none for another command."""
    from parcours.analyses import REGISTRY

    at = _command_at(argv)
    if at is None or argv[at] not in REGISTRY:
        return {}
    return {p.name: "--" + p.name.replace("_", "-") for p in REGISTRY[argv[at]].parameters()}


def _words(key: str, **values: object) -> str:
    from parcours.render.i18n import t

    return t(key, used_lang(), **values)


def _say_usage(usage: Exception) -> None:
    """A usage error as Typer shows it (the usage line, where to find help, what is wrong),
    in the run's language."""
    ctx = getattr(usage, "ctx", None)
    if ctx is not None:
        line = ctx.get_usage()
        english = "Usage:"
        if line.startswith(english):
            line = _words("cmd.usage") + line[len(english) :]
        err_console.print(escape(line), highlight=False, soft_wrap=True)
        hint = _words("cmd.usage_hint", command=ctx.command_path)
        err_console.print(escape(hint), highlight=False, soft_wrap=True)
    format_message = getattr(usage, "format_message", None)
    _say_error("cmd.error", format_message() if callable(format_message) else str(usage))


def _say_error(head: str, message: str, hint: str | None = None) -> None:
    """The closing error in the run's language, its message through the catalogue (a
    message it does not know is shown as written); escaped: an example such as [web, app]
    is text, not markup."""
    from parcours.render.i18n import t
    from parcours.render.present import error_text, parameters_named

    lang = used_lang()
    said = parameters_named(error_text(message, lang), _flags(sys.argv[1:]))
    text = f"[bold red]{t(head, lang)}[/bold red] {escape(said)}"
    if hint is not None:
        text += "\n" + escape(t(hint, lang))
    err_console.print(text, highlight=False, soft_wrap=True)
