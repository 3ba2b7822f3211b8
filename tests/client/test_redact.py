"""redact: secrets leave by key, by shape and by registered value; everything else stays."""

from __future__ import annotations

from collections import namedtuple

from ledgerbridge.security.redact import REDACTED, forget_secret, redact, redact_text, register_secret


def test_token_response_json_loses_every_token_but_keeps_the_rest() -> None:
    text = ('{"id_token":"eyJ.a.b","access_token":"eyJhbGciOi.xyz.abc","expires_in":1800,'
            '"token_type":"Bearer","refresh_token":"9f8e7d6c","scope":"offline_access"}')
    out = redact_text(text)
    for secret in ("eyJ.a.b", "eyJhbGciOi.xyz.abc", "9f8e7d6c"):
        assert secret not in out
    assert '"expires_in":1800' in out and '"scope":"offline_access"' in out


def test_quickbooks_sync_tokens_stay_and_secrets_beside_them_go() -> None:
    record = '{"Invoice":{"Id":"130","SyncToken":"2","TotalAmt":120.00}}'
    assert redact_text(record) == record
    for secret in ('{"SyncToken":"0","access_token":"eyJhbGciOi.xyz.abc"}', '{"SyncToken":"0","token":"t-9f8e7d6c"}',
                   "SyncToken=1&refresh_token=RT-123456"):
        out = redact_text(secret)
        assert "eyJhbGciOi" not in out and "t-9f8e7d6c" not in out and "RT-123456" not in out and "SyncToken" in out


def test_form_bodies_and_query_strings() -> None:
    out = redact_text("grant_type=refresh_token&refresh_token=RT-123456&client_id=abc&client_secret=s3cr3t"
                      "&code=authcode99&code_verifier=verif-abc&redirect_uri=http://x/cb")
    assert "RT-123456" not in out and "s3cr3t" not in out and "authcode99" not in out and "verif-abc" not in out
    assert "client_id=abc" in out and "grant_type=refresh_token" in out


def test_authorization_headers_keep_their_scheme() -> None:
    out = redact_text("GET /Invoices\nAuthorization: Bearer eyJ0eXAi.payload.sig\nxero-tenant-id: t-1")
    assert "eyJ0eXAi" not in out and "Bearer " + REDACTED in out and "xero-tenant-id: t-1" in out
    assert "Zm9vOmJhcg" not in redact_text("Authorization: Basic Zm9vOmJhcg==")
    assert "abc" not in redact_text("X-Api-Key: abc")


def test_host_api_keys() -> None:
    assert "lb_live_9a8b7c6d5e4f" not in redact_text("key lb_live_9a8b7c6d5e4f was refused")


def test_xero_data_named_code_is_kept() -> None:
    payload = '{"Code":"200","AccountCode":"200","ItemCode":"W1","code":"oauth-code-xyz"}'
    out = redact_text(payload)
    assert '"Code":"200"' in out and '"AccountCode":"200"' in out and '"ItemCode":"W1"' in out
    assert "oauth-code-xyz" not in out


def test_a_value_cut_off_by_truncation_is_still_removed() -> None:
    assert "abcdefgh" not in redact_text('{"refresh_token": "abcdefgh')


def test_python_reprs() -> None:
    assert "s3cr3tvalue" not in redact_text(str({"client_secret": "s3cr3tvalue"}))


def test_registered_values_are_scrubbed_in_free_text() -> None:
    secret = "opaque-token-7f6e5d4c3b2a"
    assert secret in redact_text(f"failed with {secret}")
    register_secret(secret)
    try:
        assert redact_text(f"https://x/?t={secret} failed with {secret}") == \
            f"https://x/?t={REDACTED} failed with {REDACTED}"
    finally:
        forget_secret(secret)
    assert secret in redact_text(f"failed with {secret}")


def test_short_values_are_not_registered() -> None:
    register_secret("abc")
    assert redact_text("abc abc") == "abc abc"


def test_structures_keep_their_type() -> None:
    Pair = namedtuple("Pair", "a b")
    value = {"headers": [("Authorization", "Bearer x.y.z"), ("Accept", "application/json")],
             "nested": {"refresh_token": "rt", "Name": "Bearer-less name"}, "pair": Pair("x", "Bearer abcdef"),
             "raw": b'{"access_token":"at-secret"}', "n": 3, "none": None}
    out = redact(value)
    assert out["headers"][0] == ("Authorization", REDACTED)
    assert out["headers"][1] == ("Accept", "application/json")
    assert out["nested"] == {"refresh_token": REDACTED, "Name": "Bearer-less name"}
    assert isinstance(out["pair"], Pair) and out["pair"].b == "Bearer " + REDACTED
    assert isinstance(out["raw"], bytes) and b"at-secret" not in out["raw"]
    assert out["n"] == 3 and out["none"] is None
    assert value["nested"]["refresh_token"] == "rt"  # the input is not changed


def test_plain_text_is_unchanged() -> None:
    text = "Invoice INV-0001: Account code 200 is not valid for this document type."
    assert redact_text(text) == text
    assert redact(text) == text
