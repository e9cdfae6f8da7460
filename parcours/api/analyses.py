"""Every registered analysis as an endpoint, built from its typed signature.

``GET /v1/analyses`` lists them with the JSON schema of their parameters;
``POST /v1/analyses/{name}`` runs one with a JSON body holding its parameters, plus
``map_id`` / ``map_version`` (default: the latest saved map), ``lang`` and ``max_age``
(seconds: a result computed that recently on earlier data will do), and returns
``Result.to_dict()`` of :meth:`parcours.Workspace.analyze` (read from the results the
workspace keeps when it was asked before, for the same map and data). The body of each analysis is a model derived from the function's
signature, so types are checked (422) before the analysis runs; the response is a model
derived from its result type (``figures`` typed field by field, each table named), so the
OpenAPI page shows both. An analysis added to the registry appears here with no edit.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, HTTPException
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from parcours.analyses import ANALYSES, REGISTRY, Analysis
from parcours.api.auth import Reader, State
from parcours.api.state import ReadingWorkspace
from parcours.errors import InputError, NotFoundError

router = APIRouter(prefix="/v1/analyses", tags=["analyses"])

# Body fields that choose the map and the language rather than parametrise the analysis.
RESERVED = {
    "map_id": (str | None, Field(None, description="Map to use; default: the latest saved.")),
    "map_version": (int | None, Field(None, ge=1, description="Default: the latest version.")),
    "lang": (Literal["fr", "en"] | None, Field(None, description="Language of the labels.")),
    "max_age": (
        float | None,
        Field(
            None,
            gt=0,
            description="Seconds: accept a result kept from less than this long ago, even if "
            "data arrived since (its as_of says when it was computed).",
        ),
    ),
}


class AsOfModel(BaseModel):
    """A result computed on earlier data (read with ``max_age``)."""

    computed_at: str = Field(description="When it was computed, UTC (ISO 8601).")
    data_version: int = Field(description="The data version it was computed on.")
    current_data_version: int = Field(description="The workspace's data version now.")
    events_since: int = Field(description="Events stored since it was computed.")


def _default(param: inspect.Parameter) -> Any:
    return ... if param.default is inspect.Parameter.empty else param.default


def body_model(analysis: Analysis) -> type[BaseModel]:
    """The request body of one analysis: its parameters and the reserved fields."""
    fields: dict[str, Any] = {}
    for param in analysis.remote_parameters():
        if param.name in RESERVED:
            raise RuntimeError(
                f"analysis {analysis.name}: parameter '{param.name}' clashes with the API's "
                f"{', '.join(RESERVED)}; rename it"
            )
        fields[param.name] = (
            param.annotation,
            Field(_default(param), description=analysis.parameter_help(param.name) or None),
        )
    title = "".join(part.capitalize() for part in analysis.name.split("_")) + "Request"
    return create_model(title, __config__=ConfigDict(extra="forbid"), **fields, **RESERVED)  # type: ignore[call-overload]  # fields from a runtime dict: mypy matches them to __config__ & co


def response_model(analysis: Analysis) -> type[BaseModel]:
    """The JSON a run returns (``Result.to_dict()``), typed from the analysis' result class."""
    result = analysis.result_type
    stem = "".join(part.capitalize() for part in analysis.name.split("_"))
    hints = typing.get_type_hints(result)
    figures = create_model(  # type: ignore[call-overload]  # fields from a runtime dict: mypy matches them to __config__ & co
        f"{stem}Figures",
        **{
            # None where the figure is not a number (NaN and infinity are written null).
            f.name: (hints[f.name] | None, Field(description=_label_text(f.metadata["label"])))
            for f in result.figure_fields()
        },
    )
    row = list[dict[str, Any]]
    tables = create_model(  # type: ignore[call-overload]  # fields from a runtime dict: mypy matches them to __config__ & co
        f"{stem}Tables", **{f.name: (row | None, None) for f in result.table_fields()}
    )
    return create_model(
        f"{stem}Response",
        analysis=(str, ...),
        title=(str, ...),
        params=(dict[str, Any], ...),
        figures=(figures, ...),
        summary=(dict[str, Any], Field(description="The figures by their printed label.")),
        table=(row, Field(description="The main table, one object per row.")),
        tables=(tables, ...),
        notes=(list[str], ...),
        as_of=(
            AsOfModel | None,
            Field(None, description="Set when the result was computed on earlier data."),
        ),
    )


