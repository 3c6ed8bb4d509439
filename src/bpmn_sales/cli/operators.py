"""Operator verbs: init, demo, serve, lint, deploy, processes, users."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.cli.paging import emit_pages, paged_options
from bpmn_sales.domain.paging import Page
from bpmn_sales.services import demo, processes
from bpmn_sales.services.people import admins, sessions, users


@main.command()
@click.option(
    "--admin",
    "admin_name",
    metavar="NAME",
    default=None,
    help="Also create an admin NAME; prints a generated password and API token once.",
)
@pass_state
@handled
def init(state: State, admin_name: str | None) -> None:
    """Create or upgrade the database and deploy the bundled diagrams."""
    ctx = state.new_ctx()
    for result in processes.deploy_bundled(ctx):
        verb = "deployed" if result.created else "unchanged"
        click.echo(f"{verb} {result.key} v{result.version}")
    if admin_name is not None:
        new = admins.create_admin(ctx, admin_name)
        name = new.user.username
        click.echo(f"created admin {name}; these are shown once:")
        click.echo(f"  web password  {new.password}  (change it: bpmn-sales user password {name})")
        click.echo(f"  API token     {new.token}")
    # Advice on stderr: stdout stays the list of deployments (and the new admin's secrets).
    click.echo(f"database {state.where()}", err=True)
    if admin_name is not None:
        if admin_name != state.username:
            click.echo(
                f"the CLI acts as '{state.username}': export BPMN_SALES_USER={admin_name}",
                err=True,
            )
    elif not admins.has_users(ctx):
        click.echo(
            "no users yet: `bpmn-sales init --admin NAME` creates an admin, "
            "`bpmn-sales demo` loads the demo team",
            err=True,
        )


@main.command(name="demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if users already exist.")
@click.option(
    "--history", is_flag=True, help="Add months of won and lost deals for the analytics page."
)
@pass_state
@handled
def demo_command(state: State, if_empty: bool, history: bool) -> None:
    """Load demo users, leads and deals (prints the demo users' API tokens)."""
    tokens = demo.load_demo(state.ctx, if_empty=if_empty, history=history)
    if not tokens:
        click.echo("demo data already present; nothing loaded")
        return
    for username, token in tokens.items():
        click.echo(f"user {username:<8} token {token}")
    click.echo(f"web sign-in: any user above with password '{demo.DEMO_PASSWORD}'")
    for line in demo.language_lines():
        click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_state
@handled
def serve(state: State, host: str, port: int, threads: int) -> None:
    """Serve the web app and the JSON API (waitress)."""
    from waitress import serve as waitress_serve

    from bpmn_sales.web import create_app

    state.require_database()  # here, not on the first request
    app = create_app({"SETTINGS": state.settings})
    click.echo(f"serving on http://{host}:{port}/ (API at /api/v1/, database {state.database_url})")
    waitress_serve(app, host=host, port=port, threads=threads)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@pass_state
@handled
def lint(state: State, files: tuple[Path, ...], as_json: bool) -> None:
    """Check diagrams before deploy; exit 2 on any error (deploy refuses those).

    Prints `file:line: element-id: severity: message` per problem, `-` where unknown.
    """
    # Keyed by the path as given, so two files with one name stay apart and editors can jump.
    diagrams = processes.collect_files(list(files), by_path=True)
    problems = processes.lint_diagrams(state.offline_ctx(), diagrams)
    errors = sum(1 for p in problems if p.severity == "error")
    report = {
        "problems": [p.to_dict() for p in problems],
        "errors": errors,
        "warnings": len(problems) - errors,
    }
    emit(report, as_json, (str(p) for p in problems))
    if not as_json:
        click.echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
    if errors:
        sys.exit(2)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--disable-previous",
    is_flag=True,
    help="Switch the older versions off for new deals (running deals stay on them).",
)
@json_option
@pass_state
@handled
def deploy(state: State, files: tuple[Path, ...], disable_previous: bool, as_json: bool) -> None:
    """Deploy diagrams; a changed diagram becomes the process's next version.

    Running deals stay on their version; move them with `bpmn-sales migrate`.
    """
    found = processes.collect_files(list(files))
    results = processes.deploy_process(
        state.ctx, state.actor(), found, disable_previous=disable_previous
    )
    emit(
        [r.to_dict() for r in results],
        as_json,
        (
            f"{'deployed' if r.created else 'unchanged'} {r.key} v{r.version}"
            + (f" (disabled v{', v'.join(map(str, r.disabled))})" if r.disabled else "")
            for r in results
        ),
    )


