"""The application's URLs plus /bench/ping, a one-line JSON view: the ceiling of the same server,
settings and middleware stack (bench/load.py). Bench-only; never in gongxin.urls."""

from django.http import JsonResponse
from django.urls import path

from gongxin.urls import handler404  # noqa: F401 (handler404: the app's)
from gongxin.urls import urlpatterns as app_urlpatterns


def ping(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping", ping, name="bench_ping"), *app_urlpatterns]
