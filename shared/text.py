"""The text policy at the edge: what any API accepts must be storable by every service that later receives it.

Text is refused (422 naming the field) when it holds a character PostgreSQL's text type or an XML 1.0 export
cannot hold: NUL and the other C0 controls except tab, line feed and carriage return, lone surrogates (JSON's
"\\ud800" parses to one; UTF-8 cannot encode it), and the non-characters U+FFFE and U+FFFF. What is accepted is
normalised to NFC, so the same title typed on two keyboards is stored, hashed and compared as one string.

One base model carries it (`StorableModel`): every request body and every event payload model inherits it, so
no text field can be forgotten, nested lists and dict keys included.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# The complement of XML 1.0's Char production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-...]);
# it includes U+0000, the one character PostgreSQL's text cannot hold at all.
_NOT_STORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def storable_text(value: str) -> str:
    """The text in NFC, or PydanticCustomError naming the first character no store or export can hold."""
    found = _NOT_STORABLE.search(value)
    if found is not None:
        raise PydanticCustomError(
            "text_not_storable",
            "contains {character} at position {position}, a character the database and XML exports cannot hold",
            {"character": f"U+{ord(found.group()):04X}", "position": found.start()},
        )
    return unicodedata.normalize("NFC", value)


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_storable(item) for item in value)
    if isinstance(value, set | frozenset):
        return type(value)(_storable(item) for item in value)
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value  # nested models check themselves (they inherit StorableModel); numbers, dates, enums pass


class StorableModel(BaseModel):
    """Base of every model whose text comes from outside: the text policy above on every field."""

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and type(value) is not str:
            return value  # a StrEnum member: one of the model's own values
        return _storable(value)
