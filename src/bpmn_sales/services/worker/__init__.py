"""The background worker: fire due BPMN timers, deliver the outbox, repeat."""
