"""Fake secrets of 40 kinds, built at run time from a seeded generator (the repository holds no string
that looks like a live credential), and identifiers a postmortem must keep citable.

Each canary is (kind, line as it would be pasted, the secret part that must never appear in any output).
"""

from __future__ import annotations

import base64
import random

_RNG = random.Random(18)
_LOWER, _UPPER, _DIGITS = "abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"
_ALNUM = _LOWER + _UPPER + _DIGITS
_HEX = "0123456789abcdef"


def rand(length: int, alphabet: str = _ALNUM) -> str:
    """Random text with a digit and a letter in it when the alphabet has both (random tokens do)."""
    while True:
        value = "".join(_RNG.choice(alphabet) for _ in range(length))
        digit_ok = any(ch.isdigit() for ch in value) or not any(ch.isdigit() for ch in alphabet)
        alpha_ok = any(ch.isalpha() for ch in value) or not any(ch.isalpha() for ch in alphabet)
        if digit_ok and alpha_ok:
            return value


def _b64(length: int) -> str:
    return rand(length, _ALNUM + "+/")


def _key_block(label: str) -> tuple[str, str]:
    body = "\n".join(_b64(64) for _ in range(4))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----", body.split("\n")[1]


def _build() -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []

    def add(kind: str, line: str, secret: str) -> None:
        out.append((kind, line, secret))

    v = rand(36)
    add("npm-authtoken", "//registry.npmjs.org/:_auth" + "Token=npm_" + v, v)
    v = _b64(86) + "=="
    add(
        "azure-accountkey",
        "DefaultEndpointsProtocol=https;AccountName=ops;Account" + f"Key={v};EndpointSuffix=core.windows.net",
        v[:40],
    )
    v = rand(14)
    add("db-password", "DB_PASS" + f"WORD={v}", v)
    v = rand(12)
    add("postgres-password", "export POSTGRES_PASS" + f"WORD={v}", v)
    v = rand(16)
    add("json-password", '{"user": "svc", "pass' + f'word": "{v}"' + "}", v)
    v = _b64(40)
    add("aws-configure", "AWS Secret Access " + f"Key [None]: {v}", v)
    v = base64.b64encode(f"admin:{rand(12)}".encode()).decode()
    add("basic-auth-header", "Authorization: " + f"Basic {v}", v)
    v = rand(64, _HEX)
    add("slack-app-token", "xapp" + f"-1-A{rand(10, _UPPER + _DIGITS)}-{rand(13, _DIGITS)}-{v}", v)
    block, part = _key_block("PGP PRIVATE KEY BLOCK")
    add("pgp-private-key", "here is the key:\n" + block, part)
    v = "SK" + rand(32, _HEX)
    add("twilio-api-key", f"twilio key {v}", v)
    v = "SG." + rand(22) + "." + rand(43)
    add("sendgrid-api-key", f"sendgrid {v} in the env", v)
    v = "p@ss" + rand(10) + "@x"
    add("connection-string-at", f"postgresql://admin:{v}@db.internal:5432/app", v)
    v = rand(36)
    add("github-pat-classic", "token gh" + f"p_{v}", v)
    v = rand(22) + "_" + rand(59)
    add("github-pat-fine", "gith" + f"ub_pat_{v}", v)
    v = rand(20)
    add("gitlab-pat", "gl" + f"pat-{v}", v)
    v = rand(24)
    add("stripe-live", "sk_" + f"live_{v}", v)
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(('{"sub":"' + rand(10) + '"}').encode()).decode().rstrip("=")
    sig = rand(43, _ALNUM + "_-")
    add("jwt", f"jwt {header}.{payload}.{sig}", sig)
    v = rand(24)
    add("slack-bot-token", "xo" + f"xb-{rand(12, _DIGITS)}-{rand(13, _DIGITS)}-{v}", v)
    block, part = _key_block("RSA PRIVATE KEY")
    add("rsa-private-key", block, part)
    block, part = _key_block("OPENSSH PRIVATE KEY")
    add("openssh-private-key", block, part)
    v = "AK" + "IA" + rand(16, _UPPER + _DIGITS)
    add("aws-access-key-id", f"key id {v}", v)
    body = _b64(64)
    add(
        "gcp-service-account",
        '{"type": "service_account", "private_key": "-----BEGIN PRIVATE'
        + " KEY-----\\n"
        + body
        + "\\n-----END PRIVATE"
        + ' KEY-----\\n", "client_email": "x@p.iam.gserviceaccount.com"}',
        body,
    )
    v = rand(32, _HEX)
    add("datadog-api-key", "DD_API_" + f"KEY={v}", v)
    v = rand(40, _ALNUM + "._-")
    add("bearer-header", "Authorization: " + f"Bearer {v}", v)
    v = rand(24)
    add(
        "slack-webhook",
        "https://hooks.slack.com/" + f"services/T{rand(8, _UPPER + _DIGITS)}/B{rand(8, _UPPER + _DIGITS)}/{v}",
        v,
    )
    v = rand(48)
    add("openai-key", "sk" + f"-proj-{v}", v)
    v = rand(35, _ALNUM + "_-")
    add("google-api-key", "AI" + f"za{v}", v)
    v = rand(24)
    add("stripe-restricted", "rk_" + f"live_{v}", v)
    v = rand(12)
    add("mysql-url", f"mysql://app:{v}@mysql.internal/app", v)
    v = rand(8) + "@" + rand(6)
    add("mongodb-srv", f"mongodb+srv://ops:{v}@cluster0.example.net/db", v)
    v = rand(20)
    add("redis-url-no-user", f"redis://:{v}@cache.internal:6379/0", v)
    v = rand(10)
    add("password-prose", f"the admin password is {v} until rotation", v)
    v = f"{rand(9, _DIGITS)}:AA{rand(33, _ALNUM + '_-')}"
    add("telegram-bot-token", f"bot {v}", v.split(":")[1])
    v = "AgEIcHlwaS5vcmc" + rand(60)
    add("pypi-token", "py" + f"pi-{v}", v)
    v = _b64(40)
    add("aws-secret-env", "export AWS_SECRET_ACCESS" + f"_KEY={v}", v)
    v = f"{rand(8, _HEX)}-{rand(4, _HEX)}-4{rand(3, _HEX)}-a{rand(3, _HEX)}-{rand(12, _HEX)}"
    add("heroku-api-key-uuid", "HEROKU_API_" + f"KEY={v}", v)
    v = rand(32, _HEX) + "-us12"
    add("mailchimp-key", f"mailchimp {v}", v[:32])
    block, part = _key_block("EC PRIVATE KEY")
    add("ec-private-key", block, part)
    v = rand(32, _HEX)
    add("shopify-token", "shp" + f"at_{v}", v)
    v = rand(34)
    add("huggingface-token", "h" + f"f_{v}", v)
    v = rand(20)
    add("client-secret", f"client_secret: {v}", v)
    return out


CANARIES = _build()

CITABLE = [
    "rolled back to commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "short sha 3f2a9c1 deployed",
    "request id 550e8400-e29b-41d4-a716-446655440000 failed",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
    "image digest sha256:9b2d5c4e1f0a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
    "ticket INC-12345 and JIRA-778 opened",
    "started 2024-05-14T10:00:00Z, ended 2024-05-14 10:42:07+02:00",
    "deploy #847 changed db.pool.max_connections from 40 to 20",
    "the token bucket rate limiter dropped 12% of requests",
    "input_tokens: 4839",
    "primary key collision on orders_pkey",
    "customer-facing-checkout-latency-dashboard showed p99 at 2.3s",
]
