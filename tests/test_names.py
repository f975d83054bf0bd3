"""Which part of a name is the family name (pica_publish.names): the one rule every output uses."""

from __future__ import annotations

import pytest

from pica_publish.names import FamilyNameMismatch, PersonName, ambiguous, split_name


@pytest.mark.parametrize(
    ("name", "given", "family", "expected"),
    [
        ("Anna Petrova", None, None, PersonName("Anna", "", "Petrova")),
        ("Jan van der Berg", None, None, PersonName("Jan", "van der", "Berg")),
        ("Ludwig von Mises", None, None, PersonName("Ludwig", "von", "Mises")),
        ("Zhou Haoran", None, "Zhou", PersonName("Haoran", "", "Zhou")),  # family first
        ("Wáng Xiǎomíng", None, "Wáng", PersonName("Xiǎomíng", "", "Wáng")),
        (
            "Maria José Silva Santos",
            None,
            "Silva Santos",
            PersonName("Maria José", "", "Silva Santos"),
        ),
        ("Jan van der Berg", None, "van der Berg", PersonName("Jan", "van der", "Berg")),
        ("J. R. R. Tolkien", None, None, PersonName("J. R. R.", "", "Tolkien")),
        ("Plato", None, None, PersonName("", "", "Plato")),  # a single name
        ("Kim  Ji-woo", "Ji-woo", "Kim", PersonName("Ji-woo", "", "Kim")),  # both given
        ("Ketz-Riley", None, None, PersonName("", "", "Ketz-Riley")),
        ("de la Cruz", None, None, PersonName("", "de la", "Cruz")),  # no given name at all
    ],
)
def test_the_family_name_is_found(name, given, family, expected):
    assert split_name(name, given=given, family=family) == expected


def test_a_family_name_that_is_not_part_of_the_name_is_refused():
    with pytest.raises(FamilyNameMismatch, match="neither the start nor the end"):
        split_name("Anna Petrova", family="Ivanova")


def test_csl_names_keep_particles_apart():
    assert split_name("Jan van der Berg").csl() == {
        "family": "Berg",
        "given": "Jan",
        "non-dropping-particle": "van der",
    }
    assert split_name("Plato").csl() == {"family": "Plato"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Maria José Silva Santos", True),
        ("Zhou Hao Ran", True),
        ("Jan van der Berg", False),
        ("Anna Petrova", False),
    ],
)
def test_ambiguous_names_are_told(name, expected):
    assert ambiguous(name) is expected
