"""Data sets: loading and validating questions, excerpts, prompts and gold labels; the YAML
reader with line-aware errors; text helpers; the answer format (sections, citations, footer).

Everything here reads files and returns typed records from `workbench.models`; nothing
here knows about stores, models or faces.
"""
