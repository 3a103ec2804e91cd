"""Lifecycles of a report version and of its submission to the national reporting system.

A version is ``draft`` (recomputed, edited or deleted at will) until it is submitted; from then
on it is ``submitted`` and frozen: a change is a correction, a new version.

Its submission: ``queued`` → (sent) ``submitted`` (the national system gave a receipt) →
``accepted`` | ``rejected`` (with its reason). A send that fails because the system is away is
``retrying`` with a growing delay, and ``failed`` after the last attempt; a failed submission
may be requested again. A version whose submission was rejected stays as it was: the officer
files a correction.
"""

from __future__ import annotations

from typing import Literal

ReportStatus = Literal["draft", "submitted"]
SubmissionStatus = Literal["queued", "retrying", "submitted", "accepted", "rejected", "failed"]

DRAFT: ReportStatus = "draft"
SUBMITTED: ReportStatus = "submitted"

QUEUED: SubmissionStatus = "queued"
RETRYING: SubmissionStatus = "retrying"
DELIVERED: SubmissionStatus = "submitted"
ACCEPTED: SubmissionStatus = "accepted"
REJECTED: SubmissionStatus = "rejected"
FAILED: SubmissionStatus = "failed"

TO_SEND: tuple[SubmissionStatus, ...] = (QUEUED, RETRYING)  # the dispatcher sends these
TO_POLL: tuple[SubmissionStatus, ...] = (DELIVERED,)  # and asks the decision of these
MAY_REQUEST_AGAIN: tuple[SubmissionStatus, ...] = (FAILED,)


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds before attempt ``attempt + 1``: base, 2×base, 4×base, … up to ``cap``."""
    return float(min(base * 2 ** (attempt - 1), cap))
