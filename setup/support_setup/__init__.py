"""Tooling behind setup/configure, setup/seed and setup/bench.

The executable scripts in setup/ are thin launchers; the code lives here so that
ruff lints it and the end-to-end tests can import the factories.
"""
