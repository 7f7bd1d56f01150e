"""Importing documents as a use case: into a data set folder, all or nothing."""

from __future__ import annotations

from workbench.importing import ImportResult, import_documents
from workbench.runs.options import ImportOptions

__all__ = ["import_into"]


def import_into(o: ImportOptions) -> ImportResult:
    """Read the documents into excerpts and write them into `o.into` (nothing on failure)."""
    return import_documents(
        o.paths,
        o.into,
        source_title=o.source_title,
        link=o.link,
        version=o.version,
        date=o.date,
        license=o.license,
        cancer_type=o.cancer_type,
    )
