"""Diagram surgery on XML: clone a process, add or delete a stage, diff two versions."""
