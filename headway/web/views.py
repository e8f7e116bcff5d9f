from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponse:
    # The web application proper arrives with the web issue; until then the admin is the UI.
    return redirect("admin:index")
