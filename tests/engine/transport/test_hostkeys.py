"""Host keys as values: OpenSSH public key lines and known_hosts entries."""

from __future__ import annotations

import asyncssh
import pytest

from patchdesk.engine.transport import (
    HostKeyFormatError,
    format_known_hosts_line,
    known_hosts_name,
    parse_host_key,
    parse_known_hosts,
)


def _public_line(kind: str = "ssh-ed25519") -> str:
    key = asyncssh.generate_private_key(kind).convert_to_public()
    return key.export_public_key().decode().strip()


def test_parse_host_key_drops_the_comment_and_fingerprints_like_ssh_keygen() -> None:
    key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    line = key.export_public_key().decode().strip() + " root@web1"
    parsed = parse_host_key(line)
    assert parsed.algorithm == "ssh-ed25519"
    assert parsed.public_key == " ".join(line.split()[:2])
    assert parsed.fingerprint == key.get_fingerprint("sha256")
    assert parsed.fingerprint.startswith("SHA256:")


@pytest.mark.parametrize("text", ["", "ssh-ed25519", "ssh-ed25519 not-base64!", "garbage AAAA"])
def test_parse_host_key_rejects_what_is_not_a_key(text: str) -> None:
    with pytest.raises(HostKeyFormatError):
        parse_host_key(text)


def test_known_hosts_names_follow_openssh_for_ports() -> None:
    assert known_hosts_name("web1", 22) == "web1"
    assert known_hosts_name("10.0.0.5", 2222) == "[10.0.0.5]:2222"


def test_known_hosts_round_trip_and_skipped_lines() -> None:
    first, second = (
        parse_host_key(_public_line()),
        parse_host_key(_public_line("ecdsa-sha2-nistp256")),
    )
    text = "\n".join(
        [
            "# a comment",
            format_known_hosts_line("web1", 22, first),
            format_known_hosts_line("web2", 2222, second),
            "@cert-authority *.example ssh-ed25519 AAAA",
            "|1|hashed= ssh-ed25519 AAAA",
            "web3 ssh-ed25519 broken",
            "alias1,alias2 " + first.public_key,
        ]
    )
    keys = parse_known_hosts(text)
    assert keys == {
        "web1": (first,),
        "[web2]:2222": (second,),
        "alias1": (first,),
        "alias2": (first,),
    }
