"""The OpenAPI 3.1 description of the API, served at /openapi.json and shown at /docs.

It is built from the code, not kept beside it:

- the paths are the Flask app's URL rules: each rule's endpoint must have an operation in
  `_operations` (a new route without one fails to describe, and the tests say so);
- bodies and answers are pydantic models, whose JSON Schema (2020-12) is OpenAPI 3.1's dialect;
- each service's `configure` is generated from the options `ocr_core.services` checks
  (`Service.all_options()`, the table `check_configure` reads);
- each error code's description is rendered from the error classes of `ocr_core.errors`.
"""
from __future__ import annotations

import inspect
import re
import sys
from typing import Any, Literal, Union

from flask import Flask
from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from api import errors
from ocr_core.services import SERVICES, Service
from workers.queues import BULK, INTERACTIVE

REQUEST_ID = r"^\d{14}_[0-9a-f]{32}$"
SCHEMAS = "#/components/schemas/"


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def optional(description: str | None = None, **kwargs) -> Any:
    """A key an answer may leave out (never null when present)."""
    return Field(default=None, description=description, json_schema_extra=_no_default, **kwargs)


class Closed(BaseModel):
    """An object with exactly the keys declared."""
    model_config = ConfigDict(extra="forbid")


# -- the envelope and errors -----------------------------------------------------------

class Envelope(BaseModel):
    """What every answer of a recognition carries besides its fields (the old format's `outputs` apart)."""
    request_id: str = Field(pattern=REQUEST_ID, description="`YYYYMMDDhhmmss_` + 32 hex digits; also in "
                            "`X-Ca-Request-Id`")
    success: bool


class Error(BaseModel):
    """Every error: the HTTP status equals `error_code`."""
    success: Literal[False]
    request_id: str | None = Field(description="null only when the request never got one")
    error_code: int
    error_msg: str = Field(description="the reference's message for the code")


class PageError(BaseModel):
    """One page of a multi-page submission that could not be read: its error, the other pages still answer."""
    success: Literal[False]
    error_code: int
    error_msg: str
    request_id: str = optional()


# -- pieces of the services' answers ---------------------------------------------------

class FieldEvidence(Closed):
    """Where a field was read and how sure the reading is (`configure` `evidence: true`)."""
    box: list[list[float]] | None = Field(description="the field's four corners [x, y] in the picture sent")
    prob: float | None = Field(description="the least confidence of its characters, 0..1")
    valid: bool | None = Field(description="its checksum or format held; null: no rule for it")
    engine: str = optional("the engine that read it")
    label: str = optional("the printed label it was read after")


class Answer(Closed):
    """The keys every service's answer shares (`request_id` and `success` in every answer but a page's of a
    multi-page one)."""
    request_id: str = optional(pattern=REQUEST_ID)
    success: Literal[True] = optional()
    evidence: dict[str, FieldEvidence] = optional("only with `configure` `evidence: true`: each field's box, "
                                                  "confidence and check")
    warnings: list[str] = optional("only with `evidence: true`: e.g. `rotated_90`, `blurry`, `checksum_failed:num`")


class Labelled(Answer):
    config_str: str = Field(description="the request's configure, echoed as JSON text")


class Box(Closed):
    """An upright box in whole pixels of the picture sent."""
    top: int
    left: int
    height: int
    width: int


class LtwhBox(Closed):
    left: int
    top: int
    width: int
    height: int


class XywhBox(Closed):
    h: int
    w: int
    x: int
    y: int


class Point(Closed):
    x: float
    y: float


class RotatedRect(Closed):
    """The reference's rotated rectangle: `left = cx - width/2`, `top = cy - height/2`, `angle` in degrees clockwise."""
    angle: int
    left: int
    top: int
    width: int
    height: int


FAIL_BOX = Literal["FailInDetection"]
NOT_FOUND_TEXT = "`FailInRecognition` (business licence, household register) or `NoResult` (driving licence) " \
                 "where a field cannot be read"


class GeneralLine(Closed):
    prob: float = optional("with `output_prob: true`")
    rect: RotatedRect
    word: str


class OcrGeneral(Answer):
    model_config = ConfigDict(title="ocr_general")
    ret: list[GeneralLine] = Field(description="the text lines in reading order")


class FaceSize(Closed):
    height: float
    width: float


class FaceRect(Closed):
    angle: float
    center: Point
    size: FaceSize


