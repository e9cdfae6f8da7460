"""The command line in its reader's language: every command's help, and ``--lang`` on each.

Typer builds the commands from their signatures, with the English help written there (the
docstrings and ``help=``). Before a run reads its arguments, :func:`localize` walks the
command tree and gives every command, argument, option and help panel its words in the
reader's language, from the catalogue (:mod:`parcours.render._help_words`: the English text
is the key, as a gettext ``msgid`` is), and adds ``--lang`` to each command that lacks it.

The language of help is :func:`help_lang`'s: ``--lang`` anywhere on the command line, else
``PARCOURS_LANG``, else the locale (``LC_ALL`` or ``LANG`` starting with ``fr``), else
English. Help has no map to take a language from.
"""

from __future__ import annotations

import os
import re
from types import SimpleNamespace
from typing import Annotated, Any

import typer
import typer.rich_utils
from typer.core import TyperCommand, TyperGroup

from parcours.cli.lazy import LazyCommand, command_of
from parcours.cli.output import LANGS, choose_lang, locale_lang
from parcours.render.i18n import help_text, t


def help_lang(args: list[str]) -> str:
    """The language ``parcours ARGS --help`` is written in.

    >>> help_lang(["validate", "--lang", "fr", "--help"]), help_lang(["--lang=en", "status"])
    ('fr', 'en')
    """
    for index, arg in enumerate(args):
        if arg == "--":  # what follows is data, not options
            break
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        if value in LANGS:
            return str(value)
    chosen = os.environ.get("PARCOURS_LANG")
    return chosen if chosen in LANGS else locale_lang()


def localize(command: Any, lang: str) -> None:
    """Give ``command`` and everything under it the words of ``lang``; a lazy command
    gives them to its real command when it is built (:class:`LazyCommand`)."""
    _rich_words(lang)
    _walk(command, lang)


def _walk(command: Any, lang: str) -> None:
    command.help = help_text(command.help, lang)
    if isinstance(command, LazyCommand):
        command.localized = lambda real: localize(real, lang)
    panel = getattr(command, "rich_help_panel", None)
    if panel:
        command.rich_help_panel = help_text(panel, lang)
    params = command.params
    if not isinstance(command, TyperGroup) and "lang" not in {p.name for p in params}:
        params.append(_lang_option())  # a group hands it on: `parcours --lang`, a command's
    for param in params:
        if param is _lang_option():  # shared by every command: its English stays its key
            param.help = help_text(LANG_HELP, lang)
        elif getattr(param, "help", None):
            param.help = help_text(param.help, lang)
        _type_words(param, lang)
    names = SimpleNamespace(help_option_names=["--help"])  # all the context it reads
    help_option = command.get_help_option(names)
    if help_option is not None:
        help_option.help = t("cmd.help.help_option", lang)
        _type_words(help_option, lang)
    command.context_class = _context_class(lang)
    command.options_metavar = t("cmd.help.options_metavar", lang)
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = t("cmd.help.subcommand_metavar", lang)
    for sub in getattr(command, "commands", {}).values():
        _walk(sub, lang)


# A value's Python type as Typer shows it beside the option (<str>, <list[str]>, <path>,
# <int range> before its bounds).
PYTHON_TYPE = re.compile(r"(?<=[<|])(str|int|float|path)(?: range)?(?=[>|])")


def _type_words(param: Any, lang: str) -> None:
    """Beside each option, what its value is in words of ``lang`` (``<texte>``, a list as
    ``<texte>...``, a choice as its values), and nothing beside a flag, which takes none.
    Typer draws that column with the parameter's ``display_type_rich``; a Typer without it
    keeps its own."""
    drawn = getattr(type(param), "display_type_rich", None)
    if drawn is None:
        return

    def shown(ctx: Any) -> str | None:
        if getattr(param, "is_flag", False):
            return None
        label = drawn(param, ctx)
        if not label:
            return label
        label = re.sub(r"^<list\[(.*)\]>$", r"<\1>...", label)
        return PYTHON_TYPE.sub(lambda found: t(f"cmd.help.type.{found[1]}", lang), label)

    param.display_type_rich = shown


def _chosen(value: str | None) -> None:
    if value is not None:
        choose_lang(value)


LANG_HELP = "fr or en: the language the command prints in (default: the map's, then the locale's)."


def _with_lang(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=LANG_HELP,
            callback=_chosen,
            expose_value=False,
        ),
    ] = None,
) -> None:
    """Never runs: the command Typer builds from it gives its --lang option."""


_LANG_OPTION: list[Any] = []


def _lang_option() -> Any:
    """A ``--lang`` option that chooses the run's language as it is read: one, built once,
    for every command (an option keeps no state of a run; Typer takes a few ms to build it)."""
    if not _LANG_OPTION:
        _LANG_OPTION.append(command_of(_with_lang, "lang").params[0])
    return _LANG_OPTION[0]


_CONTEXTS: dict[str, type] = {}


def _context_class(lang: str) -> type:
    """A context whose help starts with "Usage:" in ``lang`` (Typer writes it in English)."""
    if lang not in _CONTEXTS:
        prefix = t("cmd.usage", lang) + " "

        context: Any = TyperCommand.context_class

        class Formatter(context.formatter_class):
            def write_usage(self, prog: str, args: str = "", prefix: str | None = prefix) -> None:
                super().write_usage(prog, args, prefix)

        _CONTEXTS[lang] = type(f"Context_{lang}", (context,), {"formatter_class": Formatter})
    return _CONTEXTS[lang]


def _rich_words(lang: str) -> None:
    """Typer's help panels read their titles and brackets from these settings of
    :mod:`typer.rich_utils` each time they are drawn (its way to configure them, taken from
    rich-click); set for every run, a run in French is followed by one in English in tests."""
    rich = typer.rich_utils
    rich.ARGUMENTS_PANEL_TITLE = t("cmd.help.arguments", lang)
    rich.OPTIONS_PANEL_TITLE = t("cmd.help.options", lang)
    rich.COMMANDS_PANEL_TITLE = t("cmd.help.commands", lang)
    rich.DEFAULT_STRING = t("cmd.help.default", lang)
    rich.ENVVAR_STRING = t("cmd.help.envvar", lang)
    rich.REQUIRED_LONG_STRING = t("cmd.help.required", lang)


class LocalizedGroup(TyperGroup):
    """The ``parcours`` group: before it reads its arguments, every command takes the words
    of the language its help is read in, and a ``--lang`` option (:func:`localize`)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        localize(self, help_lang(args))
        return super().make_context(info_name, args, parent=parent, **extra)
