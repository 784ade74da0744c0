"""Drive the testbed by hand: ``python -m patchdesk_testing.testbed up [N] | down | status``.

``up`` leaves the hosts running (and prints how to reach them) until ``down``; ``down`` also
removes whatever a crashed run left behind.
"""

from __future__ import annotations

import argparse
import json
import sys

from patchdesk_testing.testbed import network
from patchdesk_testing.testbed.testbed import BASE_DIR, Testbed, clean_leftovers, testbed_problem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="testbed", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start N hosts (default 3) and leave them running")
    up.add_argument("count", nargs="?", type=int, default=3)
    up.add_argument("--no-apt-update", action="store_true")
    sub.add_parser("down", help="stop everything, remove leftovers")
    sub.add_parser("status", help="list namespaces and links")
    args = parser.parse_args(argv)
    if args.command == "status":
        print("namespaces:", " ".join(network.leftover_namespaces()) or "-")
        return 0
    if problem := testbed_problem():
        print(f"testbed: cannot run: {problem}", file=sys.stderr)
        return 2
    if args.command == "down":
        print("\n".join(clean_leftovers(BASE_DIR)) or "nothing to remove")
        network.bridge_down()
        return 0
    bed = Testbed()
    hosts = bed.up(args.count, apt_update=not args.no_apt_update)
    assert bed.account is not None
    print(json.dumps(bed.timings))
    for host in hosts:
        print(
            f"{host.name}: ssh -i {bed.account.key} root@{host.ip}  (deploy: key; alice: password)"
        )
    print(f"alice's password: {bed.account.alice_password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
