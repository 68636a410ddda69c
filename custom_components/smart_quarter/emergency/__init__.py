"""The emergency-call subsystem: triggers, the alarm lifecycle, escalation and acknowledgement.

Home Assistant runs beside the certified alarm path of a site (EN 50134); this subsystem must
never swallow, silently delay or drop an alarm. Its pure modules (trigger_message, lifecycle,
escalation) have no Home Assistant imports.
"""
