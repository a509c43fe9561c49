"""s3_strategy: regions' smart-specialisation priorities, the synergies between them, and joint calls started
from the topics they share."""

from __future__ import annotations

from shared.service import app_factory, define_service

SERVICE = define_service(
    __package__,
    title="S3 strategy",
    description="Regions' S3 priorities (Eye@RIS3 shape), the synergy matrix between regions, candidate joint "
    "topics, complementary domains, and call drafts started from a topic.",
    api=("routes",),
)


create_app = app_factory(SERVICE)
