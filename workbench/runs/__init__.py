"""Runs: the batch runner that generates and scores question sets (async at the core, a
synchronous call around it), the pre-flight of LLM runs, and the demo.
"""
