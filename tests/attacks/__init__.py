"""Attacks a pull request author could try: each test plays one and asserts it fails safely."""
