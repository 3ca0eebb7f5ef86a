"""Custom templates of an app, kept in Redis: a draft that is edited and tried, and the version last
published, which alone answers `ocr_template` (API.md "Templates")."""
from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass

import redis
from flask import Blueprint, Response, g, jsonify

from api import errors
from api.admission import admit, authenticate, load_image, read_body, take_token, wait_for, with_rate_headers
from api.context import resources
from ocr_core import check_configure
from ocr_core.services.template import DEFINITIONS, requested_ids
from ocr_core.services.template.matching import parse_template
from ocr_core.steps.decode import probe_image
from workers import keys

templates = Blueprint("templates", __name__)
TEMPLATE_SERVICES = ("ocr_template", "ocr_sdt")


@dataclass(frozen=True)
class TemplateRecord:
    template_id: str
    app: str
    draft: dict                  # name, anchors, fields, tables, width, height
    published: dict | None       # the draft as it was when last published
    created_at: float
    updated_at: float
    published_at: float | None

    def summary(self) -> dict:
        return {"template_id": self.template_id, "name": self.draft.get("name", ""),
                "created_at": self.created_at, "updated_at": self.updated_at, "published_at": self.published_at,
                "published": self.published is not None,
                "draft_changed": self.published is not None and self.published != self.draft}


class TemplateStore:
    """Templates as hashes `ocr:template:{id}`, and each app's ids in `ocr:app:{app}:templates`."""

    def __init__(self, client: redis.Redis):
        self.redis = client

    def create(self, app_id: str, draft: dict, image: bytes | None) -> str:
        # As the reference's ids: a uuid and the creation time in seconds.
        template_id = f"{uuid.uuid4()}{int(time.time())}"
        now = time.time()
        fields = {"app": app_id, "draft": json.dumps(draft, ensure_ascii=False),
                  "created_at": repr(now), "updated_at": repr(now)}
        if image:
            fields["image"] = image
        pipe = self.redis.pipeline()
        pipe.hset(keys.template(template_id), mapping=fields)
        pipe.zadd(keys.app_templates(app_id), {template_id: now})
        pipe.execute()
        return template_id

    def get(self, template_id: str) -> TemplateRecord | None:
        raw = self.redis.hmget(keys.template(template_id),
                               "app", "draft", "published", "created_at", "updated_at", "published_at")
        if raw[0] is None:
            return None
        app, draft, published, created, updated, published_at = (v.decode() if v is not None else None for v in raw)
        return TemplateRecord(template_id, app, json.loads(draft), json.loads(published) if published else None,
                              float(created), float(updated), float(published_at) if published_at else None)

    def image(self, template_id: str) -> bytes | None:
        return self.redis.hget(keys.template(template_id), "image")

    def of_app(self, app_id: str) -> list[TemplateRecord]:
        ids = [i.decode() for i in self.redis.zrange(keys.app_templates(app_id), 0, -1)]
        return [r for r in map(self.get, ids) if r is not None]

    def update(self, template_id: str, draft: dict, image: bytes | None) -> None:
        fields = {"draft": json.dumps(draft, ensure_ascii=False), "updated_at": repr(time.time())}
        if image:
            fields["image"] = image
        self.redis.hset(keys.template(template_id), mapping=fields)

    def publish(self, record: TemplateRecord) -> float:
        now = time.time()
        self.redis.hset(keys.template(record.template_id), mapping={
            "published": json.dumps(record.draft, ensure_ascii=False), "published_at": repr(now)})
        return now

    def delete(self, record: TemplateRecord) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(keys.template(record.template_id))
        pipe.zrem(keys.app_templates(record.app), record.template_id)
        pipe.execute()


def store() -> TemplateStore:
    return TemplateStore(resources().redis)


def with_definitions(app_id: str, service: str, configure: dict) -> dict:
    """A checked `ocr_template` configure with the published definitions of the templates it
    names added under the internal key (see ocr_core/services/template/__init__.py): 452 when it names
    none or one never published, 455 for an id unknown to this app."""
    if service not in TEMPLATE_SERVICES:
        return configure
    definitions = {}
    for template_id in requested_ids(configure):
        record = store().get(template_id) if _storable(template_id) else None
        if record is None or record.app != app_id:
            raise errors.UnknownTemplate(template_id)
        if record.published is None:
            raise errors.TemplateNotSet(f"template {template_id} has not been published")
        definitions[template_id] = record.published
    return {**configure, DEFINITIONS: definitions}


