"""One HTTP exchange with an address already checked, over httpx.

The request goes to the checked address (unless a proxy is configured, which then does
the connecting), with the Host header and TLS SNI keeping the name. The body is streamed
and cut at `max_bytes` of decoded bytes, which also stops decompression bombs. Clients
are kept per host for the whole pass, so connections are reused and the CA bundle is
loaded once.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawler.errors import DecompressionBomb, TransportError, UnwantedContentType

BOMB_RATIO = 100  # decoded bytes per byte on the wire beyond which a body is a bomb
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")

Accept = Callable[[str | None], bool]


def _remember_missing_sniffio() -> None:
    """Make httpcore's `import sniffio`, tried for every lock it creates, fail at once.

    Without sniffio installed each try searches every sys.path entry again, which cost
    about half a millisecond per request; a None entry in sys.modules makes that import
    raise ImportError immediately (Python's documented way to block an import), and
    httpcore then assumes asyncio, as it does after the slow failure.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_remember_missing_sniffio()


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


@dataclass
class Page:
    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    truncated: bool = False

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Transport:
    def __init__(self, timeout: float, max_bytes: int) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._tls: ssl.SSLContext | None = None
        self._pin_addresses = not any(os.environ.get(name) for name in PROXY_VARIABLES)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def send(
        self,
        url: str,
        parts: httpx.URL,
        address: str,
        headers: dict[str, str],
        accept: Accept | None = None,
        max_bytes: int | None = None,
    ) -> Page:
        """GET `url` (parsed: `parts`) from `address`.

        Any status is a Page; a failed exchange is TransportError.
        """
        request = self._request(parts, address, headers)
        client = self._client_for(host_key(url))
        try:
            async with asyncio.timeout(self.timeout):
                response = await client.send(request, stream=True)
                try:
                    return await self._read(url, response, accept, max_bytes)
                finally:
                    await response.aclose()
        except TimeoutError as error:
            raise TransportError(url, f"timed out after {self.timeout:g}s") from error
        except httpx.HTTPError as error:
            raise TransportError(url, f"{type(error).__name__}: {error}") from error

    def _request(self, url: httpx.URL, address: str, headers: dict[str, str]) -> httpx.Request:
        extensions: dict[str, Any] = {}
        target = url
        if self._pin_addresses:
            # Connect to the address we checked; the Host header and SNI keep the name.
            target = url.copy_with(host=address)
            headers = {**headers, "Host": url.netloc.decode("ascii")}
            if url.scheme == "https":
                extensions["sni_hostname"] = url.host
        return httpx.Request("GET", target, headers=headers, extensions=extensions)

    def _client_for(self, key: str) -> httpx.AsyncClient:
        # One client per host: pooled connections then never mix names behind one address.
        if key not in self._clients:
            self._clients[key] = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
                trust_env=True,
                verify=self._tls_context(),
            )
        return self._clients[key]

    def _tls_context(self) -> ssl.SSLContext:
        # Loading the CA bundle takes tens of milliseconds: once per pass, not per host.
        if self._tls is None:
            self._tls = httpx.create_ssl_context(trust_env=True)
        return self._tls

    async def _read(
        self, url: str, response: httpx.Response, accept: Accept | None, max_bytes: int | None
    ) -> Page:
        page = Page(url, url, response.status_code, response.headers)
        if not 200 <= response.status_code < 300:
            return page
        if accept is not None and not accept(page.content_type):
            error = UnwantedContentType(url, page.content_type)
            error.status = response.status_code
            raise error
        limit = max_bytes or self.max_bytes
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                _check_bomb(url, size, response.num_bytes_downloaded)
                page.truncated = True
                break
        page.body = b"".join(chunks)[:limit]
        return page


def _check_bomb(url: str, decoded: int, on_wire: int) -> None:
    if decoded > BOMB_RATIO * max(on_wire, 1):
        raise DecompressionBomb(
            url, f"{on_wire} bytes on the wire decoded to over {decoded} bytes; stopped"
        )
