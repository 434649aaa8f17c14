"""The development identity provider's signing key and certificate.

Sweden Connect signs its SAML responses with a key whose certificate the portal has from the
federation's metadata. The stand-in does the same with an RSA key and a self-signed certificate
of its own, made once in a directory (by default `var/devidp/` in the project, which git ignores)
and reused, so that a portal configured with the certificate keeps trusting the identity provider
across restarts. Tests make a throwaway pair of their own to sign a response with the wrong key.
"""

from __future__ import annotations

import base64
import datetime
import os
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

DEFAULT_KEY_DIR = Path(__file__).resolve().parent.parent / "var" / "devidp"
KEY_FILE_NAME = "idp-key.pem"
CERT_FILE_NAME = "idp-cert.pem"
COMMON_NAME = "Samverkansportalen devidp (endast utveckling)"

# Two threads (a test's live server and the test itself) may ask for the pair at the same time.
_lock = threading.Lock()


def _resolve(key_dir: str | os.PathLike[str] | None) -> Path:
    return Path(key_dir) if key_dir is not None else DEFAULT_KEY_DIR


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write to a temporary file beside `path` and rename it over, so no reader sees half a file."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _new_key_and_cert(common_name: str) -> tuple[bytes, bytes]:
    """A fresh 2048-bit RSA key and a self-signed certificate for it, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # A day back, so that a clock a little behind does not find it not yet valid.
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def _make_pair(directory: Path, common_name: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / KEY_FILE_NAME
    cert_path = directory / CERT_FILE_NAME
    key_pem, cert_pem = _new_key_and_cert(common_name)
    _write_atomically(key_path, key_pem, 0o600)
    _write_atomically(cert_path, cert_pem, 0o644)
    return key_path, cert_path


def idp_key_pair(key_dir: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """(key_pem_path, cert_pem_path) of the identity provider, made on first use.

    `key_dir` defaults to `var/devidp/` in the project; it is created if missing. A directory that
    has only one of the two files gets a new pair (a certificate without its key is no use).
    """
    directory = _resolve(key_dir)
    key_path = directory / KEY_FILE_NAME
    cert_path = directory / CERT_FILE_NAME
    with _lock:
        if not (key_path.is_file() and cert_path.is_file()):
            _make_pair(directory, COMMON_NAME)
    return key_path, cert_path


def cert_base64(cert_path: str | os.PathLike[str]) -> str:
    """The DER certificate in `cert_path` as one line of base64, without the PEM armour."""
    cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def idp_cert_base64(key_dir: str | os.PathLike[str] | None = None) -> str:
    """The identity provider's certificate as the service provider's `x509cert` setting takes it."""
    return cert_base64(idp_key_pair(key_dir)[1])


def throwaway_key_pair(directory: str | os.PathLike[str]) -> tuple[Path, Path]:
    """A new key and certificate in `directory`, unrelated to the identity provider's own.

    For tests: a response signed with it must be refused by a portal that trusts the real one.
    """
    return _make_pair(Path(directory), "Obehörig testnyckel")
