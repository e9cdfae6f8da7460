"""The dashboard's pages and its own JSON calls, served by the REST app.

Pages (HTML, server-rendered, a little vanilla JS): ``/`` the journey map canvas,
``/analyses`` and ``/analyses/{name}`` each analysis with its form and the filters,
``/editor`` the map's YAML with live validation, ``/history`` versions and diffs, ``/login``.
JSON for the pages' scripts: ``POST /ui/maps/validate``, ``POST /ui/maps/{id}/versions`` and
``POST /ui/login-link`` (a new single-use login address). Every page and call needs a
dashboard session (see :mod:`parcours.web.session`); failed logins are throttled per address.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shlex
import time
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import Any
from urllib.parse import urlencode

import plotly
from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from pydantic import BaseModel

from parcours.analyses import ANALYSES, REGISTRY, Analysis, Context, Result
from parcours.analyses.base import AsOf
from parcours.errors import InputError, MapError, NotFoundError
from parcours.maps import JourneyMap, duration_for, text_of
from parcours.render import i18n as report_words
from parcours.render import present
from parcours.store import schema
from parcours.store.engine import PARAMETERISED
from parcours.store.results import events_since
from parcours.web import i18n
from parcours.web.access import json_session, require_csrf_header, session_of
from parcours.web.canvas import dashboard_canvas
from parcours.web.figures import dumps_safe, figures_json
from parcours.web.filters import NO_PERSONA, Filters, filter_context
from parcours.web.forms import _shown, form_fields, parse_params
from parcours.web.jobs import Job, Jobs
from parcours.web.map_objects import comments_panel, map_objects, objects_key, ranked
from parcours.web.session import (
    COOKIE,
    LANG_COOKIE,
    LoginThrottle,
    Session,
    Sessions,
)
from parcours.workspace import map_digest

log = logging.getLogger("parcours.web")
HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
TABLE_ROWS = 50
# How long a page waits for its computation before it answers with its progress instead,
# in seconds (PARCOURS_DASHBOARD_WAIT: 0 shows the progress of every page not drawn yet).
WAIT = 0.5
# How old a result computed on earlier data a page shows rather than compute again, in
# seconds (PARCOURS_DASHBOARD_MAX_AGE: 0 computes on the current data every time). While a
# collector adds events every few seconds, every page would otherwise compute at each visit;
# the page says how old its result is, with a link to compute it on the data of now.
MAX_AGE = 900.0


def _seconds_from_env(name: str, default: float, highest: float, meaning: str) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= highest:
        raise InputError(
            f"{name}={raw!r} is not allowed; give a number of seconds from 0 to {highest:g} "
            f"({meaning})"
        )
    return seconds


def wait_from_env() -> float:
    """:data:`WAIT`, or ``PARCOURS_DASHBOARD_WAIT`` when set (seconds, 0 or more)."""
    return _seconds_from_env(
        "PARCOURS_DASHBOARD_WAIT",
        WAIT,
        3600,
        "how long a page waits for its result before showing its progress",
    )


def max_age_from_env() -> float:
    """:data:`MAX_AGE`, or ``PARCOURS_DASHBOARD_MAX_AGE`` when set (seconds, 0 or more)."""
    return _seconds_from_env(
        "PARCOURS_DASHBOARD_MAX_AGE",
        MAX_AGE,
        7 * 86400,
        "how old a result computed on earlier data a page may show",
    )


SECURITY_HEADERS = {
    # Everything comes from this server: no CDN, no font service, no beacon.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
    "font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["day"] = present.date
templates.env.filters["moment"] = report_words.moment
templates.env.filters["number"] = report_words.number  # 2 416, 2,416
templates.env.finalize = pass_context(report_words.typeset_output)  # before a template is compiled
templates.env.filters["as_written"] = report_words.as_written  # a form's value comes back as sent
router = APIRouter(include_in_schema=False)


class Dashboard:
    """What the dashboard keeps in memory: the sessions, the failed logins, and what it drew
    last (figures, canvases, periods), by map and data version. Analysis results are kept
    by the workspace (:meth:`parcours.Workspace.analyze`), shared with the API and the CLI.

    The pages' computations run in the background (:attr:`jobs`): a page waits ``wait``
    seconds for its own, then answers with its progress and fills in when it is done. A page
    shows a result computed on earlier data when it is less than ``max_age`` seconds old
    (see :data:`MAX_AGE`)."""

    def __init__(
        self, cache_size: int = 64, wait: float | None = None, max_age: float | None = None
    ):
        self.sessions = Sessions()
        self.throttle = LoginThrottle()
        self.jobs = Jobs()
        self.wait = wait_from_env() if wait is None else wait
        self.max_age = max_age_from_env() if max_age is None else max_age
        self.cache: OrderedDict[str, Any] = OrderedDict()
        self.cache_size = cache_size
        # group -> (when, value): the last value remembered of a group (see remember).
        self._latest: dict[str, tuple[float, Any]] = {}
        self._lock = Lock()

    def remember(
        self, key: str, make: Any, latest_of: str | None = None, again: bool = False
    ) -> Any:
        """The value remembered under ``key``, else ``make()``'s, remembered (``again``:
        made and remembered whatever is). With ``latest_of`` (the key without its data
        version), the last value of that group serves when it was made less than
        :attr:`max_age` seconds ago (a page under steady collection, see :data:`MAX_AGE`)."""
        with self._lock:
            if key in self.cache and not again:
                self.cache.move_to_end(key)
                return self.cache[key]
            made = self._latest.get(latest_of) if latest_of and not again else None
            if made is not None and time.monotonic() - made[0] < self.max_age:
                return made[1]
        value = make()
        with self._lock:
            self.cache[key] = value
            if latest_of:
                self._latest[latest_of] = (time.monotonic(), value)
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return value


def dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


# -- language, session, page frame ------------------------------------------------------


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in i18n.LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in i18n.LANGS:
        return cookie
    return i18n.negotiate(request.headers.get("accept-language"))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_session(response: Response, request: Request, sid: str) -> None:
    response.set_cookie(
        COOKIE, sid, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    lang = values.pop("lang", None) or language(request)
    query = {k: v for k, v in request.query_params.items() if k not in ("token", "lang")}

    def keep(**changes: Any) -> str:
        merged = {**query, **{k: v for k, v in changes.items() if v is not None}}
        merged = {k: v for k, v in merged.items() if v not in ("", None)}
        return urlencode(merged)

    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "w": i18n.words(lang),
            "other_lang": "en" if lang == "fr" else "fr",
            "keep": keep,
            "path": request.url.path,
            "analyses": [(a.name, i18n.analysis_title(a.name, lang)) for a in ANALYSES],
            "session": session_of(request),
            **values,
        },
        status_code=status,
        headers=SECURITY_HEADERS,
    )
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie(LANG_COOKIE, lang, samesite="strict", secure=_secure(request))
    return response


def _without_token(request: Request) -> str:
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    return request.url.path + (f"?{query}" if query else "")


def gate(request: Request) -> Session | Response:
    """The page's session; or the login redirect of a login link; or the login page."""
    token = request.query_params.get("token")
    if token is not None:
        return _token_login(request, token)
    found = session_of(request)
    if found is None:
        return render(request, "login.html", 401, error=None, next=_without_token(request))
    return found


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttled(request: Request, next: str) -> Response | None:
    """The 429 login page when this client failed to log in too often; else None."""
    wait = dashboard(request).throttle.retry_after(_client(request))
    if not wait:
        return None
    response = render(request, "login.html", 429, error="login.throttled", retry=wait, next=next)
    response.headers["Retry-After"] = str(wait)
    return response


