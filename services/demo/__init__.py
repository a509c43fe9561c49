"""`jointcall demo`: a joint call on the Alpine Space example, end to end, through the public HTTP APIs.

`run_joint_call` drives it (embedded or against a running stack), `run_two_stage_call` a two-stage call
(`--two-stage`, embedded); see `runner` for the set-ups.
"""

from .api import DemoError, Tokens
from .call import alpine_call_body
from .flow import run_joint_call
from .progress import Progress, SilentProgress
from .results import Results
from .timeline import RealTimeline, ShiftedTimeline, Timeline
from .transport import RoutingTransport
from .two_stage import run_two_stage_call

__all__ = [
    "DemoError",
    "Progress",
    "RealTimeline",
    "Results",
    "RoutingTransport",
    "ShiftedTimeline",
    "SilentProgress",
    "Timeline",
    "Tokens",
    "alpine_call_body",
    "run_joint_call",
    "run_two_stage_call",
]
