"""Runs: the use-case layer. Every use case lives here once, with its guards, and every
face (the CLI, the forms, the review app, a script) calls it:

options    the frozen options each use case takes (the faces build them)
guards     the store opened with its pages checked; nothing published from a broken,
           unchecked or unanchored log
generate   `generate` and `score` (pre-flight, budget, the batch)
publish    `report`, `export_rows`, `export_approved`
records    `decide`, `edit`, `verify`, `backup`, `copy` (store copy)
review     the review desk as the panel opens it
imports    `import_into`: documents into a data set folder
demo       the whole job offline, through generate, score and report
choices    what the faces may name from the layers below (backends, judges, types)

Underneath: the batch runner (`batch`, async at the core with a synchronous call around
it), the forms' jobs (`job`, `parts`), planning and pre-flight (`plan`, `preflight`).
"""
