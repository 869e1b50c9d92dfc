"""Who may use the workbench: users, their roles, the session cookie and CSRF tokens.

Three ways to run it, chosen by `shixian serve`:
- a users file (YAML: name, role, token per user): each person logs in with their own token;
- the API's single bearer token: whoever knows it logs in as admin, giving their name;
- no token at all (a workstation, the demo): anyone who can reach the port logs in by name, as admin.

The session is a signed cookie (HMAC-SHA256 with a key made at start, so a restart logs everyone out);
each form carries a CSRF token derived from the session, checked on every POST.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import ShixianError

ROLES = ("read", "waive", "admin")  # each role may do what the ones before it may
ROLE_ZH = {"read": "只读", "waive": "可豁免", "admin": "管理员"}
SESSION_COOKIE = "shixian_session"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class Auth:
    """The login policy and the session signer of one server process."""

    def __init__(self, token: str | None = None, users: dict[str, User] | None = None):
        self.token, self.users = token, users or {}
        self.key = secrets.token_bytes(32)

    @property
    def open(self) -> bool:
        """No token anywhere: login asks only for a name."""
        return self.token is None and not self.users

    def login(self, token: str, name: str) -> User | None:
        token = token.strip()
        for known, user in self.users.items():
            if token and hmac.compare_digest(known.encode(), token.encode()):
                return user
        name = name.strip()[:40]
        if not name:
            return None
        if self.token is not None and token and hmac.compare_digest(self.token.encode(), token.encode()):
            return User(name, "admin")
        if self.open:
            return User(name, "admin")
        return None

    # -- the session cookie --------------------------------------------------------------------------
    def _sign(self, payload: bytes) -> str:
        return hmac.new(self.key, payload, hashlib.sha256).hexdigest()

    def session_cookie(self, user: User) -> str:
        payload = json.dumps(
            {
                "n": user.name,
                "r": user.role,
                "e": int(time.time()) + SESSION_SECONDS,
                "s": secrets.token_hex(8),
            },
            ensure_ascii=False,
        ).encode()
        text = base64.urlsafe_b64encode(payload).decode()
        return f"{text}.{self._sign(payload)}"

    def user_from(self, cookie: str | None) -> User | None:
        if not cookie or "." not in cookie:
            return None
        text, signature = cookie.rsplit(".", 1)
        try:
            payload = base64.urlsafe_b64decode(text.encode())
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        data = json.loads(payload)
        if data["e"] < time.time() or data["r"] not in ROLES:
            return None
        return User(data["n"], data["r"])

    def csrf_token(self, cookie: str) -> str:
        return self._sign(b"csrf:" + cookie.encode())[:32]

    def csrf_ok(self, cookie: str | None, given: str | None) -> bool:
        return bool(cookie and given) and hmac.compare_digest(self.csrf_token(cookie), given)


def load_users(path: Path) -> dict[str, User]:
    """A users file: `users: [{name: 张三, role: waive, token: ...}, ...]`; errors name the entry."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ShixianError(f"{path}: cannot read the users file ({exc})") from None
    entries = doc.get("users") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ShixianError(f"{path}: expected 'users:' with a list of {{name, role, token}}")
    users: dict[str, User] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"{path}: users[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"name", "role", "token"}:
            raise ShixianError(f"{where}: needs exactly name, role and token")
        name, role, token = (str(entry[k]).strip() for k in ("name", "role", "token"))
        if role not in ROLES:
            raise ShixianError(f"{where}: role '{role}' is not one of {', '.join(ROLES)}")
        if len(token) < 16:
            raise ShixianError(f"{where}: token too short (at least 16 characters)")
        if token in users:
            raise ShixianError(f"{where}: the same token as {users[token].name}")
        users[token] = User(name, role)
    return users
