"""Count how often each analysis function runs: ``calls = count_calls(monkeypatch)``, then
``calls == {"kpis": 1}`` once kpis ran once, however it was asked for (the workspace's
methods, the CLI, the REST API, the dashboard, the report)."""

from __future__ import annotations

import dataclasses
import functools
import importlib

from parcours.analyses import REGISTRY


def count_calls(monkeypatch) -> dict[str, int]:
    counted: dict[str, int] = {}
    for name, analysis in list(REGISTRY.items()):

        def counting(*args, _name=name, _function=analysis.function, **kwargs):
            counted[_name] = counted.get(_name, 0) + 1
            return _function(*args, **kwargs)

        functools.update_wrapper(counting, analysis.function)
        # The registry reads each analysis module's ANALYSIS when asked.
        module = importlib.import_module(analysis.function.__module__)
        monkeypatch.setattr(module, "ANALYSIS", dataclasses.replace(analysis, function=counting))
    return counted
