"""Use cases of the in-browser modeler: drafts saved, linted and deployed."""

from __future__ import annotations
