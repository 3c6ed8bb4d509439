"""The Store's queries by subject: each module is a mixin (`session: Session`) that
persistence/store.py's Store inherits, so use cases call them all on one store."""