class OcrIdcardFace(Labelled):
    model_config = ConfigDict(title="ocr_idcard (side face)")
    name: str
    sex: str
    nationality: str
    birth: str = Field(description="YYYYMMDD")
    address: str
    num: str = Field(description="the ID number, checked by GB 11643")
    face_rect: FaceRect


class OcrIdcardBack(Labelled):
    model_config = ConfigDict(title="ocr_idcard (side back)")
    issue: str
    start_date: str
    end_date: str


class OcrDriverLicenseFace(Labelled):
    model_config = ConfigDict(title="ocr_driver_license (side face)", json_schema_extra={"description": NOT_FOUND_TEXT})
    name: str
    num: str
    vehicle_type: str
    start_date: str
    end_date: str
    addr: str
    sex: str


class OcrDriverLicenseBack(Labelled):
    model_config = ConfigDict(title="ocr_driver_license (side back)")
    archive_no: str


class OcrVehicleLicenseFace(Labelled):
    model_config = ConfigDict(title="ocr_vehicle_license (side face)")
    plate_num: str
    vehicle_type: str
    owner: str
    use_character: str
    addr: str
    model: str
    vin: str
    engine_num: str
    register_date: str
    issue_date: str


class OcrVehicleLicenseBack(Labelled):
    model_config = ConfigDict(title="ocr_vehicle_license (side back)")
    appproved_passenger_capacity: str = Field(description="the reference's spelling")
    approved_load: str
    file_no: str
    gross_mass: str
    inspection_record: str
    overall_dimension: str
    traction_mass: str
    unladen_mass: str
    plate_num: str


class OcrPassport(Answer):
    model_config = ConfigDict(title="ocr_passport")
    authority: str
    birth_date: str
    birth_day: str = Field(description="YYMMDD, as the MRZ has it")
    birth_place: str
    country: str
    expiry_date: str
    expiry_day: str
    issue_date: str
    issue_place: str
    line0: str = Field(description="the first machine-readable line")
    line1: str
    name: str
    name_cn: str
    passport_no: str
    person_id: str
    sex: str
    src_country: str
    type: str


class OcrHouseholdRegister(Answer):
    model_config = ConfigDict(title="ocr_household_register", json_schema_extra={"description": NOT_FOUND_TEXT})
    angle: int
    name: str
    gender: str
    relation: str
    birth_place: str
    nation: str
    native_place: str
    birth_date: str
    idcard: str
    title: Box | FAIL_BOX
    invalid_stamp: list[Box]
    undertake_stamp: list[Box]
    register_stamp: list[Box]
    other_stamp: list[Box]


class OcrBusinessLicense(Labelled):
    model_config = ConfigDict(title="ocr_business_license", json_schema_extra={"description": NOT_FOUND_TEXT})
    angle: int
    reg_num: str
    name: str
    person: str
    establish_date: str
    valid_period: str
    address: str
    captial: str = Field(description="the reference's spelling")
    business: str
    elbem: Box | FAIL_BOX = Field(description="the national emblem (the reference's spelling)")
    title: Box | FAIL_BOX
    stamp: Box | FAIL_BOX
    qrcode: Box | FAIL_BOX


class OcrBankCard(Answer):
    model_config = ConfigDict(title="ocr_bank_card")
    card_num: str


class OcrVin(Answer):
    model_config = ConfigDict(title="ocr_vin")
    vin: str


class OcrBusinessCard(Answer):
    model_config = ConfigDict(title="ocr_business_card")
    name: str
    company: list[str]
    department: list[str]
    title: list[str]
    tel_cell: list[str]
    tel_work: list[str]
    addr: list[str]
    email: list[str]


class OcrTrainTicket(Answer):
    model_config = ConfigDict(title="ocr_train_ticket")
    date: str
    destination: str
    level: str
    number: str
    origin: str
    place: str
    price: float


class ReceiptSize(Closed):
    h: float
    w: float


class ReceiptRoi(Closed):
    angle: float
    center: Point
    size: ReceiptSize


class ReceiptItem(Closed):
    roi: ReceiptRoi
    txt: str


class Receipt(Closed):
    items: list[ReceiptItem]
    roi: XywhBox
    rotate_type: int


class OcrTaxiInvoice(Answer):
    model_config = ConfigDict(title="ocr_taxi_invoice")
    recipts: list[Receipt] = Field(description="the reference's spelling")


class Plate(Closed):
    detail: str = Field(description="each crop's `text,confidence`, joined by `#`")
    prob: float
    roi: XywhBox
    txt: str


class OcrPlate(Labelled):
    model_config = ConfigDict(title="ocr_plate")
    plates: list[Plate]


