"""Request and response bodies of the v1 API; they also make up the published OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent_desktop.domain.attachments import MAX_ATTACHMENTS_PER_MESSAGE, MAX_NAME_LENGTH
from agent_desktop.domain.enums import AgentState, Channel, MessageKind, Priority, Status

MAX_BODY_CHARS = 100_000
MAX_HTML_CHARS = 500_000


class _Strict(BaseModel):
    # Unknown fields are refused (422) so a misspelt field is not silently ignored.
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class SignIn(_Strict):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class AgentOut(BaseModel):
    id: str
    username: str
    name: str
    role: str
    queue_ids: list[str]
    state: str
    version: int


class TokenOut(BaseModel):
    token: str
    expires_at: str
    agent: AgentOut


class AgentStateIn(_Strict):
    state: AgentState


class Change(BaseModel):
    entity: Literal["customer", "conversation", "message", "queue", "agent"]
    id: str
    op: Literal["upsert", "delete"]
    version: int
    data: dict[str, Any] | None = Field(
        default=None, description="The record's wire fields (with `version`, without `id`); absent for deletes."
    )


class ChangesPage(BaseModel):
    changes: list[Change]
    cursor: str = Field(description="Opaque; pass it back to get what changed after this page.")
    has_more: bool


class MessageIn(_Strict):
    kind: MessageKind = MessageKind.REPLY
    body: str = Field(default="", max_length=MAX_BODY_CHARS,
                      description="The text (with `body_html`, its plain-text alternative); may be empty only "
                      "when files are attached")
    attachment_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS_PER_MESSAGE,
        description="Uploads of this conversation (POST …/attachments) not yet on a message")
    body_html: str = Field(default="", max_length=MAX_HTML_CHARS,
                           description="An HTML part (e-mail); the server sanitises it before storing")

    @model_validator(mode="after")
    def _not_blank(self) -> MessageIn:
        if not self.body.strip() and not self.attachment_ids:
            raise ValueError("body must not be blank (unless files are attached)")
        return self


class AttachmentOut(BaseModel):
    id: str
    name: str
    size: int
    content_type: str = Field(description="What the bytes are (sniffed by the server), not what the sender said")
    sha256: str
    content_id: str = Field(default="", description="An e-mail part's Content-ID: what `cid:` in body_html names")
    inline: bool = False


class UploadOut(BaseModel):
    id: str = Field(description="Pass it in `attachment_ids` of the message that carries the file")
    name: str
    size: int
    content_type: str = Field(description="What the bytes are (sniffed), whatever Content-Type said")
    sha256: str


class AttachmentLimits(BaseModel):
    max_bytes: int = Field(description="The largest file (bytes) the server takes")
    max_per_message: int


class TooLargeBody(ErrorBody):
    max_bytes: int = Field(description="The largest file the server takes")


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    kind: str
    direction: str
    author_id: str | None
    author_name: str
    body: str
    created_at: str
    version: int
    idempotency_key: str | None = None
    event: str = Field(default="", description="a generated message's event: '', 'transfer' or 'escalate'")
    event_target: str | None = Field(default=None, description="the event's target (a queue id); null without an event")
    attachments: list[AttachmentOut] = Field(default_factory=list)
    body_html: str = Field(default="", description="the sanitised HTML part; '' when none")


class MessageSent(MessageOut):
    conversation: dict[str, Any] | None = Field(
        default=None, description="the conversation after this message (its new version), so a client can "
        "build its next If-Match on it")


class ConversationPatch(_Strict):
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: str | None = Field(default=None, max_length=128, description="null unassigns")
    queue_id: str | None = Field(default=None, max_length=128)
    tags: list[str] | None = Field(default=None, max_length=50)
    disposition: str | None = Field(default=None, max_length=128, description="wrap-up code; required to resolve")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(not tag.strip() or len(tag) > 200 for tag in value):
            raise ValueError("tags must be non-empty strings of at most 200 characters")
        return value

    @field_validator("status", "priority")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class ConversationOut(BaseModel):
    id: str
    channel: str
    status: str
    priority: str
    customer_id: str
    queue_id: str | None
    assignee_id: str | None
    subject: str
    preview: str
    tags: list[str]
    created_at: str | None
    updated_at: str | None
    last_message_at: str | None
    waiting_since: str | None
    first_response_at: str | None
    first_response_due: str | None
    resolution_due: str | None
    message_count: int
    version: int


class ConflictBody(ErrorBody):
    current: ConversationOut


class InboundCustomer(_Strict):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=200)
    handle: str | None = Field(default=None, max_length=200)


class InboundAttachment(_Strict):
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    content_type: str = Field(default="", max_length=200, description="A hint only: the server sniffs the bytes")
    data_base64: str = Field(description="The file's bytes in base64; each file at most the server's max_bytes")
    content_id: str = Field(default="", max_length=500, description="The part's Content-ID, for `cid:` in body_html")
    inline: bool = False


class InboundIn(_Strict):
    channel: Channel
    customer: InboundCustomer
    subject: str = Field(default="", max_length=1000)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    external_id: str | None = Field(
        default=None, max_length=128, description="The channel's own message id; a repeat appends nothing."
    )
    body_html: str = Field(default="", max_length=MAX_HTML_CHARS,
                           description="The e-mail's HTML part (sanitised before it is stored); `body` is its text")
    attachments: list[InboundAttachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS_PER_MESSAGE)


class InboundOut(BaseModel):
    conversation_id: str
    message_id: str
    customer_id: str
    created: bool = Field(description="True when a new conversation was opened.")


class QueueStats(BaseModel):
    queue_id: str
    name: str
    open_total: int
    new: int
    open: int
    pending: int
    unassigned: int
    waiting: int
    oldest_waiting_since: str | None
    first_response_breached: int
    agents_available: int
    as_of: str


class Health(BaseModel):
    ok: bool
