"""The live monitor: deadline rules kept running on durable-rules, alerting as time passes."""

from .clock import RealClock, SimulatedClock
from .monitor import LiveMonitor

__all__ = ["LiveMonitor", "RealClock", "SimulatedClock"]
