"""The services by path name, each with the `configure` options it takes, and the check of a
request's `configure` that the API runs before it enqueues anything. A service finds values,
evidence and warnings (`Findings`); `Service.run` shapes them into the answer (steps/answer.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ocr_core.engines import PIPELINES, Pipeline, engine_installed
from ocr_core.errors import ConfigureFormatError, InvalidOption, InvalidURL
from ocr_core.services import (bank_card, business_card, business_license, driver_license, general,
                               household_register, idcard, official_seal, passport, plate, table_parse,
                               taxi_invoice, template, train_ticket, vehicle_license, vin)
from ocr_core.settings import get_settings
from ocr_core.steps.answer import Findings, shape_answer

# An option is either a type its value must have, or the tuple of values it may take.
OptionSpec = type | tuple
# Options every service takes: `evidence` asks for boxes, confidences and warnings (API.md);
# `engine` names the pipeline that finds and reads the text.
COMMON_OPTIONS: dict[str, OptionSpec] = {"evidence": bool, "engine": tuple(PIPELINES)}


@dataclass(frozen=True)
class Service:
    name: str
    #: (picture, checked configure, pipeline) -> what the service found on it;
    #: a service that takes several pages gets the list of pages instead of one picture.
    find: Callable[[Any, dict, Pipeline], Findings]
    options: Mapping[str, OptionSpec] = field(default_factory=dict)
    multipage: bool = False
    #: The pipeline used unless the deployment or the request names another (bench/accuracy.py).
    engine: str = "tesseract"
    #: Options only the API may set (check_configure with internal=True), never a client.
    internal: Mapping[str, OptionSpec] = field(default_factory=dict)

    def all_options(self) -> dict[str, OptionSpec]:
        return {**COMMON_OPTIONS, **self.options}

    def run(self, picture: Any, configure: dict, pipeline: Pipeline) -> dict:
        """The reference's answer without `request_id`."""
        return shape_answer(self.find(picture, configure, pipeline), configure)


SERVICES: dict[str, Service] = {
    # ppocr: PP-OCR's detector finds what morphology loses on real pictures (banners, light on
    # dark, display type, vertical text): realdev lines found 93.8 % against 53.1 %, CER 1.1 % against 16.6 % (README, Engines).
    "ocr_general": Service("ocr_general", general.ocr_general, general.OPTIONS, engine="ppocr"),
    "ocr_idcard": Service("ocr_idcard", idcard.ocr_idcard, idcard.OPTIONS, engine="mixed"),
    "ocr_passport": Service("ocr_passport", passport.ocr_passport, passport.OPTIONS, engine="mixed"),
    "ocr_driver_license": Service("ocr_driver_license", driver_license.ocr_driver_license, driver_license.OPTIONS, engine="mixed"),
    "ocr_vehicle_license": Service("ocr_vehicle_license", vehicle_license.ocr_vehicle_license, vehicle_license.OPTIONS, engine="mixed"),
    "ocr_household_register": Service("ocr_household_register", household_register.ocr_household_register, household_register.OPTIONS, engine="mixed"),
    "ocr_bank_card": Service("ocr_bank_card", bank_card.ocr_bank_card, bank_card.OPTIONS, engine="mixed"),
    "ocr_vin": Service("ocr_vin", vin.ocr_vin, vin.OPTIONS, engine="mixed"),
    "ocr_business_license": Service("ocr_business_license", business_license.ocr_business_license, business_license.OPTIONS, engine="mixed"),
    "ocr_business_card": Service("ocr_business_card", business_card.ocr_business_card, business_card.OPTIONS, engine="mixed"),
    "ocr_train_ticket": Service("ocr_train_ticket", train_ticket.ocr_train_ticket, train_ticket.OPTIONS, engine="mixed"),
    "ocr_plate": Service("ocr_plate", plate.ocr_plate, plate.OPTIONS, engine="mixed"),
    "ocr_taxi_invoice": Service("ocr_taxi_invoice", taxi_invoice.ocr_taxi_invoice, taxi_invoice.OPTIONS, engine="mixed"),
    "ocr_table_parse": Service("ocr_table_parse", table_parse.ocr_table_parse, table_parse.OPTIONS, engine="mixed"),
    "ocr_official_seal": Service("ocr_official_seal", official_seal.ocr_official_seal, official_seal.OPTIONS, engine="mixed"),
    "ocr_template": Service("ocr_template", template.ocr_template, template.OPTIONS, engine="mixed",
                            internal=template.INTERNAL_OPTIONS),
    "ocr_sdt": Service("ocr_sdt", template.ocr_template, template.OPTIONS, engine="mixed",
                       internal=template.INTERNAL_OPTIONS),
}


def get_service(name: str) -> Service:
    service = SERVICES.get(name)
    if service is None:
        raise InvalidURL(detail=f"unknown service {name!r}")
    return service


def check_configure(service: str, configure: dict | None, internal: bool = False) -> dict:
    """`configure` for `service` with every key known and every value of the right kind.

    Raises InvalidURL for an unknown service, InvalidOption (461) for an unknown key or a
    value of the wrong type, ConfigureFormatError when `configure` is not an object. The
    service's internal options are known only with `internal` (the worker, after the API).
    """
    options = get_service(service).all_options()
    if internal:
        options.update(get_service(service).internal)
    if configure is None:
        return {}
    if not isinstance(configure, dict):
        raise ConfigureFormatError()
    for key, value in configure.items():
        spec = options.get(key)
        if spec is None:
            raise InvalidOption(detail=f"unknown option {key!r} for {service}")
        if not _fits(value, spec):
            raise InvalidOption(detail=f"{key!r} must be {_describe(spec)}, not {value!r}")
    engine = configure.get("engine")
    if engine and not engine_installed(engine):
        raise InvalidOption(detail=f"engine {engine!r} is not installed on this server (pip install 'ocrq[ppocr]')")
    return dict(configure)


def choose_pipeline(service: str, configure: dict) -> Pipeline:
    """The request's engine, else the deployment's (`OCR_ENGINE`), else the service's default;
    a default whose extra is not installed falls back to Tesseract, so the service keeps answering."""
    if configure.get("engine"):
        return PIPELINES[configure["engine"]]
    name = get_settings().engine or get_service(service).engine
    return PIPELINES[name if engine_installed(name) else "tesseract"]


def default_pipelines() -> set[str]:
    """The pipelines used when requests name none: the engines a worker should load at start."""
    return {get_settings().engine} if get_settings().engine else {s.engine for s in SERVICES.values()}


def _fits(value: Any, spec: OptionSpec) -> bool:
    if isinstance(spec, tuple):
        return any(value == allowed and type(value) is type(allowed) for allowed in spec)
    if spec is int or spec is float:
        # JSON's true is not a number, though Python's bool is an int.
        return isinstance(value, (int, float) if spec is float else int) and not isinstance(value, bool)
    return isinstance(value, spec)


def _describe(spec: OptionSpec) -> str:
    if isinstance(spec, tuple):
        return "one of " + ", ".join(repr(v) for v in spec)
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(spec, spec.__name__)
