"""Reusable constructs: the design's ``constructs/`` folder.

It is named ``components`` because a top-level ``constructs`` package would shadow the
``constructs`` library that cdktf itself imports.
"""
