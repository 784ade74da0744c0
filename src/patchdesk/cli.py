"""The ``patchdesk`` command.

Every subcommand first loads and validates the configuration; a broken setting ends the command
with one line naming the setting (exit status 2). Subcommands that need the desk set Django up
only after the checks in :mod:`patchdesk.desk.bootstrap` passed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from patchdesk import __version__
from patchdesk.commands import desk as desk_commands
from patchdesk.commands import jobs as jobs_commands
from patchdesk.commands import scan as scan_commands
from patchdesk.desk.config import CONFIG_FILE_VARIABLE, ConfigError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_CONFIG_ERROR = 2


def _config_errors_exit(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`ConfigError` (or Django's ImproperlyConfigured) into one line and exit 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from django.core.exceptions import ImproperlyConfigured

        try:
            return func(*args, **kwargs)
        except (ConfigError, ImproperlyConfigured) as exc:
            click.echo(f"patchdesk: configuration error: {exc}", err=True)
            sys.exit(EXIT_CONFIG_ERROR)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="patchdesk")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help=f"TOML settings file (same as {CONFIG_FILE_VARIABLE}).",
)
def main(config_file: str | None) -> None:
    """Run a managed Linux security-update service.

    Settings come from PATCHDESK_* environment variables and an optional TOML file; see
    docs/configuration.md.
    """
    if config_file:
        os.environ[CONFIG_FILE_VARIABLE] = config_file


@main.command()
@_config_errors_exit
def init() -> None:
    """Check the settings, prepare the data directory and database, create the first operator."""
    desk_commands.init()


@main.command()
@click.option("--listen", help="HOST:PORT to serve on (default from PATCHDESK_LISTEN).")
@click.option(
    "--worker/--no-worker",
    default=None,
    help="Also run a job worker (default: yes with the database jobs backend).",
)
@click.option("--threads", default=8, show_default=True, help="Web server threads.")
@_config_errors_exit
def serve(listen: str | None, worker: bool | None, threads: int) -> None:
    """Serve the desk (console and portal) and, in embedded mode, one job worker."""
    desk_commands.serve(listen=listen, with_worker=worker, threads=threads)


@main.command()
@click.option("--listen", help="HOST:PORT to serve on (default from PATCHDESK_LISTEN).")
@_config_errors_exit
def run(listen: str | None) -> None:
    """The main job: prepare everything, scan this machine, serve the desk with a worker."""
    desk_commands.run(listen=listen)


@main.command()
@click.option("--with-scheduler", is_flag=True, help="Also run the periodic scheduler.")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@_config_errors_exit
def worker(with_scheduler: bool, burst: bool) -> None:
    """Run a job worker for the configured backend (database or Redis)."""
    jobs_commands.worker(with_scheduler=with_scheduler, burst=burst)


@main.command()
@click.option("--poll", "poll_s", default=15.0, show_default=True, help="Seconds between checks.")
@_config_errors_exit
def scheduler(poll_s: float) -> None:
    """Run the periodic scheduler alone (safe to run on several machines)."""
    jobs_commands.scheduler(poll_s=poll_s)


@main.group()
def jobs() -> None:
    """Inspect background jobs."""


@jobs.command("ping")
@click.option("--count", default=1, show_default=True, help="How many pings to send.")
@click.option("--timeout", "timeout_s", default=30.0, show_default=True, help="Seconds to wait.")
@_config_errors_exit
def jobs_ping(count: int, timeout_s: float) -> None:
    """Enqueue ping jobs and wait until workers have executed them."""
    if not jobs_commands.ping(count=count, timeout_s=timeout_s):
        sys.exit(1)


@main.group()
def operator() -> None:
    """Manage operator accounts."""


@operator.command("create")
@click.argument("username")
@click.option("--email", default="", help="E-mail address.")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable (default: generate and print one).",
)
@_config_errors_exit
def operator_create(username: str, email: str, password_env: str | None) -> None:
    """Create an operator who can log in to the console."""
    if not desk_commands.operator_create(username, email=email, password_env=password_env):
        sys.exit(1)


@main.group()
def config() -> None:
    """Show or check the settings."""


@config.command("show")
@_config_errors_exit
def config_show() -> None:
    """Print the effective settings (secrets hidden)."""
    desk_commands.config_show()


@config.command("new-key")
def config_new_key() -> None:
    """Print a new random encryption key (for PATCHDESK_ENCRYPTION_KEYS)."""
    import base64
    import secrets

    click.echo(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))


@config.command("check")
@_config_errors_exit
def config_check() -> None:
    """Validate the settings and reach the configured services; exit 2 on a problem."""
    desk_commands.config_check()


@main.command()
@click.argument("targets", nargs=-1, metavar="TARGET...")
@click.option("--inventory-only", is_flag=True, help="Only collect inventories, do not match.")
@click.option("--format", "output_format", type=click.Choice(["json", "table", "csv"]),
              default="json", show_default=True)  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--targets", "targets_file", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file of targets ([defaults] and [[target]] tables).")  # fmt: skip
@click.option("-u", "--user", help="Login name when a target names none.")
@click.option("-i", "--identity", "identities", multiple=True, type=click.Path(path_type=Path),
              help="Private key file (repeatable).")  # fmt: skip
@click.option("--identity-passphrase-env", metavar="VAR", help="Key passphrase from VAR.")
@click.option("--password-env", metavar="VAR", help="Login password from VAR.")
@click.option("--sudo", type=click.Choice(["none", "nopasswd", "password"]), default="none",
              show_default=True, help="How a non-root login becomes root.")  # fmt: skip
@click.option("--sudo-password-env", metavar="VAR", help="sudo password (default: login's).")
@click.option("--jump", metavar="ssh://[user@]host[:port]", help="Jump host.")
@click.option("--concurrency", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--connect-timeout", "connect_timeout_s", default=15.0, show_default=True)
@click.option("--command-timeout", "command_timeout_s", default=300.0, show_default=True)
@click.option("--known-hosts", type=click.Path(dir_okay=False, path_type=Path),
              help="Pinned host keys (default: DATA_DIR/known_hosts).")  # fmt: skip
@click.option("--accept-host-key", "accept_host_keys", multiple=True,
              metavar="HOST[:PORT]=SHA256:...", help="Accept this changed host key.")  # fmt: skip
@click.option("--provider-origin", "provider_origins", multiple=True,
              help="apt Release Origin/Label of the provider's repository.")  # fmt: skip
@click.option("--provider-repo", "provider_repos", multiple=True,
              help="dnf/yum/zypper repository id of the provider's repository.")  # fmt: skip
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: tty).")
@_config_errors_exit
def scan(targets: tuple[str, ...], inventory_only: bool, **options: Any) -> None:
    """Scan TARGETs (local, ssh://[user@]host[:port] or inventory files) and match them.

    \b
    Exit status:
      0  nothing actionable
      1  a host could not be scanned
      2  usage or input error
      3  High or Medium findings
      4  nothing could be evaluated (every package "cannot evaluate", e.g. an unsupported
         platform; with matching only)
    """
    arguments = scan_commands.ScanArguments(targets=targets, **options)
    if inventory_only:
        if arguments.output_format == "csv":
            raise click.UsageError("--format csv needs matching (drop --inventory-only)")
        sys.exit(scan_commands.scan(arguments))
    from patchdesk.commands.scan_match import scan_and_match

    sys.exit(scan_and_match(arguments))


@main.group()
def feeds() -> None:
    """Advisory and enrichment feeds: import files, sync sources."""


_FEED_KINDS = ["osv", "csaf", "debian-tracker", "native", "cve5", "nvd", "kev", "epss", "eol"]


@feeds.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice(_FEED_KINDS), help="The format (default: detected).")
@click.option("--source", default="", help="Name of the source to record the import under.")
@_config_errors_exit
def feeds_import(paths: tuple[Path, ...], kind: str | None, source: str) -> None:
    """Import feed files (OSV, CSAF, Debian tracker, CVE JSON 5, NVD, KEV, EPSS, EOL)."""
    from patchdesk.commands import feeds as feed_commands

    if not feed_commands.feeds_import(paths, kind=kind, source=source):
        sys.exit(1)


@feeds.command("sync")
@click.argument("names", nargs=-1)
@_config_errors_exit
def feeds_sync(names: tuple[str, ...]) -> None:
    """Fetch and import the enabled sources (or the NAMEd ones)."""
    from patchdesk.commands import feeds as feed_commands

    if not feed_commands.feeds_sync(names):
        sys.exit(1)


@feeds.command("sources")
@_config_errors_exit
def feeds_sources() -> None:
    """List the feed sources and when they were last synced."""
    from patchdesk.commands import feeds as feed_commands

    feed_commands.feeds_sources()


@feeds.command("enable")
@click.argument("name")
@click.option("--url", help="Fetch from this URL instead (a mirror, a file:// copy).")
@click.option(
    "--kind",
    type=click.Choice([*_FEED_KINDS, "debian-mirror"]),
    help="The format, for a new source.",
)
@click.option(
    "--sources-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="debian-mirror: read the mirror from this sources.list / *.sources file's text "
    "(stored; default: this machine's /etc/apt).",
)
@_config_errors_exit
def feeds_enable(name: str, url: str | None, kind: str | None, sources_list: Path | None) -> None:
    """Enable a source (a new NAME with --kind and --url adds one)."""
    from patchdesk.commands import feeds as feed_commands

    text = sources_list.read_text(encoding="utf-8") if sources_list else None
    if not feed_commands.feeds_set(name, enable=True, url=url, kind=kind, sources_list=text):
        sys.exit(1)


@feeds.command("disable")
@click.argument("name")
@_config_errors_exit
def feeds_disable(name: str) -> None:
    """Disable a source."""
    from patchdesk.commands import feeds as feed_commands

    if not feed_commands.feeds_set(name, enable=False, url=None, kind=None):
        sys.exit(1)


@feeds.command("report")
@click.argument("name", required=False)
@click.option("--limit", default=20, show_default=True)
@_config_errors_exit
def feeds_report(name: str | None, limit: int) -> None:
    """Show the last sync and import runs with their rejected records."""
    from patchdesk.commands import feeds as feed_commands

    feed_commands.feeds_report(name, limit=limit)


@main.group()
def policy() -> None:
    """The service policy: explain classifications, activate a new policy document."""


@policy.command("explain")
@click.argument("cve_ids", nargs=-1, required=True, metavar="CVE-ID...")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@_config_errors_exit
def policy_explain(cve_ids: tuple[str, ...], output_format: str) -> None:
    """Why each CVE has its level: the rule, the CWE, the vector element, the source.

    Ids must be CVE ids (CVE-YYYY-NNNN, any case). Other values are refused, one line each on
    stderr, and the exit status is 2; the valid ids given with them are still explained.
    """
    from patchdesk.commands import policy as policy_commands

    if policy_commands.explain(cve_ids, output_format=output_format):
        sys.exit(2)


@policy.command("activate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_config_errors_exit
def policy_activate(file: Path) -> None:
    """Validate a policy document (TOML) and make it the one in force; reclassify."""
    from patchdesk.commands import policy as policy_commands

    if not policy_commands.activate(file):
        sys.exit(1)


@policy.command("show")
@_config_errors_exit
def policy_show() -> None:
    """Print the policy document in force (a starting point for an edited copy)."""
    from patchdesk.commands import policy as policy_commands

    policy_commands.show()


@main.group()
def inventory() -> None:
    """Inventory documents (air-gapped servers)."""


@inventory.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--server", "server_ref", metavar="CUSTOMER/SERVER",
              help="The server the document describes (default: matched by address).")  # fmt: skip
@_config_errors_exit
def inventory_import(files: tuple[Path, ...], server_ref: str | None) -> None:
    """Record inventory documents (from `patchdesk scan --inventory-only`) as scans."""
    from patchdesk.commands import inventory as inventory_commands

    if not inventory_commands.import_documents(files, server_ref=server_ref):
        sys.exit(1)


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@_config_errors_exit
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (migrate, shell, makemessages, ...)."""
    desk_commands.manage(list(args))
