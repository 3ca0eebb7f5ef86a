"""The services by path name, each with the `configure` options it takes, and the check of a
request's `configure` that the API runs before it enqueues anything."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ocr_core.errors import ConfigureFormatError, InvalidOption, InvalidURL
from ocr_core.services import general

# An option is either a type its value must have, or the tuple of values it may take.
OptionSpec = type | tuple
# Options every service takes: `evidence` asks for boxes, confidences and warnings (API.md).
COMMON_OPTIONS: dict[str, OptionSpec] = {"evidence": bool}


@dataclass(frozen=True)
class Service:
    name: str
    #: (picture, checked configure) -> the reference's answer without `request_id`; a service
    #: that takes several pages gets the list of pages instead of one picture.
    run: Callable[[Any, dict], dict]
    options: Mapping[str, OptionSpec] = field(default_factory=dict)
    multipage: bool = False

    def all_options(self) -> dict[str, OptionSpec]:
        return {**COMMON_OPTIONS, **self.options}


SERVICES: dict[str, Service] = {
    "ocr_general": Service("ocr_general", general.ocr_general, general.OPTIONS),
}


def get_service(name: str) -> Service:
    service = SERVICES.get(name)
    if service is None:
        raise InvalidURL(detail=f"unknown service {name!r}")
    return service


def check_configure(service: str, configure: dict | None) -> dict:
    """`configure` for `service` with every key known and every value of the right kind.

    Raises InvalidURL for an unknown service, InvalidOption (461) for an unknown key or a
    value of the wrong type, ConfigureFormatError when `configure` is not an object.
    """
    options = get_service(service).all_options()
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
    return dict(configure)


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