class SealText(Closed):
    context: str
    prob: float


class SealLine(Closed):
    content: str
    prob: float


class Seal(Closed):
    roi: LtwhBox
    text: SealText = Field(description="the seal's name along its arc")
    general_text: list[SealLine] = Field(description="its horizontal lines")


class OcrOfficialSeal(Answer):
    model_config = ConfigDict(title="ocr_official_seal")
    result: list[Seal]


class TableCell(Closed):
    sx: int
    sy: int
    ex: int
    ey: int
    height: int
    width: int
    text: list[str]


class OcrTableParse(Answer):
    model_config = ConfigDict(title="ocr_table_parse")
    tables: list[list[list[TableCell]]] | str = Field(
        description="`format` json: tables of rows of cells; html, csv, markdown: the text; xlsx: base64 of the "
                    "workbook")


class TemplateTable(Closed):
    labels: list[str]
    values: list[list[str]]


class OcrTemplate(Labelled):
    model_config = ConfigDict(title="ocr_template")
    items: dict[str, str | TemplateTable] = Field(description="each field's text, each table's labels and values")


#: Each service's answers (one per `side` where it has two); a service missing here fails to describe.
ANSWERS: dict[str, tuple[type[Answer], ...]] = {
    "ocr_general": (OcrGeneral,),
    "ocr_idcard": (OcrIdcardFace, OcrIdcardBack),
    "ocr_passport": (OcrPassport,),
    "ocr_driver_license": (OcrDriverLicenseFace, OcrDriverLicenseBack),
    "ocr_vehicle_license": (OcrVehicleLicenseFace, OcrVehicleLicenseBack),
    "ocr_household_register": (OcrHouseholdRegister,),
    "ocr_bank_card": (OcrBankCard,),
    "ocr_vin": (OcrVin,),
    "ocr_business_license": (OcrBusinessLicense,),
    "ocr_business_card": (OcrBusinessCard,),
    "ocr_train_ticket": (OcrTrainTicket,),
    "ocr_plate": (OcrPlate,),
    "ocr_taxi_invoice": (OcrTaxiInvoice,),
    "ocr_table_parse": (OcrTableParse,),
    "ocr_official_seal": (OcrOfficialSeal,),
    "ocr_template": (OcrTemplate,),
    "ocr_sdt": (OcrTemplate,),
}
_ANSWER_MODELS = tuple(dict.fromkeys(m for models in ANSWERS.values() for m in models))


class ServiceAnswer(RootModel[Union[_ANSWER_MODELS]]):  # type: ignore[valid-type]
    """A service's answer to one picture: its fields and the envelope (which service answers which: see the
    `service` parameter)."""
    model_config = ConfigDict(json_schema_extra={"allOf": [{"$ref": SCHEMAS + "Envelope"}]})


class PagesAnswer(Envelope):
    """A PDF or multi-page TIFF of several pages: every page's answer in its place (the service's fields, as for
    a picture, without `request_id` and `success`), or that page's error. Past the time limit the pages read are
    kept and the others answer 464."""
    pages: list[Union[_ANSWER_MODELS + (PageError,)]]  # type: ignore[valid-type]


class OldFormatValue(Closed):
    dataType: Literal[50]
    dataValue: str = Field(description="the service's answer as JSON text")


class OldFormatOutput(Closed):
    outputLabel: str
    outputMulti: dict
    outputValue: OldFormatValue


class OldFormatAnswer(Closed):
    """The old format's answer: one output per input, in the same order."""
    outputs: list[OldFormatOutput]


class RecognitionAnswer(RootModel[Union[ServiceAnswer, PagesAnswer, OldFormatAnswer]]):
    """The synchronous call's answer: a picture's fields, every page's, or the old format's outputs."""


# -- configure, from the options the services check ------------------------------------

_OPTION_TYPES = {bool: bool, int: int, float: float, str: str, list: list, dict: dict}


def _option_field(name: str, spec, service: Service) -> tuple[Any, Any]:
    annotation = Literal[spec] if isinstance(spec, tuple) else _OPTION_TYPES[spec]
    description = None
    if name == "engine":
        description = f"the pipeline that finds and reads the text; default `{service.engine}` (or `OCR_ENGINE`)"
    elif name == "evidence":
        description = "add `evidence` (each field's box, confidence and check) and `warnings` to the answer"
    return annotation, optional(description)


def _configure_model(service: Service) -> type[BaseModel]:
    fields = {name: _option_field(name, spec, service) for name, spec in service.all_options().items()}
    return create_model(f"Configure_{service.name}", __config__=ConfigDict(
        extra="forbid", title=f"{service.name} configure"), **fields)


