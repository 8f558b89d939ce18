"""One vocabulary for outcomes and job states, and "stop now" exceptions never swallowed."""

import ast
from pathlib import Path

import pytest

from claims.checking import outcomes
from claims.models import CheckJob, Source

CHECKER = Path(__file__).resolve().parents[2] / "claims" / "checking"


def test_outcome_names_are_the_check_states():
    names = {value for name, value in vars(outcomes).items() if name.isupper() and isinstance(value, str)}
    job_states = {s.value for s in CheckJob.State}
    assert names - job_states == {s.value for s in Source.CheckState}
    assert set(outcomes.LIVE_JOB_STATES) | set(outcomes.FINISHED_JOB_STATES) == job_states


def test_every_set_is_made_of_known_outcomes():
    known = {s.value for s in Source.CheckState}
    for group in (outcomes.READ, outcomes.RETRYABLE, outcomes.UNREACHABLE, outcomes.REFUSED, outcomes.PROBLEM):
        assert group <= known
    assert not outcomes.READ & outcomes.UNREACHABLE and not outcomes.UNREACHABLE & outcomes.REFUSED


def _catches_everything(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any(
        isinstance(k, ast.Name) and k.id in {"Exception", "BaseException"} for k in kinds
    )


def _lets_stop_now_through(handler: ast.ExceptHandler) -> bool:
    source = ast.unparse(handler.type) if handler.type is not None else ""
    # It may record the stop first (the runner does), but it must end by raising it again.
    last = handler.body[-1]
    return "STOP_NOW" in source and isinstance(last, ast.Raise) and last.exc is None


@pytest.mark.parametrize("path", sorted(CHECKER.glob("*.py")), ids=lambda p: p.name)
def test_broad_handlers_let_time_limits_through(path):
    """A broad ``except`` in the checker must re-raise ``outcomes.STOP_NOW`` first, or a soft
    time limit is swallowed and the check runs on past it."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Try):
            continue
        for index, handler in enumerate(node.handlers):
            if _catches_everything(handler):
                earlier = node.handlers[:index]
                assert any(_lets_stop_now_through(h) for h in earlier), (
                    f"{path.name}:{handler.lineno} catches everything without re-raising STOP_NOW first"
                )
