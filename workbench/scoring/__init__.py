"""Scoring: faithfulness judges (offline, ragas) behind one `Judge` seam, the safety rules,
readability, one answer's evaluation, staleness of evaluations against changed excerpts,
and calibration against the gold labels.
"""
