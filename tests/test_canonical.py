"""Canonical URLs: one spelling per page."""

from __future__ import annotations

import pytest

from pipelines.canonical import canonicalise_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=abc&gclid=d", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/2025/12/slug/", "https://example.com/2025/12/slug/"),
        ("https://example.com./a", "https://example.com/a"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
    ],
    ids=[
        "host-case",
        "default-http-port",
        "default-https-port",
        "other-port",
        "dot-segments",
        "fragment",
        "utm",
        "click-ids",
        "sorted-query",
        "empty-path",
        "trailing-slash-kept",
        "trailing-dot-host",
        "not-http",
    ],
)
def test_canonical_forms(url: str, canonical: str) -> None:
    assert canonicalise_url(url) == canonical
    assert canonicalise_url(canonical) == canonical
