"""The website's fixed structure: locales, the home page in nb and en, the editors' group and the review workflow.

``ensure_site`` is idempotent and runs after every ``migrate`` (post_migrate),
so a fresh database, a test database and a flushed one all serve ``/``.
Editors are users holding the communications role; Wagtail checks Django
groups, so ``sync_editor`` keeps each editor in the editors' group (the
access rule on /cms/ keeps everybody else out whatever their groups).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import post_migrate

LANGUAGES = ("nb", "en")
EDITORS_GROUP = "Kommunikasjon"
WORKFLOW_NAME = "Godkjenning"
TASK_NAME = "Godkjenning av kommunikasjon"
HOME_TITLES = {"nb": "Barneby", "en": "Barneby"}
# Editors write and submit for review; publishing happens when another editor approves.
PAGE_PERMISSIONS = ("add_page", "change_page", "lock_page", "unlock_page")
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


def _on_post_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps

    # After the last app: by then every app's permissions exist (also after a test's flush).
    if sender is not list(apps.get_app_configs())[-1]:
        return
    ensure_site()


def connect_signals() -> None:
    post_migrate.connect(_on_post_migrate, dispatch_uid="barneby.website.setup")


@transaction.atomic
def ensure_site() -> Any:
    """Make the site's fixed parts exist; returns the Norwegian home page."""
    from wagtail.models import Locale, Page, Site

    from barneby.website.models import HomePage

    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES}
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locales["nb"]))
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = HomePage.objects.filter(locale=locales["nb"], depth=2).first()
    if home is None:
        home = HomePage(title=HOME_TITLES["nb"], slug="hjem", locale=locales["nb"])
        root.add_child(instance=home)
        home.save_revision().publish()
    hostname, port = _site_address()
    if site is None:
        site = Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True)
    if site.hostname == "localhost" and (site.hostname, site.port) != (hostname, port):
        # Wagtail's placeholder address: canonical links, the sitemap and Open Graph use the real one.
        site.hostname, site.port = hostname, port
        site.save()
    if site.root_page_id != home.pk:
        old = site.root_page
        site.root_page = home
        site.save()
        if type(old.specific) is Page and not old.get_children().exists():
            old.delete()  # Wagtail's "Welcome to your new Wagtail site!" placeholder
    if not HomePage.objects.filter(translation_key=home.translation_key, locale=locales["en"]).exists():
        english = home.copy_for_translation(locales["en"])
        english.title = HOME_TITLES["en"]
        english.save_revision().publish()
    group = _ensure_group(root)
    _ensure_workflow(root, group)
    return home


def _site_address() -> tuple[str, int]:
    """Host and port of BARNEBY_SITE_URL, the address canonical links are made from."""
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(str(settings.SITE_URL))
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def _ensure_group(root: Any) -> Group:
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    collection = Collection.get_first_root_node()
    if collection is None:  # Wagtail's migration made it; a test's flush removes it
        collection = Collection.add_root(name="Root")
    if collection is not None:
        for codename in IMAGE_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtailimages", codename=codename)
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    return group


def _ensure_workflow(root: Any, group: Group) -> None:
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set([group])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    # Wagtail's own "Moderators approval" workflow is replaced by ours.
    Workflow.objects.exclude(pk=workflow.pk).update(active=False)


def sync_editor(user: Any) -> None:
    """Put a holder of the communications role in the editors' group, and take anybody else out of it."""
    from barneby.accounts.roles import WEBSITE_EDITORS
    from barneby.accounts.scoping import scope_for

    if not getattr(user, "is_authenticated", False):
        return
    group = Group.objects.filter(name=EDITORS_GROUP).first()
    if group is None:
        return
    member = user.groups.filter(pk=group.pk).exists()
    editor = scope_for(user).has_any_role(WEBSITE_EDITORS)
    if editor and not member:
        user.groups.add(group)
    elif member and not editor:
        user.groups.remove(group)
