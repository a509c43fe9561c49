"""A response model filled from what it presents: same-named fields copied, the others given."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from pydantic import BaseModel, ValidationError

from shared.presenting import presented


class PartOut(BaseModel):
    key: str
    size: int


class ThingOut(BaseModel):
    thing_id: uuid.UUID
    name: str
    parts: list[PartOut]
    note: str | None = None


@dataclass
class Part:
    key: str
    size: int


@dataclass
class Thing:
    id: str
    name: str
    parts: list[Part]
    hidden: str = "not in the response"


ID = "0b4f2d6e-58a4-4c1e-9a1e-3c0f6d1f2b7a"


def test_fields_of_the_same_name_are_copied_and_the_others_given() -> None:
    out = presented(ThingOut, Thing(ID, "alpha", [Part("a", 1)]), thing_id=ID)
    assert out == ThingOut(thing_id=uuid.UUID(ID), name="alpha", parts=[PartOut(key="a", size=1)])


def test_a_given_field_wins_over_the_attribute_of_that_name() -> None:
    assert presented(ThingOut, Thing(ID, "alpha", []), thing_id=ID, name="beta").name == "beta"


def test_a_field_no_source_has_takes_its_default_or_is_missing() -> None:
    assert presented(ThingOut, Thing(ID, "alpha", []), thing_id=ID).note is None
    with pytest.raises(ValidationError, match="thing_id"):
        presented(ThingOut, Thing(ID, "alpha", []))


def test_each_field_comes_from_the_first_source_that_has_it() -> None:
    @dataclass
    class Note:
        name: str
        note: str

    out = presented(ThingOut, Thing(ID, "alpha", []), Note("ignored", "kept"), thing_id=ID)
    assert (out.name, out.note) == ("alpha", "kept")


def test_a_given_name_that_is_no_field_is_refused_rather_than_dropped() -> None:
    with pytest.raises(TypeError, match="no field nmae"):
        presented(ThingOut, Thing(ID, "alpha", []), thing_id=ID, nmae="hidden")
