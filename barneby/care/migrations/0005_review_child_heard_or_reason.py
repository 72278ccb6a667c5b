"""R16 at save time for plan reviews too: the child's views or why the child could not be heard.

Reviews saved before this with neither get an honest marker
(``rules.LEGACY_REVIEW_NOT_HEARD``), which the rules still count as missing.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models

LEGACY_REVIEW_NOT_HEARD = "Ikke dokumentert: gjennomgangen ble registrert før barnets syn ble påkrevd."


def mark_legacy(apps: Any, schema_editor: Any) -> None:
    PlanReview = apps.get_model("care", "PlanReview")
    PlanReview.objects.filter(child_views__regex=r"^\s*$", not_heard_reason__regex=r"^\s*$").update(
        child_views="", not_heard_reason=LEGACY_REVIEW_NOT_HEARD
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_decision_child_heard_or_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(mark_legacy, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="planreview",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("child_views", ""), _negated=True),
                    models.Q(("not_heard_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="care_review_child_heard_or_reason",
                violation_error_message="Skriv barnets syn, eller hvorfor barnet ikke kunne bli hørt.",
            ),
        ),
    ]