def _label_text(label: Any) -> str | None:
    return label if isinstance(label, str) else None


def describe(analysis: Analysis) -> dict[str, Any]:
    params = []
    for param in analysis.remote_parameters():
        required = param.default is inspect.Parameter.empty
        params.append(
            {
                "name": param.name,
                "required": required,
                "default": None if required else param.default,
                "schema": TypeAdapter(param.annotation).json_schema(),
                "help": analysis.parameter_help(param.name),
            }
        )
    return {
        "name": analysis.name,
        "summary": analysis.summary,
        "doc": analysis.doc,
        "example": analysis.example,
        "needs": list(analysis.needs),
        "parameters": params,
        "endpoint": f"/v1/analyses/{analysis.name}",
    }


@router.get("", summary="List the analyses")
def list_analyses(_: Reader) -> list[dict[str, Any]]:
    """Every analysis with its parameters (name, JSON schema, default, help)."""
    return [describe(a) for a in ANALYSES]


def _endpoint(analysis: Analysis, model: type[BaseModel]):
    def run(
        state: State, _: Reader, background: BackgroundTasks, body: Any = None
    ) -> dict[str, Any]:
        values = body.model_dump(exclude_unset=True) if body is not None else {}
        map_id, version = values.pop("map_id", None), values.pop("map_version", None)
        lang, max_age = values.pop("lang", None), values.pop("max_age", None)
        # On a cursor of its own, in parallel with the other requests (see
        # parcours.api.state); the result is kept through the writer once the answer is sent.
        with state.reader() as ws:
            if isinstance(ws, ReadingWorkspace):
                ws.keep = lambda *kept: background.add_task(state.keep_result, *kept)
            try:
                jm = ws.load_map(map_id, version) if map_id else ws.default_map()
            except NotFoundError as exc:  # a body field naming no map: invalid input, not 404
                raise InputError(str(exc)) from None
            # Through the workspace, which reads the result when it keeps it.
            result = ws.analyze(analysis.name, jm, lang=lang, max_age=max_age, **values)
        return result.to_dict()

    # The body is a class made at run time: give FastAPI the real type. An analysis whose
    # parameters all have defaults may be called with no body at all.
    required = any(p.default is inspect.Parameter.empty for p in analysis.remote_parameters())
    signature = inspect.signature(run)
    body = signature.parameters["body"].replace(
        annotation=model if required else model | None,
        default=inspect.Parameter.empty if required else None,
    )
    params = [p for p in signature.parameters.values() if p.name != "body"]
    # A parameter without a default must come before those with one.
    params = [body, *params] if required else [*params, body]
    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    run.__doc__ = analysis.doc
    run.__name__ = f"run_{analysis.name}"
    return run


def add_analysis_routes(target: APIRouter) -> None:
    """One POST route per analysis of :data:`parcours.analyses.ANALYSES`."""
    for analysis in ANALYSES:
        target.add_api_route(
            f"/{analysis.name}",
            _endpoint(analysis, body_model(analysis)),
            methods=["POST"],
            summary=analysis.summary,
            name=f"analysis_{analysis.name}",
            response_model=response_model(analysis),
        )

    @target.post("/{name}", include_in_schema=False)
    def unknown(name: str, _: Reader) -> None:
        raise HTTPException(
            404,
            detail={
                "error": "not found",
                "detail": f"unknown analysis '{name}'; analyses: {', '.join(REGISTRY)}",
            },
        )


add_analysis_routes(router)
