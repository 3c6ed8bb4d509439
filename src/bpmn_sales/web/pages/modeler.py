"""The in-browser modeler: open a version, edit, save a draft, lint, deploy (admins).

The page itself is HTML; the modeler script (static/js/modeler-page.js) talks to the JSON
routes below with the session cookie and the X-CSRF-Token header, like the board's drag and drop.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from markupsafe import Markup

from bpmn_sales.errors import Forbidden, InvalidInput, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services.analytics import calibration
from bpmn_sales.services.processes import drafts
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import back, ctx, done, flash_error, page_actor

bp = Blueprint("modeler", __name__)


def _version_arg() -> int | None:
    raw = request.args.get("version")
    if raw in (None, ""):
        return None
    if not raw.isascii() or not raw.isdigit():
        raise InvalidInput(
            _("version %(value)r is not a version number", value=raw), field="version"
        )
    return int(raw)


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(_("send a JSON object"), field="body")
    return data


def _answer(call: Any) -> Any:
    """Run a use case for the script: its JSON, or the error as JSON with its status."""
    try:
        return jsonify(call())
    except SalesError as error:
        return jsonify(error.to_dict()), status_for(error)


@bp.get("/processes/<key>/modeler")
@login_required
def page(key: str) -> str:
    view = drafts.open_draft(ctx(), page_actor(), key, _version_arg())
    return render_template(
        "modeler/page.html",
        view=view,
        vocabulary=_script_json(drafts.vocabulary_schema()),
        observed=_script_json(calibration.stage_observations(ctx(), page_actor(), view.key)),
        asked_version=_version_arg(),
    )


def _script_json(data: object) -> Markup:
    """JSON for a <script type="application/json"> block, keys in the schema's own order
    (the panel shows the fields in it), with <, > and & escaped so no tag can end the block."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704 - escaped above for this context


@bp.get("/processes/<key>/modeler/draft.json")
@login_required
def load(key: str) -> Any:
    return _answer(lambda: drafts.open_draft(ctx(), page_actor(), key, _version_arg()).to_dict())


@bp.get("/processes/<key>/modeler/diagram.bpmn")
@login_required
def download(key: str) -> Response:
    """What the modeler would open, as a file (also for editing in another modeler)."""
    view = drafts.open_draft(ctx(), page_actor(), key, _version_arg())
    response = Response(view.xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{view.filename}"'
    return response


@bp.put("/processes/<key>/modeler/draft")
@login_required
def save(key: str) -> Any:
    def call() -> dict[str, Any]:
        data = _json_body()
        based_on = data.get("based_on")
        if based_on is not None and (not isinstance(based_on, int) or isinstance(based_on, bool)):
            raise InvalidInput(_("based_on must be a version number"), field="based_on")
        view = drafts.save_draft(
            ctx(), page_actor(), key, data.get("xml"), data.get("base_revision"), based_on
        )
        return {**view.to_dict(), "xml": None}  # the editor has the XML already

    return _answer(call)


@bp.post("/processes/<key>/modeler/lint")
@login_required
def lint(key: str) -> Any:
    def call() -> dict[str, Any]:
        data = request.get_json(silent=True) if request.is_json else None
        xml = data.get("xml") if isinstance(data, dict) else None
        problems = drafts.lint_draft(ctx(), page_actor(), key, xml)
        return {"problems": [p.to_dict() for p in problems]}

    return _answer(call)


@bp.post("/processes/<key>/modeler/deploy")
@login_required
def deploy(key: str) -> Any:
    def call() -> dict[str, Any]:
        data = _json_body()
        deployed = drafts.deploy_draft(
            ctx(),
            page_actor(),
            key,
            data.get("mode", "new_version"),
            data.get("disable_previous", False),
            data.get("base_revision"),
        )
        result = deployed.result
        if deployed.redirect:
            done(
                _(
                    "Version %(version)s of '%(name)s' deployed: preview the migration",
                    version=result.version,
                    name=result.name,
                )
            )
            return {**deployed.to_dict(), "next": deployed.redirect}
        if result.created:
            off = ", ".join(map(str, result.disabled))
            if off:
                done(
                    _(
                        "Version %(version)s of '%(name)s' deployed; versions %(off)s switched "
                        "off for new deals",
                        version=result.version,
                        name=result.name,
                        off=off,
                    )
                )
            else:
                done(
                    _(
                        "Version %(version)s of '%(name)s' deployed",
                        version=result.version,
                        name=result.name,
                    )
                )
        else:
            done(
                _(
                    "The draft equals version %(version)s: nothing new to deploy",
                    version=result.version,
                )
            )
        return {**deployed.to_dict(), "next": url_for("modeler.page", key=key)}

    return _answer(call)


@bp.post("/processes/<key>/modeler/discard")
@login_required
def discard(key: str) -> Any:
    """Discard the draft (a form, or JSON from the script)."""
    if request.is_json:

        def call() -> dict[str, Any]:
            drafts.discard_draft(ctx(), page_actor(), key)
            return {"discarded": True}

        return _answer(call)
    try:
        drafts.discard_draft(ctx(), page_actor(), key)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    else:
        done(_("Draft discarded"))
    return back(url_for("modeler.page", key=key))
