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

from parcours.cli.app import app
from parcours.cli.output import err_console, used_lang
from parcours.errors import InputError, ParcoursError, WorkspaceBusyError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app and map errors to exit codes."""
    try:
        app()  # usage errors exit with 2 from inside; Ctrl-C ends in "Aborted!" (1)
    except (InputError, WorkspaceBusyError) as bad:  # the user can change these
        # in the run's language; escape: an example such as [web, app] is text, not markup
        from parcours.render.i18n import t
        from parcours.render.present import error_text

        lang = used_lang()
        err_console.print(
            f"[bold red]{t('cmd.error', lang)}[/bold red] {escape(error_text(str(bad), lang))}",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(2)
    except ParcoursError as failure:
        err_console.print(
            f"[bold red]Error:[/bold red] {escape(str(failure))}", highlight=False, soft_wrap=True
        )
        sys.exit(1)
    except Exception as crash:  # an internal error: say so plainly, trace on demand
        if os.environ.get("PARCOURS_DEBUG"):
            traceback.print_exc()
        err_console.print(
            f"[bold red]Internal error:[/bold red] {type(crash).__name__}: {escape(str(crash))}\n"
            "Run again with PARCOURS_DEBUG=1 for the traceback, and report it.",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