CONFIGURES: dict[str, type[BaseModel]] = {name: _configure_model(service) for name, service in SERVICES.items()}
_CONFIGURE = Union[tuple(CONFIGURES.values())]  # type: ignore[valid-type]


# -- request bodies --------------------------------------------------------------------

Queue = Literal[INTERACTIVE, BULK]  # type: ignore[valid-type]
CALLBACK_URL = (
    "jobs only (`POST /v1/jobs/{service}`; the synchronous call ignores it): when each job ends, the job as "
    "`GET /v1/jobs/{request_id}` shows it is POSTed here, with `X-Signature` (hex HMAC-SHA256 of the exact body "
    "bytes, keyed with the app secret), `X-Request-Id` and `X-Callback-Attempt`; anything but a 2xx is retried "
    "with a doubling delay. Public addresses only unless the operator allows a network (`OCR_CALLBACK_ALLOW`); "
    "redirects are not followed. Not http(s) with a host: 461")


def _uri(schema: dict) -> None:
    _no_default(schema)
    schema["format"] = "uri"


def _callback_url() -> Any:
    return Field(default=None, description=CALLBACK_URL, max_length=2048, json_schema_extra=_uri)


class NewFormat(BaseModel):
    """The reference's new format: one picture."""
    image: str = Field(description="base64 of the picture (BMP, JPEG, PNG, TIFF, GIF, WebP, HEIC, PDF…), or an "
                       "http(s) URL")
    configure: str | _CONFIGURE = optional(  # type: ignore[valid-type]
        "the service's options, as JSON text (the reference's way) or as an object; each service's: the "
        "`Configure_*` schemas")
    queue: Queue = optional("or the `queue` query parameter")
    callback_url: str = _callback_url()


class TypedValue(BaseModel):
    dataType: Literal[1, 10, 20, 30, 40, 50, 60] = Field(description="50: a string (the others: bool, int32, "
                                                         "int64, float, double, datetime)")
    dataValue: Any


class OldInput(BaseModel):
    image: TypedValue = Field(description="dataType 50, dataValue the base64 of the picture")
    configure: TypedValue = optional("dataType 50, dataValue the configure as JSON text")


class OldFormat(BaseModel):
    """The reference's old format: several pictures, answered in the same order (one job each)."""
    inputs: list[OldInput] = Field(min_length=1)
    callback_url: str = _callback_url()


class RecognitionBody(RootModel[Union[NewFormat, OldFormat]]):
    """A body with `inputs` is the old format, any other the new one. Read as JSON whatever its Content-Type."""


class Upload(BaseModel):
    """A `multipart/form-data` upload (`curl -F image=@scan.jpg`): the picture's bytes as the file part `image`."""
    image: bytes = Field(description="the picture or document, raw bytes",
                         json_schema_extra={"contentMediaType": "application/octet-stream"})
    configure: str = optional("the service's options as JSON text (the `Configure_*` schemas)")
    callback_url: str = _callback_url()
    queue: Queue = optional()


class Anchor(BaseModel):
    text: str
    box: list[float] = Field(min_length=4, max_length=4, description="[x, y, w, h] in the sample's pixels")


class TemplateField(BaseModel):
    name: str = Field(description="ending (cr): may wrap lines; a name shared: joined in order")
    box: list[float] = Field(min_length=4, max_length=4, description="[x, y, w, h]")


class TemplateColumn(BaseModel):
    label: str
    x0: float
    x1: float


class TemplateTableDefinition(BaseModel):
    name: str = Field(description="ending (hl), (vl) or (nl): only horizontal, only vertical or no rules")
    box: list[float] = Field(min_length=4, max_length=4, description="[x, y, w, h] of the body rows")
    columns: list[TemplateColumn]


class TemplateDefinition(BaseModel):
    """A template drawn on a blank sample (API.md "Templates")."""
    name: str = optional()
    image: str = optional("base64 of the blank sample")
    anchors: list[Anchor] = optional("fixed printed texts: at least 4, spread over the page")
    fields: list[TemplateField] = optional()
    tables: list[TemplateTableDefinition] = optional()


TemplateConfigure = CONFIGURES["ocr_template"]


class TryBody(BaseModel):
    image: str = Field(description="base64 of a filled copy, or an http(s) URL")
    configure: str | TemplateConfigure = optional(  # type: ignore[valid-type]
        "options other than the template (`evidence`, `engine`)")


# -- other answers ---------------------------------------------------------------------

