"""Officers post news and list products; visitors read them on the microsite."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.file import MultipleFileField
from werkzeug.wrappers import Response

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.profile.forms import NewsForm, ProductForm
from saas.blueprints.profile.views import (
    bp,
    commit_and_delete,
    public_storage,
    read_photo,
    store_photo,
)
from saas.db import tenant_db
from saas.microsite import operations as microsite
from saas.microsite.models import NewsPost
from saas.uploads import CheckedFile


def read_photos(field: MultipleFileField, post: NewsPost | None) -> list[CheckedFile] | None:
    """The checked images of a multi-photo field; None when one was refused (the field says
    why) or there would be more than a post may carry."""
    chosen = [upload for upload in field.data or [] if getattr(upload, "filename", "")]
    room = microsite.MAX_NEWS_PHOTOS - (len(post.photos) if post else 0)
    if len(chosen) > room:
        field.errors = [
            _(
                "A news post carries at most %(most)d photos; this one has room for %(room)d more.",
                most=microsite.MAX_NEWS_PHOTOS,
                room=max(room, 0),
            )
        ]
        return None
    photos = []
    for upload in chosen:
        photo = read_photo(field, upload)
        if photo is None:
            return None
        photos.append(photo)
    return photos


@bp.route("/berita", methods=["GET", "POST"])
@bp.route("/berita/<int:post_id>", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def edit_news(post_id: int | None = None) -> Response | str | tuple[str, int]:
    post = None
    if post_id is not None:
        post = microsite.get_news_for_tenant(tenant_db(), post_id)
        if post is None:
            abort(404)
    form = NewsForm(obj=post)
    if form.validate_on_submit() and (photos := read_photos(form.photos, post)) is not None:
        saved = microsite.save_news(
            tenant_db(), post, title=form.title.data or "", body=form.body.data or ""
        )
        if photos:
            microsite.add_news_photos(
                tenant_db(), public_storage(), saved, photos, schema_name=g.tenant.schema_name
            )
        tenant_db().commit()
        flash(_("News published."), "success")
        return redirect(url_for("profile.edit_news"))
    return render_template(
        "profile/news.html", form=form, post=post, posts=microsite.list_news(tenant_db())
    ), 422 if form.errors else 200


@bp.route("/berita/<int:post_id>/hapus", methods=["POST"])
@tenant_view(Permission.EDIT_PROFILE)
def remove_news(post_id: int) -> Response:
    post = microsite.get_news_for_tenant(tenant_db(), post_id)
    if post is None:
        abort(404)
    commit_and_delete(microsite.remove_news(tenant_db(), post))
    flash(_("News removed."), "success")
    return redirect(url_for("profile.edit_news"))


@bp.route("/berita/<int:post_id>/foto/<int:photo_id>/hapus", methods=["POST"])
@tenant_view(Permission.EDIT_PROFILE)
def remove_news_photo(post_id: int, photo_id: int) -> Response:
    post = microsite.get_news_for_tenant(tenant_db(), post_id)
    removed = microsite.remove_news_photo(tenant_db(), post, photo_id) if post else None
    if removed is None:
        abort(404)
    commit_and_delete([removed])
    flash(_("Photo removed."), "success")
    return redirect(url_for("profile.edit_news", post_id=post_id))


@bp.route("/produk", methods=["GET", "POST"])
@bp.route("/produk/<int:product_id>", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def edit_product(product_id: int | None = None) -> Response | str | tuple[str, int]:
    product = None
    if product_id is not None:
        product = microsite.get_product_for_tenant(tenant_db(), product_id)
        if product is None:
            abort(404)
    form = ProductForm(obj=product)
    if form.validate_on_submit() and (
        (photo := read_photo(form.photo)) is not None or not form.photo.errors
    ):
        saved = microsite.save_product(
            tenant_db(),
            product,
            name=form.name.data or "",
            description=form.description.data or None,
            price=form.price.data,
            unit=form.unit.data or None,
            seller=form.seller.data or None,
            is_available=bool(form.is_available.data),
        )
        commit_and_delete(store_photo(saved, photo))
        flash(_("Product saved."), "success")
        return redirect(url_for("profile.edit_product"))
    return render_template(
        "profile/products.html",
        form=form,
        product=product,
        products=microsite.list_products(tenant_db()),
    ), 422 if form.errors else 200


@bp.route("/produk/<int:product_id>/hapus", methods=["POST"])
@tenant_view(Permission.EDIT_PROFILE)
def remove_product(product_id: int) -> Response:
    product = microsite.get_product_for_tenant(tenant_db(), product_id)
    if product is None:
        abort(404)
    commit_and_delete(microsite.remove_product(tenant_db(), product))
    flash(_("Product removed."), "success")
    return redirect(url_for("profile.edit_product"))
