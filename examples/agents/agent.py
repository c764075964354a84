#!/usr/bin/env python3
"""Example Tianshu agent: propose an action, wait for a decision, act, report the outcome.

Standard library only (Python 3.9+). Run it from the command line (see README.md or ``--help``)
or import it::

    from agent import TianshuAgent, run_action

    agent = TianshuAgent("http://127.0.0.1:8080", token)
    action = agent.propose(kind="backbone.reroute", target="link:zhangjiakou-horinger",
                           summary_en="Shift 10 % of traffic", rationale_en="...",
                           params={"shift_pct": 10}, param_bounds={"shift_pct": {"min": 0, "max": 30}})
    action = agent.wait(action["id"], action["version"], timeout_s=60)
    ...
    agent.report(action["id"], "executed", "shifted 10 %", {"shift_pct": 10})

The protocol, in short:

* ``POST /api/v1/actions`` proposes (201 new, 200 a replay of the same idempotency key).
* ``GET /api/v1/actions/{id}?wait=S&version=V`` holds until the version changes (S <= 60).
* ``POST /api/v1/actions/{id}/outcome`` reports executing / executed / failed / rolled_back.

Every POST carries an idempotency key that is generated once and reused by every retry of that
request, so a retry after a lost answer can never propose or report twice.

Executing is simulated here: the agent sleeps briefly and "measures" the applied parameters. Pass
your own ``execute`` / ``rollback`` callables to :func:`run_action` to do real work.
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import json
import logging
import math
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

__all__ = [
    "ActionRun",
    "ApiError",
    "ExecutionError",
    "GiveUp",
    "Outcome",
    "TianshuAgent",
    "main",
    "run_action",
]

log = logging.getLogger("tianshu.agent")

USER_AGENT = "tianshu-example-agent/1.0"
MAX_WAIT_S = 60  # the most the backend holds one long poll
MAX_RETRY_AFTER_S = 600.0  # a Retry-After longer than this is taken as this

EXIT_OK = 0
EXIT_USAGE = 2  # bad arguments or a 4xx answer
EXIT_GAVE_UP = 3  # retries exhausted or no decision in time
EXIT_INTERRUPTED = 130

RISKS = ("low", "medium", "high", "critical")
MODES = ("ask_first", "act_now")


# --------------------------------------------------------------------------------------------
# Errors


class ApiError(Exception):
    """A 4xx answer (other than 429): the request is wrong and retrying will not help."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        #: The last Action seen before the error, when there was one (set by run_action).
        self.action: Optional[Mapping[str, Any]] = None

    @classmethod
    def from_response(cls, status: int, raw: bytes) -> "ApiError":
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if isinstance(body, dict) and "code" in body:
            return cls(status, str(body["code"]), str(body.get("message", "")), body.get("details"))
        # Not the backend's error shape (a proxy's HTML page, say): keep a readable excerpt.
        text = raw.decode("utf-8", "replace").strip()
        return cls(status, f"http_{status}", text[:300] or http.client.responses.get(status, ""))

    def body(self) -> Dict[str, Any]:
        """The server's error object, ``{code, message, details?}``."""
        out: Dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            out["details"] = self.details
        return out


class GiveUp(Exception):
    """Retries exhausted, or no decision within the time allowed."""

    def __init__(self, message: str, action: Optional[Mapping[str, Any]] = None):
        super().__init__(message)
        self.action = action


class ExecutionError(Exception):
    """Applying the action failed; the message becomes the ``failed`` outcome's details."""


# --------------------------------------------------------------------------------------------
# The client


