"""Building a response model from what it presents: the fields of the same name copied, only the others said.

`presented(FitOut, fit, pre_proposal_id=fit.proposal_id)` is `FitOut(pre_proposal_id=fit.proposal_id,
region_code=fit.region_code, go=fit.go, ...)` without the copies: one validation, as the constructor's, so a text
id still becomes a UUID and a JSON dict a nested model."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_ABSENT = object()


def presented(model: type[M], *sources: object, **fields: Any) -> M:
    """`model` with each field given in `fields` (those renamed or computed), the others read from the attribute of
    the same name of the first of `sources` that has one; a field none has takes its default (or is missing). A
    name in `fields` that is no field of `model` is a TypeError, not silently dropped (while the attribute it
    meant to replace, a hidden amount say, would be copied)."""
    if not fields.keys() <= model.model_fields.keys():
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(fields.keys() - model.model_fields.keys()))}")
    values = dict(fields)
    for name in model.model_fields:
        if name not in values:
            for source in sources:
                value = getattr(source, name, _ABSENT)
                if value is not _ABSENT:
                    values[name] = value
                    break
    return model.model_validate(values, from_attributes=True)
