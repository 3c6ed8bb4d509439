"""Use cases: one function each, one transaction each, plain values out.

Web, API and CLI call these and nothing below them.
"""
