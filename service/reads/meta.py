"""Meta: the API's and every dataset's version, revision and counts."""

from sqlmodel import Session, select

from service import __version__, revisions
from service.reads.disclosures import licence_public
from service.schemas import DatasetMeta, MetaPublic
from service.tables import Disclosure


def meta(session: Session, flagship: str) -> MetaPublic:
    disclosures = session.exec(select(Disclosure).order_by(Disclosure.id)).all()
    return MetaPublic(
        api_version="1",
        service_version=__version__,
        revision=revisions.read_id(session),
        flagship_disclosure=flagship,
        datasets=[
            DatasetMeta(
                id=d.id,
                version=d.version,
                revision=d.revision,
                last_updated=d.last_updated,
                licence=licence_public(d),
                figures=d.figure_count,
                cases=d.case_count,
                checks=d.check_count,
                sources=d.source_count,
            )
            for d in disclosures
        ],
    )
