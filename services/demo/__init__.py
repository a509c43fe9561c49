"""`jointcall demo`: a joint call on the Alpine Space example, end to end, through the public HTTP APIs.

`run_joint_call` drives it (embedded or against a running stack); see `runner` for the two set-ups.
"""

from .api import DemoError, Tokens
from .call import alpine_call_body
from .flow import run_joint_call
from .progress import Progress, SilentProgress
from .results import Results
from .timeline import RealTimeline, ShiftedTimeline, Timeline
from .transport import RoutingTransport

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
]