class Accepted(Closed):
    """Accepted as jobs: poll `Location`, or wait for the callback."""
    request_id: str = optional("the job (new format)", pattern=REQUEST_ID)
    request_ids: list[str] = optional("one job per input, in order (old format)")
    status: Literal["queued"]


class JobError(Closed):
    code: int
    message: str


class CallbackState(Closed):
    """How the delivery of a job's callback went (only for a job submitted with `callback_url`)."""
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    error: str = optional("the last failure's reason")


class Job(Closed):
    """A job, as `GET /v1/jobs/{request_id}` shows it and as its callback is POSTed."""
    request_id: str
    service: str
    status: Literal["queued", "running", "succeeded", "failed"]
    result: ServiceAnswer | PagesAnswer | None = Field(description="the service's answer once succeeded")
    error: JobError | None = Field(description="the error once failed")
    created_at: str = Field(description="ISO 8601, UTC")
    finished_at: str | None
    callback: CallbackState = optional()


class ListedJob(Job):
    queue: Queue
    attempts: int


class JobList(Closed):
    jobs: list[ListedJob]


class QueueStatus(Closed):
    queues: dict[str, int]
    workers_alive: int


class Health(Closed):
    status: Literal["ok"]


class Ready(Closed):
    status: Literal["ok", "no workers", "unavailable"]
    redis: bool
    workers_alive: int


class ConsoleService(Closed):
    options: dict[str, list | str] = Field(description="each option's values, or the name of its type")


class ConsoleServices(Closed):
    """The services and their own options, for the console's controls."""
    services: dict[str, ConsoleService]


class TemplateCreated(Closed):
    template_id: str


class TemplateSummary(Closed):
    template_id: str
    name: str
    created_at: float = Field(description="seconds since the epoch")
    updated_at: float
    published_at: float | None
    published: bool
    draft_changed: bool = Field(description="published, and the draft edited since")


class TemplateList(Closed):
    templates: list[TemplateSummary]


class TemplateDetail(TemplateSummary):
    """A template: its summary, its draft, the sample picture and the version in force."""
    anchors: list[Anchor]
    fields: list[TemplateField]
    tables: list[TemplateTableDefinition]
    width: int = optional("of the sample picture")
    height: int = optional()
    image: str | None = Field(description="base64 of the sample")
    published_definition: dict | None = Field(description="the definition in force, as it was when published")


class TemplateDeleted(Closed):
    template_id: str
    deleted: Literal[True]


_MODELS: tuple[type[BaseModel], ...] = (
    Envelope, Error, PageError, ServiceAnswer, PagesAnswer, OldFormatAnswer, RecognitionAnswer, RecognitionBody,
    Upload, TemplateDefinition, TryBody, Accepted, Job, JobList, QueueStatus, Health, Ready, ConsoleServices,
    TemplateCreated,
    TemplateList, TemplateSummary, TemplateDetail, TemplateDeleted, *CONFIGURES.values(), *_ANSWER_MODELS)


class _Schemas(GenerateJsonSchema):
    def field_title_should_be_set(self, schema) -> bool:
        return False  # a property's title would only repeat its name


def _schemas() -> tuple[dict[str, dict], dict]:
    """(each model's name → its `$ref`, the components' schemas)."""
    refs, top = models_json_schema([(m, "validation") for m in _MODELS], ref_template=SCHEMAS + "{model}",
                                   schema_generator=_Schemas)
    return {model.__name__: ref for (model, _), ref in refs.items()}, top.get("$defs", {})


# -- errors, from the classes ----------------------------------------------------------

#: Answered by Werkzeug's own exceptions, which the error handler passes on in the same shape.
HTTP_ERRORS = {405: "Method Not Allowed: the path exists, not with this method (`Allow` lists those it has)"}


def error_classes() -> dict[int, list[type[errors.ServiceError]]]:
    """Every error class of `ocr_core.errors` by the code it answers."""
    found: dict[int, list[type[errors.ServiceError]]] = {}

    def walk(cls: type[errors.ServiceError]) -> None:
        for sub in cls.__subclasses__():
            found.setdefault(sub.code, []).append(sub)
            walk(sub)

    walk(errors.ServiceError)
    return dict(sorted(found.items()))


def _describe_class(cls: type[errors.ServiceError]) -> str:
    message = cls.message.replace("{detail}", "…")
    text = f"`{message}`"
    doc = inspect.getdoc(cls) if cls.__doc__ else None
    if doc:
        text += ": " + " ".join(doc.split("\n\n")[0].split())
    if getattr(cls, "gateway_message", None):
        text += f" (`X-Ca-Error-Message: {cls.gateway_message}`)"
    return text


