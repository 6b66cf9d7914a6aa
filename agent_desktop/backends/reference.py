"""Adapter for our reference server (the v1 contract of DESIGN.md §3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .base import ALL_CAPABILITIES, ChangeBatch, MalformedResponse, SignIn
from .http import HttpClient


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedResponse(f"the server sent something that is not {what}")
    return value


class ReferenceBackend:
    capabilities = ALL_CAPABILITIES   # our own server does everything the app does

    def __init__(self, base_url: str, **http_options: Any) -> None:
        self.http = HttpClient(base_url, **http_options)
        self.base_url = self.http.base_url

    def call(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> Any:
        """Any other endpoint of the reference API (path from `/api/v1/…`), JSON in and out."""
        response = self.http.request(method, path, json_body=json_body, params=params, headers=headers)
        if response.status_code == 204 or not response.content:
            return None
        return self.http.json(response)

    def set_token(self, token: str | None) -> None:
        self.http.token = token

    def sign_in(self, username: str, password: str) -> SignIn:
        response = self.http.request("POST", "/api/v1/auth/token",
                                     json_body={"username": username, "password": password}, auth=False)
        body = _object(self.http.json(response), "a sign-in answer")
        token, agent = body.get("token"), body.get("agent")
        if not isinstance(token, str) or not token or not isinstance(agent, dict):
            raise MalformedResponse("the sign-in answer has no token or agent")
        self.http.token = token
        return SignIn(token=token, agent=agent, expires_at=body.get("expires_at"))

    def changes(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = _object(self.http.json(self.http.request("GET", "/api/v1/changes", params=params)),
                       "a page of changes")
        changes, next_cursor, has_more = body.get("changes"), body.get("cursor"), body.get("has_more")
        if not isinstance(changes, list) or not isinstance(has_more, bool):
            raise MalformedResponse("the page of changes has no 'changes' list or 'has_more' flag")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise MalformedResponse("the page of changes has a cursor that is not a string")
        return ChangeBatch(changes=changes, cursor=next_cursor, has_more=has_more)

    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str) -> dict[str, Any]:
        response = self.http.request(
            "POST", f"/api/v1/conversations/{quote(conversation_id, safe='')}/messages",
            json_body={"kind": kind, "body": body}, headers={"Idempotency-Key": idempotency_key})
        return _object(self.http.json(response), "a message")

    def patch_conversation(self, conversation_id: str, fields: dict[str, Any],
                           if_match: int | None) -> dict[str, Any]:
        headers = {"If-Match": f'"{if_match}"'} if if_match is not None else {}
        response = self.http.request("PATCH", f"/api/v1/conversations/{quote(conversation_id, safe='')}",
                                     json_body=fields, headers=headers)
        return _object(self.http.json(response), "a conversation")
