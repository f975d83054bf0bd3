"""``rules:`` in issue.yml: a rule's severity changed, or the rule silenced; an unknown id or
value, and a rule that guards safety or correctness, refused at their line."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import edit


def add_rules(root: Path, text: str) -> None:
    """Append a ``rules:`` mapping (``text``: its indented lines) to the mini issue.yml."""
    with (root / "issue.yml").open("a", encoding="utf-8") as manifest:
        manifest.write("rules:\n" + text)


def test_an_override_turns_a_warning_into_an_error(mini, run_cli):
    edit(mini / "issue.yml", "season: Autumn", "seasn: Autumn")
    assert run_cli("-C", str(mini), "check").status == 0  # a warning by default
    add_rules(mini, "  schema-unknown-field: error\n")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "issue.yml:4:1: error: unknown field 'seasn' in issue.yml [schema-unknown-field]" in (
        result.lines
    )  # reported before the rules were read, and still changed


def test_an_override_turns_an_error_into_a_warning(mini, run_cli):
    edit(mini / "issue.yml", "role: strategy}", "role: chapter}")
    add_rules(mini, "  order-no-strategy: warning\n")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 0
    assert (
        "issue.yml:21:43: warning: the issue has no conservation strategy chapter "
        "[order-no-strategy]" in result.lines
    )
    assert run_cli("-C", str(mini), "check", "--strict").status == 1


def test_off_silences_a_rule(mini, run_cli):
    edit(mini / "issue.yml", "season: Autumn", "seasn: Autumn")
    add_rules(mini, "  schema-unknown-field: off\n")
    result = run_cli("-C", str(mini), "check", "--strict")
    assert result.status == 0
    assert "schema-unknown-field" not in result.output


def test_an_override_of_a_fixed_rule_is_refused(mini, run_cli):
    add_rules(mini, "  citation-unknown: warning\n")
    edit(mini / "chapters" / "01-dens.md", "@ross2012spatial", "@ross2012spatail")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert (
        "issue.yml:23:3: error: rule 'citation-unknown' cannot be changed: it keeps the outputs "
        "safe and correct [rules-fixed]" in result.lines
    )
    assert any(line.endswith("error: unknown citation key 'ross2012spatail' [citation-unknown]")
               for line in result.lines)  # still an error  # fmt: skip


def test_an_unknown_rule_id_is_located_with_a_suggestion(mini, run_cli):
    add_rules(mini, "  heading-skp: off\n")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    index = result.lines.index(
        "issue.yml:23:3: error: unknown rule 'heading-skp' in 'rules' [rules-unknown]"
    )
    assert result.lines[index + 1] == "    hint: did you mean 'heading-skip'?"


def test_an_unknown_override_value_is_located(mini, run_cli):
    add_rules(mini, "  heading-skip: fatal\n")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert any(
        line.startswith("issue.yml:23:17: error: ") and line.endswith("[schema-invalid]")
        for line in result.lines
    ), result.output