def _token_login(request: Request, token: str) -> Response:
    """A login link: the session cookie and a redirect to the address without the token,
    which is burnt (it works once). A used or wrong token redirects a browser that has a
    session already (the same link opened twice), and shows the login page to the others."""
    board = dashboard(request)
    target = _without_token(request)
    refused = _throttled(request, target)
    if refused is not None:
        return refused
    response = RedirectResponse(target, status_code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    if board.sessions.redeem(token):
        board.throttle.succeeded(_client(request))
        _set_session(response, request, board.sessions.start("admin", "token"))
        return response
    board.throttle.failed(_client(request))
    if session_of(request) is not None:
        return response
    return render(request, "login.html", 403, error="login.bad_token", next=target)


# -- workspace helpers ------------------------------------------------------------------


def _maps(ws: Any) -> list[str]:
    if ws.con.name in PARAMETERISED:  # read on every page: no Ibis compile, no pandas
        rows = ws.con.raw_sql("SELECT DISTINCT map_id FROM maps ORDER BY map_id").fetchall()
        return [str(row[0]) for row in rows]
    return list(ws.maps().map_id)


def _map(ws: Any, map_id: str | None) -> JourneyMap:
    return ws.load_map(map_id) if map_id else ws.default_map()


def _stamp(ws: Any, jm: JourneyMap, version: int | None = None) -> str:
    """What the dashboard's memory is valid for: this map on this data version (``version``:
    already read by the caller; else read here)."""
    if version is None:
        version = schema.data_version(ws.con)
    return hashlib.sha256(f"{map_digest(jm)}|{version}|{ws.url}".encode()).hexdigest()[:20]


def _map_stamp(ws: Any, jm: JourneyMap) -> str:
    """The map's stamp on any data version: what :meth:`Dashboard.remember` groups."""
    return hashlib.sha256(f"{map_digest(jm)}|any|{ws.url}".encode()).hexdigest()[:20]


def _scope(filters: Filters) -> Filters | None:
    # No filter: the same result as the API's and the CLI's, kept once.
    return filters if filters.active else None


def _choices(jm: JourneyMap, lang: str, w: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    return {
        "personas": [(p.id, text_of(p.title, lang)) for p in jm.personas]
        + [(NO_PERSONA, w["filters.none_persona"])],
        "channels": [(c.id, text_of(c.title, lang) if c.title else c.id) for c in jm.channels],
    }


class _Inputs:
    """``ws.context(jm, lang)`` made on first use of the journeys or the workspace tables: a
    page whose result the workspace keeps, and whose period and drawings the dashboard
    remembers, needs no journey table."""

    def __init__(self, ws: Any, jm: JourneyMap, lang: str):
        self.ws, self.map, self.lang = ws, jm, lang
        self._made: Context | None = None

    @property
    def language(self) -> str:
        return self.lang or self.map.lang

    def made(self) -> Context:
        if self._made is None:
            self._made = self.ws.context(self.map, self.lang)
        return self._made

    def __getattr__(self, name: str) -> Any:  # journeys, feedback, customers, identities
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.made(), name)


def _period(request: Request, ws: Any, ctx: Any, stamp: str, jm: JourneyMap) -> tuple[str, str]:
    def make() -> tuple[str, str]:
        low, high = (
            ctx.journeys.aggregate(low=ctx.journeys.ts.min(), high=ctx.journeys.ts.max())
            .to_pyarrow()
            .to_pylist()[0]
            .values()
        )
        return (low.date().isoformat() if low else "", high.date().isoformat() if high else "")

    return dashboard(request).remember(
        f"period|{stamp}", make, latest_of=f"period|{_map_stamp(ws, jm)}"
    )


def _run(
    request: Request,
    ws: Any,
    jm: JourneyMap,
    stamp: str,
    name: str,
    params: dict,
    filters: Filters,
    lang: str,
    max_age: float | None = None,
) -> tuple[Result, list[str]]:
    """The result of an analysis on the filtered journeys (read from the workspace when it
    keeps it, computed on earlier data within ``max_age`` seconds too), and its figures
    (kept in memory until the map or the data change)."""
    result = ws.analyze(name, jm, lang=lang, scope=_scope(filters), max_age=max_age, **params)
    key = "|".join(
        [
            "figures",
            name,
            stamp,
            lang,
            repr(filters.key()),
            json.dumps(params, sort_keys=True, default=str),
        ]
    )
    figures = dashboard(request).remember(key, lambda: figures_json(result, lang, jm))
    return result, figures


def _canvas(
    request: Request,
    ws: Any,
    jm: JourneyMap,
    ctx: _Inputs,
    stamp: str,
    filters: Filters,
    lang: str,
    job: Job | None = None,
) -> Any:
    """The measured canvas (drawn from the results the workspace keeps; the drawing kept in
    memory until the map or the data change). ``job`` is told which analysis runs."""
    run = ws.runner(jm, scope=_scope(filters))

    def run_told(name: str, lang: str | None, params: dict[str, Any]) -> Result:
        if job is not None:
            job.step = name
        return run(name, lang, params)

    def draw() -> Any:
        canvas = dashboard_canvas(
            filter_context(ctx.made(), filters),
            filters.persona,
            lang,
            run=run_told,
            objects=map_objects(ws, jm, lang),  # sub-maps, links, comment counts
        )
        if job is not None:  # a look drew without what it could not read: not remembered
            job.check()
        return canvas

    return dashboard(request).remember(
        f"canvas|{stamp}|{lang}|{filters.key()!r}|{objects_key(ws, jm)}", draw
    )


# -- pages computed in the background ---------------------------------------------------


def _page_key(request: Request, lang: str, stamp: str, now_or_then: bool = False) -> str:
    """What a page shows: its address (the login token and the language aside), its
    language, its map and data version. Two visits with the same key share one job.
    ``now_or_then``: the request for the data of now (``current``) aside too."""
    aside = ("token", "lang", "current") if now_or_then else ("token", "lang")
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k not in aside)
    return json.dumps([request.url.path, lang, stamp, query])


