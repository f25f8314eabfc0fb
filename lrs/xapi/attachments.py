"""Attachments: multipart/mixed parsing and building, hash checks, signed statements (JWS)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lrs.xapi.errors import XAPIError, bad
from lrs.xapi.jsontext import parse_json
from lrs.xapi.statements import same_statement
from lrs.xapi.validate import SIGNATURE_USAGE

JWS_HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


@dataclass(frozen=True)
class Part:
    """One body part of a multipart/mixed request."""

    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def boundary_of(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value:
            return value.strip().strip('"')
    raise XAPIError("Content-Type: multipart/mixed needs a boundary parameter", 400)


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart/mixed body into parts (headers lower-cased)."""
    delimiter = b"--" + boundary_of(content_type).encode()
    pieces = body.split(delimiter)
    if len(pieces) < 3:
        raise XAPIError("multipart body: no parts found for the declared boundary", 400)
    parts: list[Part] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        piece = piece.removeprefix(b"\r\n")
        head, sep, content = piece.partition(b"\r\n\r\n")
        if not sep:
            raise XAPIError("multipart body: a part has no blank line after its headers", 400)
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").split("\r\n"):
            if line.strip():
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers, content.removesuffix(b"\r\n")))
    if not parts:
        raise XAPIError("multipart body: no parts found", 400)
    return parts


def build_multipart(first: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed body: the JSON part, then (sha2, content type, content) parts."""
    boundary = "xapi-" + secrets.token_hex(12)
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), first, b"\r\n"]
    for sha2, content_type, content in attachments:
        chunks.append(
            f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks += [content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def collect_attachments(statements: list[dict], parts: list[Part]) -> dict[str, bytes]:
    """Match attachment parts to the statements' attachment declarations.

    Every declared attachment without ``fileUrl`` needs a part, every part must be declared,
    and each part's content must hash to its ``X-Experience-API-Hash``. Signature attachments
    are verified. Returns sha2 -> content.
    """
    contents: dict[str, bytes] = {}
    for i, part in enumerate(parts):
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise bad(f"attachment part {i + 1}", "has no X-Experience-API-Hash header")
        encoding = part.headers.get("content-transfer-encoding", "binary").lower()
        if encoding != "binary":
            raise bad(f"attachment part {i + 1}", "Content-Transfer-Encoding must be binary")
        if hashlib.new(_hash_name(sha2), part.content).hexdigest() != sha2.lower():
            raise bad(f"attachment part {i + 1}", "content does not match its X-Experience-API-Hash")
        contents[sha2.lower()] = part.content
    declared: set[str] = set()
    for s, statement in enumerate(statements):
        for a, attachment in enumerate(statement.get("attachments", [])):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            path = f"statements[{s}].attachments[{a}]"
            if sha2 not in contents:
                if "fileUrl" in attachment:
                    continue
                raise bad(path, "has no fileUrl and no matching multipart part")
            if attachment["usageType"] == SIGNATURE_USAGE:
                verify_signature(statement, attachment, contents[sha2], path)
    extra = sorted(set(contents) - declared)
    if extra:
        raise bad("attachments", f"part with hash {extra[0]} is not declared by any statement")
    return contents


def check_no_raw_attachments(statements: list[dict]) -> None:
    """Without multipart, every attachment must point to its content by fileUrl."""
    for s, statement in enumerate(statements):
        for a, attachment in enumerate(statement.get("attachments", [])):
            if "fileUrl" not in attachment:
                raise bad(f"statements[{s}].attachments[{a}]",
                          "has no fileUrl: send its content as a multipart/mixed part")


def _hash_name(sha2: str) -> str:
    return {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}.get(len(sha2), "sha256")


def _b64(segment: str, path: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        raise bad(path, "signature is not valid base64url JWS") from None


def verify_signature(statement: dict, attachment: dict, jws: bytes, path: str) -> None:
    """Check a signature attachment: RS256/384/512 JWS whose payload is this statement."""
    if attachment["contentType"] != "application/octet-stream":
        raise bad(f"{path}.contentType", "a signature attachment must be application/octet-stream")
    try:
        header_b64, payload_b64, signature_b64 = jws.decode("ascii").strip().split(".")
    except (UnicodeDecodeError, ValueError):
        raise bad(path, "signature is not a compact JWS") from None
    try:
        header = parse_json(_b64(header_b64, path), path)
        payload = parse_json(_b64(payload_b64, path), path)
    except XAPIError:
        raise bad(path, "signature header or payload is not valid JSON") from None
    if not isinstance(header, dict) or header.get("alg") not in JWS_HASHES:
        raise bad(path, "signature algorithm must be RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise bad(path, "signature payload must be the signed statement")
    unsigned = {k: v for k, v in statement.items() if k != "attachments"}
    payload.pop("attachments", None)
    if not same_statement(payload, unsigned):
        raise bad(path, "signature payload does not match the statement")
    if "x5c" in header:
        signed = f"{header_b64}.{payload_b64}".encode()
        _verify_with_certificate(header, signed, _b64(signature_b64, path), path)


def _verify_with_certificate(header: dict, signed: bytes, signature: bytes, path: str) -> None:
    try:
        chain = header["x5c"]
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
        key = certificate.public_key()
    except (KeyError, IndexError, TypeError, ValueError):
        raise bad(path, "signature x5c header does not hold a certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise bad(path, "signature certificate must hold an RSA key")
    try:
        key.verify(signature, signed, padding.PKCS1v15(), JWS_HASHES[header["alg"]]())
    except InvalidSignature:
        raise bad(path, "signature does not verify with the x5c certificate") from None
