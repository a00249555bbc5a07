"""The crawler's one exception tree. Every error carries the URL it happened on.

    FetchError(url)
    ├── RefusedAddress            netguard: a private, loopback, ... address; never sent
    ├── UnresolvableHost          the name does not resolve
    ├── DisallowedByRobots        robots.txt forbids the URL for our User-Agent
    ├── HostDeferred              robots.txt answered 5xx or not at all: skip the host this pass
    ├── RedirectError             a redirect loop, too many hops, or a non-http(s) target
    ├── TransportError            connection refused or reset, timeout (after retries)
    ├── HTTPStatusError(status)   a status that is not 2xx/304 (after retries for 408/429/5xx)
    ├── DecompressionBomb         the decoded body grew far beyond what came over the wire
    └── UnwantedContentType       an article URL that is a PDF, an image, ...

The class name and message go into `fetches.error` and `urls.last_error` as
"ClassName: message", e.g. "RefusedAddress: 127.0.0.1 is loopback and not inside ...".
"""

from __future__ import annotations


class FetchError(Exception):
    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url

    def describe(self) -> str:
        return f"{type(self).__name__}: {self}"


class RefusedAddress(FetchError):
    pass


class UnresolvableHost(FetchError):
    pass


class DisallowedByRobots(FetchError):
    pass


class HostDeferred(FetchError):
    pass


class RedirectError(FetchError):
    pass


class TransportError(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, url: str, status: int, retry_at: float | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status
        self.retry_at = retry_at


class DecompressionBomb(FetchError):
    pass


class UnwantedContentType(FetchError):
    def __init__(self, url: str, content_type: str | None) -> None:
        super().__init__(url, f"not an HTML page ({content_type or 'no Content-Type'})")
        self.content_type = content_type
        self.status: int | None = None


def describe(error: BaseException) -> str:
    """ "ClassName: message", the form errors take in the database."""
    if isinstance(error, FetchError):
        return error.describe()
    return f"{type(error).__name__}: {error}"
