"""How much one request may hold: list lengths, text lengths and body sizes, in one place.

Each cap is what a real call needs with room to spare (the Alpine call has 6 regions, 4 criteria, a dozen cost
categories; Horizon Europe's largest consortia have about 30 partners), and small enough that no single request
can stall a process. They appear in the OpenAPI as maxItems / maxProperties / maxLength; a request beyond one is
a 422 naming the field. The body size caps (413) are settings (`JOINTCALL_MAX_BODY_BYTES`,
`JOINTCALL_MAX_UPLOAD_BYTES`): agencies whose calls need more change those, not the code.
"""

from __future__ import annotations

MAX_URL_LENGTH = 2048  # a URL, as browsers and proxies commonly accept
MAX_TIME_ZONE_LENGTH = 64  # the longest IANA zone name is 32 characters
MAX_TOPICS = 50  # a call's topics / S3 areas, a region's S3 areas
MAX_COST_CATEGORIES = 50  # a partner's budget lines, a region's eligible categories and cost caps
MAX_ORGANISATION_TYPES = 10  # there are five
MAX_MANUAL_CHECKS = 50  # checks a region's officers do by hand
MAX_CRITERIA = 20  # a call's evaluation criteria (as EvaluationConfig.criteria), so per assessment too
MAX_REGIONS = 60  # regions of one call (as CallConfiguration.regions)
MAX_PRIORITIES = 200  # a region's S3 priorities
MAX_CODES = 100  # NACE / NABS codes or objectives of one priority
MAX_KEY_LENGTH = 80  # a priority's key
MAX_NAME_LENGTH = 300  # a name or title (as shared.calls.Text)
MAX_DESCRIPTION_LENGTH = 20_000  # a call's description
MAX_PARTNERS = 30  # partners of one proposal (as ProposalDraft.partners)
MAX_INDICATORS = 50  # a call's indicators, so the figures of one report
MAX_CURRENCIES = 60  # exchange rates of one call: one per region at most
