"""Imports every model module so both metadata collections are complete.

Alembic, the schema builder and the test fixtures import this module; add new model modules here.
"""

from saas.accounts import models as accounts_models
from saas.billing import models as billing_models
from saas.dashboard import models as dashboard_models
from saas.db import PlatformBase, TenantBase
from saas.documents import models as documents_models
from saas.gerai import models as gerai_models
from saas.ledger import models as ledger_models
from saas.loans import models as loans_models
from saas.members import models as members_models
from saas.microsite import models as microsite_models
from saas.onboarding import models as onboarding_models
from saas.payments import models as payments_models
from saas.publishing import models as publishing_models
from saas.rat import models as rat_models
from saas.regions import models as regions_models
from saas.registers import models as registers_models
from saas.savings import models as savings_models
from saas.shu import models as shu_models
from saas.tenants import models as tenants_models
from saas.verification import models as verification_models

__all__ = [
    "PlatformBase",
    "TenantBase",
    "accounts_models",
    "billing_models",
    "dashboard_models",
    "documents_models",
    "gerai_models",
    "ledger_models",
    "loans_models",
    "members_models",
    "microsite_models",
    "onboarding_models",
    "payments_models",
    "publishing_models",
    "rat_models",
    "regions_models",
    "registers_models",
    "savings_models",
    "shu_models",
    "tenants_models",
    "verification_models",
]
