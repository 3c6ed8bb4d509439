"""Diagram XML in, SpiffWorkflow specs and problems out: safe parsing, compiling, lint, rules."""
