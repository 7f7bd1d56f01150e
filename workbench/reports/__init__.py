"""Reports: evaluation frames, statistics, run comparison, the HTML/CSV/JSON report, the
answer pages and exports, and the one rendering module that escapes untrusted text.
"""