def _computed(request: Request, key: str, work: Any) -> Job:
    """The page's job (started, or joined when another visit started it), after waiting
    the dashboard's ``wait`` for it. A page whose results are kept answers from them at
    once, without waiting for a place among the jobs (a look, see :mod:`parcours.web.jobs`),
    when the server reads on cursors of its own (else a reader waits for the one writer)."""
    board = dashboard(request)
    concurrent = getattr(request.app.state.parcours, "concurrent", False)
    job = board.jobs.start(key, work, look_first=concurrent)
    job.wait(board.wait)
    return job


def _failure(job: Job, lang: str) -> str:
    """A failed job's message for the page; the details are in the server log."""
    message = f"internal error ({type(job.error).__name__}); the server log has the details"
    return present.error_text(message, lang)


def _status(job: Job, refused: bool = False) -> int:
    """A page's status: 202 while it computes, 500 when that failed, 422 when the analysis
    refused its input, else 200."""
    if not job.finished:
        return 202
    if job.state == "failed":
        return 500
    return 422 if refused else 200


def _reading(job: Job, lang: str) -> dict[str, Any]:
    """How far a page's computation is: its state, DuckDB's percentage of the query it
    runs now (None when none runs or DuckDB cannot tell), what it computes, in words."""
    w = i18n.words(lang)
    percent = job.percent()
    if job.state == "queued":
        parts = [w["progress.queued"]]
    elif job.step is not None and job.step in REGISTRY:
        parts = [w["progress.step"].format(step=i18n.analysis_title(job.step, lang))]
    else:
        parts = [w["progress.started"]]
    if percent is not None:
        parts.append(w["progress.query"].format(percent=report_words.pct(percent / 100, lang)))
    parts.append(w["progress.elapsed"].format(elapsed=report_words.duration(job.elapsed(), lang)))
    reading = {
        "state": job.state,
        "percent": None if percent is None else round(percent, 1),
        "step": job.step,
        "elapsed": round(job.elapsed(), 1),
        "text": " · ".join(parts),
    }
    if job.state == "failed":
        reading["text"] = _failure(job, lang)
    return reading


