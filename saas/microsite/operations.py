"""The only code that writes microsite content.

Operations flush and leave the commit to their caller. Image files are written before the flush;
the files a change replaces or removes are returned for the caller to delete once it committed
(a rolled-back change keeps them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from saas.microsite.models import (
    BoardMember,
    BusinessUnit,
    CooperativeProfile,
    NewsPhoto,
    NewsPost,
    Position,
    Product,
    UnitKind,
    UnitStatus,
)
from saas.microsite.rules import PENGAWAS, PENGURUS
from saas.storage import Storage, small_variant
from saas.uploads import CheckedFile, small_copy


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
    session.flush()
    return profile


def save_legal_identifiers(session: Session, identifiers: LegalIdentifiers) -> None:
    profile = _profile_for_update(session)
    profile.sk_ahu_number = identifiers.sk_ahu_number
    profile.sk_ahu_date = identifiers.sk_ahu_date
    profile.npwp = identifiers.npwp
    profile.nib = identifiers.nib
    profile.nik_koperasi = identifiers.nik_koperasi
    session.flush()


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
    session.flush()
    return member


def remove_board_member(session: Session, member: BoardMember) -> list[str]:
    """Remove a board member; the keys of their photo, to delete after the commit."""
    return _remove_with_photos(session, member, [member.photo_key])


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
    session.flush()
    return unit


class UnitInUse(Exception):
    """A unit whose shop keeps records (products, goods received, sales): it stays."""


def remove_unit(session: Session, unit: BusinessUnit) -> list[str]:
    """Remove a business unit; the keys of its photo, to delete after the commit. A unit the
    shop's records name stays (raises UnitInUse): the database restricts deleting it."""
    try:
        with session.begin_nested():
            return _remove_with_photos(session, unit, [unit.photo_key])
    except IntegrityError as exc:
        raise UnitInUse from exc


# -- news and products ---------------------------------------------------------------------------


MAX_NEWS_PHOTOS = 6


def list_news(session: Session, limit: int = 50) -> list[NewsPost]:
    """The newest posts first, each with its photos (one extra query for all of them)."""
    query = (
        select(NewsPost)
        .options(selectinload(NewsPost.photos))
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def get_news_for_tenant(session: Session, post_id: int) -> NewsPost | None:
    return session.get(NewsPost, post_id, options=[selectinload(NewsPost.photos)])


def save_news(session: Session, post: NewsPost | None, *, title: str, body: str) -> NewsPost:
    if post is None:
        post = NewsPost()
        session.add(post)
    post.title = " ".join(title.split())
    post.body = body.strip()
    session.flush()
    return post


def remove_news(session: Session, post: NewsPost) -> list[str]:
    """Remove a post; the keys of its photos, to delete after the commit."""
    return _remove_with_photos(session, post, [photo.photo_key for photo in post.photos])


def add_news_photos(
    session: Session,
    storage: Storage,
    post: NewsPost,
    photos: list[CheckedFile],
    *,
    schema_name: str,
) -> None:
    """Attach checked images to a post, up to MAX_NEWS_PHOTOS in all (the caller checks)."""
    if len(post.photos) + len(photos) > MAX_NEWS_PHOTOS:
        raise ValueError("too many photos")
    keys = [store_public_image(storage, schema_name, photo) for photo in photos]
    post.photos.extend(NewsPhoto(photo_key=key) for key in keys)
    try:
        session.flush()
    except Exception:
        delete_public_images(storage, keys)
        raise


def remove_news_photo(session: Session, post: NewsPost, photo_id: int) -> str | None:
    """Remove one photo of the post; its key, to delete after the commit (None: no such photo)."""
    photo = next((p for p in post.photos if p.id == photo_id), None)
    if photo is None:
        return None
    post.photos.remove(photo)
    session.flush()
    return photo.photo_key


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
    session.flush()
    return product


def remove_product(session: Session, product: Product) -> list[str]:
    """Remove a product; the keys of its photo, to delete after the commit."""
    return _remove_with_photos(session, product, [product.photo_key])


def _remove_with_photos(
    session: Session,
    row: BoardMember | BusinessUnit | NewsPost | Product,
    photo_keys: list[str | None],
) -> list[str]:
    """Delete the row; its image keys, which the caller deletes once the delete is committed."""
    session.delete(row)
    session.flush()
    return [key for key in photo_keys if key]


# -- photos --------------------------------------------------------------------------------------

PHOTO_SIDE = 800  # pixels on the longer side: sharp on a phone, small on a slow network


def public_owner(schema_name: str) -> str:
    """The storage folder of a tenant's public images (documents live in another, private one)."""
    return f"{schema_name}_pub"


def store_public_image(storage: Storage, schema_name: str, checked: CheckedFile) -> str:
    """Save a checked image and its small copy in the tenant's public folder; the key."""
    key = storage.save(public_owner(schema_name), checked.content, checked.extension)
    storage.write(small_variant(key), small_copy(checked).content)
    return key


def delete_public_image(storage: Storage, key: str) -> None:
    storage.delete(small_variant(key))
    storage.delete(key)


def delete_public_images(storage: Storage, keys: list[str]) -> None:
    """Delete images and their small copies (after the commit that stopped using them)."""
    for key in keys:
        delete_public_image(storage, key)


def set_photo(
    session: Session,
    storage: Storage,
    row: CooperativeProfile | BoardMember | BusinessUnit | Product,
    checked: CheckedFile,
    *,
    schema_name: str,
) -> str | None:
    """Store a checked image as the row's photo (or logo); the key of the one it replaces, for
    the caller to delete once the change is committed."""
    attribute = "logo_key" if isinstance(row, CooperativeProfile) else "photo_key"
    old: str | None = getattr(row, attribute)
    key = store_public_image(storage, schema_name, checked)
    setattr(row, attribute, key)
    try:
        session.flush()
    except Exception:
        delete_public_image(storage, key)
        raise
    return old
