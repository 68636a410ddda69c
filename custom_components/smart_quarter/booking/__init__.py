"""Booking: appointments in telemedicine rooms and stays in health apartments."""
