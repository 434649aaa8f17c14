"""Demo data for the quick start: idempotent, and never on a production database."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import person_cache, registry, selectors
from portal.models import PublicBody, PublicBodyRole, SiteSettings, User
from portal.services import public_body_membership_grant

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed in the README, DEBUG only

DEMO_USERS = [
    # email, name, staff
    ("admin@exempel.se", "Alva Administratör", True),
    ("handlaggare@exempel.se", "Hanna Handläggare", False),
    ("beslutsfattare@exempel.se", "Bengt Beslutsfattare", False),
    ("forening@exempel.se", "Frida Föreningsson", False),
    ("forening2@exempel.se", "Filip Föreningsdahl", False),
    ("registrator@exempel.se", "Rut Registrator", False),
]

DEMO_PERSONAL_DATA = """\
Exempelkommun är personuppgiftsansvarig för de personuppgifter som behandlas i \
Samverkansportalen. Kultur- och fritidsnämnden och Socialnämnden ansvarar för uppgifterna i de \
ärenden de handlägger.

Vi behandlar uppgifter om dig för att kunna hantera ditt konto, din förenings registrering, \
ansökningar om bidrag, beslut, utbetalningar, återrapporteringar och avtal om idéburet \
offentligt partnerskap (IOP). Den rättsliga grunden är att behandlingen behövs för att utföra \
en uppgift av allmänt intresse och som ett led i myndighetsutövning.

Ansökningar, beslut och avtal är allmänna handlingar. De sparas och gallras enligt kommunens \
dokumenthanteringsplan. Ditt konto och dina kontaktuppgifter tas bort när du inte längre \
behöver dem, om inget ärende kräver att de sparas.

Du har rätt att få veta vilka uppgifter vi har om dig, att få fel rättade och, när lagen \
tillåter det, att få uppgifter raderade. Kontakta kommunen på adressen nedan. Du kan också \
vända dig till kommunens dataskyddsombud på dataskyddsombud@exempel.se. Är du inte nöjd med \
hur vi behandlar dina uppgifter kan du klaga hos Integritetsskyddsmyndigheten (IMY)."""


def seed_site_settings() -> None:
    """The demo municipality's name, contact details and personal-data text, unless an
    administrator has already written their own."""
    if not SiteSettings.objects.exists():
        SiteSettings(
            municipality_name="Exempelkommun",
            contact_email="kontakt@exempel.se",
            contact_phone="0123-45 67 00",
            contact_address="Exempelkommun\nKommunhuset, Storgatan 1\n123 45 Exempelstad",
            personal_data_text=DEMO_PERSONAL_DATA,
        ).save()
    selectors.site_settings_forget()


class Command(BaseCommand):
    help = "Create or refresh the demo municipality and demo accounts (development only: DEBUG or DEVELOPMENT)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.DEVELOPMENT):
            raise CommandError(
                "seed_demo only runs in development (DEVELOPMENT or DEBUG on): it sets known "
                "passwords."
            )
        with transaction.atomic():
            self.seed()
        # people and memberships were also written in bulk, which no signal reports
        person_cache.forget_all()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))

    def seed(self) -> None:
        kommun, _ = PublicBody.objects.update_or_create(
            registry_prefix="EXK",
            defaults={"name": "Exempelkommun", "kind": PublicBody.Kind.MUNICIPALITY},
        )
        kultur, _ = PublicBody.objects.update_or_create(
            registry_prefix="KFN",
            defaults={
                "name": "Kultur- och fritidsnämnden",
                "kind": PublicBody.Kind.COMMITTEE,
                "parent": kommun,
            },
        )
        social, _ = PublicBody.objects.update_or_create(
            registry_prefix="SN",
            defaults={
                "name": "Socialnämnden",
                "kind": PublicBody.Kind.COMMITTEE,
                "parent": kommun,
            },
        )

        users: dict[str, User] = {}
        for email, name, staff in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email)
            user.name = name
            user.is_staff = staff
            user.is_superuser = staff
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            users[email] = user

        admin = users["admin@exempel.se"]
        for body in (kultur, social):
            public_body_membership_grant(
                actor=admin,
                user=users["handlaggare@exempel.se"],
                public_body=body,
                role=PublicBodyRole.CASE_OFFICER,
            )
        public_body_membership_grant(
            actor=admin,
            user=users["beslutsfattare@exempel.se"],
            public_body=kultur,
            role=PublicBodyRole.DECISION_MAKER,
        )
        public_body_membership_grant(
            actor=admin,
            user=users["registrator@exempel.se"],
            public_body=kultur,
            role=PublicBodyRole.REGISTRAR,
        )
        seed_site_settings()
        # Then each app's own demo data, in the order of INSTALLED_APPS.
        for seeder in registry.seeders():
            seeder(users=users)
        if settings.EID_DEMO:
            link_demo_eids(users)


# With e-legitimation in the demo (EID_DEMO=true), the two association representatives log in
# and sign with two of the test identity provider's persons (Skatteverket's test personnummer).
DEMO_EIDS = {"forening@exempel.se": "199908072391", "forening2@exempel.se": "191202119986"}


def link_demo_eids(users: dict[str, User]) -> None:
    from allauth.socialaccount.models import SocialAccount

    from portal.eid.identity import person_key

    for email, number in DEMO_EIDS.items():
        SocialAccount.objects.update_or_create(
            provider="saml",
            uid=person_key(number),
            defaults={"user": users[email], "extra_data": {"loa": ""}},
        )
