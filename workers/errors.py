"""The workers' own error: a job given up after it ended its worker process too often (464)."""
from __future__ import annotations

from ocr_core.errors import AlgorithmFailed


class AlgorithmGaveUp(AlgorithmFailed):
    """The job ended its worker process too many times to be tried again."""
    message = "Invalid Result - algorithm run failed: worker lost {detail} times"
