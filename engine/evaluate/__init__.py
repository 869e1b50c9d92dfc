"""What each kind of rule means, event by event (one evaluator per kind), with the one home of clock controls
(clock.py) and of verdicts (verdict.py). Driven by the pipeline, engine/pipeline.py."""

from .evaluator import AuditResult

__all__ = ["AuditResult"]
