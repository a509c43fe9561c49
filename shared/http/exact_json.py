"""Request bodies parsed with their numbers exact: a JSON number with a fraction or an exponent is a Decimal.

FastAPI reads a JSON body with the standard `json.loads`, which makes every such number a float: the digits
sent are lost before validation, so "4.50000000000000000000000000001" would reach a score field as 4.5 and be
accepted, and 1e400 as infinity. Every route of every service is an `ExactJsonRoute` (build_app refuses a
router with another route class), whose request parses floats as `Decimal` (`parse_float=Decimal`): the
decimal types of shared/decimals.py then judge the very digits sent. Integers stay ints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class ExactJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_json_handler(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact_json_handler
