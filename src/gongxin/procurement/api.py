"""The procurement API: OCDS releases, record packages and the change feed (docs/ocds.md).

Publication is public: no authentication. The bodies are OCDS packages as the standard defines
them (not ninja schemas), so they are returned as raw JSON; errors keep the house shape."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongxin.core.api import ApiError, ErrorOut
from gongxin.procurement import ocds
from gongxin.procurement.models import OcdsRelease

router = Router(tags=["procurement"])
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PAGES = 10_000  # the newest-first listing is offset paged; the feed (since=) is keyset paged


class ReleasesIn(Schema):
    since: str | None = Field(None, description="ISO 8601 date-time (Asia/Shanghai when it has no offset): "
                                                "only releases dated after it, oldest first (the change feed)")
    after: int | None = Field(None, description="Feed cursor: with `since`, releases at exactly `since` whose "
                                                "position is after this one (set by `links.next`)")
    page: int = Field(1, ge=1, le=MAX_PAGES, description="Page of the newest-first listing (without `since`)")
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Releases per page")


def _json(data: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json", status=status)


def _page_url(request, **params) -> str:
    return request.build_absolute_uri(request.path) + "?" + urlencode({k: v for k, v in params.items() if v})


def _parse_since(value: str) -> dt.datetime:
    value = value.strip()
    if "T" in value and " " in value:  # an unencoded "+08:00" in a query string arrives as " 08:00"
        value = value.replace(" ", "+", 1)
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = dt.date.fromisoformat(value)
            parsed = dt.datetime.combine(day, dt.time(0, 0))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiError(422, "invalid", _("“since” must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00+08:00."),
                       "since")
    try:
        parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.get_default_timezone())
        # The database compares in UTC: near datetime.min/max the conversion overflows.
        parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ApiError(422, "invalid", _("“since” is out of range: give a date-time between the years 1 and 9999 "
                                         "in UTC."), "since") from None
    return parsed


RELEASES_DOC = ("A release package (OCDS 1.1). Without `since`: the newest releases first, paged by `page`; with "
                "`since`: the change feed, every release dated after `since` oldest first. `links.next` is the full "
                "URL of the next page, absent on the last page.")


@router.get("/ocds/releases", response={200: dict, 422: ErrorOut}, summary="OCDS releases and the change feed",
            description=RELEASES_DOC, auth=None)
def ocds_releases(request, params: Query[ReleasesIn]):
    qs = OcdsRelease.objects.all()
    links = {}
    if params.since:
        since = _parse_since(params.since)
        if params.after is not None:
            qs = qs.filter(Q(date__gt=since) | Q(date=since, id__gt=params.after))
        else:
            qs = qs.filter(date__gt=since)
        rows = list(qs.order_by("date", "id")[:params.limit + 1])
        more = len(rows) > params.limit
        rows = rows[:params.limit]
        if more:
            last = rows[-1]
            links["next"] = _page_url(request, since=ocds.iso(last.date), after=last.pk, limit=params.limit
                                      if params.limit != PAGE_SIZE else None)
    else:
        start = (params.page - 1) * params.limit
        rows = list(qs.order_by("-date", "-id")[start:start + params.limit + 1])
        more = len(rows) > params.limit
        rows = rows[:params.limit]
        limit = params.limit if params.limit != PAGE_SIZE else None
        if more and params.page < MAX_PAGES:
            links["next"] = _page_url(request, page=params.page + 1, limit=limit)
        if params.page > 1:
            links["prev"] = _page_url(request, page=params.page - 1, limit=limit)
    package = ocds.release_package(rows, request.build_absolute_uri())
    if links:
        package["links"] = links
    return _json(package)


@router.get("/ocds/records/{ocid}", response={200: dict, 404: ErrorOut}, auth=None,
            summary="The OCDS record package of one contracting process",
            description="Every release of the process embedded, and the compiled release (its latest state).")
def ocds_record(request, ocid: str):
    package = ocds.record_package(ocid, uri=request.build_absolute_uri())
    if package is None:
        raise ApiError(404, "not_found", _("No contracting process has been published with this OCID."), "ocid")
    return _json(package)


@router.get("/ocds/bulk", response={200: dict, 304: None, 422: ErrorOut, 503: ErrorOut}, auth=None,
            summary="Bulk download: every release as one release package",
            description="A release package (attachment) of every release, oldest first, or of the releases dated in "
                        "`year` (Asia/Shanghai): a generated file, rebuilt when releases are published, with an ETag "
                        "and Last-Modified (If-None-Match / If-Modified-Since answer 304). 503 with Retry-After "
                        "while the first build is being made.")
def ocds_bulk(request, year: int | None = Query(None, ge=2000, le=2100, description="Releases dated in this year")):
    from django.utils.cache import get_conditional_response
    from django.utils.http import http_date

    from gongxin.procurement import ocds_bulk as bulk

    path, _fresh = bulk.bulk_file(year)
    name = bulk.file_name(year)
    if path is None:
        if bulk.manifest() is None:
            response = _json({"error": {"code": "bulk_not_ready", "field": None, "message": _(
                "The bulk file is being prepared; try again in a few minutes.")}}, status=503)
            response["Retry-After"] = "300"
            return response
        # A year without releases: an empty package, small enough to make here.
        response = HttpResponse(json.dumps(ocds.release_package([], request.build_absolute_uri()),
                                           ensure_ascii=False), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if not_modified is not None:
        return not_modified
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = "public, max-age=300"
    return response