class TianshuAgent:
    """A small client for the agent side of the Tianshu actions API.

    Network errors, 5xx and 429 answers are retried, the same request with the same idempotency
    key, with jittered exponential backoff capped at ``backoff_cap_s`` (or after the answer's
    ``Retry-After``) up to ``max_attempts`` tries; then :class:`GiveUp` is raised. Other 4xx
    answers raise :class:`ApiError` at once.
    """

    def __init__(
        self,
        backend: str,
        token: str,
        *,
        timeout_s: float = 30.0,
        max_attempts: int = 8,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not token or any(c in token for c in "\r\n"):
            raise ValueError("the agent token is empty or spans several lines")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        base = backend.rstrip("/")
        if base.endswith("/api/v1"):
            base = base[: -len("/api/v1")]
        parsed = urllib.parse.urlsplit(base)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                f"backend must be an http(s) URL such as http://127.0.0.1:8080, not {backend!r}"
            )
        self.api = base + "/api/v1"
        self._token = token
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._sleep = sleep
        #: Whether the last propose() or report() answer was a replay of an earlier request.
        self.last_replayed = False

    def __repr__(self) -> str:  # never show the token
        return f"TianshuAgent({self.api!r})"

    # -- the three calls of the protocol --------------------------------------------------

    def propose(
        self,
        *,
        kind: str,
        target: str,
        summary_en: str,
        rationale_en: str,
        params: Mapping[str, float],
        param_bounds: Mapping[str, Mapping[str, float]],
        confidence: float = 0.8,
        risk: str = "medium",
        mode: str = "ask_first",
        summary_zh: Optional[str] = None,
        rationale_zh: Optional[str] = None,
        evidence: Optional[List[Mapping[str, str]]] = None,
        predicted: Optional[List[Mapping[str, Any]]] = None,
        rollback_en: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Proposes an action and returns the Action the backend answers with.

        ``last_replayed`` tells whether the backend had already seen this idempotency key. With
        ``mode="act_now"`` and a policy that allows it the Action comes back already
        ``approved`` with ``veto_until`` set.
        """
        body: Dict[str, Any] = {
            "idempotency_key": idempotency_key or str(uuid.uuid4()),
            "kind": kind,
            "target": target,
            "summary_en": summary_en,
            "rationale_en": rationale_en,
            "confidence": confidence,
            "risk": risk,
            "params": dict(params),
            "param_bounds": {k: dict(v) for k, v in param_bounds.items()},
            "mode": mode,
        }
        optional = {
            "summary_zh": summary_zh,
            "rationale_zh": rationale_zh,
            "evidence": evidence,
            "predicted": predicted,
            "rollback_en": rollback_en,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        log.debug("proposing %s on %s (idempotency key %s)", kind, target, body["idempotency_key"])
        answer = self._request("POST", "/actions", body)
        self.last_replayed = bool(answer.get("replayed"))
        return _action_of(answer)

    def wait(self, action_id: int, version: int, timeout_s: float) -> Dict[str, Any]:
        """Long-polls until the action's version differs from ``version`` or ``timeout_s`` passes.

        Returns the latest Action either way; compare its ``version`` to tell which. The backend
        holds a poll for whole seconds, so this may return up to a second after ``timeout_s``.
        """
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            remaining = deadline - time.monotonic()
            hold = min(MAX_WAIT_S, math.ceil(remaining)) if remaining > 0 else 0
            started = time.monotonic()
            action = self._request(
                "GET",
                f"/actions/{int(action_id)}?wait={hold}&version={int(version)}",
                read_timeout_s=hold + self.timeout_s,
            )
            if action.get("version") != version or time.monotonic() >= deadline:
                return action
            # Unchanged well before the hold ran out (a proxy cutting long polls short, say):
            # pause a little so that we never spin against the backend.
            if time.monotonic() - started < hold / 2:
                self._sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    def get(self, action_id: int) -> Dict[str, Any]:
        """Reads the action now, without waiting."""
        return self._request("GET", f"/actions/{int(action_id)}")

    def report(
        self,
        action_id: int,
        status: str,
        details: str,
        measured: Optional[Mapping[str, float]] = None,
        *,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Reports an outcome (executing | executed | failed | rolled_back); returns the Action.

        Raises :class:`ApiError` with status 409 when the action's current state does not allow
        this outcome (it was vetoed meanwhile, for instance).
        """
        body: Dict[str, Any] = {
            "idempotency_key": idempotency_key or str(uuid.uuid4()),
            "status": status,
            "details": details,
        }
        if measured is not None:
            body["measured"] = dict(measured)
        answer = self._request("POST", f"/actions/{int(action_id)}/outcome", body)
        self.last_replayed = bool(answer.get("replayed"))
        return _action_of(answer)

    # -- transport -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: Optional[Mapping[str, Any]] = None,
        *,
        read_timeout_s: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Sends one request, retrying it unchanged (same body, same idempotency key)."""
        url = self.api + path
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(1, self.max_attempts + 1):
            retry_after: Optional[float] = None
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=read_timeout_s or self.timeout_s) as resp:
                    raw = resp.read()
                try:
                    decoded = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    decoded = None
                if isinstance(decoded, dict):
                    return decoded
                problem = f"answer {resp.status} is not a JSON object"
            except urllib.error.HTTPError as err:
                raw = _read_quietly(err)
                if err.code != 429 and err.code < 500:
                    raise ApiError.from_response(err.code, raw) from None
                problem = f"HTTP {err.code}"
                # 429 says when to come back; a 503 may too. Honour it (within reason).
                retry_after = _parse_retry_after(err.headers.get("Retry-After"))
            except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
                # Refused, reset, timed out, cut short: the request may or may not have landed,
                # which is exactly what the idempotency key is for.
                problem = str(getattr(err, "reason", None) or err) or type(err).__name__
            if attempt == self.max_attempts:
                break
            if retry_after is not None:
                delay = min(retry_after, MAX_RETRY_AFTER_S)
            else:
                delay = self._backoff(attempt)
            log.warning(
                "%s %s: %s; retrying in %.1f s (attempt %d of %d)",
                method, path, problem, delay, attempt + 1, self.max_attempts,
            )
            self._sleep(delay)
        raise GiveUp(f"{method} {path}: {problem}; gave up after {self.max_attempts} attempts")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff, capped, with jitter so that many agents do not retry in step."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


def _action_of(answer: Mapping[str, Any]) -> Dict[str, Any]:
    action = answer.get("action")
    if not isinstance(action, dict) or "id" not in action or "state" not in action:
        raise GiveUp(f"the backend's answer has no action: {json.dumps(answer)[:200]}")
    return action


def _read_quietly(err: urllib.error.HTTPError) -> bytes:
    try:
        return err.read()
    except (OSError, http.client.HTTPException):
        return b""


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    """``Retry-After`` is either seconds or an HTTP date; anything else is ignored."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


# --------------------------------------------------------------------------------------------
# The flow: propose -> decision -> act -> report (-> veto window -> rollback)


class Outcome(NamedTuple):
    action_id: Optional[int]
    final_state: Optional[str]
    #: What the agent applied (kept even if it was rolled back afterwards); None if nothing.
    applied_params: Optional[Dict[str, float]]

    def as_json(self) -> Dict[str, Any]:
        return self._asdict()


def simulated_execute(
    target: str, params: Mapping[str, float], seconds: float, fail: bool
) -> Dict[str, float]:
    """Pretends to apply ``params`` to ``target`` and measures the effect as the params."""
    time.sleep(seconds)
    if fail:
        raise ExecutionError(
            f"simulated failure: {target} refused the change ({_fmt(params)}); nothing was applied"
        )
    return dict(params)


def simulated_rollback(target: str, params: Mapping[str, float], seconds: float) -> None:
    time.sleep(seconds)


def run_action(
    agent: TianshuAgent,
    proposal: Mapping[str, Any],
    *,
    wait_total_s: float = 600.0,
    execute: Optional[Callable[[str, Mapping[str, float]], Mapping[str, float]]] = None,
    rollback: Optional[Callable[[str, Mapping[str, float]], None]] = None,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Runs one action from proposal to its end and returns what happened.

    ``proposal`` holds :meth:`TianshuAgent.propose`'s keyword arguments. ``execute(target, params)``
    applies the params and returns the measured effect, raising :class:`ExecutionError` on
    failure; ``rollback(target, params)`` undoes them. Both default to the simulation.
    Raises :class:`GiveUp` when no decision comes within ``wait_total_s`` or retries run out, and
    :class:`ApiError` on a 4xx answer; either carries the last Action seen in ``.action``.
    """
    return ActionRun(agent, proposal, execute=execute, rollback=rollback, say=say).run(wait_total_s)


class ActionRun:
    """One action's life on the agent side; ``action`` is the latest Action seen."""

    def __init__(self, agent, proposal, *, execute=None, rollback=None, say=print):
        self.agent = agent
        self.proposal = dict(proposal)
        self.target = self.proposal["target"]
        self.execute = execute or (lambda target, params: simulated_execute(target, params, 1.0, False))
        self.rollback = rollback or (lambda target, params: simulated_rollback(target, params, 0.5))
        self.say = say
        self.action: Optional[Dict[str, Any]] = None

    def run(self, wait_total_s: float) -> Outcome:
        try:
            return self._run(wait_total_s)
        except (ApiError, GiveUp) as err:
            if getattr(err, "action", None) is None:
                err.action = self.action
            raise

    # -- steps ------------------------------------------------------------------------------

    def _run(self, wait_total_s: float) -> Outcome:
        say, agent = self.say, self.agent
        proposed = dict(self.proposal.get("params") or {})

        action = self._seen(agent.propose(**self.proposal))
        aid = action["id"]
        say(f"proposed action #{aid} ({self.proposal['kind']} on {self.target}, {_fmt(proposed)})"
            f"{' [replayed]' if agent.last_replayed else ''}: {action['state']}")

        # 1. Wait for a decision.
        deadline = time.monotonic() + wait_total_s
        while action["state"] == "pending":
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GiveUp(f"no decision on action #{aid} within {wait_total_s:g} s", action)
            say(f"waiting for a decision on #{aid} (expires {_clock(action.get('expires_at'))})")
            action = self._seen(agent.wait(aid, action["version"], remaining))

        state, by = action["state"], _by(action)
        if state in ("rejected", "expired"):
            say(f"action #{aid} {state}{by}; nothing to do")
            return Outcome(aid, state, None)
        if state == "rollback_pending":  # vetoed before anything was applied
            return self._roll_back(None)
        if state != "approved":
            say(f"action #{aid} is {state}{by}; not acting on it")
            return Outcome(aid, state, None)

        # 2. Act on exactly what was approved: an operator's override replaces our params.
        params = dict(action.get("params") or {})
        if action.get("overridden"):
            say(f"action #{aid} approved{by} with params overridden by the operator: "
                f"{_fmt(proposed)} -> {_fmt(params)}")
        else:
            say(f"action #{aid} approved{by}")
        if action.get("veto_until"):
            say(f"acting now; the operator may veto until {_clock(action['veto_until'])}")

        action = self._report("executing", f"applying {_fmt(params)} to {self.target}")
        if action["state"] == "rollback_pending":  # vetoed before we touched anything
            return self._roll_back(None)
        if action["state"] not in ("executing", "approved"):
            say(f"action #{aid} became {action['state']} before it was applied; stopping")
            return Outcome(aid, action["state"], None)

        say(f"applying to {self.target}: {_fmt(params)}")
        try:
            measured = dict(self.execute(self.target, params))
        except ExecutionError as err:
            say(f"execution failed: {err}")
            action = self._report("failed", str(err))
            return Outcome(aid, action["state"], None)
        say(f"applied; measured {_fmt(measured)}")
        action = self._report("executed", f"applied {_fmt(params)} to {self.target}", measured)

        # 3. Stay until the veto window closes: a veto means roll back.
        while action["state"] in ("executing", "executed") and action.get("veto_until"):
            left_s = action["veto_until"] / 1000.0 - time.time()
            if left_s <= 0:
                break
            say(f"watching for a veto until {_clock(action['veto_until'])}")
            action = self._seen(agent.wait(aid, action["version"], left_s + 1.0))
        if action["state"] == "rollback_pending":
            return self._roll_back(params)

        say(f"action #{aid} ended {action['state']}")
        return Outcome(aid, action["state"], params)

    def _roll_back(self, applied: Optional[Dict[str, float]]) -> Outcome:
        aid, by = self.action["id"], _by(self.action)
        if applied is None:
            self.say(f"action #{aid} vetoed{by} before anything was applied; nothing to undo")
            details = "vetoed before anything was applied; nothing to undo"
        else:
            self.say(f"action #{aid} vetoed{by}; rolling back {_fmt(applied)}")
            self.rollback(self.target, applied)
            details = f"rolled back {_fmt(applied)} on {self.target}"
        action = self._report("rolled_back", details)
        self.say(f"action #{aid} ended {action['state']}")
        return Outcome(aid, action["state"], applied)

    def _report(self, status: str, details: str,
                measured: Optional[Mapping[str, float]] = None) -> Dict[str, Any]:
        """Reports an outcome; on 409 (the state moved on, e.g. a veto) re-reads the action."""
        aid = self.action["id"]
        try:
            return self._seen(self.agent.report(aid, status, details, measured))
        except ApiError as err:
            if err.status != 409:
                raise
            action = self._seen(self.agent.get(aid))
            log.info("outcome %s refused (%s); action #%s is now %s",
                     status, err.message, aid, action["state"])
            return action

    def _seen(self, action: Dict[str, Any]) -> Dict[str, Any]:
        self.action = action
        return action


def _by(action: Mapping[str, Any]) -> str:
    return f" by {action['decided_by']}" if action.get("decided_by") else ""


def _fmt(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                     for k, v in params.items()) or "no params"


def _clock(ms: Any) -> str:
    if not isinstance(ms, (int, float)):
        return "never"
    return time.strftime("%H:%M:%S", time.localtime(ms / 1000.0))


# --------------------------------------------------------------------------------------------
# Command line


def _name_value(text: str, what: str) -> Tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{what} must look like NAME=VALUE, not {text!r}")
    return name.strip(), value.strip()


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{what}: {text!r} is not a finite number")
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _param(text: str) -> Tuple[str, float]:
    name, value = _name_value(text, "--param")
    return name, _number(value, f"--param {name}")


def _bound(text: str) -> Tuple[str, Dict[str, float]]:
    name, value = _name_value(text, "--bound")
    low, sep, high = value.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"--bound must look like NAME=MIN:MAX, not {text!r}")
    lo, hi = _number(low, f"--bound {name} min"), _number(high, f"--bound {name} max")
    if lo > hi:
        raise argparse.ArgumentTypeError(f"--bound {name}: min {lo:g} is above max {hi:g}")
    return name, {"min": lo, "max": hi}


def _evidence(text: str) -> Dict[str, str]:
    label, value = _name_value(text, "--evidence")
    return {"label": label, "value": value}


def _confidence(text: str) -> float:
    value = _number(text, "--confidence")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("--confidence must be between 0 and 1")
    return float(value)


def _positive(text: str) -> float:
    value = _number(text, "value")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
    return float(value)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Example Tianshu agent: propose an action, wait for the operator's decision, "
                    "act (simulated) and report the outcome.",
        epilog="Exit status: 0 the action reached an end (including rejected, expired, failed, "
               "rolled_back: see final_state), 2 bad usage or a 4xx answer, 3 gave up.",
    )
    p.add_argument("--backend", metavar="URL",
                   default=os.environ.get("TIANSHU_BACKEND", "http://127.0.0.1:8080"),
                   help="backend base URL (default $TIANSHU_BACKEND or %(default)s)")
    p.add_argument("--token-file", metavar="FILE", help="file holding the agent's bearer token "
                                        "(default: $TIANSHU_AGENT_TOKEN)")
    p.add_argument("--kind", required=True, help="namespaced action kind, e.g. backbone.reroute")
    p.add_argument("--target", required=True, help="link:<id>, cluster:<id>, hub:<id>, metro:<id>, "
                                                   "factory:<id> or group:<province>/<industry>")
    p.add_argument("--summary", required=True, help="one-line summary (English)")
    p.add_argument("--summary-zh", help="one-line summary (Chinese)")
    p.add_argument("--rationale", help="why (English; default: the summary)")
    p.add_argument("--rationale-zh", help="why (Chinese)")
    p.add_argument("--rollback", dest="rollback_en", metavar="TEXT",
                   help="how the action is undone (English)")
    p.add_argument("--evidence", action="append", type=_evidence, default=[], metavar="LABEL=VALUE",
                   help="a piece of evidence; repeatable")
    p.add_argument("--mode", choices=MODES, default="ask_first")
    p.add_argument("--risk", choices=RISKS, default="medium")
    p.add_argument("--confidence", type=_confidence, default=0.8, metavar="0..1",
                   help="how sure the agent is (default %(default)s)")
    p.add_argument("--param", action="append", type=_param, default=[], metavar="NAME=VALUE",
                   help="a numeric parameter; repeatable")
    p.add_argument("--bound", action="append", type=_bound, default=[], metavar="NAME=MIN:MAX",
                   help="the range an operator may override a parameter within; repeatable")
    p.add_argument("--wait-total", type=_positive, default=600.0, metavar="SECONDS",
                   help="how long to wait for a decision before giving up (default %(default)g)")
    p.add_argument("--act-seconds", type=float, default=1.0, metavar="SECONDS",
                   help="how long the simulated execution takes (default %(default)g)")
    p.add_argument("--simulate-failure", action="store_true",
                   help="make the simulated execution fail (reports failed)")
    p.add_argument("--max-attempts", type=int, default=8, metavar="N",
                   help="tries per request (default %(default)s)")
    p.add_argument("--backoff-cap", type=_positive, default=30.0, metavar="SECONDS",
                   help="longest pause between retries (default %(default)g)")
    p.add_argument("--json", action="store_true",
                   help="end with one JSON line {action_id, final_state, applied_params}; "
                        "progress goes to stderr")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return p


