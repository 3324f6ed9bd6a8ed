"""Accounts of a shared server: users with roles, and the API tokens that prove who calls.

A token is shown once, when created; the database keeps only its SHA-256. Tokens
are 256 random bits, so a plain hash is enough (no password stretching needed)
and lookups stay one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from backend.desks import DESK_IDS, load_desk
from backend.domain import AccessToken, Role, User
from backend.errors import NotFound, Unauthenticated, ValidationFailed
from backend.service import EMAIL_PATTERN, LOGIN_PATTERN, utcnow
from backend.store import Store

TOKEN_PREFIX = "dmd_"
MAX_TOKEN_CHARS = 200
# last_used_at is informative: refreshing it at most this often keeps reads from writing.
_TOUCH_EVERY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def known_areas() -> list[str]:
    """Every support area of every desk."""
    return [area for desk in DESK_IDS for area in load_desk(desk).info.areas]


class Accounts:
    """Users and tokens of a store, for ``demandas admin`` and the server's authentication."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    def add_user(self, login: str, name: str, email: str = "", role: Role = Role.REQUESTER,
                 areas: Sequence[str] = ()) -> tuple[User, bool]:
        """Create or update a user; returns it and whether it is new (phone and cargo are kept)."""
        login = login.strip().lower()
        if not LOGIN_PATTERN.fullmatch(login):
            raise ValidationFailed(
                f"Login inválido: {login!r}. Use letras minúsculas, dígitos, ponto, hífen ou sublinhado.",
                field="login",
            )
        name = name.strip()
        if not name:
            raise ValidationFailed("Informe o nome (--name).", field="name")
        email = email.strip()
        if email and not EMAIL_PATTERN.fullmatch(email):
            raise ValidationFailed(f"E-mail inválido: {email!r}. Exemplo: nome@orgao.rs.gov.br", field="email")
        valid = known_areas()
        for area in areas:
            if area not in valid:
                raise ValidationFailed(f"Área desconhecida: {area!r}. Áreas: {', '.join(valid)}.", field="area")
        if areas and not role.is_staff:
            raise ValidationFailed("Só atendentes, gestores e administradores têm áreas.", field="area")
        old = self.store.get_user(login)
        user = User(login=login, name=name, email=email or (old.email if old else ""),
                    phone=old.phone if old else "", cargo=old.cargo if old else "", role=role,
                    areas=tuple(dict.fromkeys(areas)))
        with self.store.write() as conn:
            self.store.save_user(conn, user, self.clock())
        return user, old is None

    def users(self) -> list[User]:
        """Every user, by login."""
        return self.store.list_users()

    def create_token(self, login: str, label: str = "") -> tuple[AccessToken, str]:
        """A new token for ``login``: its public record and the secret, which is never stored."""
        login = login.strip().lower()
        if self.store.get_user(login) is None:
            raise NotFound(f"Usuário {login!r} não existe. Crie-o antes com: demandas admin users add {login} ...")
        if len(label) > 120:
            raise ValidationFailed("A descrição do token tem mais de 120 caracteres.", field="label")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.store.write() as conn:
            token_id = self.store.insert_token(conn, login, hash_token(secret), label.strip(), self.clock())
        found = self.store.get_token(token_id)
        assert found is not None
        return found, secret

    def revoke_token(self, token_id: int) -> AccessToken:
        """Revoke a token at once: the next request that carries it is refused."""
        with self.store.write() as conn:
            found = self.store.revoke_token(conn, token_id, self.clock())
        if found is None:
            raise NotFound(f"Token {token_id} não encontrado. Veja os tokens com: demandas admin tokens list")
        return found

    def tokens(self) -> list[AccessToken]:
        """Every token, revoked ones included (never the secrets)."""
        return self.store.list_tokens()

    def authenticate(self, token: str) -> User:
        """The user a bearer token belongs to; Unauthenticated when unknown or revoked."""
        user, stale = self.identify(token)
        if stale is not None:
            self.touch(stale)
        return user

    def identify(self, token: str) -> tuple[User, int | None]:
        """``authenticate`` without its write: the user, and the token's id when its last use is due a refresh.

        One indexed read, never a write, so the server can run it on its event loop
        (every request does) and leave the rare :meth:`touch` to its thread pool.
        Reads the database each time: a token revoked by another process is refused at once.
        """
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise Unauthenticated("Token de acesso inválido.", field="token")
        found = self.store.token_owner(hash_token(token))
        if found is None:
            raise Unauthenticated(
                "Token de acesso inválido ou revogado. Peça um novo a quem administra o servidor e rode "
                "`demandas login URL` de novo.",
                field="token",
            )
        token_id, user, last_used = found
        stale = last_used is None or self.clock() - last_used > _TOUCH_EVERY
        return user, token_id if stale else None

    def touch(self, token_id: int) -> None:
        """Record that the token was used now (``last_used_at`` is informative: minutes of precision)."""
        with self.store.write() as conn:
            self.store.touch_token(conn, token_id, self.clock())
