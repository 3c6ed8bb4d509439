"""The restricted evaluator for the Python found in diagrams (conditions, scripts)."""