def _read_token(parser: argparse.ArgumentParser, token_file: Optional[str]) -> str:
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as f:
                token = f.read().strip()
        except OSError as err:
            parser.error(f"cannot read --token-file {token_file}: {err.strerror or err}")
    else:
        token = os.environ.get("TIANSHU_AGENT_TOKEN", "").strip()
        if not token:
            parser.error("no token: pass --token-file FILE or set TIANSHU_AGENT_TOKEN")
    if not token or "\n" in token:
        parser.error("the token must be one non-empty line")
    return token


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )

    params = dict(args.param)
    bounds = dict(args.bound)
    if len(params) != len(args.param):
        parser.error("a --param is given twice")
    if len(bounds) != len(args.bound):
        parser.error("a --bound is given twice")
    for name in bounds.keys() - params.keys():
        parser.error(f"--bound {name} has no matching --param")
    for name, value in params.items():
        b = bounds.get(name)
        if b and not b["min"] <= value <= b["max"]:
            parser.error(f"--param {name}={value:g} is outside its bound {b['min']:g}:{b['max']:g}")
    token = _read_token(parser, args.token_file)

    try:
        agent = TianshuAgent(args.backend, token, max_attempts=max(1, args.max_attempts),
                             backoff_cap_s=args.backoff_cap)
    except ValueError as err:
        parser.error(str(err))

    out = sys.stderr if args.json else sys.stdout

    def say(message: str) -> None:
        print(message, file=out, flush=True)

    def finish(outcome: Outcome, error: Optional[Dict[str, Any]] = None) -> None:
        if args.json:
            line = outcome.as_json()
            if error is not None:
                line["error"] = error
            print(json.dumps(line, ensure_ascii=False), flush=True)

    proposal = {
        "kind": args.kind,
        "target": args.target,
        "summary_en": args.summary,
        "summary_zh": args.summary_zh,
        "rationale_en": args.rationale or args.summary,
        "rationale_zh": args.rationale_zh,
        "evidence": args.evidence or None,
        "rollback_en": args.rollback_en,
        "confidence": args.confidence,
        "risk": args.risk,
        "mode": args.mode,
        "params": params,
        "param_bounds": bounds,
    }
    act_s = max(0.0, args.act_seconds)
    run = ActionRun(
        agent,
        proposal,
        execute=lambda target, p: simulated_execute(target, p, act_s, args.simulate_failure),
        rollback=lambda target, p: simulated_rollback(target, p, act_s / 2),
        say=say,
    )

    def last_seen() -> Outcome:
        action = run.action or {}
        return Outcome(action.get("id"), action.get("state"), None)

    try:
        outcome = run.run(args.wait_total)
    except ApiError as err:
        print(f"error: the backend answered {err.status}: {json.dumps(err.body(), ensure_ascii=False)}",
              file=sys.stderr, flush=True)
        finish(last_seen(), {"status": err.status, **err.body()})
        return EXIT_USAGE
    except GiveUp as err:
        print(f"giving up: {err}", file=sys.stderr, flush=True)
        finish(last_seen(), {"code": "gave_up", "message": str(err)})
        return EXIT_GAVE_UP
    except KeyboardInterrupt:
        where = f"; action #{run.action['id']} was {run.action['state']}" if run.action else ""
        print(f"interrupted{where}", file=sys.stderr, flush=True)
        finish(last_seen(), {"code": "interrupted", "message": "interrupted" + where})
        return EXIT_INTERRUPTED
    finish(outcome)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
