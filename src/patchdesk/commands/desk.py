"""Set-up, serving and account subcommands."""

from __future__ import annotations

import os
import signal
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

import click

from patchdesk import __version__
from patchdesk.desk.bootstrap import data_dir_prepare, secret_key_ensure, services_check
from patchdesk.desk.config import Config, ConfigError, load_config

INITIAL_OPERATOR = "admin"
INITIAL_OPERATOR_FILE = "initial-operator.txt"


def django_setup() -> Config:
    """Validate the settings and services, prepare the data directory, then set Django up."""
    config = load_config()
    services_check(config)
    data_dir_prepare(config)
    secret_key_ensure(config)
    os.environ["DJANGO_SETTINGS_MODULE"] = "patchdesk.desk.settings"
    import django
    from django.utils import translation

    django.setup()
    translation.activate(terminal_language(os.environ))
    return config


def terminal_language(environ: Mapping[str, str]) -> str:
    """Japanese when the terminal's locale is Japanese, else English (POSIX precedence)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def database_require_migrated() -> None:
    """Stop with a clear message when ``patchdesk init`` has not prepared the database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise ConfigError(
            "PATCHDESK_DATABASE_URL", "the database is not prepared: run `patchdesk init`"
        )


def init() -> Config:
    config = django_setup()
    from django.core.management import call_command

    click.echo(f"Preparing the database at {config.database.display} ...")
    call_command("migrate", interactive=False, verbosity=0)
    _first_operator_ensure(config)
    _advisory_store_prepare(with_snapshot=config.starter_snapshot)
    return config


def _advisory_store_prepare(*, with_snapshot: bool) -> None:
    """The default policy, the known feed sources and, on first start, the starter snapshot."""
    from patchdesk.desk.advisories.snapshot import (
        advisory_store_is_empty,
        starter_snapshot_import,
    )
    from patchdesk.desk.advisories.sync import feed_sources_ensure
    from patchdesk.desk.findings.policy import policy_document_ensure_default
    from patchdesk.desk.findings.refresh import findings_refresh_after_feeds

    policy_document_ensure_default()
    feed_sources_ensure()
    if not with_snapshot or not advisory_store_is_empty():
        return
    click.echo("First start: importing the starter advisory snapshot (offline data) ...")
    started = time.monotonic()
    runs = starter_snapshot_import(progress=click.echo)
    findings_refresh_after_feeds()
    added = sum(run.added for run in runs)
    click.echo(f"  {added} records imported in {time.monotonic() - started:.0f} s.")


def _first_operator_ensure(config: Config) -> None:
    from patchdesk.desk.accounts.models import Role, User
    from patchdesk.desk.accounts.services import operator_create, password_generate

    login_file = config.data_dir / INITIAL_OPERATOR_FILE
    if User.objects.filter(role=Role.OPERATOR).exists():
        if login_file.exists():
            click.echo(f"The first operator's login is in {login_file} (change the password).")
        return
    password = password_generate()
    operator_create(INITIAL_OPERATOR, password=password)
    _write_private(login_file, f"username: {INITIAL_OPERATOR}\npassword: {password}\n")
    click.echo(
        f"Created the first operator. Log in as {INITIAL_OPERATOR!r} with password "
        f"{password!r}\n(also saved in {login_file}; change it after logging in)."
    )


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def local_scan() -> None:
    """Scan the machine patchdesk runs on, as server "this-machine" of the provider itself."""
    from patchdesk.desk.customers.models import Customer
    from patchdesk.desk.findings.models import Finding, FindingState
    from patchdesk.desk.fleet.mappers import LOCAL_ADDRESS
    from patchdesk.desk.fleet.models import Scan, Server
    from patchdesk.desk.fleet.tasks import scans_execute

    customer, _ = Customer.objects.get_or_create(
        code="provider", defaults={"name": "Provider (this installation)"}
    )
    server, _ = Server.objects.get_or_create(
        customer=customer, name="this-machine", defaults={"address": LOCAL_ADDRESS}
    )
    click.echo("Scanning this machine ...")
    scan = Scan.objects.create(server=server, trigger="run")
    (scan,) = scans_execute([scan.pk])
    scan.refresh_from_db()
    if scan.status != Scan.Status.SUCCEEDED:
        click.echo(f"  the scan failed: {scan.error_code}: {scan.error_message}")
        return
    open_findings = Finding.objects.filter(server=server, state=FindingState.OPEN)
    levels = {
        level: open_findings.filter(level=level, is_out_of_scope_origin=False).count()
        for level in ("high", "medium", "needs_review")
    }
    click.echo(
        f"  {scan.platform_key}, {scan.package_count} packages; open findings: "
        + ", ".join(f"{level} {count}" for level, count in levels.items())
    )


