"""The server-rendered pages, one blueprint per feature."""

from __future__ import annotations

from flask import Flask

from bpmn_sales.web.pages import (
    admin_processes,
    admin_users,
    analytics,
    approvals,
    board,
    deal_actions,
    deals,
    delivery,
    imports,
    leads,
    migrations,
    modeler,
    notifications,
    paging,
    preferences,
    session,
    tasks,
)


def register(app: Flask) -> None:
    blueprints = [
        session.bp,
        notifications.bp,
        tasks.bp,
        approvals.bp,
        deals.bp,
        deal_actions.bp,
        imports.bp,
        leads.bp,
        board.bp,
        admin_processes.bp,
        admin_users.bp,
        analytics.bp,
        delivery.bp,
        modeler.bp,
        migrations.bp,
        preferences.bp,
    ]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    paging.register(app)
    preferences.init_app_globals(app.jinja_env)
