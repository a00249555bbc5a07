"""Canonical URLs: one spelling per page, so "new" means not seen before.

Scheme and host are lower-cased, default ports, dot segments, fragments and tracking
parameters are dropped, and the remaining query is sorted.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|_hsenc|_hsmi|igshid|"
    r"ref_src|sphrase_id|cmpid|ocid|sr_share|s_cid|__twitter_impression)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def _path(path: str) -> str:
    if not path:
        return "/"
    trailing = path.endswith("/")
    normal = posixpath.normpath(path)
    if normal.startswith("//"):
        normal = "/" + normal.lstrip("/")
    if trailing and not normal.endswith("/"):
        normal += "/"
    return quote(unquote(normal), safe="/%:@!$&'()*+,;=-._~")


def canonicalise_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL; other URLs come back unchanged."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url.strip()
    host = parts.hostname.rstrip(".").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING.match(key)
    )
    return urlunsplit((scheme, netloc, _path(parts.path), urlencode(query), ""))
