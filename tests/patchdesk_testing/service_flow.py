"""The service flow's test world: the S2 fleet with Momiji Clinic, contacts in Japanese and
English, a price table; a real SMTP server (aiosmtpd) and a local HTTP server for webhooks.

Built through the real services (contracts, scans, advisories, verdicts, findings), so the
flow sees exactly what production would.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.server
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from django.test import override_settings

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.models import Announcement, Case, CaseItem, FlowSettings
from patchdesk.desk.cases.outbox import outbox_send_due
from patchdesk.desk.contracts.services import contract_accept, contract_apply
from patchdesk.desk.customers.models import Contact, Customer
from patchdesk.desk.findings.classification import classifications_refresh
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk.desk.fleet.models import Server
from patchdesk_testing.contracts import (
    Clock,
    Fleet,
    customer_make,
    fleet_make,
    price_table_make,
    server_make,
    user_make,
)
from patchdesk_testing.fleet import scan_with
from patchdesk_testing.inventory import pkg
from patchdesk_testing.security import (
    CVE_DOS,
    CVE_LOCAL,
    CVE_RCE,
    DOS_VECTOR,
    LOCAL_VECTOR,
    RCE_VECTOR,
    advisories_confirm,
    debian_advisory,
    fact,
    facts_import,
)

HIGH_ADVISORY, MEDIUM_ADVISORY, LOCAL_ADVISORY = "DSA-9001-1", "DSA-9002-1", "DSA-9003-1"
SPEC_DISCLAIMER_JA = "対策作業の前までに、発生した事象については免責とさせていただきます。"
SPEC_DISCLAIMER_EN = (
    "Incidents that occur before the countermeasure is carried out are not covered."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowWorld:
    fleet: Fleet
    operator: User
    momiji: Customer
    momiji_admin: User
    mail1: Server
    sakura_contact: Contact  # Japanese
    kaede_contact: Contact  # English
    momiji_contact: Contact  # English

    @property
    def web1(self) -> Server:
        return self.fleet.web1

    @property
    def app1(self) -> Server:
        return self.fleet.app1

    def announcement(self, advisory_id: str) -> Announcement:
        return Announcement.objects.get(advisory__advisory_id=advisory_id, platform_key="debian:12")

    def case(self, advisory_id: str, customer: Customer) -> Case:
        return Case.objects.get(announcement=self.announcement(advisory_id), customer=customer)


def flow_world_make(clock: Clock) -> FlowWorld:
    """Thursday 2027-01-14 10:00 in Tokyo: contracts started on the 12th (web1 and mail1 with
    the Security Update Service, app1 Standard), advisories confirmed on the 13th, findings
    computed; web1 and app1 run OpenSSL, mail1 does not."""
    fleet = fleet_make()
    operator = user_make("ops-tanaka")
    operator.email = "ops-tanaka@provider.example"
    operator.save(update_fields=["email"])
    momiji = customer_make("momiji-clinic", "Momiji Clinic")
    momiji.language = "en"
    momiji.save(update_fields=["language"])
    momiji_admin = user_make("momiji-admin", customer=momiji)
    mail1 = server_make("mail1", customer=momiji, platform="debian:12")
    FlowSettings.objects.update_or_create(
        pk=1, defaults={"announce_from": clock.set(2027, 1, 1, 0, 0), "capacity_per_window": 2}
    )
    clock.set(2027, 1, 8, 11, 0)
    applied = [
        *contract_apply(fleet.sakura, servers=[fleet.web1], plan="security_update", actor=None),
        *contract_apply(fleet.kaede, servers=[fleet.app1], plan="standard", actor=None),
        *contract_apply(momiji, servers=[mail1], plan="security_update", actor=None),
    ]
    clock.set(2027, 1, 8, 15, 0)
    for contract in applied:
        contract_accept(contract, actor=operator)
    for server in (fleet.web1, fleet.app1):
        scan_with(
            server,
            pkg("libssl3", "3.0.11-1~deb12u1", source="openssl"),
            pkg("linux-image-6.1.0-18-amd64", "6.1.76-1", source="linux"),
            pkg("zsh", "5.9-4"),
        )
    scan_with(mail1, pkg("postfix", "3.7.10-0+deb12u1"), pkg("zsh", "5.9-4"))
    clock.set(2027, 1, 13, 10, 0)
    facts_import(
        fact(CVE_RCE, "CWE-787", RCE_VECTOR, description="A heap overflow in OpenSSL."),
        fact(CVE_DOS, "CWE-400", DOS_VECTOR, description="Resource exhaustion in OpenSSL."),
        fact(CVE_LOCAL, "CWE-787", LOCAL_VECTOR, description="A local privilege escalation."),
    )
    advisories_confirm(
        clock,
        debian_advisory(HIGH_ADVISORY, "openssl", "3.0.11-1~deb12u2", CVE_RCE),
        debian_advisory(MEDIUM_ADVISORY, "openssl", "3.0.13-1~deb12u1", CVE_DOS),
        debian_advisory(LOCAL_ADVISORY, "linux", "6.1.90-1", CVE_LOCAL),
    )
    classifications_refresh()
    findings_refresh()
    contacts = [
        Contact.objects.create(customer=customer, name=name, email=address, language=language)
        for customer, name, address, language in (
            (fleet.sakura, "佐藤 花子", "sato@sakura-web.example", "ja"),
            (fleet.kaede, "Ken Kaede", "ken@kaede.example", "en"),
            (momiji, "Mia Momiji", "mia@momiji.example", "en"),
        )
    ]
    for user, address in (
        (fleet.sakura_admin, "admin@sakura-web.example"),
        (fleet.kaede_admin, "admin@kaede.example"),
        (momiji_admin, "admin@momiji.example"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    price_table_make()
    clock.set(2027, 1, 14, 10, 0)
    return FlowWorld(
        fleet=fleet,
        operator=operator,
        momiji=momiji,
        momiji_admin=momiji_admin,
        mail1=mail1,
        sakura_contact=contacts[0],
        kaede_contact=contacts[1],
        momiji_contact=contacts[2],
    )


def announce(flow: FlowWorld, *advisory_ids: str, default_policy: bool = False) -> None:
    """Discover the announcements and confirm ``advisory_ids`` (they go out to customers),
    with the default response policy or a short one of the test's."""
    from patchdesk.desk.cases.services import announcement_confirm, announcements_discover

    announcements_discover()
    for advisory_id in advisory_ids:
        announcement = flow.announcement(advisory_id)
        announcement_confirm(
            announcement,
            actor=flow.operator,
            response_policy_ja=announcement.response_policy_ja if default_policy else "方針",
            response_policy_en=announcement.response_policy_en if default_policy else "Policy",
        )


