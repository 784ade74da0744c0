"""The project's real-host testbed: Debian bookworm servers with sshd on this machine.

See ``docs/testbed.md``. Parts: :mod:`.mirror` (the machine's Debian mirror), :mod:`.build`
(the cached mmdebstrap template), :mod:`.network` (bridge, namespaces), :mod:`.proxy` (the
allow-listed apt proxy), :mod:`.hosts` (one host), :mod:`.testbed` (all of it, with locking
and leftover removal) and :mod:`.fixtures` (pytest). ``python -m patchdesk_testing.testbed``
drives it by hand.
"""
