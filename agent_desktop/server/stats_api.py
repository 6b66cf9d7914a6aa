"""Endpoints of the lead's dashboard: queue statistics, the agents table and the lead-only actions.

Reading is open to every agent for their own queues; reassigning a conversation and changing an
agent's queues answer 403 unless the caller's role is `lead`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from . import stats, stats_ops
from .deps import DB, PREFIX, Agent, Lead, RecordId, integration_caller
from .deps import error_responses as _errors

router = APIRouter(prefix=PREFIX, tags=["live"])


class HourPoint(BaseModel):
    hour: str = Field(description="UTC hour (start), ISO-8601")
    offered: int
    answered: int
    abandoned: int
    service_level: float | None


class QueueMetrics(BaseModel):
    model_config = ConfigDict(extra="allow")
    contacts_waiting: int
    oldest_wait_s: float | None
    service_level: float | None = Field(description="Amazon Connect 'Service level X': removed within X / queued")
    asa_s: float | None
    abandon_rate: float | None
    aht_s: float | None = Field(description="(handle time + after-contact work) / handled")
    fcr_rate: float | None
    csat: float | None = Field(description="average 1–5 score today; null without answers")
    sla_at_risk: int
    sla_breached: int
    agents: dict[str, int]
    agents_available: int
    occupancy: float | None


class QueueStatsOut(BaseModel):
    queue_id: str
    name: str
    name_en: str = ""
    open_total: int
    new: int
    open: int
    pending: int
    unassigned: int
    waiting: int = Field(description="open conversations whose customer waits for a reply")
    oldest_waiting_since: str | None
    first_response_breached: int
    agents_available: int
    metrics: QueueMetrics
    counters: dict[str, float]
    hourly: list[HourPoint]
    day_start: str
    as_of: str


class AgentStatsOut(BaseModel):
    id: str
    name: str
    username: str
    role: str
    queue_ids: list[str]
    state: str
    state_since: str | None = Field(description="null when the change happened outside the recorded paths")
    handled_today: int
    aht_s: float | None
    csat: float | None
    occupancy: float | None


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: str | None = Field(default=None, max_length=128, description="null: back to the queue")
    queue_id: str | None = Field(default=None, min_length=1, max_length=128)


class AgentQueuesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(max_length=50)


class AgentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    queue_ids: list[str]


@router.get("/queues/stats", response_model=list[QueueStatsOut], responses=_errors(401))
def queue_stats(agent: Agent, db: DB) -> list[dict[str, Any]]:
    """Per queue: live counts, today's metrics and per-hour series; agents see only their own queues."""
    return stats.queue_stats(db, agent)


@router.get("/queues/agents", response_model=list[AgentStatsOut], responses=_errors(401))
def agent_table(agent: Agent, db: DB) -> list[dict[str, Any]]:
    """State, time in state, handled today, AHT and CSAT per agent (agents: colleagues of their queues)."""
    return stats.agent_stats(db, agent)


@router.post("/conversations/{conversation_id}/reassign", responses=_errors(401, 403, 404, 409, 422),
             tags=["conversations"])
def reassign(conversation_id: RecordId, body: ReassignIn, lead: Lead, db: DB) -> JSONResponse:
    """Lead only: give a conversation to another agent and/or queue (null assignee: back to the queue)."""
    conversation = stats_ops.reassign(db, lead, conversation_id, body.model_dump(exclude_unset=True))
    return JSONResponse(conversation, headers={"ETag": f'"{conversation["version"]}"'})


@router.put("/agents/{agent_id}/queues", response_model=AgentOut, responses=_errors(401, 403, 404, 422),
            tags=["auth"])
def set_agent_queues(agent_id: RecordId, body: AgentQueuesIn, lead: Lead, db: DB) -> dict[str, Any]:
    """Lead only: the queues an agent works in (moving an agent between queues)."""
    return stats_ops.set_agent_queues(db, lead, agent_id, body.queue_ids)


@router.post("/inbound/{conversation_id}/abandon", status_code=200, responses=_errors(401, 404, 409, 429, 503),
             dependencies=[Depends(integration_caller)], tags=["channels"])
def abandon(conversation_id: RecordId, db: DB) -> dict[str, Any]:
    """The channel reports the customer left before an answer (hung up, closed the chat): resolved, tagged."""
    return stats_ops.abandon_contact(db, conversation_id)