def request_countermeasure(
    flow: FlowWorld, advisory_id: str, customer: Customer, admin: User
) -> CaseItem:
    """The customer's admin requests the countermeasure for their one affected server."""
    from patchdesk.desk.cases.services import RequestChoice, case_request

    (item,) = case_request(
        flow.case(advisory_id, customer),
        servers=None,
        actor=admin,
        choice=RequestChoice(accept_disclaimers=True),
    )
    return item


# --- a real SMTP server -------------------------------------------------------------------


@dataclass(slots=True)
class SmtpSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def settings(self) -> override_settings:
        return override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=self.host,
            EMAIL_PORT=self.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
        )


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.sink.messages.append(message)
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    """aiosmtpd on 127.0.0.1 (a free port); the messages it received, parsed."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command
    port = free_port()
    sink = SmtpSink(host="127.0.0.1", port=port)
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received mail."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def deliver(*, now: datetime | None = None) -> int:
    """Run the outbox job once (what the worker does)."""
    return outbox_send_due(now=now)


# --- a local HTTP server for webhooks -----------------------------------------------------


@dataclass(slots=True)
class HookSink:
    url: str
    bodies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: list[int] = field(default_factory=lambda: [200])


@contextlib.contextmanager
def webhook_server() -> Iterator[HookSink]:
    """An HTTP server on 127.0.0.1 recording JSON posts; ``sink.status[0]`` is its answer."""
    sink = HookSink(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode())
            sink.bodies.append((self.path, body))
            self.send_response(sink.status[0])
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