def run(*, listen: str | None) -> None:
    """The main job: prepare, scan this machine, then serve the desk with a worker."""
    if listen:
        os.environ["PATCHDESK_LISTEN"] = listen
    config = init()
    local_scan()
    serve(listen=None, with_worker=None, threads=8, prepared=config)


def serve(
    *, listen: str | None, with_worker: bool | None, threads: int, prepared: Config | None = None
) -> None:
    if listen:
        os.environ["PATCHDESK_LISTEN"] = listen
    config = prepared or init()
    from waitress import serve as waitress_serve

    from patchdesk.commands.supervisor import WorkerSupervisor
    from patchdesk.desk.wsgi import application

    run_worker = config.jobs_backend == "database" if with_worker is None else with_worker
    supervisor = WorkerSupervisor(with_scheduler=True) if run_worker else None
    host = f"[{config.listen_host}]" if ":" in config.listen_host else config.listen_host
    click.echo(f"patchdesk {__version__} serving at http://{host}:{config.listen_port}/")
    click.echo(f"  database: {config.database.display}; jobs: {config.jobs_backend}")
    click.echo(
        "  job worker: " + ("embedded (one process)" if run_worker else "run `patchdesk worker`")
    )
    click.echo("Press Ctrl+C to stop.")
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    if supervisor:
        supervisor.start()
    try:
        waitress_serve(
            application,
            host=config.listen_host,
            port=config.listen_port,
            threads=threads,
            ident="patchdesk",
            _quiet=True,
        )
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        if supervisor:
            supervisor.stop()


def operator_create(username: str, *, email: str, password_env: str | None) -> bool:
    django_setup()
    database_require_migrated()
    from patchdesk.desk.accounts.services import operator_create as service
    from patchdesk.desk.accounts.services import password_generate
    from patchdesk.desk.core.errors import PatchdeskError

    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            click.echo(
                f"patchdesk: environment variable {password_env} is empty or unset", err=True
            )
            return False
    else:
        password = password_generate()
    try:
        service(username, password=password, email=email)
    except PatchdeskError as exc:
        click.echo(f"patchdesk: {exc.message}", err=True)
        return False
    shown = "(from the environment)" if password_env else repr(password)
    click.echo(f"Created operator {username!r} with password {shown}.")
    return True


def config_show() -> None:
    config = load_config()
    rows = {
        "config file": str(config.config_file or "(none)"),
        "data directory": str(config.data_dir),
        "database": config.database.display,
        "jobs backend": config.jobs_backend,
        "redis": _mask_url(config.redis_url) if config.redis_url else "(none)",
        "secret key": "(set)" if config.secret_key else "(generated in the data directory)",
        "time zone": config.time_zone,
        "languages": ", ".join(config.languages) + f" (default {config.language_code})",
        "mail": config.email.transport
        + (f" {config.email.host}:{config.email.port}" if config.email.host else ""),
        "listen": f"{config.listen_host}:{config.listen_port}",
        "base url": config.base_url,
        "allowed hosts": ", ".join(config.allowed_hosts),
        "debug": str(config.debug),
        "log level": config.log_level,
        "feed sync every": f"{config.feed_sync_interval_s} s",
        "fleet rescan every": f"{config.fleet_rescan_interval_s} s",
    }
    width = max(len(key) for key in rows)
    for key, value in rows.items():
        click.echo(f"{key:<{width}}  {value}")


def _mask_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def config_check() -> None:
    config = load_config()
    services_check(config)
    click.echo(f"settings ok; database {config.database.display} and services reachable")


def manage(args: list[str]) -> None:
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["patchdesk manage", *args])