@main.command(name="processes")
@json_option
@pass_state
@handled
def processes_command(state: State, as_json: bool) -> None:
    """List deployed processes with their current version and stages."""
    views = processes.list_processes(state.ctx)
    emit(
        [v.to_dict() for v in views],
        as_json,
        (
            f"{v.key:<20} v{v.version:<3} {'enabled ' if v.enabled else 'disabled'} "
            f"in use by {v.in_use:<4} {v.name}"
            for v in views
        ),
    )


@main.group(name="user")
def user_group() -> None:
    """Users, their API tokens, languages and time zones."""


@user_group.command(name="add")
@click.argument("username")
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(["rep", "manager", "admin"]), default="rep")
@click.option("--manager", default=None, help="Username of the direct manager.")
@click.option("--email", default=None)
@click.option("--department", default=None)
@click.option("--group", "groups", multiple=True, help="Group to join (repeatable).")
@pass_state
@handled
def user_add(
    state: State,
    username: str,
    full_name: str,
    role: str,
    manager: str | None,
    email: str | None,
    department: str | None,
    groups: tuple[str, ...],
) -> None:
    """Create a user and print its API token (shown once)."""
    view, token = users.create_user(
        state.ctx, None, username, full_name, role, manager, email, department, list(groups)
    )
    click.echo(f"created {view.username} ({view.role}); API token: {token}")


@user_group.command(name="password")
@click.argument("username")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input.")
@pass_state
@handled
def user_password(state: State, username: str, from_stdin: bool) -> None:
    """Set the password a user signs in to the web pages with (asked twice, not echoed)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    sessions.set_password(state.ctx, None, username, password)
    click.echo(f"{username}: password set; signed out of every browser")


@user_group.command(name="sign-out")
@click.argument("username")
@pass_state
@handled
def user_sign_out(state: State, username: str) -> None:
    """Sign a user out of every browser now (the API tokens are not touched: rotate those)."""
    ended = sessions.sign_out_everywhere(state.ctx, None, username)
    click.echo(f"{username}: signed out of {ended} browser session(s)")


@user_group.command(name="groups")
@click.argument("username")
@click.argument("groups", nargs=-1)
@pass_state
@handled
def user_groups(state: State, username: str, groups: tuple[str, ...]) -> None:
    """Set the groups a user belongs to (none given: no groups)."""
    view = users.set_groups(state.ctx, None, username, list(groups))
    click.echo(f"{view.username}: groups {', '.join(view.groups) or '-'}")


@user_group.command(name="manager")
@click.argument("username")
@click.argument("manager", required=False)
@click.option("--department", default=None, help="Also set the department ('' clears it).")
@pass_state
@handled
def user_manager(state: State, username: str, manager: str | None, department: str | None) -> None:
    """Set (or, with no MANAGER, clear) a user's direct manager."""
    view = users.set_manager(state.ctx, None, username, manager, department)
    click.echo(
        f"{view.username}: manager {view.manager or '-'}, department {view.department or '-'}"
    )


@user_group.command(name="list")
@paged_options()
@json_option
@pass_state
@handled
def user_list(state: State, limit: int, after: str | None, every: bool, as_json: bool) -> None:
    """List users by user name, a page at a time."""

    def read(cursor: str | None) -> Page[users.UserView]:
        return users.list_users(state.ctx, cursor=cursor, limit=limit)

    emit_pages(read, after, every, as_json, users.UserView.to_dict, user_line)


def user_line(v: users.UserView) -> str:
    return (
        f"{v.username:<12} {v.role:<8} manager={v.manager or '-':<10} "
        f"department={v.department or '-':<10} groups={','.join(v.groups) or '-':<12} "
        f"{v.full_name}"
    )


@user_group.command(name="token")
@click.argument("username")
@pass_state
@handled
def user_token(state: State, username: str) -> None:
    """Issue a new API token for a user (the old one stops working)."""
    click.echo(users.rotate_token(state.ctx, state.actor(), username))
