"""Where the client keeps a server's access token: the OS keyring, or a clear fallback.

Order when reading: ``DEMANDAS_TOKEN`` (the environment), then the fallback file
``config_dir()/token-<host>``, then the keyring (service ``demandas``, username =
the server URL). Headless servers reached over SSH usually have no keyring (it
raises ``NoKeyringError`` even on reads); there the token goes to the file,
created readable by its owner only (0600) — and a file that others can read is
refused, never used. The file exists only when the last login found no keyring
(a login that stores in the keyring removes it), so it is read first: looking
for a keyring costs ~150 ms at every start (issue #7), and a keyring that came
back later may hold an older token.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from backend.errors import DemandasError
from tui.config import config_dir

SERVICE_NAME = "demandas"
ENV_TOKEN = "DEMANDAS_TOKEN"

FALLBACK_WARNING = (
    "Atenção: não há chaveiro do sistema (keyring) disponível nesta máquina. O token foi salvo em {path}, "
    "legível só por você (permissões 0600). Quem tiver acesso à sua conta (ou for root) pode lê-lo; "
    "se preferir, apague-o com `demandas logout` e exporte DEMANDAS_TOKEN só na sua sessão."
)


class InsecureTokenFile(DemandasError):
    """The fallback token file can be read by other users (or is not the user's): refused."""

    code = "token_inseguro"
    http_status = 400


@dataclass(frozen=True, slots=True)
class SavedToken:
    """Where ``save_token`` put the token: the keyring, or the fallback file (``path``)."""

    in_keyring: bool
    path: Path | None = None

    @property
    def warning(self) -> str | None:
        """The pt-BR warning to show when the token went to the fallback file."""
        return FALLBACK_WARNING.format(path=self.path) if self.path else None


def token_file(url: str) -> Path:
    """The fallback file of a server: ``token-<host>`` (``-<port>`` added when the URL names one)."""
    match = re.match(r"^[a-z][a-z0-9+.-]*://(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?", url.strip(), re.IGNORECASE)
    host, port = (match.group(1), match.group(2)) if match else (url, None)
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", host.strip("[]").lower()) or "servidor"
    return config_dir() / (f"token-{slug}-{port}" if port else f"token-{slug}")


def _keyring_get(url: str) -> str | None:
    import keyring

    try:
        return keyring.get_password(SERVICE_NAME, url)
    except Exception:  # NoKeyringError, a locked or broken backend: the next source is tried
        return None


def load_token(url: str) -> str | None:
    """The token for ``url``: environment, the fallback file, then the keyring (None when none has one)."""
    from_env = os.environ.get(ENV_TOKEN, "").strip()
    if from_env:
        return from_env
    return read_token_file(token_file(url)) or _keyring_get(url)


def read_token_file(path: Path) -> str | None:
    """The token in a fallback file; InsecureTokenFile when group or others could read it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InsecureTokenFile(f"Não foi possível abrir o arquivo de token {path} ({exc.strerror or exc}); "
                                "ele não pode ser um link simbólico. Rode `demandas login URL` de novo.") from exc
    with os.fdopen(fd, "r", encoding="utf-8") as handle:
        info = os.fstat(handle.fileno())
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise InsecureTokenFile(
                f"O arquivo de token {path} pode ser lido por outros usuários (permissões {mode:04o}); por "
                f"segurança ele foi recusado. Corrija com `chmod 600 {path}` ou rode `demandas login URL` de novo."
            )
        if info.st_uid != os.getuid():
            raise InsecureTokenFile(f"O arquivo de token {path} pertence a outro usuário; por segurança ele foi "
                                    "recusado. Rode `demandas login URL` de novo.")
        token = handle.read().strip()
    return token or None


def write_token_file(path: Path, token: str) -> None:
    """Write the token to ``path``, readable by the owner only from the first byte on."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    # O_EXCL: never write through a file (or link) someone else prepared; 0600 from creation on.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_token(url: str, token: str) -> SavedToken:
    """Keep the token in the keyring; where there is none, in the fallback file (see ``warning``)."""
    import keyring

    try:
        keyring.set_password(SERVICE_NAME, url, token)
    except Exception:  # no usable keyring: the file, with a warning
        path = token_file(url)
        write_token_file(path, token)
        return SavedToken(in_keyring=False, path=path)
    # A stale fallback file from an earlier login must not outlive the new token.
    token_file(url).unlink(missing_ok=True)
    return SavedToken(in_keyring=True)


def delete_token(url: str) -> list[str]:
    """Remove the token from the keyring and the fallback file; says (pt-BR) what was removed."""
    import keyring

    removed: list[str] = []
    try:
        if keyring.get_password(SERVICE_NAME, url) is not None:
            keyring.delete_password(SERVICE_NAME, url)
            removed.append("chaveiro do sistema")
    except Exception:  # no keyring, or nothing in it
        pass
    path = token_file(url)
    if path.exists() or path.is_symlink():
        path.unlink()
        removed.append(str(path))
    return removed
