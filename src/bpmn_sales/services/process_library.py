"""Use cases of the process library: clone, diff against the template, export, import, delete."""

from __future__ import annotations
