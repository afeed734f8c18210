"""`leaks --fail-on SIZE`: a leak report in, the gate's verdict out (for CI and canaries)."""

from __future__ import annotations

from fpmscope.model.gate import Gate, GateFailure
from fpmscope.model.leaks import LeakReport
from fpmscope.units import size


def check(report: LeakReport, limit: int) -> Gate:
    """Fail on every leak suspect whose estimate per request is above `limit` bytes."""
    failed = tuple(
        GateFailure(
            endpoint=e.endpoint,
            requests=e.requests,
            retained_bytes_per_request=e.retained_bytes_per_request,
            reason=e.reason,
        )
        for e in report.suspects
        if e.retained_bytes_per_request > limit
    )
    return Gate(fail_on_bytes=limit, passed=not failed, failed=failed, suspects_checked=len(report.suspects))


def summary(gate: Gate) -> str:
    """One line for stderr."""
    if gate.passed:
        return f"gate passed: no endpoint keeps more than {size(gate.fail_on_bytes)} per request"
    worst = ", ".join(f"{f.endpoint} ({size(f.retained_bytes_per_request)})" for f in gate.failed[:5])
    more = f" and {len(gate.failed) - 5} more" if len(gate.failed) > 5 else ""
    return (
        f"gate failed: {len(gate.failed)} endpoint(s) keep more than {size(gate.fail_on_bytes)} per request: "
        f"{worst}{more}"
    )
