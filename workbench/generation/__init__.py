"""Generation: the backends that write answers (the offline composer, any OpenAI-compatible
endpoint) behind one `Generator` seam, and the retrieval that picks their excerpts.
"""
