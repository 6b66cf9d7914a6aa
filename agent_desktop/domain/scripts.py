"""Scripted wording (话术): variables with fallbacks, unfilled placeholders, guided call scripts.

Pure rules, no Qt and no I/O. A script body holds `{{name}}` or `{{name | fallback}}`; rendering
fills what the open conversation knows, uses the fallback when a value is missing, and leaves
anything else as a visible `{{…}}` placeholder that the composer refuses to send.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .timeutil import parse_iso

# `{{ customer.name | 您 }}`: the name, then an optional fallback after the first `|`.
PLACEHOLDER = re.compile(r"\{\{([^{}\n]{0,200})\}\}")

VARIABLES = ("customer.name", "customer.tier", "customer.company", "agent.name", "conversation.id",
             "conversation.subject", "queue.name", "sla.due")

_TIER_NAMES = {
    "zh": {"vip": "VIP 客户", "key_account": "大客户", "standard": "普通客户"},
    "en": {"vip": "VIP", "key_account": "key account", "standard": "standard"},
}


@dataclass(frozen=True)
class Rendered:
    text: str
    unfilled: list[tuple[int, int]]  # (start, end) of every `{{…}}` left for the agent

    @property
    def complete(self) -> bool:
        return not self.unfilled


def _format_due(value: str, language: str) -> str:
    try:
        moment: datetime = parse_iso(value).astimezone()  # the agent's local time zone
    except ValueError:
        return ""
    return moment.strftime("%m月%d日 %H:%M" if language == "zh" else "%b %d, %H:%M")


def context_from_header(header: Mapping[str, Any] | None, agent: Mapping[str, Any] | None,
                        language: str = "zh") -> dict[str, str]:
    """Variable values from a conversation header (ConversationService.header) and the agent."""
    lang = "zh" if language.startswith("zh") else "en"
    values: dict[str, str] = {}
    if agent:
        values["agent.name"] = str(agent.get("name") or "")
    if header:
        queue = header.get("queue_name") if lang == "zh" else (header.get("queue_name_en") or header.get("queue_name"))
        due = header.get("sla_due") or header.get("resolution_due") or ""
        values.update({
            "customer.name": str(header.get("customer_name") or ""),
            "customer.tier": _TIER_NAMES[lang].get(str(header.get("customer_tier") or ""), ""),
            "customer.company": str(header.get("customer_company") or ""),
            "conversation.id": str(header.get("id") or ""),
            "conversation.subject": str(header.get("subject") or ""),
            "queue.name": str(queue or ""),
            # '9999…' is the store's "no deadline" sort key, not a date.
            "sla.due": _format_due(due, lang) if due and not due.startswith("9999") else "",
        })
    return {key: value.strip() for key, value in values.items() if value and value.strip()}


def render(body: str, context: Mapping[str, str]) -> Rendered:
    """Fill known variables, use fallbacks for missing ones, keep the rest as placeholders."""
    out: list[str] = []
    unfilled: list[tuple[int, int]] = []
    position = 0
    length = 0
    for match in PLACEHOLDER.finditer(body):
        out.append(body[position:match.start()])
        length += match.start() - position
        name, _, fallback = match.group(1).partition("|")
        value = context.get(name.strip()) or fallback.strip()
        if value:
            out.append(value)
            length += len(value)
        else:
            placeholder = "{{" + name.strip() + "}}" if name.strip() else match.group(0)
            out.append(placeholder)
            unfilled.append((length, length + len(placeholder)))
            length += len(placeholder)
        position = match.end()
    out.append(body[position:])
    return Rendered("".join(out), unfilled)


def unfilled_placeholders(text: str) -> list[tuple[int, int]]:
    """Spans of every `{{…}}` still in a text (what must never reach a customer)."""
    return [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]


def next_placeholder(text: str, after: int) -> tuple[int, int] | None:
    """The first placeholder at or after `after`, wrapping to the start (Tab-to-next-field)."""
    spans = unfilled_placeholders(text)
    for span in spans:
        if span[0] >= after:
            return span
    return spans[0] if spans else None


# -- guided call scripts ---------------------------------------------------------------------------


class InvalidGuide(ValueError):
    """A guided script whose steps do not form a usable graph; the message says where."""


@dataclass(frozen=True)
class Choice:
    label: str
    next: str | None  # None ends the call


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    ask: str = ""  # when set, the agent records the customer's answer (e.g. "order number")

    @property
    def terminal(self) -> bool:
        return not self.choices


@dataclass(frozen=True)
class Guide:
    start: str
    steps: dict[str, Step]

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


def parse_guide(start: Any, steps: Any) -> Guide:
    """Build and validate the step graph: every target exists, every step is reachable from the
    start, and from every reachable step the call can end (no trap loops)."""
    if not isinstance(steps, list) or not steps:
        raise InvalidGuide("a guided script needs a non-empty list of steps")
    parsed: dict[str, Step] = {}
    for index, raw in enumerate(steps):
        if not isinstance(raw, dict):
            raise InvalidGuide(f"step {index} is not an object")
        step_id = raw.get("id")
        if not isinstance(step_id, str) or not step_id.strip() or len(step_id) > 64:
            raise InvalidGuide(f"step {index} has no valid id")
        if step_id in parsed:
            raise InvalidGuide(f"step id {step_id!r} is used twice")
        prompt = raw.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidGuide(f"step {step_id!r} has no prompt")
        choices_raw = raw.get("choices") or []
        if not isinstance(choices_raw, list) or len(choices_raw) > 12:
            raise InvalidGuide(f"step {step_id!r} has invalid choices")
        choices = []
        for choice in choices_raw:
            if not isinstance(choice, dict) or not isinstance(choice.get("label"), str) or not choice["label"].strip():
                raise InvalidGuide(f"step {step_id!r} has a choice without a label")
            target = choice.get("next")
            if target is not None and not isinstance(target, str):
                raise InvalidGuide(f"step {step_id!r}: choice {choice['label']!r} has a bad target")
            choices.append(Choice(choice["label"][:200], target or None))
        title, ask = raw.get("title") or step_id, raw.get("ask") or ""
        if not isinstance(title, str) or not isinstance(ask, str):
            raise InvalidGuide(f"step {step_id!r} has a non-text title or question")
        parsed[step_id] = Step(step_id, title[:200], prompt[:4000], tuple(choices), ask[:200])
    if not isinstance(start, str) or start not in parsed:
        raise InvalidGuide(f"the start step {start!r} does not exist")
    for step in parsed.values():
        for choice in step.choices:
            if choice.next is not None and choice.next not in parsed:
                raise InvalidGuide(f"step {step.id!r}: choice {choice.label!r} leads to unknown step {choice.next!r}")
    reachable = _reachable(parsed, start)
    unreachable = [sid for sid in parsed if sid not in reachable]
    if unreachable:
        raise InvalidGuide(f"steps never reached from the start: {', '.join(unreachable)}")
    can_end = _can_end(parsed)
    stuck = [sid for sid in parsed if sid not in can_end]
    if stuck:
        raise InvalidGuide(f"steps from which the call can never end: {', '.join(stuck)}")
    return Guide(start, parsed)


def _reachable(steps: dict[str, Step], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for choice in steps[todo.pop()].choices:
            if choice.next is not None and choice.next not in seen:
                seen.add(choice.next)
                todo.append(choice.next)
    return seen


def _can_end(steps: dict[str, Step]) -> set[str]:
    ending = {sid for sid, step in steps.items()
              if step.terminal or any(choice.next is None for choice in step.choices)}
    changed = True
    while changed:
        changed = False
        for sid, step in steps.items():
            if sid not in ending and any(choice.next in ending for choice in step.choices):
                ending.add(sid)
                changed = True
    return ending


@dataclass
class GuideRun:
    """Where the agent is in a guided script: the path so far and the answers given."""

    script_id: str
    current: str | None                       # None when the call has ended
    path: list[dict[str, str]] = field(default_factory=list)  # {step, choice, answer}

    def to_wire(self) -> dict[str, Any]:
        return {"script_id": self.script_id, "current": self.current, "path": list(self.path)}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> GuideRun:
        path = [{k: str(v) for k, v in item.items()} for item in data.get("path") or [] if isinstance(item, dict)]
        return cls(str(data.get("script_id") or ""), data.get("current"), path)

    @property
    def finished(self) -> bool:
        return self.current is None


def start_run(script_id: str, guide: Guide) -> GuideRun:
    return GuideRun(script_id, guide.start)


def choose(run: GuideRun, guide: Guide, choice_index: int, answer: str = "") -> GuideRun:
    """Take a choice at the current step (recording the answer) and move on; returns a new run."""
    if run.current is None:
        raise ValueError("the guided script has already ended")
    step = guide.step(run.current)
    entry = {"step": step.id, "choice": "", "answer": answer.strip()}
    if step.terminal:
        return GuideRun(run.script_id, None, [*run.path, entry])
    if not 0 <= choice_index < len(step.choices):
        raise IndexError(f"step {step.id!r} has no choice {choice_index}")
    picked = step.choices[choice_index]
    entry["choice"] = picked.label
    return GuideRun(run.script_id, picked.next, [*run.path, entry])


def back(run: GuideRun) -> GuideRun:
    """Undo the last choice."""
    if not run.path:
        return run
    return GuideRun(run.script_id, run.path[-1]["step"], run.path[:-1])


def run_note(title: str, guide: Guide, run: GuideRun, *, language: str = "zh") -> str:
    """The internal note that records the call: each step, the choice taken, the answer given."""
    zh = language.startswith("zh")
    lines = [("【引导话术】" if zh else "[Guided script] ") + title]
    for number, entry in enumerate(run.path, 1):
        step = guide.steps.get(entry["step"])
        line = f"{number}. {step.title if step else entry['step']}"
        if entry.get("choice"):
            line += f" → {entry['choice']}"
        if entry.get("answer"):
            line += ("；记录：" if zh else "; noted: ") + entry["answer"]
        lines.append(line)
    if not run.finished:
        lines.append(("（未完成，停在：" if zh else "(not finished, stopped at: ")
                     + (guide.steps[run.current].title if run.current in guide.steps else str(run.current))
                     + ("）" if zh else ")"))
    return "\n".join(lines)