def _storable(template_id) -> bool:
    """An id that can name a Redis key: text UTF-8 can hold (not a lone surrogate); any other names no template."""
    try:
        return isinstance(template_id, str) and bool(template_id.encode("utf-8"))
    except UnicodeEncodeError:
        return False


def _owned(template_id: str) -> TemplateRecord:
    """The caller's template (the app is authenticated once per request: a signed call's nonce is used once)."""
    app = authenticate()
    g.app = app
    record = store().get(template_id) if _storable(template_id) else None
    if record is None or record.app != app.app_id:
        raise errors.NotFound(f"no template {template_id} (unknown, or of another app)")
    return record


def _body() -> dict:
    try:
        body = json.loads(read_body())
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser's depth
        body = None
    if not isinstance(body, dict):
        raise errors.InvalidJson()
    return body


def _draft(body: dict, image: bytes | None, before: dict | None = None) -> dict:
    """The definition to keep: checked as recognition will read it (452, 453, 454, 461)."""
    definition = {k: body[k] for k in ("name", "anchors", "fields", "tables") if k in body}
    parse_template(definition)
    draft = {"name": str(body.get("name", "")), "anchors": body.get("anchors") or [],
             "fields": body.get("fields") or [], "tables": body.get("tables") or []}
    if image:
        info = probe_image(image, resources().settings.max_pixels)
        draft["width"], draft["height"] = info.width, info.height
    elif before:
        draft.update({k: before[k] for k in ("width", "height") if k in before})
    return draft


def _image(body: dict) -> bytes | None:
    value = body.get("image")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise errors.ImageFormatError()
    return load_image(value)


@templates.post("/v1/templates")
def create_template() -> Response:
    app = authenticate()
    body = _body()
    image = _image(body)
    template_id = store().create(app.app_id, _draft(body, image), image)
    response = jsonify({"template_id": template_id})
    response.status_code = 201
    response.headers["Location"] = f"/v1/templates/{template_id}"
    return response


@templates.get("/v1/templates")
def list_templates() -> Response:
    app = authenticate()
    return jsonify({"templates": [r.summary() for r in store().of_app(app.app_id)]})


@templates.get("/v1/templates/<template_id>")
def get_template(template_id: str) -> Response:
    record = _owned(template_id)
    image = store().image(template_id)
    return jsonify({**record.summary(), **record.draft,
                    "image": base64.b64encode(image).decode() if image else None,
                    "published_definition": record.published})


@templates.put("/v1/templates/<template_id>")
def update_template(template_id: str) -> Response:
    record = _owned(template_id)
    body = _body()
    image = _image(body)
    store().update(template_id, _draft(body, image, record.draft), image)
    return jsonify(store().get(template_id).summary())


@templates.delete("/v1/templates/<template_id>")
def delete_template(template_id: str) -> Response:
    store().delete(_owned(template_id))
    return jsonify({"template_id": template_id, "deleted": True})


@templates.post("/v1/templates/<template_id>/publish")
def publish_template(template_id: str) -> Response:
    record = _owned(template_id)
    store().publish(record)
    return jsonify(store().get(template_id).summary())


@templates.post("/v1/templates/<template_id>/try")
def try_template(template_id: str) -> Response:
    """The saved draft run on a picture by a worker, as `ocr_template` would with it published."""
    record = _owned(template_id)
    app = g.app
    take_token(app, "ocr_template")
    body = _body()
    options = body.get("configure") or {}
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except (ValueError, RecursionError):
            raise errors.ConfigParseError(detail="configure is not JSON") from None
    if not isinstance(options, dict):
        raise errors.ConfigureFormatError()
    # The options a client may give (evidence, engine); the template is the one tried.
    configure = {**check_configure("ocr_template", {**options, "template_id": template_id}),
                 DEFINITIONS: {template_id: record.draft}}
    if "image" not in body:
        raise errors.MissingImageKey()
    (result,) = wait_for(admit(app, "ocr_template", [_image(body)], [configure]))
    return with_rate_headers(jsonify(result))
