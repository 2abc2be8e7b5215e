from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.core.models import Region
from gongxin.registry.models import Industry, OrgStatus, OrgSubtype, OrgType
from gongxin.registry.selectors import SearchFilters


def _blank(label, choices):
    return [("", label), *choices]


class OrgSearchForm(forms.Form):
    """Query and filters of the public search (the HTML page and the API share SearchFilters)."""

    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_blank(_("All types"), OrgType.choices))
    subtype = forms.ChoiceField(
        label=_("Subtype"), required=False, choices=_blank(_("All subtypes"), OrgSubtype.choices[1:])
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(_("All statuses"), OrgStatus.choices))
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=_blank(_("All industries"), Industry.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Guangdong's cities and districts, then the other provinces: one query.
        regions = Region.objects.filter(Q(code__startswith="44", level__gte=1) | Q(level=1)).order_by("code")
        guangdong = [(r.code, ("\u3000" * (r.level - 1)) + r.name) for r in regions if r.code.startswith("44")]
        others = [(r.code, r.name) for r in regions if not r.code.startswith("44")]
        self.fields["region"].choices = [("", _("All regions")), *guangdong, *others]

    def filters(self) -> SearchFilters:
        d = self.cleaned_data
        return SearchFilters(org_type=d["type"], subtype=d["subtype"], region=d["region"], status=d["status"],
                             industry=d["industry"])
