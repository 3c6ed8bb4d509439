"""The `bpmn-sales` command line: operators' verbs and the whole lifecycle from a shell.

Each verb is declared here with the modules that define it (in bpmn_sales.cli) and its
one-line help; its modules are imported only when it runs, so `bpmn-sales --help` loads no
engine and no database. A module that adds a top-level verb, or subcommands to another
module's group, is listed here too (tests/cli/test_cli_lazy.py checks this table against
the modules).
"""

from bpmn_sales.cli.base import main


def verb(name: str, modules: str, short_help: str) -> None:
    """Declare a verb defined by `modules` (space-separated names in bpmn_sales.cli)."""
    main.lazy(name, [f"bpmn_sales.cli.{module}" for module in modules.split()], short_help)


verb("board", "board", "Show the pipeline board: stages as columns, open deals as cards.")
verb("deal", "deals worker imports", "Opportunities: start, develop, close, reopen, import.")
verb("demo", "operators", "Load demo users, leads and deals (prints the demo users' API tokens).")
verb(
    "deploy",
    "operators",
    "Deploy diagrams; a changed diagram becomes the process's next version.",
)
verb("init", "operators", "Create or upgrade the database and deploy the bundled diagrams.")
verb("lead", "leads imports", "Leads: create, qualify, disqualify, renew, import.")
verb(
    "lint",
    "operators",
    "Check diagrams before deploy; exit 2 on any error (deploy refuses those).",
)
verb(
    "migrate",
    "migrate",
    "Move open deals of PROCESS from older versions to a newer one (preview, then apply).",
)
verb("notifications", "tasks", "Your in-app notifications.")
verb("outbox", "delivery", "Mail and webhook messages waiting, sent or failed (admin).")
verb(
    "process",
    "board library",
    "Switch a process on or off; choose its departments; scaffold a new one.",
)
verb("processes", "operators", "List deployed processes with their current version and stages.")
verb(
    "report",
    "reports",
    "Print an analytics report: funnel, losses, time-in-stage, stuck, forecast, targets, "
    "calibration (each stage's configured win rate against the observed one, and past weighted "
    "forecasts against what was won) or forecast-accuracy (that second part alone).",
)
verb("serve", "operators", "Serve the web app and the JSON API (waitress).")
verb("settings", "settings", "The company's default language, time zone and currency.")
verb(
    "stage",
    "board",
    "Add or delete a stage of a process (admin; each edit is a new process version).",
)
verb("target", "reports", "Set sales targets per period (month or quarter) and scope.")
verb("task", "tasks", "Ready user tasks of leads and deals.")
verb("user", "operators settings", "Users, their API tokens, languages and time zones.")
verb("webhook", "delivery", "URLs that receive signed JSON for deal events (admin).")
verb(
    "worker",
    "worker",
    "Fire due BPMN timers, advance the instances and deliver the outbox, until SIGTERM.",
)

__all__ = ["main"]
