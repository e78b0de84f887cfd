from django.shortcuts import render
from django.urls import path

ROWS = [
    {"name": f"School {n:03d}", "goals": n % 7, "on_track": n % 5, "rate": (n * 37) % 100}
    for n in range(1, 51)
]


def rows(request):
    return render(request, "rows.html", {"rows": ROWS})


def healthz(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", rows), path("healthz", healthz)]
