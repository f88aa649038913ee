"""Error mapping: one class per core code, exactly `error_codes()`, with `.code/.reason/.details`."""

from __future__ import annotations

import pytest

import warden
from warden import WardenError


def test_classes_cover_exactly_error_codes() -> None:
    codes = warden.error_codes()
    subclasses = WardenError.__subclasses__()
    assert len(codes) == len(set(codes))
    assert {c.code for c in subclasses} == set(codes)
    assert len(subclasses) == len(codes)
    assert set(warden.ERROR_CLASSES) == set(codes)


def test_every_class_is_exported_and_named_after_its_code() -> None:
    for code, cls in warden.ERROR_CLASSES.items():
        assert issubclass(cls, WardenError) and issubclass(cls, Exception)
        assert getattr(warden, cls.__name__) is cls
        assert cls.__name__ in warden.__all__
        assert cls.__module__ == "warden"
        assert cls.code == code
        stem = code[: -len("_ERROR")] if code.endswith("_ERROR") else code
        assert cls.__name__ == "".join(p.capitalize() for p in stem.split("_")) + "Error"
    assert warden.InvalidTokenError.code == "INVALID_TOKEN"
    assert warden.TokenExpiredError.code == "TOKEN_EXPIRED"
    assert warden.ValidationError.code == "VALIDATION_ERROR"


SECRET = "ab" * 32


def test_invalid_token_has_reason_and_class() -> None:
    with pytest.raises(warden.InvalidTokenError) as ei:
        warden.validate_token("a.b", SECRET)
    e = ei.value
    assert isinstance(e, WardenError)
    assert e.code == "INVALID_TOKEN" and e.reason == "malformed"
    assert isinstance(e.message, str) and e.message
    assert "INVALID_TOKEN" in str(e)


def test_expired_has_details() -> None:
    tok = warden.issue_token(SECRET, "agent", "tool:a", now=1_000_000)
    with pytest.raises(warden.TokenExpiredError) as ei:
        warden.validate_token(tok, SECRET, now=2_000_000)
    assert ei.value.details == {"exp": 1_003_600, "now": 2_000_000}
    assert ei.value.reason is None


@pytest.mark.parametrize(
    ("call", "cls"),
    [
        (lambda: warden.Key.hs256_hex("00"), warden.InvalidKeyError),
        (lambda: warden.parse_scopes("Tool:a"), warden.InvalidScopeError),
        (lambda: warden.RateSpec.parse("10/hours"), warden.InvalidRateSpecError),
        (lambda: warden.issue_token(SECRET, "a", "tool:a", ttl_seconds=0), warden.ValidationError),
        (lambda: warden.session_token_from_env("bad name"), warden.ValidationError),
    ],
)
def test_error_classes(call, cls) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(cls) as ei:
        call()
    assert type(ei.value) is cls
    assert ei.value.code == cls.code


def test_not_found() -> None:
    import os

    if os.path.exists("/run/ati/session_token"):
        pytest.fail("/run/ati/session_token exists on this machine; the vectors and this test need it absent")
    with pytest.raises(warden.NotFoundError):
        warden.session_token_from_env("WARDEN_TEST_SURELY_UNSET_VAR")


def test_revoked() -> None:
    v = warden.Verifier(warden.Key.hs256_hex(SECRET), algorithms=["HS256"])
    tok = warden.issue_token(SECRET, "a", "tool:a", jti="j-1")
    v.verify(tok)
    v.revoke("j-1")
    assert v.is_revoked("j-1")
    with pytest.raises(warden.TokenRevokedError):
        v.verify(tok)
