"""The test suite (a package, so that plain ``pytest`` and ``python -m pytest`` both import
``tests.conftest`` by the same name)."""
