"""Custom integrations of this repository (a package so that tests import it first)."""
