"""Scoring the coders on labelled data (``python -m pipelines.evaluate ...`` is the command line) and the scripts
that built the real-news gold set (``eval/`` holds the data only)."""