def _table(frame: Any, lang: str, names: present.Titles, unit: str | None = None) -> present.Shown:
    """A result table as its reader reads it (see :mod:`parcours.render.present`); ``unit``:
    what a funnel counts, which names its count columns."""
    return present.table(frame, lang, names, TABLE_ROWS, unit=unit)


def _ranking(result: Result, jm: JourneyMap, lang: str) -> list[dict[str, Any]]:
    """The friction points, best first, with their touchpoint's (or stage's) title."""
    titles = {t.id: text_of(t.title, lang) if t.title else t.id for t in jm.touchpoints}
    titles.update({s.id: text_of(s.title, lang) for s in jm.stages})
    out = []
    for row in result.table.to_dict(orient="records"):
        out.append(
            {
                "rank": row.get("rank"),
                "id": row.get("id"),
                "title": titles.get(row.get("id"), row.get("id")),
                "status": row.get("status"),
                "score": present.cell_text("score", row.get("score"), lang, present.Titles(lang)),
                "signal": row["signal"] if isinstance(row.get("signal"), str) else "",
                "explanation": row["explanation"]
                if isinstance(row.get("explanation"), str)
                else "",
            }
        )
    return out


def _command(analysis: Analysis, fields: list[Any], lang: str) -> str:
    """The command line that gives this page's result: the analysis with the page's values
    (the CLI's forms: a required list as arguments, a yes/no as --flag or --no-flag)."""
    kinds = {p.name: p for p in analysis.parameters()}
    words = ["parcours", analysis.name]
    for f in fields:
        default = _shown(f.default)
        value = report_words.untyped(f.value) if f.kind == "number" else f.value
        if value in ("", None) or (
            not f.required and value in (default, duration_for(default, lang))
        ):
            continue
        flag = "--" + f.name.replace("_", "-")
        if f.required and f.kind in ("list", "picks"):
            words += [shlex.quote(v.strip()) for v in f.value.split(",") if v.strip()]
        elif kinds[f.name].annotation is bool:
            words.append(flag if f.value == "true" else f"--no-{flag[2:]}")
        else:
            words += [flag, shlex.quote(value)]
    return " ".join([*words, "--lang", lang])


