"""Façade greening: soil moisture, rain tank, valves, safe irrigation, façade temperatures."""
