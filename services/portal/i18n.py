"""The portal's languages: gettext catalogues (Babel), the language a request is served in, and dates and money
formatted for it.

The catalogues are the committed `.po` files under `locales/<language>/LC_MESSAGES/`: `messages.po` for what
every page shares and one file per group of pages that has its own (`applicant.po`, `secretariat.po`, ...), so
that each group's messages are kept beside each other. They are compiled in memory and merged when the portal
starts, so a fresh clone needs no build step. Extract and update them with the commands in the README.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT = "en"
# Each language by its code, in its own name (the switch shows them so a reader finds their own).
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "it": "Italiano", "sl": "Slovenščina"}
# Formats: English in the European way (24-hour clock, day before month).
_FORMAT_LOCALE = {"en": "en_GB"}


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown (a page's title, a notice)."""
    return message


def po_path(language: str, group: str = DOMAIN) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{group}.po"


def po_paths(language: str) -> list[Path]:
    """The language's catalogue files: `messages.po` first, then each group's in name order."""
    others = sorted(p for p in po_path(language).parent.glob("*.po") if p.stem != DOMAIN)
    return [po_path(language), *others]


def _compiled(path: Path, language: str) -> Translations:
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # fuzzy entries left out, as msgfmt does
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@functools.cache
def translations(language: str) -> Translations:
    """The language's catalogues compiled from their `.po` files and merged into one."""
    first, *others = po_paths(language)
    merged = _compiled(first, language)
    for path in others:
        merged.merge(_compiled(path, language))
    return merged


def accepted_languages(header: str | None) -> list[str]:
    """The languages of an Accept-Language header, most preferred first (q=0 means not acceptable)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(chosen: str | None, accept_language: str | None, available: Iterable[str] = LANGUAGES) -> str:
    """The language to serve: the one chosen with the switch, else the browser's first we have (by its primary
    subtag: de-AT is German), else English."""
    offered = list(available)
    if chosen in offered:
        return chosen
    for tag in accepted_languages(accept_language):
        primary = tag.split("-")[0]
        if primary in offered:
            return primary
        if tag == "*":
            return DEFAULT
    return DEFAULT


def format_when(moment: datetime, zone_name: str | None, language: str) -> str:
    """A moment in the call's time zone, the zone named: "10 Mar 2027 17:00 CET", "10.03.2027 17:00 CET"."""
    local = moment.astimezone(ZoneInfo(zone_name or "UTC"))
    locale = _FORMAT_LOCALE.get(language, language)
    day, hour = format_date(local, "medium", locale=locale), format_time(local, "short", locale=locale)
    return f"{day} {hour} {local.tzname()}"


def format_money(amount: Decimal | str | float | int | None, currency: str | None, language: str) -> str:
    """An amount with its currency, in the language's way: "1.234.567,50 €", "€1,234,567.50"."""
    if amount is None or amount == "":
        return ""
    locale = _FORMAT_LOCALE.get(language, language)
    return str(format_currency(Decimal(str(amount)), currency or "EUR", locale=locale))
