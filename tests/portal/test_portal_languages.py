"""The portal's languages: every message of the pages has a translation in each catalogue, the language comes from
the browser or the switch, and dates and money are written the way each language writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from services.portal.i18n import LANGUAGES, accepted_languages, format_money, format_when, negotiate, po_paths

PORTAL = Path(__file__).parents[2] / "services" / "portal"


def extracted() -> set[str]:
    """Every message the portal's code and templates mark for translation, extracted as `pybabel extract` does."""
    with (PORTAL / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PORTAL, method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_pages_have_messages_to_translate() -> None:
    messages = extracted()
    assert "My assignments" in messages and "Skip to main content" in messages
    assert "%(num)d check shown" in messages  # a plural, from a template


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_message_has_a_translation_in_each_catalogue(language: str) -> None:
    translated, problems = {}, []
    for path in po_paths(language):  # messages.po and each group of pages' own catalogue
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if "fuzzy" not in message.flags and all(forms) and len(forms) in (1, catalog.num_plurals):
                translated[key] = forms
        problems += [(path.name, message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    missing = sorted(extracted() - set(translated))
    assert missing == [], f"{language} lacks a translation of {missing}"
    assert problems == []  # placeholders as in the message, every plural form present


def test_the_browser_language_is_served_by_its_preference_and_primary_subtag() -> None:
    assert accepted_languages("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == ["fr-ch", "fr", "en", "de", "*"]
    assert negotiate(None, "de-AT,de;q=0.9,en;q=0.5") == "de"
    assert negotiate(None, "sl-SI") == "sl"
    assert negotiate(None, "hr, it;q=0.4") == "it"
    assert negotiate(None, "hr, ja") == "en"
    assert negotiate(None, "it;q=0, fr;q=0.1") == "fr"  # q=0: not acceptable
    assert negotiate("sl", "de") == "sl"  # the switch wins over the browser
    assert negotiate("xx", None) == "en"


def test_dates_are_in_the_calls_zone_named_and_written_per_language() -> None:
    moment = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
    assert format_when(moment, "Europe/Vienna", "en") == "10 Mar 2027 17:00 CET"
    assert format_when(moment, "Europe/Vienna", "de") == "10.03.2027 17:00 CET"
    assert format_when(moment, "Europe/Ljubljana", "sl") == "10. mar. 2027 17:00 CET"
    assert format_when(moment, "Europe/Lisbon", "fr") == "10 mars 2027 16:00 WET"


def test_money_carries_its_currency_formatted_per_language() -> None:
    amount = Decimal("1234567.50")
    assert format_money(amount, "EUR", "en") == "€1,234,567.50"
    assert format_money(amount, "EUR", "de") == "1.234.567,50\xa0€"
    assert format_money(amount, "CHF", "fr") == "1\u202f234\u202f567,50\xa0CHF"
    assert format_money(amount, "CHF", "it") == "1.234.567,50\xa0CHF"
    assert format_money(None, "EUR", "sl") == ""
