"""The server-rendered pages, one blueprint per feature."""

from __future__ import annotations

from flask import Flask

from bpmn_sales.web.pages import notifications, session


def register(app: Flask) -> None:
    blueprints = [
        session.bp,
        notifications.bp,
        # tasks pages
        # deal and lead pages
        # board and admin pages
    ]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
