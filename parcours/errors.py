"""The one error family of parcours.

    ParcoursError                 base of everything parcours raises on purpose
    ├── InputError(ValueError)    the user's input is wrong: says where and what is allowed
    │   ├── MapError              a journey map that does not validate (file, line, field)
    │   ├── MappingError          a column mapping that does not fit the source
    │   ├── SourceError           a data source that cannot be read (missing file, bad format)
    │   └── NotFoundError         something named does not exist (a map, a version); lists what does
    └── WorkspaceError            the workspace cannot be opened or migrated
        └── WorkspaceBusyError    another process holds the workspace file

The CLI turns an ``InputError`` or a ``WorkspaceBusyError`` (a situation the user can change)
into exit code 2 with its message and no traceback; anything else is an internal error
(exit code 1). Engine and Arrow exceptions caused by the input become these errors in one
place, :func:`parcours.store.boundary.map_exceptions`.
"""

from __future__ import annotations

from dataclasses import dataclass


class ParcoursError(Exception):
    """Base class of every error raised on purpose by parcours."""


class InputError(ParcoursError, ValueError):
    """The user's input is wrong; the message says where and what is allowed."""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located as precisely as the input allows."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        at = f" (field {self.field})" if self.field else ""
        return f"{where}: {self.message}{at}" if where else f"{self.message}{at}"


class MapError(InputError):
    """A journey map that does not validate; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        head = "journey map is not valid" if len(lines) != 1 else "journey map is not valid:"
        super().__init__(
            head + (" " + lines[0] if len(lines) == 1 else ":\n  " + "\n  ".join(lines))
        )


class MappingError(InputError):
    """A column mapping that does not fit its source."""


class SourceError(InputError):
    """A data source that cannot be read."""


class NotFoundError(InputError):
    """Something named does not exist (a map, a map version); the message lists what does."""


class WorkspaceError(ParcoursError):
    """The workspace cannot be opened, or its schema cannot be migrated."""


class WorkspaceBusyError(WorkspaceError):
    """Another process (a server, a notebook, another command) holds the workspace file."""