def error_descriptions() -> dict[int, str]:
    """Each code's description: the messages (and what they mean) of the classes that answer it."""
    described = {code: "\n".join(f"- {_describe_class(cls)}" for cls in classes)
                 for code, classes in error_classes().items()}
    return dict(sorted({**described, **HTTP_ERRORS}.items()))


# -- headers ---------------------------------------------------------------------------

HEADERS = {
    "X-Ca-Request-Id": ("the request's id (the job's, for a job), as `request_id`; on every answer", "string"),
    "X-Ca-Error-Message": ("the gateway's reason, on the errors that have one (`Invalid AppCode`, `Quota "
                           "Exhausted`, `Throttled by USER Flow Control`, `Invalid Signature, Server "
                           "StringToSign:…`)", "string"),
    "Location": ("where to poll the job (`/v1/jobs/{request_id}`), or the template made", "string"),
    "Retry-After": ("seconds to wait before calling again", "integer"),
    "RateLimit-Limit": ("the app's bucket for this service: calls it holds when full", "integer"),
    "RateLimit-Remaining": ("calls left in the bucket now", "integer"),
    "RateLimit-Reset": ("seconds until the bucket is full again", "integer"),
}
RATE = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def _headers(*names: str) -> dict:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-Ca-Request-Id", *names)}


def _required_header(name: str) -> dict:
    return {"description": HEADERS[name][0], "required": True, "schema": {"type": HEADERS[name][1]}}


# -- operations ------------------------------------------------------------------------

AUTH = [{"appcode": []}, {"appkey": []}]
#: What any request may be answered, before its endpoint is known: a request line or a header too long.
ANY_REQUEST_ERRORS = (414, 431)
SUBMIT_ERRORS = (400, 403, 413, 422, 429, 450, 452, 455, 460, 461, 462)


def _json(schema: dict, description: str, headers: tuple[str, ...] = ()) -> dict:
    return {"description": description, "headers": _headers(*headers),
            "content": {"application/json": {"schema": schema}}}


