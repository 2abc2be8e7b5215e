"""The public face of the credit system (no login): the abnormal activity list, the serious
violation and dishonesty list, banned illegal organizations, notices served by public
announcement, and an index page counting them (domain-rules.md §2: each entry shows 列入时间,
列入事由, 列入机关, 移出时间, 移出事由)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gongxin.core.models import Region
from gongxin.credit import selectors_public as sel
from gongxin.credit.models import CreditList
from gongxin.credit.rules import GROUNDS
from gongxin.registry.models import authority_name
from gongxin.registry.views import paginate

MIN_YEAR = 1988  # the first national regulation on social groups' registration (1989) came after


def region_choices() -> list[tuple[str, str]]:
    """Guangdong's cities and districts indented, then the other provinces (one query), as on the
    registry search page."""
    regions = Region.objects.filter(Q(code__startswith="44", level__gte=1) | Q(level=1)).order_by("code")
    guangdong = [(r.code, ("\u3000" * (r.level - 1)) + r.name) for r in regions if r.code.startswith("44")]
    others = [(r.code, r.name) for r in regions if not r.code.startswith("44")]
    return [("", _("All regions")), *guangdong, *others]


class ListFilterForm(forms.Form):
    """Search, filters and sorting of a public credit list; every field optional."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    ground = forms.ChoiceField(label=gettext_lazy("Ground for listing"), required=False)
    year = forms.IntegerField(label=gettext_lazy("Year listed"), required=False, min_value=MIN_YEAR)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=[
        ("listed", gettext_lazy("Date listed, newest first")), ("name", gettext_lazy("Organization name")),
        ("removed", gettext_lazy("Date removed, newest first"))])
    removed = forms.BooleanField(label=gettext_lazy("Include organizations already removed"), required=False)

    def __init__(self, data, *, list_: str | None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["region"].choices = region_choices()
        self.fields["year"].widget.attrs.update({"min": MIN_YEAR, "max": timezone.localdate().year})
        if list_ is None:
            del self.fields["ground"]
        else:
            self.fields["ground"].choices = [("", _("All grounds")),
                                             *[(c, f"{c} {t}") for c, t in sel.grounds_of_list(list_)]]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and year > timezone.localdate().year + 1:
            raise forms.ValidationError(_("Enter a year no later than %(year)d.") % {"year": timezone.localdate().year})
        return year

    def filters(self) -> sel.ListFilters:
        d = self.cleaned_data
        return sel.ListFilters(q=d["q"], region=d["region"], ground=d.get("ground") or "", year=d.get("year"),
                               sort=d.get("sort") or "listed", include_removed=bool(d.get("removed")))


class BannedFilterForm(ListFilterForm):
    def __init__(self, data, **kwargs):
        super().__init__(data, list_=None, **kwargs)
        self.fields["year"].label = _("Year banned")
        self.fields["sort"].choices = [("banned", _("Date banned, newest first")), ("name", _("Name"))]
        del self.fields["removed"]


class AnnouncementFilterForm(ListFilterForm):
    def __init__(self, data, **kwargs):
        super().__init__(data, list_=None, **kwargs)
        self.fields["sort"].choices = [("listed", _("Date of the notice, newest first")),
                                       ("name", _("Organization name"))]
        del self.fields["removed"]
        del self.fields["year"]


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _rows(page) -> list[dict]:
    return [sel.entry_public_fields(e) for e in page.object_list] if page else []


def _list_page(request, list_: str, title: str, intro: str):
    form = ListFilterForm(request.GET, list_=list_)
    page, error, status = None, "", 200
    if form.is_valid():
        page = paginate(request, sel.public_entries(list_, form.filters()))
    else:
        error, status = _("Please correct the search form."), 400
    return render(request, "credit/public/list.html", {
        "form": form, "page": page, "rows": _rows(page), "error": error, "querystring": _querystring(request),
        "list": list_, "title": title, "intro": intro,
    }, status=status)


@require_GET
def index(request):
    counts = sel.public_counts()
    grounds = {list_: [(g.code, g.title, g.basis) for g in GROUNDS.values() if g.list == list_]
               for list_ in CreditList.values}
    return render(request, "credit/public/index.html", {"counts": counts, "grounds": grounds})


@require_GET
def abnormal_list(request):
    return _list_page(request, CreditList.ABNORMAL, _("Abnormal activity list"), _(
        "Social organizations listed by a registration authority for one of the grounds of the regulation on "
        "credit information of social organizations. An organization is removed after fulfilling its "
        "obligations or rectifying, or automatically six months after listing where nothing needs rectifying; "
        "two full years on this list move it to the serious violation and dishonesty list."))


@require_GET
def dishonest_list(request):
    return _list_page(request, CreditList.DISHONEST, _("Serious violation and dishonesty list"), _(
        "Organizations on this list are subject to joint punishment: they are key supervision targets and "
        "receive no government funding, purchased services or honours. Removal is possible after two full "
        "years without a new ground."))


@require_GET
def banned_list(request):
    form = BannedFilterForm(request.GET)
    page, error, status = None, "", 200
    if form.is_valid():
        page = paginate(request, sel.banned_organizations(form.filters()))
    else:
        error, status = _("Please correct the search form."), 400
    rows = []
    for b in page.object_list if page else []:
        rows.append({"name": b.name, "uscc": b.uscc, "profile_uscc": b.organization.uscc if b.organization_id else "",
                     "authority": authority_name(b.region), "decision_number": b.decision_number,
                     "banned_on": b.banned_on, "facts": b.facts, "legal_basis": b.legal_basis})
    return render(request, "credit/public/banned.html", {
        "form": form, "page": page, "rows": rows, "error": error, "querystring": _querystring(request)},
        status=status)


@require_GET
def announcement_list(request):
    form = AnnouncementFilterForm(request.GET)
    page, error, status = None, "", 200
    if form.is_valid():
        page = paginate(request, sel.announcements(form.filters()))
    else:
        error, status = _("Please correct the search form."), 400
    return render(request, "credit/public/announcements.html", {
        "form": form, "page": page, "rows": _rows(page), "error": error, "querystring": _querystring(request)},
        status=status)
