"""Simulated peers of the demo and the tests (care service, façade, devices)."""
