"""Integrity commitments (诚信自律承诺, seed 002: Zhuhai's 《关于开展社会组织诚信自律承诺活动的通知》).

A jurisdiction's registration authority publishes the commitment text; each organization signs
the text in force for its registration authority or an enclosing region. A text is never edited
once published: a new text supersedes it from its own date, and what an organization signed
stays what it signed. The public profile lists signed commitments (``IntegrityCommitment``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxin.core.audit import audit_record
from gongxin.core.models import Region
from gongxin.core.text import clean_identity_into
from gongxin.credit.models import CommitmentText, IntegrityCommitment
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization
from gongxin.registry.policy import ancestors
from gongxin.registry.selectors import officer_manages, officer_prefix, region_prefix_filter


@transaction.atomic
def commitment_text_publish(*, actor, region: Region, title: str, body: str, effective_from: dt.date,
                            today: dt.date | None = None) -> CommitmentText:
    """Publish a jurisdiction's commitment text, in force from ``effective_from`` (today or later:
    organizations cannot have been bound by a text before it existed)."""
    if not officer_manages(actor, region.prefix):
        raise NotAllowed(_("Only the registration authority of this jurisdiction may publish its commitment text."))
    today = today or timezone.localdate()
    title, body = title.strip(), body.strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the commitment a title.")
    if not body:
        errors["body"] = _("Enter the text organizations commit to.")
    if effective_from < today:
        errors["effective_from"] = _("A commitment text cannot come into force before it is published.")
    if errors:
        raise ValidationError(errors)
    text = CommitmentText(region=region, title=title, body=body, effective_from=effective_from, created_by=actor)
    text.full_clean()
    text.save(force_insert=True)
    audit_record(actor=actor, action="credit.commitment_text_publish", obj=text, after={
        "region": region.code, "title": title, "effective_from": effective_from, "body": body})
    return text


def commitment_text_for(org: Organization, today: dt.date | None = None) -> CommitmentText | None:
    """The commitment text in force for ``org`` on ``today``: of the texts of its registration
    authority and the enclosing regions already in force, the latest (a province's new text
    supersedes a city's older one); on the same day the more specific region's wins."""
    today = today or timezone.localdate()
    chain = ancestors(org.registration_authority_id)
    rank = {code: i for i, code in enumerate(chain)}
    texts = list(CommitmentText.objects.filter(region_id__in=chain, effective_from__lte=today)
                 .select_related("region").order_by("-effective_from", "-id")[:len(chain) * 4])
    if not texts:
        return None
    latest = texts[0].effective_from
    same_day = [t for t in texts if t.effective_from == latest]
    return min(same_day, key=lambda t: (rank[t.region_id], -t.pk))


@transaction.atomic
def commitment_sign(*, actor, organization: Organization, text: CommitmentText, signatory: str,
                    signatory_position: str, today: dt.date | None = None) -> IntegrityCommitment:
    """The organization signs the commitment text in force for it. Signing the same text again
    (a double submit, a second user) returns the existing signature unchanged."""
    if getattr(actor, "organization_id", None) != organization.pk:
        raise NotAllowed(_("Only the organization itself may sign its commitment."))
    existing = IntegrityCommitment.objects.filter(organization=organization, text=text).first()
    if existing is not None:
        return existing
    if not organization.is_active:
        raise NotAllowed(_("The organization's registration is not in force (%(status)s).")
                         % {"status": organization.status_label})
    current = commitment_text_for(organization, today)
    if current is None or current.pk != text.pk:
        raise NotAllowed(_("This is not the commitment text in force for your organization; reload the page."))
    errors: dict[str, str] = {}
    signatory, signatory_position = clean_identity_into(errors, "signatory", signatory), signatory_position.strip()
    if not signatory and "signatory" not in errors:
        errors["signatory"] = _("Give the name of the person signing.")
    if not signatory_position:
        errors["signatory_position"] = _("Give the signatory's position.")
    if errors:
        raise ValidationError(errors)
    commitment = IntegrityCommitment(organization=organization, text=text, signatory=signatory,
                                     signatory_position=signatory_position, signed_at=timezone.now(), signed_by=actor)
    commitment.full_clean(validate_constraints=False)  # the unique constraint is the insert's to enforce
    try:
        # A concurrent submission of the same signature loses the race at the unique
        # constraint; it then gets the winner's row, as a sequential double submit would.
        with transaction.atomic():
            commitment.save(force_insert=True)
    except IntegrityError:
        return IntegrityCommitment.objects.get(organization=organization, text=text)
    audit_record(actor=actor, action="credit.commitment_sign", obj=commitment, after={
        "organization": organization.uscc, "text": text.pk, "title": text.title, "signatory": signatory,
        "signatory_position": signatory_position})
    return commitment


def texts_managed(actor) -> QuerySet[CommitmentText]:
    """The commitment texts of the actor's jurisdiction and the regions inside it (officers and
    administrators; nothing for anyone else), newest first."""
    prefix = officer_prefix(actor)
    if prefix is None:
        return CommitmentText.objects.none()
    # An empty prefix (administrator, national officer) filters nothing.
    return (CommitmentText.objects.filter(region_prefix_filter("region__prefix", prefix))
            .select_related("region", "created_by").order_by("-effective_from", "-id"))


def texts_enclosing(actor) -> list[CommitmentText]:
    """Texts of the regions enclosing an officer's jurisdiction (a province's text binds a
    city's organizations too), for the officer's overview."""
    prefix = officer_prefix(actor)
    if not prefix:
        return []
    above = [code for code in ancestors(actor.jurisdiction_id) if code != actor.jurisdiction_id]
    return list(CommitmentText.objects.filter(region_id__in=above).select_related("region")
                .order_by("-effective_from", "-id")[:50])


def text_visible(actor, pk: int) -> CommitmentText | None:
    """A text the officer may look at: their jurisdiction's own or an enclosing region's."""
    text = CommitmentText.objects.select_related("region", "created_by").filter(pk=pk).first()
    if text is None or officer_prefix(actor) is None:
        return None
    if officer_manages(actor, text.region.prefix):
        return text
    if text in texts_enclosing(actor):
        return text
    return None


def signatures_in_scope(actor, text: CommitmentText) -> QuerySet[IntegrityCommitment]:
    """Who signed ``text`` among the organizations the officer manages."""
    prefix = officer_prefix(actor) or ""
    return (IntegrityCommitment.objects.filter(text=text)
            .filter(region_prefix_filter("organization__region_prefix", prefix))
            .select_related("organization").order_by("-signed_at", "-id"))


def signatures_of(org: Organization) -> QuerySet[IntegrityCommitment]:
    return IntegrityCommitment.objects.filter(organization=org).select_related("text__region").order_by("-signed_at")