def _operations(ref: dict[str, dict]) -> dict[tuple[str, str], dict]:
    """The operation of each (endpoint, method); `operationId`s by rule where an endpoint has several."""
    s = ref.__getitem__
    queue = {"name": "queue", "in": "query", "required": False, "schema": {"enum": [INTERACTIVE, BULK]},
             "description": "the bulk queue waits behind interactive work"}
    idem = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "the same key from the same app, with the same path and body, returns the first call's "
                           "jobs in their current state; with another path or body it is refused with 422"}
    body = {"required": True, "content": {"application/json": {"schema": s("RecognitionBody")}}}
    jobs_body = {"required": True, "content": {
        "application/json": {"schema": s("RecognitionBody")},
        "multipart/form-data": {"schema": s("Upload"), "encoding": {"image": {"contentType": "*/*"}}}}}
    template_body = {"required": True, "content": {"application/json": {"schema": s("TemplateDefinition")}}}
    sync = {"security": AUTH, "parameters": [queue, idem], "requestBody": body,
            "summary": "Recognise a picture and wait for the answer (the reference's call)",
            "responses": {"200": _json(s("RecognitionAnswer"), "the service's fields (which service answers what: "
                                       "the `service` parameter), each page's, or `outputs` for the old format",
                                       RATE),
                          "errors": (*SUBMIT_ERRORS, 463, 464, 469, 503)}}
    ok = lambda schema, what, *headers: {"200": _json(s(schema), what, headers)}  # noqa: E731
    text = lambda kind, what: {"200": {"description": what, "headers": _headers(),  # noqa: E731
                                       "content": {kind: {"schema": {"type": "string"}}}}}
    asset = {"description": "the file", "headers": _headers(), "content": {"*/*": {"schema": {"type": "string"}}}}
    return {
        ("recognition.predict", "POST"): {**sync, "operationId": {
            "/api/predict/<service>": "predict", "/rest/160601/ocr/<service>.json": "predictReferencePath"}},
        ("recognition.create_job", "POST"): {
            "operationId": "createJob", "security": AUTH, "parameters": [queue, idem], "requestBody": jobs_body,
            "summary": "Submit pictures as jobs; poll them by request_id",
            "responses": {"202": _json(s("Accepted"), "accepted", ("Location", *RATE)),
                          "errors": (*SUBMIT_ERRORS, 469, 503)}},
        ("recognition.get_job", "GET"): {
            "operationId": "getJob", "security": AUTH, "summary": "A job's status and result",
            "responses": {**ok("Job", "the job"), "errors": (400, 403, 404, 503)}},
        ("console.recent_jobs", "GET"): {
            "operationId": "listJobs", "security": AUTH,
            "summary": "The app's latest jobs (at most 200, within the result retention), newest first",
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                            "description": "how many of the latest jobs (out of range: brought within it)"}],
            "responses": {**ok("JobList", "the jobs, each as getJob shows it, with its queue and attempts"),
                          "errors": (400, 403, 461, 503)}},
        ("console.status", "GET"): {
            "operationId": "status", "security": AUTH, "summary": "Jobs waiting in each queue and workers alive",
            "responses": {**ok("QueueStatus", "the queues"), "errors": (400, 403, 503)}},
        ("templates.create_template", "POST"): {
            "operationId": "createTemplate", "security": AUTH, "summary": "Create a template (a draft)",
            "requestBody": template_body,
            "responses": {"201": _json(s("TemplateCreated"), "made", ("Location",)),
                          "errors": (400, 403, 413, 452, 453, 454, 460, 461, 462, 503)}},
        ("templates.list_templates", "GET"): {
            "operationId": "listTemplates", "security": AUTH, "summary": "The app's templates",
            "responses": {**ok("TemplateList", "the templates"), "errors": (400, 403, 503)}},
        ("templates.get_template", "GET"): {
            "operationId": "getTemplate", "security": AUTH,
            "summary": "A template: its draft, picture and published version",
            "responses": {**ok("TemplateDetail", "the template"), "errors": (400, 403, 404, 503)}},
        ("templates.update_template", "PUT"): {
            "operationId": "updateTemplate", "security": AUTH, "requestBody": template_body,
            "summary": "Replace the draft (the published version stays in force)",
            "responses": {**ok("TemplateSummary", "saved"),
                          "errors": (400, 403, 404, 413, 452, 453, 454, 460, 461, 462, 503)}},
        ("templates.delete_template", "DELETE"): {
            "operationId": "deleteTemplate", "security": AUTH, "summary": "Delete a template",
            "responses": {**ok("TemplateDeleted", "deleted"), "errors": (400, 403, 404, 503)}},
        ("templates.publish_template", "POST"): {
            "operationId": "publishTemplate", "security": AUTH,
            "summary": "Publish the draft: from now on it answers ocr_template",
            "responses": {**ok("TemplateSummary", "published"), "errors": (400, 403, 404, 503)}},
        ("templates.try_template", "POST"): {
            "operationId": "tryTemplate", "security": AUTH, "summary": "Run the saved draft on a picture",
            "requestBody": {"required": True, "content": {"application/json": {"schema": s("TryBody")}}},
            "responses": {**ok("OcrTemplate", "as ocr_template answers"),
                          "errors": (400, 403, 404, 413, 429, 450, 460, 461, 462, 463, 464, 469, 503)}},
        ("ops.healthz", "GET"): {"operationId": "healthz", "summary": "Liveness: the process answers",
                                 "responses": ok("Health", "alive")},
        ("ops.readyz", "GET"): {"operationId": "readyz", "summary": "Redis reachable and a worker alive",
                                "responses": {**ok("Ready", "ready"),
                                              "503": _json(s("Ready"), "not ready (no Redis, or no worker)")}},
        ("ops.metrics_text", "GET"): {"operationId": "metrics", "summary": "Prometheus metrics",
                                      "responses": text("text/plain", "Prometheus text format 0.0.4")},
        ("ops.openapi", "GET"): {"operationId": "openapi", "summary": "This document",
                                 "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")}},
        ("ops.docs", "GET"): {"operationId": "docs", "summary": "This document, readable (Swagger UI, served here)",
                              "responses": text("text/html", "the page")},
        ("ops.docs_file", "GET"): {"operationId": "docsFile", "summary": "The docs page's scripts and styles",
                                   "responses": {"200": asset, "errors": (400,)}},
        ("console.index", "GET"): {
            "operationId": {"/console": "console", "/console/": "consoleSlash"},
            "summary": "The web console: try services, draw templates, watch jobs (signed in with an APPCODE)",
            "responses": text("text/html", "the page")},
        ("console.services", "GET"): {"operationId": "consoleServices",
                                      "summary": "The services and their options, as the console shows them",
                                      "responses": ok("ConsoleServices", "the services")},
        ("console.page_file", "GET"): {"operationId": "consoleFile", "summary": "The console's scripts and styles",
                                       "responses": {"200": asset, "errors": (400,)}},
        ("static", "GET"): {"operationId": "staticFile", "summary": "Static files (the console's sample picture)",
                            "responses": {"200": asset, "errors": (400,)}},
    }


