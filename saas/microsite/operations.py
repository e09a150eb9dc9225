"""The only code that writes microsite content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.microsite.models import (
    BoardMember,
    BusinessUnit,
    CooperativeProfile,
    NewsPost,
    Position,
    Product,
    UnitKind,
    UnitStatus,
)
from saas.microsite.rules import PENGAWAS, PENGURUS
from saas.storage import Storage
from saas.uploads import CheckedFile


@dataclass(frozen=True)
class LegalIdentifiers:
    sk_ahu_number: str | None
    sk_ahu_date: date | None
    npwp: str | None
    nib: str | None
    nik_koperasi: str | None


# -- reading -------------------------------------------------------------------------------------


def get_profile(session: Session) -> CooperativeProfile | None:
    return session.get(CooperativeProfile, 1)


def list_board(session: Session) -> list[BoardMember]:
    order = {position: index for index, position in enumerate((*PENGURUS, *PENGAWAS))}
    members = session.scalars(select(BoardMember).order_by(BoardMember.id)).all()
    return sorted(members, key=lambda m: order.get(m.position, 99))


def get_board_member_for_tenant(session: Session, member_id: int) -> BoardMember | None:
    return session.get(BoardMember, member_id)


def list_units(session: Session) -> list[BusinessUnit]:
    order = {kind: index for index, kind in enumerate(UnitKind)}
    units = session.scalars(select(BusinessUnit).order_by(BusinessUnit.id)).all()
    return sorted(units, key=lambda u: (order[u.kind], u.id))


def get_unit_for_tenant(session: Session, unit_id: int) -> BusinessUnit | None:
    return session.get(BusinessUnit, unit_id)


# -- writing -------------------------------------------------------------------------------------


def _profile_for_update(session: Session) -> CooperativeProfile:
    profile = session.get(CooperativeProfile, 1, with_for_update=True)
    if profile is None:
        profile = CooperativeProfile(id=1)
        session.add(profile)
    return profile


def save_profile(
    session: Session,
    *,
    vision: str | None,
    mission: str | None,
    village_potential: str | None,
    address: str | None,
    postal_code: str | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    phone: str | None,
    whatsapp: str | None,
    email: str | None,
) -> CooperativeProfile:
    profile = _profile_for_update(session)
    profile.vision, profile.mission = vision, mission
    profile.village_potential = village_potential
    profile.address, profile.postal_code = address, postal_code
    profile.latitude, profile.longitude = latitude, longitude
    profile.phone, profile.whatsapp, profile.email = phone, whatsapp, email
    session.commit()
    return profile


def save_legal_identifiers(session: Session, identifiers: LegalIdentifiers) -> None:
    profile = _profile_for_update(session)
    profile.sk_ahu_number = identifiers.sk_ahu_number
    profile.sk_ahu_date = identifiers.sk_ahu_date
    profile.npwp = identifiers.npwp
    profile.nib = identifiers.nib
    profile.nik_koperasi = identifiers.nik_koperasi
    session.commit()


def save_board_member(
    session: Session,
    member: BoardMember | None,
    *,
    position: Position,
    name: str,
    phone: str | None,
    is_village_official: bool,
    is_related_to_board: bool,
) -> BoardMember:
    if member is None:
        member = BoardMember()
        session.add(member)
    member.position = position
    member.name = " ".join(name.split())
    member.phone = phone
    member.is_village_official = is_village_official
    member.is_related_to_board = is_related_to_board
    session.commit()
    return member


def remove_board_member(session: Session, member: BoardMember) -> None:
    session.delete(member)
    session.commit()


def save_unit(
    session: Session,
    unit: BusinessUnit | None,
    *,
    kind: UnitKind,
    name: str,
    status: UnitStatus,
    description: str | None,
    opening_hours: str | None,
) -> BusinessUnit:
    if unit is None:
        unit = BusinessUnit()
        session.add(unit)
    unit.kind, unit.name, unit.status = kind, " ".join(name.split()), status
    unit.description, unit.opening_hours = description, opening_hours
    session.commit()
    return unit


def remove_unit(session: Session, unit: BusinessUnit) -> None:
    session.delete(unit)
    session.commit()


# -- news and products ---------------------------------------------------------------------------


def list_news(session: Session, limit: int = 50) -> list[NewsPost]:
    return list(
        session.scalars(select(NewsPost).order_by(NewsPost.published_at.desc()).limit(limit))
    )


def get_news_for_tenant(session: Session, post_id: int) -> NewsPost | None:
    return session.get(NewsPost, post_id)


def save_news(session: Session, post: NewsPost | None, *, title: str, body: str) -> NewsPost:
    if post is None:
        post = NewsPost()
        session.add(post)
    post.title = " ".join(title.split())
    post.body = body.strip()
    session.commit()
    return post


def remove_news(session: Session, post: NewsPost) -> None:
    session.delete(post)
    session.commit()


def list_products(session: Session, *, available_only: bool = False) -> list[Product]:
    query = select(Product).order_by(Product.name, Product.id)
    if available_only:
        query = query.where(Product.is_available.is_(True))
    return list(session.scalars(query))


def get_product_for_tenant(session: Session, product_id: int) -> Product | None:
    return session.get(Product, product_id)


def save_product(
    session: Session,
    product: Product | None,
    *,
    name: str,
    description: str | None,
    price: int | None,
    unit: str | None,
    seller: str | None,
    is_available: bool,
) -> Product:
    """Price in integer rupiah (None: ask the seller)."""
    if product is None:
        product = Product()
        session.add(product)
    product.name = " ".join(name.split())
    product.description, product.price, product.unit = description, price, unit
    product.seller, product.is_available = seller, is_available
    session.commit()
    return product


def remove_product(session: Session, product: Product) -> None:
    session.delete(product)
    session.commit()


# -- photos --------------------------------------------------------------------------------------

PHOTO_SIDE = 800  # pixels on the longer side: sharp on a phone, small on a slow network


def public_owner(schema_name: str) -> str:
    """The storage folder of a tenant's public images (documents live in another, private one)."""
    return f"{schema_name}_pub"


def set_photo(
    session: Session,
    storage: Storage,
    row: CooperativeProfile | BoardMember | BusinessUnit,
    checked: CheckedFile,
    *,
    schema_name: str,
) -> None:
    """Store a checked image as the row's photo (or logo) and remove the one it replaces."""
    attribute = "logo_key" if isinstance(row, CooperativeProfile) else "photo_key"
    old = getattr(row, attribute)
    key = storage.save(public_owner(schema_name), checked.content, checked.extension)
    setattr(row, attribute, key)
    try:
        session.commit()
    except Exception:
        storage.delete(key)
        raise
    if old:
        storage.delete(old)
