"""A real SAML IdP for the browser tests: Debian's SimpleSAMLphp 1.19 (`simplesamlphp`, with
`php-xml`; .ci/run installs both), served by `php -S 127.0.0.1:<port>` from a configuration
written from scratch into a temporary directory.

Its users sign in on its own login form (exampleauth:UserPass); it signs the response and
the assertion with RSA-SHA256 and sends the `email` attribute as the NameID (emailAddress).
Pitfalls worth knowing: Debian's own config disables exampleauth and wants secure cookies
(useless over http), and SimpleSAMLphp answers its errors with HTTP 200 pages, so readiness
is judged by the metadata's content type.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.sso.saml_idp import key_and_certificate
from tests.support import require_service

WWW = Path("/usr/share/simplesamlphp/www")


@dataclass(frozen=True)
class User:
    username: str
    password: str
    email: str
    given_name: str = ""
    family_name: str = ""


def _php(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimpleSAMLphp:
    """One running IdP. `sps` maps each SP entity ID to its ACS URL."""

    def __init__(self, *, sps: dict[str, str], users: list[User]) -> None:
        require_service(
            "SimpleSAMLphp",
            shutil.which("php") is not None and WWW.is_dir(),
            "apt-get install simplesamlphp php-xml",
        )
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.entity_id = f"{self.base}saml2/idp/metadata.php"
        self.metadata_url = self.entity_id
        self.sso_url = f"{self.base}saml2/idp/SSOService.php"
        self.root = Path(tempfile.mkdtemp(prefix="kisiscim-ssp-"))
        self._write(sps, users)
        self._log = (self.root / "php-server.log").open("w")
        self.process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(WWW)],
            env=dict(os.environ, SIMPLESAMLPHP_CONFIG_DIR=str(self.root)),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop exactly what was started
        )
        self._wait()

    def idp_initiated_url(self, sp_entity_id: str, relay_state: str = "") -> str:
        from urllib.parse import urlencode

        query = {"spentityid": sp_entity_id} | ({"RelayState": relay_state} if relay_state else {})
        return f"{self.sso_url}?{urlencode(query)}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        path = self.root / "log" / "simplesamlphp.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def _wait(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.metadata_url, timeout=2) as response:  # noqa: S310
                    if response.headers.get("Content-Type", "").startswith(
                        "application/samlmetadata+xml"
                    ):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"SimpleSAMLphp did not start on {self.base}")

    def _write(self, sps: dict[str, str], users: list[User]) -> None:
        dirs = {
            name: self.root / name
            for name in ("metadata", "cert", "log", "data", "tmp", "sessions")
        }
        for path in dirs.values():
            path.mkdir()
        key, cert = key_and_certificate("SimpleSAMLphp test IdP")
        (dirs["cert"] / "idp.key").write_bytes(key)
        (dirs["cert"] / "idp.crt").write_bytes(cert)
        (self.root / "config.php").write_text(
            f"""<?php
$config = [
    'baseurlpath' => {_php(self.base)},
    'certdir' => {_php(str(dirs["cert"]) + "/")},
    'loggingdir' => {_php(str(dirs["log"]) + "/")},
    'datadir' => {_php(str(dirs["data"]) + "/")},
    'tempdir' => {_php(str(dirs["tmp"]))},
    'metadatadir' => {_php(str(dirs["metadata"]) + "/")},
    'metadata.sources' => [['type' => 'flatfile']],
    'secretsalt' => 'kisiscim-test-salt-not-a-secret',
    'auth.adminpassword' => 'not-used-in-tests',
    'admin.protectindexpage' => false,
    'admin.protectmetadata' => false,
    'technicalcontact_name' => 'Tests',
    'technicalcontact_email' => 'tests@example.com',
    'timezone' => 'UTC',
    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    // Debian's own config.php turns exampleauth off.
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.cookiename' => 'SimpleSAML',
    'session.phpsession.savepath' => {_php(str(dirs["sessions"]))},
    'session.phpsession.httponly' => true,
    // Plain http on loopback: Debian's default (secure cookies) would refuse every login.
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.duration' => 3600,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.level' => SimpleSAML\\Logger::INFO,
    'showerrors' => true,
    'errorreporting' => false,
    'trusted.url.domains' => ['127.0.0.1', 'localhost'],
];
"""
        )
        entries = "".join(
            f"""        {_php(u.username + ":" + u.password)} => [
            'uid' => [{_php(u.username)}],
            'email' => [{_php(u.email)}],
            'givenName' => [{_php(u.given_name)}],
            'sn' => [{_php(u.family_name)}],
        ],
"""
            for u in users
        )
        (self.root / "authsources.php").write_text(
            f"""<?php
$config = [
    'example-userpass' => [
        'exampleauth:UserPass',
{entries}    ],
];
"""
        )
        (dirs["metadata"] / "saml20-idp-hosted.php").write_text(
            f"""<?php
$metadata[{_php(self.entity_id)}] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    'simplesaml.nameidattribute' => 'email',
    'assertion.lifetime' => 300,
];
"""
        )
        remotes = "".join(
            f"""$metadata[{_php(entity_id)}] = [
    'AssertionConsumerService' => [
        [
            'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
            'Location' => {_php(acs)},
            'index' => 0,
        ],
    ],
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    'simplesaml.nameidattribute' => 'email',
    'simplesaml.attributes' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
];
"""
            for entity_id, acs in sps.items()
        )
        (dirs["metadata"] / "saml20-sp-remote.php").write_text("<?php\n" + remotes)
