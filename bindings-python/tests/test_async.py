"""Async glue: `KeySet.fetch` on the core runtime, awaited from asyncio."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest

import warden
from warden import Key, KeySet, Verifier

from jwks_server import JwksServer

NOW = 1_780_000_000


@pytest.fixture()
def server():  # type: ignore[no-untyped-def]
    k = Key.generate_ed25519("k1")
    with JwksServer(KeySet([k]).to_public_jwks()) as s:
        s.key = k  # type: ignore[attr-defined]
        yield s


async def test_fetch_and_verify(server) -> None:  # type: ignore[no-untyped-def]
    aw = KeySet.fetch(server.url(), ttl_seconds=60)
    assert inspect.isawaitable(aw)
    ks = await aw
    assert isinstance(ks, KeySet) and len(ks) == 1 and ks.url == server.url()
    tok = warden.issue_token(server.key, {"sub": "a", "aud": "ati-proxy", "exp": NOW + 10, "scope": "tool:a"}, now=NOW)
    assert Verifier(ks, algorithms=["EdDSA"], now=NOW).verify(tok).sub == "a"
    await ks.refresh()
    assert server.hits >= 2


async def test_fetch_many_concurrently(server) -> None:  # type: ignore[no-untyped-def]
    sets = await asyncio.gather(*(KeySet.fetch(server.url()) for _ in range(20)))
    assert all(len(s) == 1 for s in sets)


async def test_fetch_errors(server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(warden.NetworkError) as ei:
        await KeySet.fetch(server.url("/missing"))
    assert ei.value.details == {"status": 404}
    with pytest.raises(warden.ValidationError):
        await KeySet.fetch("http://example.invalid/jwks")  # plain http only to loopback
    with pytest.raises(warden.ValidationError):
        await KeySet.fetch(server.url(), ttl_seconds=0)
    with pytest.raises(warden.ValidationError):
        await KeySet.fetch(server.url(), ttl_seconds=-5)
    with pytest.raises(warden.ValidationError):
        await KeySet.fetch(None)  # type: ignore[arg-type]
    with pytest.raises(warden.ValidationError):
        await KeySet([Key.generate_ed25519()]).refresh()


async def test_cancel(server) -> None:  # type: ignore[no-untyped-def]
    t = asyncio.ensure_future(KeySet.fetch(server.url("/slow")))
    await asyncio.sleep(0.05)
    t.cancel()
    with pytest.raises(asyncio.CancelledError):
        await t


def test_fetch_outside_event_loop_is_typed() -> None:
    with pytest.raises(warden.ValidationError):
        KeySet.fetch("https://example.invalid/jwks")


def test_jwks_document_roundtrip() -> None:
    ks = KeySet([Key.generate_es256("e")])
    assert json.loads(ks.to_public_jwks())["keys"][0]["crv"] == "P-256"
