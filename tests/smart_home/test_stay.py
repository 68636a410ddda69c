"""The stay model: modes, cleaning time and the energy of a stay (pure, no Home Assistant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.smart_quarter.smart_home.stay import ApartmentMode, Stay

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_a_stay_from_check_in_to_vacant() -> None:
    """Occupied counts energy from check-in; cleaning ends after its hours; then vacant."""
    stay = Stay()
    assert stay.stay_energy is None  # no stay yet
    entered = stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", readings={"strom": 1000.0})
    assert entered is ApartmentMode.OCCUPIED
    assert stay.stay_energy == 0.0
    assert stay.meter({"strom": 1002.5})
    assert not stay.meter({"strom": 1002.5})  # nothing new
    assert stay.stay_energy == 2.5

    later = NOW + timedelta(days=2)
    stay.enter(
        ApartmentMode.CLEANING, later, booking_id="b1", cleaning_hours=3, readings={"strom": 1004.0}
    )
    assert stay.mode is ApartmentMode.CLEANING
    assert stay.stay_energy == 4.0  # the last reading at check-out counts
    assert not stay.meter({"strom": 1010.0})  # nobody staying: no longer counted
    assert stay.stay_energy == 4.0
    assert not stay.cleaning_over(later + timedelta(hours=2, minutes=59))
    assert stay.cleaning_over(later + timedelta(hours=3))
    stay.enter(ApartmentMode.VACANT, later + timedelta(hours=3))
    assert stay.cleaning_until is None
    assert stay.stay_energy == 4.0  # the last stay's figure stays for billing


def test_no_cleaning_time_means_vacant_at_once() -> None:
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1")
    assert stay.enter(ApartmentMode.CLEANING, NOW, cleaning_hours=0) is ApartmentMode.VACANT
    assert not stay.cleaning_over(NOW + timedelta(days=1))


def test_each_meter_counts_for_itself() -> None:
    """A replaced meter starts at 0 and loses nothing; a dip is noise; a new meter joins."""
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", readings={"a": 1000.0, "b": 2000.0})
    stay.meter({"a": 1010.0, "b": 2005.0})
    assert stay.stay_energy == 15.0
    stay.meter({"a": 1.5, "b": 2005.0})  # meter a replaced: the new one started at 0
    assert stay.stay_energy == 16.5
    stay.meter({"a": 1.5, "b": 2004.9})  # a small dip of b: ignored
    assert stay.stay_energy == 16.5
    stay.meter({"a": 3.0, "b": 2005.0, "c": 500.0})  # meter c added: counts from now
    assert stay.stay_energy == 18.0
    stay.meter({"c": 501.0})  # a missing reading keeps what the meter counted
    assert stay.stay_energy == 19.0


def test_readings_that_come_late_and_the_next_guest() -> None:
    """Unknown meter at check-in: counting starts with its first reading; a new booking restarts."""
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", readings={})
    assert stay.stay_energy is None
    assert not stay.meter({})
    stay.meter({"strom": 700.0})
    stay.meter({"strom": 701.0})
    assert stay.stay_energy == 1.0
    # The same booking checked in again, or staff choosing "occupied" by hand: the stay goes on.
    stay.enter(ApartmentMode.OCCUPIED, NOW + timedelta(hours=1), booking_id="b1")
    stay.enter(ApartmentMode.OCCUPIED, NOW + timedelta(hours=2), readings={"strom": 702.0})
    assert stay.stay_energy == 2.0
    assert stay.booking_id == "b1"
    # The next guest without a check-out in between: a new stay; the late check-out of the
    # first guest does not end it.
    stay.enter(
        ApartmentMode.OCCUPIED, NOW + timedelta(days=3), booking_id="b2", readings={"strom": 720.0}
    )
    assert stay.stay_energy == 0.0
    assert stay.stay_started == NOW + timedelta(days=3)
    assert not stay.ends_with("b1")
    assert stay.ends_with("b2")


def test_stored_and_broken_storage() -> None:
    """A stay survives storage; broken stored data gives a vacant apartment, not a crash."""
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", readings={"strom": 10.0})
    stay.meter({"strom": 12.0})
    stay.routine_pending = True
    stay.enter(
        ApartmentMode.CLEANING, NOW + timedelta(days=1), cleaning_hours=2, readings={"strom": 13.0}
    )
    again = Stay.from_dict(stay.as_dict())
    assert again == stay
    assert again.stay_energy == 3.0
    assert again.routine_pending
    assert Stay.from_dict({"mode": "partying"}) == Stay()
    assert Stay.from_dict({"mode": "occupied", "since": "yesterday"}) == Stay()
    assert Stay.from_dict({"meters": {"strom": {"start": "lots"}}}) == Stay()
