"""Load Norway's municipalities (SSB classification 131, valid 2026-01-01) and the standard competences."""

import csv
import datetime
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "kommuner-2026-01-01.csv"
VALID_FROM = datetime.date(2026, 1, 1)

COMPETENCES = [
    ("disability", "Funksjonsnedsettelse", "Disability"),
    ("trauma", "Traumer", "Trauma"),
    ("infants", "Spedbarn", "Infants"),
    ("adolescents", "Ungdom", "Adolescents"),
    ("medical-care", "Medisinsk oppfølging", "Medical care"),
    ("language-arabic", "Arabisk", "Arabic"),
    ("language-tigrinya", "Tigrinja", "Tigrinya"),
    ("language-dari", "Dari", "Dari"),
    ("substance-abuse", "Rusproblematikk", "Substance abuse"),
]


def load(apps, schema_editor):
    Municipality = apps.get_model("organisation", "Municipality")
    Competence = apps.get_model("organisation", "Competence")
    with DATA.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter=";")
        Municipality.objects.bulk_create(
            [
                Municipality(
                    number=row["kommunenummer"],
                    name=row["kommunenavn"],
                    county_number=row["fylkesnummer"],
                    county_name=row["fylkesnavn"],
                    valid_from=VALID_FROM,
                )
                for row in rows
            ],
            ignore_conflicts=True,
        )
    Competence.objects.bulk_create(
        [Competence(code=c, name_nb=nb, name_en=en) for c, nb, en in COMPETENCES], ignore_conflicts=True
    )


def unload(apps, schema_editor):
    apps.get_model("organisation", "Municipality").objects.filter(valid_from=VALID_FROM).delete()
    apps.get_model("organisation", "Competence").objects.filter(code__in=[c for c, _, _ in COMPETENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
