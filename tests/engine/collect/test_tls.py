"""TLS passphrases (R13) from real Apache and nginx configuration on a testbed host."""

from __future__ import annotations

import shlex

from engine.collect.support import output, recording
from patchdesk.engine.collect import commands
from patchdesk.engine.collect.tls import (
    build_tls_services,
    key_paths_to_check,
    parse_tls_config,
    parse_tls_key_states,
)
from patchdesk.engine.model.inventory import TlsKey, TlsService, WebServer

NAME = "debian12-scenarios-deploy-sudo"
APACHE_KEY = "/etc/ssl/pdtest/apache.key"
NGINX_KEY = "/etc/nginx/pdtest/nginx.key"


def test_real_apache_with_an_encrypted_key_needs_a_passphrase_nginx_with_a_file_does_not() -> None:
    directives, rejections = parse_tls_config(output(NAME, commands.TLS_CONFIG))
    assert rejections.count == 0
    paths = key_paths_to_check(directives)
    assert paths == [APACHE_KEY, NGINX_KEY]  # nginx's relative path resolved under /etc/nginx
    check = commands.tls_key_check(paths)
    entry = next(c for c in recording(NAME).commands if c.command == check)
    assert entry.as_root
    states, rejections = parse_tls_key_states(entry.stdout, paths)
    assert states == {APACHE_KEY: "encrypted", NGINX_KEY: "encrypted"}
    services, skipped = build_tls_services(directives, states)
    assert skipped == []
    assert services == (
        TlsService(
            server=WebServer.APACHE,
            service="apache2",
            passphrase_source="exec:/usr/share/apache2/ask-for-passphrase",
            keys=(
                TlsKey(
                    path=APACHE_KEY,
                    config_file="/etc/apache2/sites-enabled/pdtest-ssl.conf",
                    line=5,
                    is_encrypted=True,
                ),
            ),
            needs_passphrase=True,
        ),
        TlsService(
            server=WebServer.NGINX,
            service="nginx",
            passphrase_source="ssl_password_file:/etc/nginx/pdtest/pass",
            keys=(
                TlsKey(
                    path=NGINX_KEY,
                    config_file="/etc/nginx/conf.d/pdtest-ssl.conf",
                    line=4,
                    is_encrypted=True,
                ),
            ),
            needs_passphrase=False,
        ),
    )
    assert services[0].has_encrypted_key


def test_the_key_never_leaves_the_host_only_its_state() -> None:
    script = commands.tls_key_check(["/etc/ssl/a.key"])
    assert "cat " not in script
    assert 'printf \'%s\\t%s\\n\' "$s" "$f"' in script


def test_hostile_key_paths_are_quoted_never_executed() -> None:
    data = b"/etc/nginx/conf.d/x.conf:3:  ssl_certificate_key /tmp/x$(reboot)';touch /tmp/p;\n"
    directives, _ = parse_tls_config(data)
    assert key_paths_to_check(directives) == []  # a "$" makes the path unknowable statically
    paths = ["/etc/ssl/a b.key", "/etc/ssl/it's;touch /tmp/p.key"]
    script = commands.tls_key_check(paths)
    loop_words = script.split("for f in ", 1)[1].split("; do", 1)[0]
    assert shlex.split(loop_words) == paths  # each path is one quoted word, never code


def test_apache_builtin_dialog_plain_keys_variables_and_combined_pem() -> None:
    data = (
        b"/etc/httpd/conf.d/ssl.conf:18:"
        b"SSLPassPhraseDialog exec:/usr/libexec/httpd-ssl-pass-dialog\n"
        b"/etc/httpd/conf.d/a.conf:5:  SSLCertificateKeyFile /etc/pki/tls/private/a.key\n"
        b"/etc/httpd/conf.d/b.conf:3:  SSLCertificateFile /etc/pki/tls/certs/combined.pem\n"
        b"/etc/httpd/conf.d/c.conf:3:  SSLCertificateKeyFile ${SSL_DIR}/c.key\n"
        b"/etc/apache2/sites-enabled/d.conf:4:  SSLCertificateKeyFile ssl/d.key\n"
        b"/somewhere/else.conf:1:  SSLCertificateKeyFile /x\n"
    )
    directives, rejections = parse_tls_config(data)
    assert rejections.count == 1
    paths = key_paths_to_check(directives)
    assert paths == [
        "/etc/pki/tls/private/a.key",
        "/etc/pki/tls/certs/combined.pem",
        "/etc/apache2/ssl/d.key",
    ]
    states = {paths[0]: "plain", paths[1]: "encrypted", paths[2]: "encrypted"}
    services, skipped = build_tls_services(directives, states)
    httpd, apache2 = services
    assert httpd.service == "httpd"
    assert not httpd.needs_passphrase  # a program supplies the passphrase
    assert [k.path for k in httpd.keys] == paths[:2]
    assert apache2.needs_passphrase  # builtin dialog by default
    assert skipped == ["/etc/httpd/conf.d/c.conf:3"]


def test_without_privileges_encryption_is_unknown() -> None:
    directives, _ = parse_tls_config(
        b"/etc/nginx/sites-enabled/default:20:\tssl_certificate_key /etc/ssl/k.pem;\n"
    )
    services, _ = build_tls_services(directives, None)
    assert services[0].keys[0].is_encrypted is None
    assert services[0].passphrase_source == "prompt"
    assert not services[0].needs_passphrase


def test_key_states_only_for_requested_paths() -> None:
    states, rejections = parse_tls_key_states(
        b"encrypted\t/a.key\nplain\t/b.key\nweird\t/a.key\nencrypted\t/not-asked\n",
        ["/a.key", "/b.key"],
    )
    assert states == {"/a.key": "encrypted", "/b.key": "plain"}
    assert rejections.count == 2
