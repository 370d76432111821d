"""Encryption at rest for free text (answers, custom questions) with Fernet."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from couplebot.store.db import StoreError


class Cipher:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise StoreError(
                "COUPLEBOT_SECRET_KEY is not a valid key; make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`."
            ) from exc

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise StoreError(
                "Stored text cannot be decrypted with this key; is COUPLEBOT_SECRET_KEY "
                "or the key file beside the database the one it was written with?"
            ) from exc


def key_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".key")


def load_or_create_key(database: Path, configured: str | None) -> bytes:
    """The configured key, else a key file beside the DB (created owner-only on first use)."""
    if configured:
        return configured.encode("ascii")
    path = key_file_for(database)
    if path.exists():
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key
