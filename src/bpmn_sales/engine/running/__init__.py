"""Running instances: start, restore, step, serialize, fire timers, migrate to a new version."""
