"""The retention page (/privacy/bewaartermijnen/): every retention policy of the register, as the nightly
purge applies it, for the administrators (issue 14)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kpa import personal_data
from kpa.access import require_manager


@login_required
def retention_list(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    policies = personal_data.retentions()
    governed: dict[str, list[str]] = {policy.key: [] for policy in policies}
    for processing in personal_data.processings():
        governed.setdefault(processing.retention, []).append(processing.label)
    rows = [(policy, sorted(set(governed[policy.key]))) for policy in policies]
    return render(request, "kpa/retention_list.html", {"rows": rows})
