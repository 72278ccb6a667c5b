"""Shared fixtures. The environment for tests is set in config/testing.py."""

pytest_plugins = ["barneby.core.tests.personas", "barneby.core.tests.browser"]
