"""The answer step: what a service found (its values, each field's evidence, its warnings)
shaped into the reference's answer. Services return `Findings`; `shape_answer` is the one place
that echoes `config_str`, adds `success`, and gives `evidence` and `warnings` only to a request
that asks for them (`configure["evidence"]`, API.md)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Findings:
    """What a service found on a picture, before it is an answer."""

    #: The reference's fields, in its order. `success` follows them, unless they hold it where
    #: the reference puts it (a passport's fields in alphabetical order, a table answer first).
    values: dict
    #: Each field's {"box", "prob", "valid"} (API.md) by its name, in the order warnings name them.
    evidence: dict[str, dict] = field(default_factory=dict)
    #: The page's warnings (rotated_90, skew…) and the service's own, first.
    warnings: list[str] = field(default_factory=list)
    #: The engine added to each evidence item; None when the items name their own.
    engine: str | None = None
    #: What the answer echoes as `config_str` (the labelled documents echo the request's
    #: configure, as the reference does); None: the answer has no `config_str`.
    echo: dict | None = None
    #: A `checksum_failed:NAME` warning for each field whose check failed (`valid` False).
    checksum_warnings: bool = True
    #: The text answered for a field that was not read (FailInRecognition): an `unread:NAME`
    #: warning for each field of the evidence so answered, after the others.
    unread: str | None = None


def shape_answer(findings: Findings, configure: dict) -> dict:
    """The reference's answer (without `request_id`) for what a service found on the request."""
    answer = {} if findings.echo is None else {"config_str": json.dumps(findings.echo, ensure_ascii=False)}
    answer.update(findings.values)
    answer["success"] = True
    if configure.get("evidence"):
        evidence = findings.evidence
        if findings.engine is not None:
            evidence = {name: {**item, "engine": findings.engine} for name, item in evidence.items()}
        answer["evidence"] = evidence
        answer["warnings"] = (
            findings.warnings
            + ([f"checksum_failed:{name}" for name, item in evidence.items() if item["valid"] is False]
               if findings.checksum_warnings else [])
            + ([f"unread:{name}" for name in evidence if findings.values.get(name) == findings.unread]
               if findings.unread is not None else []))
    return answer
