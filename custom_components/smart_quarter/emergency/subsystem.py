"""Home Assistant glue of the emergency subsystem: durable alarms, timers, delivery, entities.

Every change is written through to storage before it is acted on (sent, shown), so a crash or
restart resumes each alarm where it was: pending pre-alarms end, escalations go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
import logging
from typing import Any, ClassVar, override

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry, ConfigSubentryFlow
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import CONF_MQTT_BASE_TOPIC, DOMAIN
from ..entity import EntityGroup
from ..runtime import SmartQuarterConfigEntry
from ..subsystem import Subsystem
from .ack_callback import CallbackError, CallbackRequest, new_token, tokens_match
from .alarm_book import AlarmBook, Outcome, TriggerResult
from .call_follower import CallFollower, follow_open_calls
from .callback_endpoint import AckCallbackEndpoint
from .config_flow import ApartmentSubentryFlow
from .const import (
    CONF_CARE_MQTT_TOPIC,
    CONF_CARE_WEBHOOK_SECRET,
    CONF_CARE_WEBHOOK_URL,
    CONF_SIA_ACCOUNT,
    CONF_SIA_KEY,
    CONF_SUPERVISION_HOURS,
    CONF_TRIGGER_DEVICES,
    CONF_TRIGGER_ENTITIES,
    DEFAULT_SUPERVISION_HOURS,
    EVENT_ALARM,
    EVENT_ALARM_CHANGED,
    RECEIVER_TARGETS,
    SUBENTRY_TYPE_APARTMENT,
    SUBENTRY_TYPE_ESCALATION_STEP,
    TARGET_MQTT,
    TARGET_PERSISTENT_NOTIFICATION,
    TARGET_WEBHOOK,
)
from .delivery import CareDelivery
from .entities import (
    APARTMENT_BUTTONS,
    APARTMENT_EVENTS,
    APARTMENT_SENSORS,
    SITE_BINARY_SENSORS,
    SITE_SENSORS,
    trigger_descriptions,
)
from .entity_trigger import binary_sensor_calls, event_entity_calls
from .escalation import Dispatch, escalate, next_wakeup
from .escalation_flow import EscalationStepSubentryFlow
from .lifecycle import Alarm, AlarmState, AlarmTransitionError, Trigger
from .migration import migrate_escalation_options
from .mqtt_input import MqttTriggerInput, async_attach_mqtt_input
from .notices import Notices
from .options import CARE_RECEIVERS_STEP
from .receivers import site_policy
from .subjects import ApartmentEmergency, SiteEmergency, TriggerDevice
from .supervision import DeviceSupervision
from .trigger_message import TriggerKind, TriggerMessage

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SUPERVISION_CHECK_EVERY = timedelta(minutes=1)
MQTT_GRACE = timedelta(minutes=2)
CALL_REPLAY_WINDOW = timedelta(minutes=10)  # = the alarm book's duplicate window
HEARTBEAT_SAVE_DELAY = 30  # s; a sign of life may be stored late, an alarm never is


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.emergency"


class EmergencySubsystem(Subsystem):
    """Alarms of a site's apartments, from the call for help to its resolution."""

    key = "emergency"
    subentry_flows: ClassVar[Mapping[str, type[ConfigSubentryFlow]]] = {
        SUBENTRY_TYPE_APARTMENT: ApartmentSubentryFlow,
        SUBENTRY_TYPE_ESCALATION_STEP: EscalationStepSubentryFlow,
    }
    platforms = frozenset(
        {Platform.SENSOR, Platform.BUTTON, Platform.BINARY_SENSOR, Platform.EVENT}
    )
    redact_keys = frozenset(
        {
            CONF_CARE_WEBHOOK_URL,
            CONF_CARE_WEBHOOK_SECRET,
            CONF_SIA_KEY,
            "ack_token",
            "webhook_id",
            # who acted (user ids, names of care staff) and notes about a person's situation
            "actor",
            "note",
        }
    )
    options_steps = (CARE_RECEIVERS_STEP,)

    def __init__(self, hass: HomeAssistant, entry: SmartQuarterConfigEntry) -> None:
        """Prepare storage and the alarm book; alarms are read in async_setup."""
        super().__init__(hass, entry)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, _storage_key(entry.entry_id)
        )
        self.book = AlarmBook(ulid_now)
        self.policy = site_policy(entry)
        self.callback: AckCallbackEndpoint | None = None
        self.apartments: dict[str, ApartmentEmergency] = {}
        self.site = SiteEmergency(self)
        self.notices = Notices(hass)
        self._lock = asyncio.Lock()
        self._closed = False
        self._path_problem: str | None = None
        self._subscribing = False
        self.delivery = CareDelivery(
            hass,
            entry,
            lock=self._lock,
            is_closed=lambda: self._closed,
            save=self._async_save,
            on_receipt=self._receipt,
            mqtt_input=lambda: self.mqtt,
        )
        self._started = dt_util.utcnow()
        self._cancel_timer: CALLBACK_TYPE | None = None
        self.duplicates = 0
        self.mqtt: MqttTriggerInput | None = None
        self.triggers: dict[str, TriggerDevice] = {}
        self._stop_supervision: CALLBACK_TYPE | None = None
        self._stop_entity_triggers: CALLBACK_TYPE | None = None
        self.entity_triggers: dict[str, ApartmentEmergency] = {}
        self._transitions_fired: dict[str, int] = {}
        self._status_told: dict[str, int] = {}
        self._names: dict[str, str] = {}
        self.call_followers: dict[tuple[str, str], CallFollower] = {}
        """Calls made by voice, followed on their satellites (call_follower)."""

    @override
    async def async_setup(self) -> None:
        # Notification texts are needed in callbacks: load them into the cache now.
        await self.notices.async_load()
        stored = await self._store.async_load() or {}
        self.book.load(stored)
        # What happened before this start is in the logbook already.
        self._transitions_fired = {alarm.alarm_id: len(alarm.history) for alarm in self.book}
        self._status_told = dict(self._transitions_fired)
        self.delivery.load(stored)
        self._webhook_id: str = stored.get("callback_webhook_id") or webhook.async_generate_id()
        if secret := self.entry.options.get(CONF_CARE_WEBHOOK_SECRET):
            self.callback = AckCallbackEndpoint(
                self.hass, self._webhook_id, self.entry.title, secret, self._async_take_by_token
            )
            self.callback.register()
        now = dt_util.utcnow()
        stored_supervision: dict[str, Any] = stored.get("supervision", {})
        for subentry in self.subentries():
            if subentry.subentry_type != SUBENTRY_TYPE_APARTMENT:
                continue
            self.apartments[subentry.subentry_id] = ApartmentEmergency(self, subentry)
            interval = timedelta(
                hours=subentry.data.get(CONF_SUPERVISION_HOURS, DEFAULT_SUPERVISION_HOURS)
            )
            for device_id in subentry.data.get(CONF_TRIGGER_DEVICES, []):
                record = stored_supervision.get(device_id)
                supervision = (
                    DeviceSupervision.from_dict(device_id, interval, record, now)
                    if isinstance(record, dict)
                    else DeviceSupervision(device_id, interval, now)
                )
                self.triggers[device_id] = TriggerDevice(self, supervision)
        self._forget_issues_of_removed_devices()
        self._names = {
            **stored.get("apartment_names", {}),
            **{key: apartment.subentry.title for key, apartment in self.apartments.items()},
        }
        self._report_orphan_alarms()
        follow_open_calls(self)
        self._listen_to_trigger_entities()
        self._check_supervision(now)
        self._stop_supervision = async_track_time_interval(
            self.hass, self._check_supervision, SUPERVISION_CHECK_EVERY, cancel_on_shutdown=True
        )
        # Resume: pre-alarms whose window passed and escalations that are due act now.
        await self._async_run_due(dt_util.utcnow())
        self.mqtt = await async_attach_mqtt_input(
            self.hass,
            self.entry.options[CONF_MQTT_BASE_TOPIC],
            self.async_device_message,
            self._update_path,
        )
        self._started = now
        self.delivery.kick()
        if not self.mqtt.subscribed:
            # Never block the site's set-up on MQTT: subscribe as soon as its client is there.
            self.entry.async_create_background_task(
                self.hass, self._async_retry_mqtt(), f"{DOMAIN} emergency MQTT subscription"
            )
        self._update_path()
        await self._async_calls_during_the_reload(dt_util.utcnow())

    async def _async_calls_during_the_reload(self, now: datetime) -> None:
        """Raise the calls of trigger entities that turned on while the site was not listening.

        A reload (any subentry or option change) or a restart leaves a gap in which a state
        change is not seen. An entity that is calling now, and started calling within the
        duplicate window, calls; one already handled before the gap is recognised by its
        message id (entity and time of the change) and ignored.
        """
        for entity_id, apartment in self.entity_triggers.items():
            state = self.hass.states.get(entity_id)
            if state is None or now - state.last_changed > CALL_REPLAY_WINDOW:
                continue
            # As if it changed from "off" (or from no event) to what it is now.
            before = None if entity_id.startswith("event.") else "off"
            await self._async_entity_call(apartment, entity_id, before, state, now)

    @callback
    def _listen_to_trigger_entities(self) -> None:
        for apartment in self.apartments.values():
            for entity_id in apartment.subentry.data.get(CONF_TRIGGER_ENTITIES, []):
                self.entity_triggers[entity_id] = apartment
        if self.entity_triggers:
            self._stop_entity_triggers = async_track_state_change_event(
                self.hass, list(self.entity_triggers), self._async_entity_changed
            )

    async def _async_entity_changed(self, event: Event[EventStateChangedData]) -> None:
        """Call for help when a chosen binary sensor turned on or a chosen event entity fired."""
        entity_id = event.data["entity_id"]
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or (apartment := self.entity_triggers.get(entity_id)) is None:
            return
        await self._async_entity_call(
            apartment, entity_id, old.state if old else None, new, dt_util.utcnow()
        )

    async def _async_entity_call(
        self,
        apartment: ApartmentEmergency,
        entity_id: str,
        old_state: str | None,
        new: State,
        now: datetime,
    ) -> None:
        """Raise the call of a trigger entity whose state went from `old_state` to `new`.

        The message id is the entity and the time of the change, so the same change seen
        twice (live, then again after a reload) is one call.
        """
        if entity_id.startswith("event."):
            calls = event_entity_calls(old_state, new.state, now)
        else:
            calls = binary_sensor_calls(old_state, new.state)
        if calls:
            await self.async_call_for_help(
                apartment,
                Trigger(
                    f"entity:{entity_id}",
                    str(new.attributes.get("event_type") or "entity"),
                    now,
                    message_id=f"{entity_id}@{new.last_changed.isoformat()}",
                ),
            )

    @override
    async def async_unload(self) -> None:
        if self._stop_entity_triggers is not None:
            self._stop_entity_triggers()
            self._stop_entity_triggers = None
        if self.callback is not None:
            self.callback.unregister()
        if self.mqtt is not None:
            self.mqtt.detach()
        if self._stop_supervision is not None:
            self._stop_supervision()
            self._stop_supervision = None
        # Let a change in progress finish, then write the latest state now: a pending delayed
        # (heartbeat) write of this instance must never overwrite what the reloaded site
        # stores later. Nothing this instance does afterwards schedules or stores anything.
        self.delivery.stop()
        async with self._lock:
            self._closed = True
            # After the change in progress: its step was heard (the reloaded site knows it).
            for follower in list(self.call_followers.values()):
                follower.stop()
            if self._cancel_timer is not None:
                self._cancel_timer()
                self._cancel_timer = None
            await self._async_save()

    @property
    def is_closed(self) -> bool:
        """True once the site unloads (nothing new may start then)."""
        return self._closed

    def apartment_name(self, apartment_id: str) -> str:
        """Return the apartment's name (also for alarms of an apartment removed since)."""
        return self._names.get(apartment_id, apartment_id)

    @callback
    def _report_orphan_alarms(self) -> None:
        """Raise a fixable critical issue for each open alarm of a removed apartment.

        The alarm goes on (it is a real call for help); the repair lets staff close it with a
        note. Nothing is dropped silently.
        """
        prefix = f"orphan_alarm_{self.entry.entry_id}_"
        orphans = {
            alarm.alarm_id: alarm
            for alarm in self.book.open_alarms
            if alarm.apartment_id not in self.apartments
        }
        for domain, issue_id in list(ir.async_get(self.hass).issues):
            if (
                domain == DOMAIN
                and issue_id.startswith(prefix)
                and issue_id.removeprefix(prefix) not in orphans
            ):
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        for alarm_id, alarm in orphans.items():
            _LOGGER.error(
                "Alarm %s of the removed apartment %s is still open",
                alarm_id,
                self.apartment_name(alarm.apartment_id),
            )
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                f"{prefix}{alarm_id}",
                is_fixable=True,
                is_persistent=False,
                severity=ir.IssueSeverity.CRITICAL,
                translation_key="orphan_alarm",
                translation_placeholders={
                    "apartment": self.apartment_name(alarm.apartment_id),
                    "site": self.entry.title,
                },
                data={"entry_id": self.entry.entry_id, "alarm_id": alarm_id},
            )

    async def async_close_alarm(self, alarm_id: str, actor: str, note: str) -> None:
        """Close an open alarm whatever its state (the repair of a removed apartment's alarm).

        A pre-alarm is cancelled; an alarm not taken yet is taken and resolved, with the note.
        """
        async with self._lock:
            alarm = next((a for a in self.book.open_alarms if a.alarm_id == alarm_id), None)
            if alarm is None:
                return
            now = dt_util.utcnow()
            if alarm.state is AlarmState.PRE_ALARM:
                alarm.cancel(now, actor=actor, channel="repair")
            else:
                if alarm.state is not AlarmState.ACKNOWLEDGED:
                    alarm.acknowledge(actor, "repair", now)
                alarm.resolve(actor, note, now)
            await self._async_commit_and_act(now)
        self._report_orphan_alarms()

    def apartment_of_device(self, device_id: str) -> ApartmentEmergency | None:
        """Return the apartment a trigger device belongs to."""
        return next(
            (
                apartment
                for apartment in self.apartments.values()
                if device_id in apartment.subentry.data.get(CONF_TRIGGER_DEVICES, [])
            ),
            None,
        )

    async def async_device_message(self, message: TriggerMessage) -> None:
        """Act on a trigger device's message (from MQTT)."""
        now = dt_util.utcnow()
        if (device := self.triggers.get(message.device_id)) is not None:
            device.supervision.heard(now, message.battery, message.kind is TriggerKind.BATTERY_LOW)
            if not self._closed:
                self._store.async_delay_save(self._data_to_store, HEARTBEAT_SAVE_DELAY)
            self._check_supervision(now)
            async_dispatcher_send(self.hass, device.update_signal)
        apartment = self.apartment_of_device(message.device_id)
        trigger = Trigger(f"device:{message.device_id}", message.kind, now, message.message_id)
        outcome: str = "heard"
        alarm_id: str | None = None
        if apartment is None:
            if message.kind.raises_alarm:
                self._unassigned_call(message)
            outcome = "unassigned"
        elif message.kind.raises_alarm:
            result = await self.async_call_for_help(apartment, trigger)
            outcome, alarm_id = result.outcome, result.alarm.alarm_id if result.alarm else None
        elif message.kind is TriggerKind.CANCEL:
            async with self._lock:
                result = self.book.cancel_from_device(apartment.apartment_id, trigger, now)
                if result.outcome in (Outcome.CANCELLED, Outcome.RESET):
                    await self._async_commit_and_act(now)
            outcome, alarm_id = result.outcome, result.alarm.alarm_id if result.alarm else None
        if message.message_id is not None and self.mqtt is not None:
            # Stored (or known as a duplicate): the device may stop repeating it.
            await self.mqtt.async_acknowledge(
                message.device_id,
                {"id": message.message_id, "result": str(outcome), "alarm_id": alarm_id},
            )

    @callback
    def _unassigned_call(self, message: TriggerMessage) -> None:
        """Report a call for help from a device no apartment lists: loudly, never silently."""
        _LOGGER.error(
            "Device %s called for help (%s) but belongs to no apartment of %s",
            message.device_id,
            message.kind,
            self.entry.title,
        )
        placeholders = {"device": message.device_id, "site": self.entry.title}
        self.notices.show(
            f"{DOMAIN}_unassigned_{message.device_id}", "unassigned_call", placeholders
        )

    # --- changes ------------------------------------------------------------------------

    async def async_call_for_help(
        self, apartment: ApartmentEmergency, trigger: Trigger
    ) -> TriggerResult:
        """Raise or join an alarm; stored before anything else happens."""
        async with self._lock:
            now = dt_util.utcnow()
            result = self.book.call_for_help(
                apartment.apartment_id, trigger, now, apartment.cancel_window
            )
            if result.outcome is Outcome.DUPLICATE:
                self.duplicates += 1
                return result
            _LOGGER.warning(
                "Alarm %s in %s: %s (%s from %s)",
                result.alarm.alarm_id if result.alarm else "-",
                apartment.subentry.title,
                result.outcome,
                trigger.kind,
                trigger.source,
            )
            await self._async_commit_and_act(now)
            return result

    async def async_cancel(
        self, apartment: ApartmentEmergency, actor: str | None, channel: str
    ) -> Alarm:
        """Cancel an apartment's pre-alarm (AlarmTransitionError when there is none to cancel)."""
        async with self._lock:
            now = dt_util.utcnow()
            alarm = self._open_alarm_of(apartment)
            alarm.cancel(now, actor=actor, channel=channel)
            await self._async_commit_and_act(now)
            return alarm

    async def async_acknowledge(self, alarm: Alarm, actor: str, channel: str) -> None:
        """Someone takes the alarm."""
        async with self._lock:
            now = dt_util.utcnow()
            alarm.acknowledge(actor, channel, now)
            await self._async_commit_and_act(now)

    async def _async_take_by_token(self, request: CallbackRequest) -> None:
        """Take an alarm for the care service's verified callback (single-use token)."""
        async with self._lock:
            if self._closed:
                raise CallbackError(503, "site reloading, try again")
            alarm = next((a for a in self.book if a.alarm_id == request.alarm_id), None)
            if alarm is None or not alarm.state.is_open:
                raise CallbackError(404, "no such open alarm")
            if not tokens_match(alarm.ack_token, request.token):
                raise CallbackError(409, "token used or replaced")
            now = dt_util.utcnow()
            try:
                alarm.acknowledge(f"care_service:{request.by}", "webhook_callback", now)
            except AlarmTransitionError as err:
                raise CallbackError(409, err.key) from err
            await self._async_commit_and_act(now)

    async def async_resolve(self, alarm: Alarm, actor: str, note: str | None) -> None:
        """Close an acknowledged alarm."""
        async with self._lock:
            now = dt_util.utcnow()
            alarm.resolve(actor, note, now)
            await self._async_commit_and_act(now)

    def _open_alarm_of(self, apartment: ApartmentEmergency) -> Alarm:
        if (alarm := apartment.alarm) is None:
            raise AlarmTransitionError("no_open_alarm", AlarmState.RESOLVED)
        return alarm

    # --- the engine ---------------------------------------------------------------------

    async def _async_commit_and_act(self, now: datetime) -> None:
        """Advance timers and escalation, store, then send and show (in that order).

        A failed write must not stop an alarm: it is reported loudly and the alarm is sent
        and scheduled all the same (a lost record is bad, a lost call is worse).
        """
        if self._closed:
            return
        dispatches = self._advance(now)
        self._tell_receivers_what_changed(now)
        for alarm, dispatch in dispatches:
            for channel in RECEIVER_TARGETS:
                if channel in dispatch.targets:
                    apartment = self.apartments.get(alarm.apartment_id)
                    self.delivery.enqueue(
                        alarm,
                        dispatch,
                        now,
                        channel,
                        apartment=self.apartment_name(alarm.apartment_id),
                        sia_account=apartment.subentry.data.get(CONF_SIA_ACCOUNT)
                        if apartment
                        else None,
                        acknowledge=self.callback.details(alarm.ack_token)
                        if self.callback
                        else None,
                    )
        await self._async_save()
        for alarm, dispatch in dispatches:
            self._send(alarm, dispatch)
        self._announce()
        self._schedule()
        self.delivery.kick()

    def _tell_receivers_what_changed(self, now: datetime) -> None:
        """Drop outdated messages of alarms taken, resolved or cancelled; tell the new state.

        Unsent repeats of a taken alarm would reach the care service as if it were still
        open; instead the webhook and MQTT receivers the alarm reached get one message with
        the new state (SIA receivers get nothing: DC-09 has no such event for a medical alarm).
        """
        for alarm in self.book:
            seen = self._status_told.get(alarm.alarm_id, 0)
            self._status_told[alarm.alarm_id] = len(alarm.history)
            news = [
                t.state
                for t in alarm.history[seen:]
                if t.state in (AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED, AlarmState.CANCELLED)
            ]
            if not news:
                continue
            self.delivery.drop(alarm.alarm_id)
            if alarm.step_started_at is None and alarm.state is AlarmState.CANCELLED:
                continue  # cancelled in its pre-alarm: no receiver ever heard of it
            reached = self.policy.targets_up_to(alarm.step_index)
            for target in reached:
                if target.startswith("notify."):
                    self.entry.async_create_background_task(
                        self.hass,
                        self.notices.async_clear_phone(
                            target.removeprefix("notify."), alarm.alarm_id
                        ),
                        f"{DOMAIN} clear alarm notification",
                    )
            for channel in (TARGET_WEBHOOK, TARGET_MQTT):
                if channel in reached:
                    self.delivery.enqueue(
                        alarm,
                        Dispatch(reached, alarm.step_index, alarm.state.value),
                        now,
                        channel,
                        apartment=self.apartment_name(alarm.apartment_id),
                        sia_account=None,
                        acknowledge=None,
                    )

    async def _async_save(self) -> None:
        try:
            await self._store.async_save(self._data_to_store())
        except Exception:
            _LOGGER.exception(
                "Could not store the alarms of %s; acting on them anyway", self.entry.title
            )
            self.notices.show(
                f"{DOMAIN}_storage_failed_{self.entry.entry_id}",
                "storage_failed",
                {"site": self.entry.title},
            )

    def _data_to_store(self) -> dict[str, Any]:
        return {
            **self.book.as_dict(),
            **self.delivery.as_dict(),
            "callback_webhook_id": self._webhook_id,
            # Names of apartments with kept alarms, for alarms of apartments removed since.
            "apartment_names": {
                alarm.apartment_id: self._names.get(alarm.apartment_id, alarm.apartment_id)
                for alarm in self.book
            },
            "supervision": {
                device_id: device.supervision.as_dict()
                for device_id, device in self.triggers.items()
            },
        }

    async def _async_retry_mqtt(self) -> None:
        if self.mqtt is not None and not self._closed and not self._subscribing:
            self._subscribing = True
            try:
                await self.mqtt.async_subscribe()
            finally:
                self._subscribing = False
            self._update_path()

    @property
    def path_problem(self) -> str | None:
        """Why device calls cannot reach Home Assistant now ("no_mqtt", "broker_lost")."""
        return self._path_problem

    @callback
    def _update_path(self) -> None:
        """Say loudly (log, repair issue, problem entity) when device calls cannot arrive."""
        if not self.triggers:
            problem = None
        elif self.mqtt is None or not self.mqtt.subscribed:
            # While MQTT itself is still starting (its entry exists), give it a moment
            # before raising the alarm about the alarm path.
            mqtt_configured = any(
                not entry.disabled_by for entry in self.hass.config_entries.async_entries("mqtt")
            )
            starting = mqtt_configured and dt_util.utcnow() - self._started < MQTT_GRACE
            problem = None if starting else "no_mqtt"
        elif not self.mqtt.connected:
            problem = "broker_lost"
        else:
            problem = None
        if problem == self._path_problem:
            return
        self._path_problem = problem
        issue_id = f"emergency_path_{self.entry.entry_id}"
        if problem is None:
            _LOGGER.info("Emergency calls of %s reach Home Assistant again", self.entry.title)
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        else:
            _LOGGER.error(
                "Emergency calls of %s's trigger devices cannot reach Home Assistant (%s)",
                self.entry.title,
                problem,
            )
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.CRITICAL,
                translation_key=f"emergency_path_{problem}",
                translation_placeholders={"site": self.entry.title},
            )
        self.notices.technician(
            issue_id,
            f"path_{problem}" if problem else None,
            {"site": self.entry.title},
        )
        async_dispatcher_send(self.hass, self.site.update_signal)

    @callback
    def _forget_issues_of_removed_devices(self) -> None:
        """Drop the silence and battery issues of devices no apartment lists any more."""
        prefixes = (
            f"trigger_silent_{self.entry.entry_id}_",
            f"trigger_battery_{self.entry.entry_id}_",
        )
        for domain, issue_id in list(ir.async_get(self.hass).issues):
            for prefix in prefixes:
                if (
                    domain == DOMAIN
                    and issue_id.startswith(prefix)
                    and issue_id.removeprefix(prefix) not in self.triggers
                ):
                    ir.async_delete_issue(self.hass, DOMAIN, issue_id)
                    self.notices.dismiss(f"{DOMAIN}_{issue_id}")

    @callback
    def _check_supervision(self, now: datetime) -> None:
        """Flag devices that fell silent (and clear those heard again): entity + repair issue.

        Also retries the MQTT subscription when it could not be made (MQTT added later).
        """
        needs_mqtt = bool(self.triggers) or bool(self.entry.options.get(CONF_CARE_MQTT_TOPIC))
        if self.mqtt is not None and not self.mqtt.subscribed and needs_mqtt:
            self.hass.async_create_task(self._async_retry_mqtt(), eager_start=False)
        self._update_path()
        self._check_batteries()
        for device_id, device in self.triggers.items():
            silent = device.supervision.is_silent(now)
            if silent == device.silent:
                continue
            device.silent = silent
            issue_id = f"trigger_silent_{self.entry.entry_id}_{device_id}"
            placeholders = self._device_placeholders(device_id, device)
            if silent:
                _LOGGER.error(
                    "Trigger device %s has not been heard since %s",
                    device_id,
                    device.supervision.silent_since(),
                )
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.ERROR,
                    translation_key="trigger_device_silent",
                    translation_placeholders=placeholders,
                )
            else:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            self.notices.technician(issue_id, "device_silent" if silent else None, placeholders)
            async_dispatcher_send(self.hass, device.update_signal)

    @callback
    def _check_batteries(self) -> None:
        """Low battery of a trigger device: repair issue and technician notice, until good."""
        for device_id, device in self.triggers.items():
            low = device.supervision.battery_low
            if low == device.battery_flagged:
                continue
            device.battery_flagged = low
            issue_id = f"trigger_battery_{self.entry.entry_id}_{device_id}"
            placeholders = self._device_placeholders(device_id, device)
            if low:
                _LOGGER.warning("Trigger device %s reports a low battery", device_id)
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key="trigger_battery_low",
                    translation_placeholders=placeholders,
                )
            else:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            self.notices.technician(issue_id, "battery_low" if low else None, placeholders)

    def _device_placeholders(self, device_id: str, device: TriggerDevice) -> dict[str, str]:
        apartment = self.apartment_of_device(device_id)
        return {
            "device": device_id,
            "apartment": apartment.subentry.title if apartment else "-",
            "site": self.entry.title,
            "hours": str(int(device.supervision.interval.total_seconds() // 3600)),
        }

    async def _async_run_due(self, now: datetime) -> None:
        async with self._lock:
            await self._async_commit_and_act(now)

    def _advance(self, now: datetime) -> list[tuple[Alarm, Dispatch]]:
        dispatches = []
        for alarm in self.book.open_alarms:
            alarm.activate_if_due(now)
            if (dispatch := escalate(alarm, self.policy, now)) is not None:
                if alarm.ack_token is None:
                    alarm.ack_token = new_token()  # one per escalation, stored before sending
                dispatches.append((alarm, dispatch))
        return dispatches

    @callback
    def _schedule(self) -> None:
        if self._closed:
            return
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        wakeups = [
            moment
            for alarm in self.book.open_alarms
            for moment in (
                alarm.pre_alarm_until if alarm.state is AlarmState.PRE_ALARM else None,
                next_wakeup(alarm, self.policy),
            )
            if moment is not None
        ]
        if wakeups:
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._async_timer, min(wakeups)
            )

    async def _async_timer(self, now: datetime) -> None:
        self._cancel_timer = None
        await self._async_run_due(now)

    @callback
    def _send(self, alarm: Alarm, dispatch: Dispatch) -> None:
        name = self.apartment_name(alarm.apartment_id)
        placeholders = {"apartment": name, "site": self.entry.title, "state": alarm.state.value}
        if TARGET_PERSISTENT_NOTIFICATION in dispatch.targets:
            self.notices.show(
                f"{DOMAIN}_alarm_{alarm.alarm_id}", "alarm_notification", placeholders
            )
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, alarm.apartment_id), self.entry.entry_id
        )
        for target in dispatch.targets:
            if target.startswith("notify."):
                self.hass.async_create_task(
                    self.notices.async_alert_phone(
                        target.removeprefix("notify."),
                        alarm.alarm_id,
                        device.id if device else None,
                        placeholders,
                    ),
                    f"{DOMAIN} alarm notification",
                )
        self.hass.bus.async_fire(
            EVENT_ALARM,
            {
                "alarm_id": alarm.alarm_id,
                "device_id": device.id if device else None,
                "site": self.entry.title,
                "apartment": name,
                "apartment_id": alarm.apartment_id,
                "state": alarm.state.value,
                "dispatch": dispatch.reason,
                "targets": list(dispatch.targets),
            },
        )

    @callback
    def _receipt(self, alarm_id: str, channel: str) -> None:
        """Mark the alarm delivered (once): a receiver confirmed a message."""
        alarm = next((a for a in self.book if a.alarm_id == alarm_id), None)
        if alarm is not None and alarm.mark_delivered(channel, dt_util.utcnow()):
            self._announce()

    @callback
    def _fire_transitions(self) -> None:
        """Put every new step of every alarm on the bus once (logbook, automations)."""
        registry = dr.async_get(self.hass)
        for alarm in self.book:
            seen = self._transitions_fired.get(alarm.alarm_id, 0)
            if seen >= len(alarm.history):
                continue
            device = registry.async_get_device_by_identifier(
                (DOMAIN, alarm.apartment_id), self.entry.entry_id
            )
            entity_id = er.async_get(self.hass).async_get_entity_id(
                Platform.SENSOR, DOMAIN, f"{alarm.apartment_id}-alarm_state"
            )
            for transition in alarm.history[seen:]:
                actor = transition.actor or ""
                self.hass.bus.async_fire(
                    EVENT_ALARM_CHANGED,
                    {
                        "alarm_id": alarm.alarm_id,
                        "device_id": device.id if device else None,
                        "entity_id": entity_id,
                        "site": self.entry.title,
                        "apartment": self.apartment_name(alarm.apartment_id),
                        "state": transition.state.value,
                        "actor": transition.actor,
                        "channel": transition.channel,
                        "note": transition.note,
                    },
                    context=Context(user_id=actor.removeprefix("user:"))
                    if actor.startswith("user:")
                    else None,
                )
            self._transitions_fired[alarm.alarm_id] = len(alarm.history)
        kept = {alarm.alarm_id for alarm in self.book}
        for alarm_id in set(self._transitions_fired) - kept:
            del self._transitions_fired[alarm_id]

    @callback
    def _announce(self) -> None:
        self._fire_transitions()
        for apartment in self.apartments.values():
            async_dispatcher_send(self.hass, apartment.update_signal)
        async_dispatcher_send(self.hass, self.site.update_signal)
        for alarm in self.book:
            if not alarm.state.is_open:
                self.notices.dismiss(f"{DOMAIN}_alarm_{alarm.alarm_id}")

    # --- entities and diagnostics -------------------------------------------------------

    @override
    def entity_groups(self, platform: Platform) -> Iterable[EntityGroup]:
        if platform is Platform.SENSOR:
            yield EntityGroup(None, self.site, SITE_SENSORS)
            for apartment in self.apartments.values():
                yield EntityGroup(apartment.subentry, apartment, APARTMENT_SENSORS)
        elif platform is Platform.BUTTON:
            for apartment in self.apartments.values():
                yield EntityGroup(apartment.subentry, apartment, APARTMENT_BUTTONS)
        elif platform is Platform.EVENT:
            for apartment in self.apartments.values():
                yield EntityGroup(apartment.subentry, apartment, APARTMENT_EVENTS)
        elif platform is Platform.BINARY_SENSOR:
            yield EntityGroup(None, self.site, SITE_BINARY_SENSORS)
            for apartment in self.apartments.values():
                for device_id in apartment.subentry.data.get(CONF_TRIGGER_DEVICES, []):
                    yield EntityGroup(
                        apartment.subentry,
                        self.triggers[device_id],
                        trigger_descriptions(device_id),
                    )

    @override
    def diagnostics(self) -> dict[str, Any]:
        return {
            "open_alarms": [alarm.as_dict() for alarm in self.book.open_alarms],
            "duplicates_ignored": self.duplicates,
            "outbox": [
                {"channel": entry.channel, "alarm_id": entry.alarm_id, "attempts": entry.attempts}
                for entry in self.delivery.entries
            ],
            "acknowledgement_callback": {"refused": self.callback.refused}
            if self.callback
            else None,
            "path_problem": self._path_problem,
            "mqtt": {
                "topic": self.mqtt.topic,
                "subscribed": self.mqtt.subscribed,
                "connected": self.mqtt.connected,
                "received": self.mqtt.received,
                "rejected": dict(self.mqtt.rejected),
            }
            if self.mqtt
            else None,
            "triggers": {
                device_id: {**device.supervision.as_dict(), "silent": device.silent}
                for device_id, device in self.triggers.items()
            },
            "apartments": {
                apartment_id: {
                    CONF_NAME: apartment.subentry.title,
                    CONF_TRIGGER_DEVICES: len(
                        apartment.subentry.data.get(CONF_TRIGGER_DEVICES, [])
                    ),
                }
                for apartment_id, apartment in self.apartments.items()
            },
        }

    @override
    @classmethod
    def migrate_site(cls, hass: HomeAssistant, entry: ConfigEntry, minor_version: int) -> None:
        if minor_version < 2:  # noqa: PLR2004 - 1.2 made escalation steps subentries
            migrate_escalation_options(hass, entry)

    @override
    @classmethod
    async def async_remove_site(cls, hass: HomeAssistant, entry_id: str) -> None:
        await Store[dict[str, Any]](hass, STORAGE_VERSION, _storage_key(entry_id)).async_remove()
        for issue_id in list(ir.async_get(hass).issues):
            if issue_id[0] == DOMAIN and (
                issue_id[1].startswith(
                    (
                        f"trigger_silent_{entry_id}_",
                        f"trigger_battery_{entry_id}_",
                        f"orphan_alarm_{entry_id}_",
                    )
                )
                or issue_id[1] == f"emergency_path_{entry_id}"
            ):
                ir.async_delete_issue(hass, DOMAIN, issue_id[1])
