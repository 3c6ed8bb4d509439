"""Moving a running instance to a newer spec: SpiffWorkflow's diff and migrate, our policy."""

from __future__ import annotations
