"""An https callback connects to the checked address, and TLS still checks the host name."""

import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.webhooks.httpx_sender import HttpxWebhookSender
from application.webhooks.ports import WebhookMessage
from domain.callback_hosts import CallbackAllowList
from tests.support.webhook_receiver import WEBHOOK_SECRET


def certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{name}.pem", directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def tls_receiver(cert_file: Path, key_file: Path) -> Iterator[tuple[int, list[str]]]:
    """An https receiver on 127.0.0.1 answering 204; yields its port and the SNI names seen."""
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    def seen(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
        names.append(str(name))

    context.sni_callback = seen

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], names
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sender(trusted: Path) -> HttpxWebhookSender:
    async def resolve(host: str, port: int) -> list[str]:
        assert host == "hooks.test"
        return ["127.0.0.1"]

    return HttpxWebhookSender(
        secret=WEBHOOK_SECRET,
        allow_list=CallbackAllowList.parse(["hooks.test", "127.0.0.1"]),
        timeout=timedelta(seconds=5),
        user_agent="reportgen/test",
        resolver=resolve,
        ssl_context=ssl.create_default_context(cafile=str(trusted)),
    )


def message(port: int) -> WebhookMessage:
    now = datetime.datetime.now(UTC)
    return WebhookMessage(f"https://hooks.test:{port}/done", "msg_1", now, b"{}")


async def test_the_checked_address_is_reached_with_the_host_name_for_tls(tmp_path: Path) -> None:
    cert_file, key_file = certificate(tmp_path, "hooks.test")
    with tls_receiver(cert_file, key_file) as (port, names):
        result = await sender(cert_file).send(message(port))
    assert result.status_code == 204, result
    assert names == ["hooks.test"]


async def test_a_certificate_for_another_name_is_refused(tmp_path: Path) -> None:
    cert_file, key_file = certificate(tmp_path, "other.test")
    with tls_receiver(cert_file, key_file) as (port, _):
        result = await sender(cert_file).send(message(port))
    assert result.status_code is None
    assert result.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in result.error, result.error
