"""The service policy in force (a versioned TOML document) and per-CVE operator overrides."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.core.errors import PatchdeskError
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.findings.models import PolicyDocument, PolicyOverride
from patchdesk.engine.model.classification import SecurityLevel
from patchdesk.engine.policy import (
    Policy,
    PolicyError,
    default_policy_text,
    load_policy,
)

__all__ = [
    "PolicyRejectedError",
    "policy_active",
    "policy_document_activate",
    "policy_document_ensure_default",
    "policy_override_clear",
    "policy_override_set",
]


class PolicyRejectedError(PatchdeskError):
    code = "policy_rejected"
    message_format = _("The policy document is invalid: %(where)s: %(reason)s")


class PolicyVersionExistsError(PatchdeskError):
    code = "policy_version_exists"
    message_format = _("A policy document with version %(version)s already exists.")


def policy_active() -> Policy:
    """The active policy; the shipped default when none was activated yet."""
    document = PolicyDocument.objects.filter(is_active=True).first()
    return load_policy(document.text) if document else load_policy(default_policy_text())


@transaction.atomic
def policy_document_ensure_default() -> PolicyDocument:
    """Store the shipped default as the active policy if nothing is active (first start)."""
    active = PolicyDocument.objects.filter(is_active=True).first()
    if active is not None:
        return active
    text = default_policy_text()
    policy = load_policy(text)
    document, _created = PolicyDocument.objects.get_or_create(
        version=policy.version, defaults={"text": text}
    )
    document.is_active = True
    document.save(update_fields=["is_active"])
    audit_record(
        actor=None,
        action="policy.activate",
        obj=document,
        changes={"version": policy.version},
        actor_label="default policy",
    )
    return document


@transaction.atomic
def policy_document_activate(text: str, *, actor: User | None) -> PolicyDocument:
    """Validate ``text`` and make it the active policy (each version is stored once)."""
    try:
        policy = load_policy(text)
    except PolicyError as exc:
        raise PolicyRejectedError(where=exc.where, reason=exc.reason) from None
    existing = PolicyDocument.objects.filter(version=policy.version).first()
    if existing is not None and existing.text != text:
        raise PolicyVersionExistsError(version=policy.version)
    previous = PolicyDocument.objects.filter(is_active=True).first()
    PolicyDocument.objects.filter(is_active=True).update(is_active=False)
    document = existing or PolicyDocument.objects.create(
        version=policy.version, text=text, created_by=actor
    )
    document.is_active = True
    document.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="policy.activate",
        obj=document,
        changes={"version": [previous.version if previous else None, policy.version]},
        actor_label="" if actor else "command line",
    )
    return document


@transaction.atomic
def policy_override_set(
    cve_id: str, *, level: SecurityLevel, reason: str, actor: User
) -> PolicyOverride:
    """Fix the level of one CVE by an operator's decision (audited)."""
    if not reason.strip():
        raise PatchdeskError()
    before = PolicyOverride.objects.filter(cve_id=cve_id).first()
    override, _created = PolicyOverride.objects.update_or_create(
        cve_id=cve_id,
        defaults={"level": level.value, "reason": reason.strip(), "decided_by": actor},
    )
    audit_record(
        actor=actor,
        action="policy.override",
        obj=override,
        changes={"level": [before.level if before else None, level.value], "reason": reason},
    )
    return override


@transaction.atomic
def policy_override_clear(cve_id: str, *, actor: User) -> None:
    override = PolicyOverride.objects.filter(cve_id=cve_id).first()
    if override is None:
        return
    audit_record(
        actor=actor, action="policy.override_clear", obj=override, changes={"level": override.level}
    )
    override.delete()