def _dropped(result: Result, lang: str, names: present.Titles) -> str:
    """The main table's columns left to analysts (shown whole in the API and the CLI)."""
    left = [
        present.dropped_label(c, names)
        for c in present.table(result.table.head(0), lang, names).dropped
    ]
    return i18n.words(lang)["present.rows_dropped"].format(columns=", ".join(left)) if left else ""


# -- pages ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def canvas_page(request: Request) -> Response:
    who = gate(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    w = i18n.words(lang)
    state = request.app.state.parcours
    board = dashboard(request)
    try:
        filters = Filters.parse(request.query_params)
        with state.reader() as ws:
            jm = _map(ws, request.query_params.get("map"))
            filters.check(jm)
            version = schema.data_version(ws.con)
            stamp = _stamp(ws, jm, version)
            map_ids = _maps(ws)
            objects = objects_key(ws, jm)  # comments and sub-maps are drawn too
            drawn, any_data = f"{stamp}|{objects}", f"{_map_stamp(ws, jm)}|{objects}"
            comments = comments_panel(ws, jm, lang, who)
    except InputError as exc:
        return render(request, "message.html", 422, title=w["nav.map"], message=str(exc))

    def draw(job: Job) -> dict[str, Any]:
        with state.reader() as ws:
            job.watch(ws)
            made = {"at": _utc_now(), "version": schema.data_version(ws.con)}
            ctx = _Inputs(ws, jm, lang)
            period = _period(request, ws, ctx, stamp, jm)
            canvas = _canvas(request, ws, jm, ctx, stamp, filters, lang, job)
            opportunities = ranked(ws, jm, lang, _scope(filters))
        shown = {"period": period, "svg": Markup(canvas.svg), "opportunities": opportunities}
        return shown | {"made": made}

    def work(job: Job) -> dict[str, Any]:
        # The canvas drawn a moment ago on earlier data will do (said on the page), as an
        # analysis page's result does, unless the reader asked for the data of now: then
        # drawn again, and what the next visits show.
        return board.remember(
            f"canvas-page|{_page_key(request, lang, drawn, now_or_then=True)}",
            lambda: draw(job),
            latest_of=f"canvas-page|{_page_key(request, lang, any_data, now_or_then=True)}",
            again=request.query_params.get("current") == "1",
        )

    job = _computed(request, _page_key(request, lang, drawn), work)
    empty: dict[str, Any] = {"period": ("", ""), "svg": "", "opportunities": []}
    shown = dict(job.value) if job.state == "done" else empty
    made: dict[str, Any] | None = shown.pop("made", None)
    as_of = None
    if made is not None and made["version"] != version:
        as_of = _drawn_as_of(state, made, version, lang)
    return render(
        request,
        "canvas.html",
        _status(job),
        jm=jm,
        map_title=jm.title_of(lang),
        map_ids=map_ids,
        filters=filters,
        choices=_choices(jm, lang, w),
        error=_failure(job, lang) if job.state == "failed" else None,
        progress=_reading(job, lang) | {"id": job.id} if not job.finished else None,
        comments=comments,
        as_of=as_of,
        current_url=_with_current(request),
        **shown,
    )


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _drawn_as_of(state: Any, made: dict[str, Any], version: int, lang: str) -> str | None:
    """How old a canvas drawn on earlier data is, in words (as a result's ``as_of``)."""
    with state.reader() as ws:
        since = events_since(ws.con, made["at"])
    return present.as_of(AsOf(made["at"], made["version"], version, since), lang)


@router.get("/analyses", response_class=HTMLResponse)
def analyses_page(request: Request) -> Response:
    who = gate(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    items = [
        {"name": n, "title": i18n.analysis_title(n, lang), "summary": present.about(n, lang)}
        for n in REGISTRY
    ]
    return render(request, "analyses.html", items=items)


def _overview(analysis: Analysis, ctx: Any) -> dict[str, Any]:
    """The overview's parameters, or none when the data cannot give them (the form is then
    filled by hand)."""
    try:
        return analysis.overview(ctx)
    except InputError:
        return {}


@router.get("/analyses/{name}", response_class=HTMLResponse)
def analysis_page(name: str, request: Request) -> Response:
    who = gate(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    w = i18n.words(lang)
    if name not in REGISTRY:
        return render(
            request,
            "message.html",
            404,
            title=w["error.not_found"],
            message=f"unknown analysis '{name}'; analyses: {', '.join(REGISTRY)}",
        )
    analysis = REGISTRY[name]
    state = request.app.state.parcours
    query = request.query_params
    # A result computed on earlier data will do (said on the page), unless the reader asked
    # for the data of now (the page's link, ?current=1).
    max_age = None if query.get("current") == "1" else dashboard(request).max_age or None
    with state.reader() as ws:
        try:
            jm = _map(ws, query.get("map"))
            map_ids = _maps(ws)
        except InputError as exc:
            return render(request, "message.html", 422, title=name, message=str(exc))
        stamp = _stamp(ws, jm)

    def work(job: Job) -> dict[str, Any]:
        job.step = name
        shown = _frame(analysis, query, lang, jm)
        with state.reader() as ws:
            job.watch(ws)
            try:
                shown["filters"] = filters = Filters.parse(query).check(jm)
                ctx = _Inputs(ws, jm, lang)
                # A first visit runs the analysis as the report does (its overview's parameters).
                prefill = {k: v for k, v in _overview(analysis, ctx).items() if k not in query}
                shown["fields"] = form_fields(analysis, query, prefill, lang, jm)
                params = parse_params(analysis, query, prefill)
                shown["period"] = _period(request, ws, ctx, stamp, jm)
                if params is None:
                    shown["error"] = w["params.needed"]
                else:
                    shown["result"], shown["figures"] = _run(
                        request, ws, jm, stamp, name, params, filters, lang, max_age
                    )
            except InputError as exc:
                quoted = "« {} »" if lang == "fr" else "'{}'"
                labels = {f.name: quoted.format(f.label) for f in shown.get("fields", [])}
                shown["error"] = present.parameters_named(
                    present.error_text(str(exc), lang), labels
                )
        return shown

    job = _computed(request, _page_key(request, lang, stamp), work)
    shown = job.value if job.state == "done" else _frame(analysis, query, lang, jm)
    if job.state == "failed":
        shown["error"] = _failure(job, lang)
    result, fields, error = shown["result"], shown["fields"], shown["error"]
    # The result in words: the same for every visit of this page (its key holds the map,
    # the data version, the language and the query), so written once and remembered.
    presented = (
        dashboard(request).remember(
            f"presented|{job.key}", lambda: _presented(name, result, jm, lang)
        )
        if result is not None
        else _presented(name, None, jm, lang)
    )
    return render(
        request,
        "analysis.html",
        status=_status(job, refused=error is not None and result is None),
        name=name,
        title=i18n.analysis_title(name, lang),
        analysis=analysis,
        fields=fields,
        filters=shown["filters"],
        period=shown["period"],
        choices=_choices(jm, lang, w),
        map_ids=map_ids,
        jm=jm,
        result=result,
        command=_command(analysis, fields, lang),
        about=present.about(name, lang),
        raw_notes=list(result.notes) if result is not None else [],
        figures=shown["figures"],
        as_of=present.as_of(result.as_of, lang) if result is not None else None,
        current_url=_with_current(request),
        **presented,
        error=error,
        failed=job.state == "failed",
        progress=_reading(job, lang) | {"id": job.id} if not job.finished else None,
    )


def _with_current(request: Request) -> str:
    """This page's address asking for the data of now (see analysis_page)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("token", "current")]
    return f"{request.url.path}?{urlencode([*query, ('current', '1')])}"


def _presented(name: str, result: Result | None, jm: JourneyMap, lang: str) -> dict[str, Any]:
    """What an analysis page writes of its result (none yet: empty): heading, figures,
    tables and notes in ``lang``."""
    if result is None:
        empty: dict[str, Any] = {"heading": "", "figures_shown": ([], []), "main": None}
        return empty | {"notes": [], "dropped": "", "ranking": None, "tables": []}
    names = present.Titles.for_result(jm, lang, result)
    return {
        "heading": present.heading(result, lang, names),
        "figures_shown": present.figures(result, lang, names),
        "main": _table(result.table, lang, names, present.unit_of(result)),
        "notes": present.notes(result, lang, names),
        "dropped": _dropped(result, lang, names),
        "ranking": _ranking(result, jm, lang)
        if name == "frictions" and "explanation" in result.table
        else None,
        "tables": [
            (n, _table(f, lang, names), present.table_count(result, n, lang))
            for n, f in result.tables.items()
            if f is not None
        ],
    }


def _frame(analysis: Analysis, query: Any, lang: str, jm: JourneyMap) -> dict[str, Any]:
    """What an analysis page shows before its computation ends: the form as asked (the
    overview's values come with the result), the filters as given, no result."""
    try:
        filters = Filters.parse(query)
    except InputError:  # said with the result
        filters = Filters()
    return {
        "fields": form_fields(analysis, query, {}, lang, jm),
        "filters": filters,
        "period": ("", ""),
        "result": None,
        "figures": [],
        "error": None,
    }


@router.get("/frictions")
def frictions_page(request: Request) -> Response:
    query = urlencode(list(request.query_params.multi_items()))
    return RedirectResponse("/analyses/frictions" + (f"?{query}" if query else ""), 303)


@router.get("/editor", response_class=HTMLResponse)
def editor_page(request: Request) -> Response:
    who = gate(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    w = i18n.words(lang)
    state = request.app.state.parcours
    with state.reader() as ws:
        try:
            jm = _map(ws, request.query_params.get("map"))
        except InputError as exc:
            return render(request, "message.html", 422, title=w["nav.editor"], message=str(exc))
        versions = ws.map_versions(jm.map).to_dict(orient="records")
        map_ids = _maps(ws)
        latest = ws.map_record(jm.map)
    strings = {k.split(".", 1)[1]: v for k, v in w.items() if k.startswith("editor.")}
    return render(
        request,
        "editor.html",
        jm=jm,
        map_ids=map_ids,
        yaml_text=latest["yaml"],
        version=latest["version"],
        versions=versions,
        can_save=who.grants("admin"),
        strings=Markup(dumps_safe(strings)),
    )


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request) -> Response:
    who = gate(request)
    if isinstance(who, Response):
        return who
    lang = language(request)
    w = i18n.words(lang)
    state = request.app.state.parcours
    query = request.query_params
    try:
        with state.reader() as ws:
            jm = _map(ws, query.get("map"))
            map_ids = _maps(ws)
            versions = [
                {**r, "saved_at": r["saved_at"].isoformat()}
                for r in ws.map_versions(jm.map).to_dict(orient="records")
            ]
            diff = None
            numbers = [v["version"] for v in versions]
            if len(numbers) > 1:
                to_v = _int(query.get("to")) or numbers[-1]
                from_v = _int(query.get("from")) or max(
                    [n for n in numbers if n < to_v] or [numbers[0]]
                )
                diff = ws.map_diff(jm.map, from_v, to_v)
    except NotFoundError as exc:
        return render(request, "message.html", 404, title=w["nav.history"], message=str(exc))
    except InputError as exc:
        return render(request, "message.html", 422, title=w["nav.history"], message=str(exc))
    return render(
        request,
        "history.html",
        jm=jm,
        map_title=jm.title_of(lang),
        map_ids=map_ids,
        versions=versions,
        diff=diff,
        diff_lines=_diff_lines(diff["unified"]) if diff else [],
    )


def _int(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise InputError(f"version '{text}' is not allowed; give a version number (1, 2, ...)")
    return int(text)


def _diff_lines(unified: str) -> list[tuple[str, str]]:
    kinds = []
    for line in unified.splitlines():
        if line.startswith(("+++", "---")):
            kinds.append(("file", line))
        elif line.startswith("@@"):
            kinds.append(("hunk", line))
        elif line.startswith("+"):
            kinds.append(("add", line))
        elif line.startswith("-"):
            kinds.append(("del", line))
        else:
            kinds.append(("same", line))
    return kinds


# -- login ------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    token = request.query_params.get("token")
    if token is not None:
        return _token_login(request, token)
    return render(request, "login.html", error=None, next=request.query_params.get("next", "/"))


def _safe_next(target: str | None) -> str:
    # Only a path on this server: never an address elsewhere (open redirect).
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.post("/login", response_class=HTMLResponse)
def login_with_key(request: Request, api_key: str = Form(""), next: str = Form("/")) -> Response:
    board = dashboard(request)
    refused = _throttled(request, _safe_next(next))
    if refused is not None:
        return refused
    state = request.app.state.parcours
    key = state.verify(api_key.strip()) if api_key.strip() else None
    if key is None or not (key.grants("read")):
        board.throttle.failed(_client(request))
        return render(request, "login.html", 401, error="login.bad_key", next=_safe_next(next))
    board.throttle.succeeded(_client(request))
    scope = "admin" if key.grants("admin") else "read"
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session(response, request, board.sessions.start(scope, key.key_id))
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session (the dashboard's header is needed: another site cannot log you out)."""
    require_csrf_header(request)
    dashboard(request).sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login?out=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/ui/login-link")
def login_link(request: Request) -> JSONResponse:
    """A new single-use login address, for another browser (admin session and the header).
    It replaces the pending one: the address printed at start stops working if unused."""
    json_session(request, "admin")
    token = dashboard(request).sessions.renew()
    url = str(request.base_url).rstrip("/") + "/?" + urlencode({"token": token})
    return JSONResponse({"url": url}, headers={"Cache-Control": "no-store"})


# -- assets -----------------------------------------------------------------------------


@router.get("/vendor/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package: the dashboard needs no internet."""
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/ui/progress/{job_id}")
def progress(job_id: str, request: Request) -> JSONResponse:
    """How far a page's background computation is (see :func:`_reading`); 404 once it is
    gone (finished a while ago: the page, asked again, reads its result)."""
    json_session(request)
    job = dashboard(request).jobs.get(job_id)
    if job is None:
        raise NotFoundError(f"no computation '{job_id}' under way; open the page again")
    return JSONResponse(_reading(job, language(request)), headers={"Cache-Control": "no-store"})


@router.get("/ui/canvas.svg")
def canvas_svg(request: Request) -> Response:
    json_session(request)
    lang = language(request)
    filters = Filters.parse(request.query_params)
    state = request.app.state.parcours
    with state.reader() as ws:
        jm = _map(ws, request.query_params.get("map"))
        filters.check(jm)
        canvas = _canvas(request, ws, jm, _Inputs(ws, jm, lang), _stamp(ws, jm), filters, lang)
    return Response(
        canvas.svg,
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="{jm.map}.svg"'},
    )


# -- JSON for the editor ----------------------------------------------------------------


class MapText(BaseModel):
    yaml: str
    message: str | None = None


def _problems(exc: MapError, lang: str) -> list[dict[str, Any]]:
    """Each problem of the map, its message in the page's language (line and field apart)."""
    return [
        {
            "line": p.line,
            "field": p.field,
            "message": present.error_text(p.message, lang),
            "text": present.error_text(str(p), lang),
        }
        for p in exc.problems
    ]


@router.post("/ui/maps/validate")
def validate_map(body: MapText, request: Request) -> JSONResponse:
    """Validate map text: ``{valid, map_id, problems: [{line, field, message}]}``."""
    json_session(request)
    try:
        jm = JourneyMap.loads(body.yaml, source="map.yaml")
    except MapError as exc:
        problems = _problems(exc, language(request))
        return JSONResponse({"valid": False, "map_id": None, "problems": problems})
    return JSONResponse({"valid": True, "map_id": jm.map, "problems": []})


@router.post("/ui/maps/{map_id}/versions")
def save_map(map_id: str, body: MapText, request: Request) -> JSONResponse:
    """Save the text as the map's next version (admin session, and the dashboard header)."""
    json_session(request, "admin")
    try:
        jm = JourneyMap.loads(body.yaml, source="map.yaml")
    except MapError as exc:
        return JSONResponse(
            {
                "error": "invalid map",
                "detail": str(exc),
                "problems": _problems(exc, language(request)),
            },
            422,
        )
    if jm.map != map_id:
        raise InputError(
            f"map.yaml: the map's id is '{jm.map}' but the editor edits '{map_id}'; "
            "they must be the same (to rename a map, create it under its new id)"
        )
    state = request.app.state.parcours
    with state.workspace() as ws:
        ws.map_record(map_id)  # NotFoundError naming the known maps
        version, created = ws.save_map_if_changed(jm, body.message or "edited in the dashboard")
    return JSONResponse({"map_id": jm.map, "version": version, "created": created})
