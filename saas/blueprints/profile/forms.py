"""Forms for the cooperative's profile, board and business units."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from saas.blueprints.auth.forms import EMAIL_INVALID
from saas.blueprints.forms import REQUIRED, Form, choices_from
from saas.documents.models import DocumentKind
from saas.microsite.models import Position, UnitKind, UnitStatus
from saas.phones import to_e164

POSITION_LABELS = {
    Position.KETUA: _l("Chair (Ketua)"),
    Position.WAKIL_KETUA_USAHA: _l("Vice chair for business (Wakil Ketua Bidang Usaha)"),
    Position.WAKIL_KETUA_ANGGOTA: _l("Vice chair for membership (Wakil Ketua Bidang Keanggotaan)"),
    Position.SEKRETARIS: _l("Secretary (Sekretaris)"),
    Position.BENDAHARA: _l("Treasurer (Bendahara)"),
    Position.KETUA_PENGAWAS: _l("Chair of the supervisors (Ketua Pengawas)"),
    Position.ANGGOTA_PENGAWAS: _l("Supervisor (Anggota Pengawas)"),
}
UNIT_LABELS = {
    UnitKind.KANTOR: _l("Cooperative office"),
    UnitKind.SEMBAKO: _l("Groceries outlet (gerai sembako)"),
    UnitKind.SIMPAN_PINJAM: _l("Savings and loans"),
    UnitKind.KLINIK: _l("Village clinic"),
    UnitKind.APOTEK: _l("Village pharmacy"),
    UnitKind.GUDANG: _l("Warehouse / cold storage"),
    UnitKind.LOGISTIK: _l("Logistics"),
    UnitKind.LPG: _l("LPG base"),
    UnitKind.PUPUK: _l("Fertiliser retail"),
    UnitKind.AGEN_BANK: _l("Bank agent (BRILink and others)"),
    UnitKind.PPOB: _l("Bill payments and top-ups (PPOB)"),
    UnitKind.LAINNYA: _l("Other business"),
}
DOCUMENT_LABELS = {
    DocumentKind.MUSDESUS: _l("Minutes of the special village meeting (Musdesus)"),
    DocumentKind.AKTA: _l("Deed of establishment (akta pendirian)"),
    DocumentKind.SK_AHU: _l("SK AHU legal entity decree"),
    DocumentKind.NPWP: _l("NPWP card"),
    DocumentKind.NIB: _l("NIB from OSS"),
    DocumentKind.BANK: _l("Proof of the cooperative's bank account"),
}

UPLOAD_MESSAGES = {
    "empty": _l("Choose a file to upload."),
    "too_large": _l(
        "The file is larger than 5 MB. Scan at a lower resolution or take a photo instead."
    ),
    "unknown_type": _l("Upload a PDF, JPEG or PNG file."),
    "bad_image": _l("This image could not be read. Take the photo again."),
    "too_many_pixels": _l("This image is too large in pixels. Take a normal photo instead."),
    "bad_pdf": _l("This PDF could not be read. Save or scan it again."),
    "active_pdf": _l(
        "This PDF contains scripts or attachments. Save it again as a plain PDF or scan it."
    ),
}
PHOTO_FIELD_KW = {"accept": "image/jpeg,image/png"}

STATUS_LABELS = {UnitStatus.PLANNED: _l("Planned"), UnitStatus.RUNNING: _l("Running")}


def optional_phone(_form: Any, field: Field) -> None:
    if not field.data:
        field.data = None
        return
    phone = to_e164(field.data)
    if phone is None:
        raise ValidationError(str(_l("Enter an Indonesian mobile number, like 0812 3456 7890.")))
    field.data = phone


def both_or_neither(other: str) -> Any:
    def validate(form: Any, field: Field) -> None:
        if (field.data is None) != (getattr(form, other).data is None):
            raise ValidationError(str(_l("Enter both latitude and longitude, or neither.")))

    return validate


class ProfileForm(Form):
    vision = TextAreaField(_l("Vision (visi)"), validators=[Optional(), Length(max=2000)])
    mission = TextAreaField(_l("Mission (misi)"), validators=[Optional(), Length(max=4000)])
    village_potential = TextAreaField(
        _l("Village potential (potensi desa)"), validators=[Optional(), Length(max=4000)]
    )
    address = StringField(
        _l("Address"),
        validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "street-address"},
    )
    postal_code = StringField(
        _l("Postal code"),
        validators=[Optional(), Length(min=5, max=5)],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    latitude = DecimalField(
        _l("Latitude"),
        places=6,
        validators=[
            Optional(),
            NumberRange(min=-11, max=6, message=_l("Indonesia lies between latitudes -11 and 6.")),
            both_or_neither("longitude"),
        ],
        render_kw={"inputmode": "decimal"},
    )
    longitude = DecimalField(
        _l("Longitude"),
        places=6,
        validators=[
            Optional(),
            NumberRange(
                min=95, max=141, message=_l("Indonesia lies between longitudes 95 and 141.")
            ),
        ],
        render_kw={"inputmode": "decimal"},
    )
    whatsapp = TelField(
        _l("WhatsApp number"), validators=[optional_phone], render_kw={"inputmode": "tel"}
    )
    phone = TelField(
        _l("Office phone"), validators=[optional_phone], render_kw={"inputmode": "tel"}
    )
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(message=EMAIL_INVALID), Length(max=254)],
        render_kw={"inputmode": "email"},
    )
    logo = FileField(_l("Logo (JPEG or PNG)"), render_kw=PHOTO_FIELD_KW)


class BoardMemberForm(Form):
    position = SelectField(
        _l("Position"),
        choices=choices_from(POSITION_LABELS),
    )
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=REQUIRED), Length(max=120)],
        render_kw={"autocapitalize": "words"},
    )
    phone = TelField(
        _l("Phone number"), validators=[optional_phone], render_kw={"inputmode": "tel"}
    )
    is_village_official = BooleanField(
        _l("Is a village official (kepala desa, sekdes, perangkat desa or BPD)")
    )
    is_related_to_board = BooleanField(_l("Is related to another member of the board"))
    photo = FileField(_l("Photo (JPEG or PNG)"), render_kw=PHOTO_FIELD_KW)


class UnitForm(Form):
    kind = SelectField(
        _l("Kind of business"),
        choices=choices_from(UNIT_LABELS),
    )
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=120)])
    status = SelectField(
        _l("Status"),
        choices=choices_from(STATUS_LABELS),
    )
    description = TextAreaField(_l("What it offers"), validators=[Optional(), Length(max=2000)])
    opening_hours = StringField(
        _l("Opening hours"),
        validators=[Optional(), Length(max=120)],
        render_kw={"placeholder": "Senin-Sabtu 08.00-16.00"},
    )
    photo = FileField(_l("Photo (JPEG or PNG)"), render_kw=PHOTO_FIELD_KW)


MAX_PRICE = 1_000_000_000_000  # Rp1 trillion: anything above is a typing slip


class NewsForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    body = TextAreaField(
        _l("What happened"), validators=[DataRequired(message=REQUIRED), Length(max=20000)]
    )
    photos = MultipleFileField(_l("Photos (JPEG or PNG, up to 6)"), render_kw=PHOTO_FIELD_KW)


class ProductForm(Form):
    name = StringField(_l("Product"), validators=[DataRequired(message=REQUIRED), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    price = IntegerField(
        _l("Price in rupiah (leave empty to agree on it by chat)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_PRICE,
                message=_l("Enter a price from Rp1 up to Rp1.000.000.000.000."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    unit = StringField(
        _l("Per"), validators=[Optional(), Length(max=40)], render_kw={"placeholder": "kg"}
    )
    seller = StringField(
        _l("Made or sold by (a member, for consignment goods)"),
        validators=[Optional(), Length(max=120)],
    )
    is_available = BooleanField(_l("Available now"), default=True)
    photo = FileField(_l("Photo (JPEG or PNG)"), render_kw=PHOTO_FIELD_KW)
