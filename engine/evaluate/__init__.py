"""The batch evaluator: rules and calendar in, events in time order through, findings out."""

from .evaluator import AuditResult, evaluate

__all__ = ["AuditResult", "evaluate"]
