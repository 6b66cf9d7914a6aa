"""agent_desktop/resources/openapi.json is the published contract: it must match what the server serves."""

from __future__ import annotations

import json
from pathlib import Path

from agent_desktop.server.app import render_openapi

COMMITTED = Path(__file__).resolve().parents[2] / "agent_desktop" / "resources" / "openapi.json"


def test_committed_openapi_document_is_current() -> None:
    assert COMMITTED.exists(), "run: python -m agent_desktop.server --write-openapi agent_desktop/resources/openapi.json"
    assert COMMITTED.read_text(encoding="utf-8") == render_openapi(), (
        "agent_desktop/resources/openapi.json is stale; regenerate it with "
        "python -m agent_desktop.server --write-openapi agent_desktop/resources/openapi.json"
    )


def test_document_covers_the_contract() -> None:
    document = json.loads(render_openapi())
    paths = document["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/changes", "/api/v1/conversations/{conversation_id}",
                 "/api/v1/conversations/{conversation_id}/messages", "/api/v1/inbound", "/healthz"):
        assert path in paths
    post = paths["/api/v1/conversations/{conversation_id}/messages"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    patch = paths["/api/v1/conversations/{conversation_id}"]["patch"]
    assert "412" in patch["responses"] and any(p["name"] == "If-Match" for p in patch["parameters"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_document_covers_files_and_html() -> None:
    document = json.loads(render_openapi())
    paths, schemas = document["paths"], document["components"]["schemas"]
    assert "get" in paths["/api/v1/attachments/limits"]
    upload = paths["/api/v1/conversations/{conversation_id}/attachments"]["post"]
    headers = {p["name"] for p in upload["parameters"] if p["in"] == "header"}
    assert {"X-Filename", "Idempotency-Key"} <= headers
    assert "application/octet-stream" in upload["requestBody"]["content"]
    assert upload["responses"]["413"]["content"]["application/json"]["schema"]["$ref"].endswith("/TooLargeBody")
    assert "max_bytes" in schemas["TooLargeBody"]["properties"]
    download = paths["/api/v1/attachments/{attachment_id}"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    assert {"attachment_ids", "body_html"} <= set(schemas["MessageIn"]["properties"])
    assert {"attachments", "body_html"} <= set(schemas["InboundIn"]["properties"])
    assert {"attachments", "body_html"} <= set(schemas["MessageOut"]["properties"])
    assert set(schemas["AttachmentOut"]["properties"]) == {"id", "name", "size", "content_type", "sha256",
                                                           "content_id", "inline"}
    assert set(schemas["InboundAttachment"]["properties"]) == {"name", "content_type", "data_base64",
                                                               "content_id", "inline"}
