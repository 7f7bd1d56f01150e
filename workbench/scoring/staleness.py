"""Guideline versions: which evaluations were judged against excerpts that have changed.

An evaluation records a fingerprint of each excerpt it was judged against: the excerpt's
version and a hash of its text, so an edit is noticed even when nobody bumped the version.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from workbench.data.text import text_sha256
from workbench.models import Evaluation, Excerpt

__all__ = ["fingerprint", "is_stale", "stale_reasons"]


@lru_cache(maxsize=8192)  # a report checks every evaluation against the same few excerpts
def fingerprint(excerpt: Excerpt) -> str:
    """`v<version>:<first 12 hex of the text's SHA-256>`."""
    return f"v{excerpt.version}:{text_sha256(excerpt.text)[:12]}"


def stale_reasons(evaluation: Evaluation, excerpts: Mapping[str, Excerpt]) -> list[str]:
    """Why an evaluation no longer matches the corpus; empty when it is current."""
    reasons = []
    for excerpt_id, seen in sorted(evaluation.excerpt_versions.items()):
        now = excerpts.get(excerpt_id)
        if now is None:
            reasons.append(f"excerpt {excerpt_id} is no longer in the corpus")
        elif fingerprint(now) != seen:
            was = seen.split(":", 1)[0]
            reasons.append(f"excerpt {excerpt_id} changed ({was} -> v{now.version})")
    return reasons


def is_stale(evaluation: Evaluation, excerpts: Mapping[str, Excerpt]) -> bool:
    """True when any excerpt the evaluation was judged against has changed or gone."""
    return bool(stale_reasons(evaluation, excerpts))
