"""The telemedicine room (TMR) subsystem: rooms, and later their vitals devices and sessions."""