def _path_parameters(rule) -> list[dict]:
    params = []
    for name in sorted(rule.arguments):
        schema: dict = {"type": "string"}
        description = None
        if name == "service":
            schema = {"type": "string", "enum": sorted(SERVICES)}
            description = _service_table()
        params.append({"name": name, "in": "path", "required": True, "schema": schema,
                       **({"description": description} if description else {})})
    return params


def _service_table() -> str:
    rows = [f"| `{name}` | {', '.join(f'`{m.__name__}`' for m in ANSWERS[name])} | `Configure_{name}` |"
            for name in sorted(SERVICES)]
    return "The service. Its answer and its `configure`:\n\n| service | answer | configure |\n|---|---|---|\n" + \
        "\n".join(rows)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def openapi_document(app: Flask) -> dict:
    refs, schemas = _schemas()
    operations = _operations(refs)
    codes = error_descriptions()
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            spec = dict(operations[(rule.endpoint, method)])  # KeyError: a route without an operation
            op_id = spec.pop("operationId")
            responses = dict(spec.pop("responses"))
            for code in sorted({*responses.pop("errors", ()), *ANY_REQUEST_ERRORS}):
                responses[str(code)] = {"$ref": f"#/components/responses/Error{code}"}
            params = _path_parameters(rule) + list(spec.pop("parameters", []))
            paths.setdefault(_openapi_path(rule.rule), {})[method.lower()] = {
                "operationId": op_id[rule.rule] if isinstance(op_id, dict) else op_id, "tags": [_tag(rule)],
                **spec, **({"parameters": params} if params else {}), "responses": responses}
    return {
        "openapi": "3.1.0",
        "info": {"title": "ocrq", "version": "0.1.0",
                 "description": "Self-hosted OCR for Chinese back-office documents, in the wire format of Alibaba "
                                "Cloud's printed-text OCR API, plus asynchronous jobs and custom templates. Every "
                                "call but the operators' carries `Authorization: APPCODE <code>` or the gateway's "
                                "signature."},
        "tags": _tags(app),
        "paths": paths,
        "components": {
            "securitySchemes": {
                "appcode": {"type": "apiKey", "in": "header", "name": "Authorization",
                            "description": "`APPCODE <code>`"},
                "appkey": {"type": "apiKey", "in": "header", "name": "X-Ca-Key", "description":
                           "The app key, with `X-Ca-Signature` (base64 HMAC-SHA256, or HmacSHA1, of Alibaba Cloud API "
                           "Gateway's StringToSign with the app secret), `X-Ca-Signature-Method`, `X-Ca-Timestamp` "
                           "(ms, within 15 minutes), `X-Ca-Nonce` (used once) and `X-Ca-Signature-Headers` (must "
                           "list X-Ca-Key, X-Ca-Nonce, X-Ca-Timestamp)"}},
            "headers": {name: _required_header(name) if name == "X-Ca-Request-Id" else
                        {"description": text, "schema": {"type": kind}} for name, (text, kind) in HEADERS.items()},
            "responses": {f"Error{code}": _error_response(code, text) for code, text in codes.items()},
            "schemas": schemas,
        },
    }


def _tag(rule) -> str:
    """An operation's group: its blueprint (the app's own static files apart)."""
    return rule.endpoint.rpartition(".")[0] or "ops"


def _tags(app: Flask) -> list[dict]:
    """A group per blueprint, described by the first paragraph of its module's docstring."""
    tags = []
    for name, blueprint in app.blueprints.items():
        doc = inspect.getdoc(sys.modules[blueprint.import_name]) or ""
        tags.append({"name": name, "description": " ".join(doc.split("\n\n")[0].split())})
    return tags


def _error_response(code: int, text: str) -> dict:
    headers = _headers("X-Ca-Error-Message")
    if code == 429:
        headers.update({name: _required_header(name) for name in ("Retry-After", *RATE)})
    elif code == 403:
        headers.update(_headers(*RATE, "Retry-After"))  # when the operator answers a spent bucket with 403
    schema = {"allOf": [{"$ref": SCHEMAS + "Error"}, {"properties": {"error_code": {"const": code}}}]}
    return {"description": f"**{code}**\n\n{text}", "headers": headers,
            "content": {"application/json": {"schema": schema}}}
