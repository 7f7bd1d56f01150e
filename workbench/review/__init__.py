"""Review: clinicians' decisions on answers (approve, reject, needs edit, edit), the review
desk's queues and actions (no widgets), agreement between reviewers, and the selection of
approved answers for export.
"""
