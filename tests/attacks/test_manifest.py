"""``issue.yml`` is the editors', but a mistake in it must not allocate gigabytes, send readers
to another host or end in a traceback: every field is validated where it is read."""

from __future__ import annotations

import pytest

from tests.conftest import edit


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'doi_pattern: "{prefix}/{slug:>999999999}"',
            (
                "doi_pattern '{prefix}/{slug:>999999999}': '{slug:>999999999}' is not one of "
                "{prefix}, {series}, {number}, {year}, {slug}"
            ),
        ),
        (
            'doi_pattern: "{prefix}/{volume}.{slug}"',
            "doi_pattern '{prefix}/{volume}.{slug}': '{volume}' is not one of",
        ),
        (
            'doi_pattern: "{prefix}/{slug!r}"',
            "doi_pattern '{prefix}/{slug!r}': '{slug!r}' is not one of",
        ),
        ('doi_pattern: "{prefix}/{slug"', "is not a valid pattern"),
        (
            'issue_doi_pattern: "{prefix}/{number:0>99999999}"',
            "issue_doi_pattern '{prefix}/{number:0>99999999}'",
        ),
    ],
)
def test_doi_patterns_are_validated(mini, run_cli, line, message):
    edit(mini / "issue.yml", 'doi_prefix: "10.5555"\n', f'doi_prefix: "10.5555"\n{line}\n')
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "issue.yml:17:" in result.output and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://example.org//evil.example/", "has an empty, '.' or '..' path segment"),
        ("https://example.org/a/../b/", "has an empty, '.' or '..' path segment"),
        ("javascript:alert(1)//example.org/", "is not a plain http(s) URL"),
        ("https://example.org/x?y=1", "is not a plain http(s) URL"),
        ("https://user@example.org/", "is not a plain http(s) URL"),
        ('https://example.org/"onload="x', "is not a plain http(s) URL"),
    ],
)
def test_base_url_cannot_point_elsewhere(mini, run_cli, url, message):
    edit(mini / "issue.yml", "base_url: https://example.org/mini/", f"base_url: '{url}'")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "issue.yml:15:11: error: base_url" in result.output and message in result.output


def test_layout_watchdog_stops_a_long_layout(tmp_path, monkeypatch):
    """Whatever escapes the input bounds, one print part cannot lay out for ever."""
    from pica_publish import layout

    monkeypatch.setattr(layout, "LAYOUT_SECONDS", 0.05)
    html = "<p>" + "word " * 200_000 + "</p>"  # seconds of layout, far more than 0.05 s
    with pytest.raises(layout.LayoutError) as error:
        layout.Typesetter([tmp_path], "").lay_out(html, tmp_path)
    assert error.value.problems == ["the layout took longer than 0.05 s and was stopped"]
