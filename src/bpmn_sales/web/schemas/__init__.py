"""The API's request and response bodies as typed models, one module per capability.

The OpenAPI document is generated from these models (web/api/document.py) and the same models
validate every request (web/api/operation.py), so the two cannot drift apart.
"""
