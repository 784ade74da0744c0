"""The service policy (R2): classify a vulnerability as High, Medium, out of scope or for review.

The policy is data (``default_policy.toml``, editable by the provider); every verdict carries
its reasons and the policy version. See docs/policy.md.
"""

from __future__ import annotations

from patchdesk.engine.policy.classify import PolicyOverride, classify
from patchdesk.engine.policy.document import (
    Policy,
    PolicyError,
    default_policy_text,
    load_default_policy,
    load_policy,
)
from patchdesk.engine.policy.facts import (
    CweHierarchy,
    SourcedCwe,
    SourcedSeverity,
    VulnerabilityFacts,
)

__all__ = [
    "CweHierarchy",
    "Policy",
    "PolicyError",
    "PolicyOverride",
    "SourcedCwe",
    "SourcedSeverity",
    "VulnerabilityFacts",
    "classify",
    "default_policy_text",
    "load_default_policy",
    "load_policy",
]
