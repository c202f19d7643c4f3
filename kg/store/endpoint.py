"""How to reach a remote SPARQL store: URLs, credentials, a timeout, and plain HTTP for updates
and the Graph Store Protocol.

Every failure of a remote (refused connection, timeout, HTTP 4xx/5xx, wrong credentials, an
answer that is not SPARQL results) becomes one :class:`RemoteError` naming the URL, what
happened and what to check.
"""

from __future__ import annotations

import http.client
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from typing import Any

from kg.errors import RemoteError

__all__ = ["DEFAULT_TIMEOUT", "Endpoint", "RemoteError"]

#: seconds a remote may take to answer one request
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Endpoint:
    """How to reach a remote store: URLs, credentials and a timeout in seconds.

    ``update_url`` defaults to the query URL, or to ``.../update`` when the query URL ends in
    ``/query`` (Oxigraph, Fuseki).

    >>> Endpoint("http://127.0.0.1:7878/query").update
    'http://127.0.0.1:7878/update'
    >>> Endpoint("http://127.0.0.1:8890/sparql").update
    'http://127.0.0.1:8890/sparql'
    """

    url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = None
    auth: str = "basic"  # or "digest" (Virtuoso's /sparql-auth)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("url", "update_url", "gsp_url"):
            value = getattr(self, name)
            if value is not None and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
                flag = {
                    "url": "--endpoint",
                    "update_url": "--update-endpoint",
                    "gsp_url": "--gsp-endpoint",
                }[name]
                raise RemoteError(
                    f"{flag} {value!r} is not an http(s) URL (expected e.g. "
                    "http://127.0.0.1:7878/query)"
                )
        if self.auth not in ("basic", "digest"):
            raise RemoteError(f"unknown authentication {self.auth!r}; expected basic or digest")
        if self.timeout <= 0:
            raise RemoteError(f"timeout must be positive, not {self.timeout}")

    @property
    def update(self) -> str:
        if self.update_url:
            return self.update_url
        if self.url.rstrip("/").endswith("/query"):
            return self.url.rstrip("/")[: -len("query")] + "update"
        return self.url

    def with_timeout(self, timeout: float) -> Endpoint:
        return replace(self, timeout=timeout)

    # -- plain HTTP, for updates and the Graph Store Protocol --------------------------------

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.user and self.password and self.auth == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.url, self.update, self.gsp_url):
                if url:
                    manager.add_password(None, url, self.user, self.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        return urllib.request.build_opener(*handlers)

    def request(
        self,
        url: str,
        *,
        method: str = "POST",
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        what: str = "request",
    ) -> bytes:
        """Send one HTTP request and return the body; any failure is a :class:`RemoteError`."""
        req = urllib.request.Request(url, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        if accept:
            req.add_header("Accept", accept)
        if self.user and self.password and self.auth == "basic":
            import base64

            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with self._opener().open(req, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            raise self.http_error(
                url, exc.code, exc.reason, _read(exc), exc.headers, what
            ) from None
        except Exception as exc:  # noqa: BLE001 - mapped to one clear message below
            raise self.transport_error(url, exc, what) from None

    def update_request(self, text: str, what: str = "update") -> None:
        """POST a SPARQL 1.1 Update (``application/sparql-update``)."""
        self.request(
            self.update,
            data=text.encode("utf-8"),
            content_type="application/sparql-update",
            what=what,
        )

    # -- error messages ----------------------------------------------------------------------

    def transport_error(self, url: str, exc: BaseException, what: str) -> RemoteError:
        reason = getattr(exc, "reason", None)
        if isinstance(exc, (TimeoutError, socket.timeout)) or isinstance(
            reason, (TimeoutError, socket.timeout)
        ):
            return RemoteError(
                f"{what} to {url}: no answer within {self.timeout:g} s "
                "(the server is slow or stuck; raise --timeout if it is only "
                "slow)"
            )
        if isinstance(reason, ConnectionRefusedError) or isinstance(exc, ConnectionRefusedError):
            return RemoteError(
                f"{what} to {url}: connection refused (is the server running "
                "and listening on that host and port?)"
            )
        if isinstance(
            exc,
            (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.IncompleteRead,
            ),
        ) or isinstance(reason, (ConnectionResetError, BrokenPipeError)):
            return RemoteError(
                f"{what} to {url}: the server closed the connection before "
                "answering (did it stop or crash?)"
            )
        if isinstance(exc, urllib.error.URLError):
            return RemoteError(f"{what} to {url}: cannot connect ({exc.reason})")
        return RemoteError(f"{what} to {url} failed: {type(exc).__name__}: {str(exc)[:200]}")

    def http_error(
        self, url: str, code: int, reason: str, body: str, headers: Any, what: str
    ) -> RemoteError:
        detail = _first_lines(body)
        text = f"{what} to {url}: HTTP {code} {reason}"
        if code in (401, 403):
            challenge = str((headers or {}).get("WWW-Authenticate", "") or "")
            hint = (
                "wrong or missing credentials: give --user and --password (or the "
                "DMKG_USER and DMKG_PASSWORD environment variables)"
            )
            if self.auth != "digest" and not challenge.lower().startswith("basic"):
                hint += (
                    "; the server did not ask for Basic authentication: if it takes Digest "
                    "(as Virtuoso's /sparql-auth does), add --auth digest"
                )
            if code == 403:
                hint = (
                    "the account may not do this (for updates on Virtuoso, grant "
                    "SPARQL_UPDATE or use /sparql-auth with an account that may update)"
                )
            return RemoteError(f"{text}: {hint}")
        if code == 404:
            return RemoteError(
                f"{text}: no SPARQL service at this URL (Oxigraph: /query and "
                "/update; Fuseki: /DATASET/query; Virtuoso: /sparql; GraphDB: "
                "/repositories/REPO)"
            )
        if code in (405, 415):
            return RemoteError(
                f"{text}: this URL does not take this kind of request; is it the "
                f"right endpoint for a {what}? {detail}".rstrip()
            )
        if "permission" in detail.lower():  # Virtuoso answers 500 "SR186: No permission"
            return RemoteError(
                f"{text}: the account may not do this (for updates on Virtuoso, "
                "use /sparql-auth with --auth digest and an account that may "
                f"update, or grant SPARQL_UPDATE): {detail}"
            )
        if 400 <= code < 500:
            return RemoteError(f"{text}: the server refused the request: {detail}")
        return RemoteError(f"{text}: server error: {detail}")


def _read(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - a body we cannot read adds nothing to the message
        return ""


def _wrapper_body(exc: BaseException) -> str:
    """The response body a SPARQLWrapper exception carries in its message (as a repr)."""
    import ast

    _, found, tail = str(exc).partition("Response:\n")
    if not found:
        return ""
    try:
        body = ast.literal_eval(tail.strip())
    except (ValueError, SyntaxError):
        return tail
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _first_lines(body: str | bytes, limit: int = 300) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", " ", body)  # HTML error pages
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")
