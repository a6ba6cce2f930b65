"""Driving the upload's preview in page tests: its selects as the page offers them, changed."""

from django.test import TestCase
from django.urls import resolve


def preview_data(response, **changes) -> dict:
    """The preview form's data as the page shows it (each column's field), with `changes`
    (form field name -> value) applied: what a lead's browser would POST."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


def confirm_preview(client, response, refused_ok=False, **changes):
    """From the upload's redirect to its preview: open it, POST it (with `changes`), let the
    queued task run inline once the request commits, and open the run's page. With
    `refused_ok`, a preview that refuses the files (400) is returned instead."""
    assert resolve(response["Location"]).view_name == "imports:preview", response["Location"]
    preview = client.get(response["Location"])
    assert preview.status_code == 200, preview.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        confirmed = client.post(response["Location"], preview_data(preview, **changes))
    if refused_ok and confirmed.status_code == 400:
        return confirmed
    assert confirmed.status_code == 302, confirmed.content
    assert resolve(confirmed["Location"]).view_name == "imports:run", confirmed["Location"]
    return client.get(confirmed["Location"])
