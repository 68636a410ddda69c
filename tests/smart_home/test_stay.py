"""The stay model: modes, cleaning time and the energy of a stay (pure, no Home Assistant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.smart_quarter.smart_home.stay import ApartmentMode, Stay

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_a_stay_from_check_in_to_vacant() -> None:
    """Occupied counts energy from check-in; cleaning ends after its hours; then vacant."""
    stay = Stay()
    assert stay.stay_energy is None  # no stay yet
    assert stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", reading=1000.0) == (
        ApartmentMode.OCCUPIED
    )
    assert stay.stay_energy == 0.0
    assert stay.meter(1002.5)
    assert not stay.meter(1002.5)  # nothing new
    assert stay.stay_energy == 2.5

    later = NOW + timedelta(days=2)
    stay.enter(ApartmentMode.CLEANING, later, booking_id="b1", cleaning_hours=3, reading=1004.0)
    assert stay.mode is ApartmentMode.CLEANING
    assert stay.stay_energy == 4.0  # the last reading at check-out counts
    assert not stay.meter(1010.0)  # nobody staying: no longer counted
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


def test_a_restarted_meter_loses_nothing() -> None:
    """A meter replaced mid-stay starts at 0: what it counted before is kept."""
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", reading=500.0)
    stay.meter(510.0)
    stay.meter(1.5)  # new meter
    assert stay.stay_energy == 11.5
    stay.meter(3.0)
    assert stay.stay_energy == 13.0


def test_readings_that_come_late_and_a_following_guest() -> None:
    """Unknown meter at check-in: counting starts with the first reading; a new booking restarts."""
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", reading=None)
    assert stay.stay_energy is None
    assert stay.meter(None) is False
    stay.meter(700.0)
    stay.meter(701.0)
    assert stay.stay_energy == 1.0
    # The same booking checked in twice (a repeated event): the stay goes on.
    stay.enter(ApartmentMode.OCCUPIED, NOW + timedelta(hours=1), booking_id="b1", reading=701.0)
    assert stay.stay_energy == 1.0
    # The next guest without a check-out in between: a new stay.
    stay.enter(ApartmentMode.OCCUPIED, NOW + timedelta(days=3), booking_id="b2", reading=720.0)
    assert stay.stay_energy == 0.0
    assert stay.stay_started == NOW + timedelta(days=3)


def test_stored_and_broken_storage() -> None:
    """A stay survives storage; broken stored data gives a vacant apartment, not a crash."""
    stay = Stay()
    stay.enter(ApartmentMode.OCCUPIED, NOW, booking_id="b1", reading=10.0)
    stay.meter(12.0)
    stay.enter(ApartmentMode.CLEANING, NOW + timedelta(days=1), cleaning_hours=2, reading=13.0)
    again = Stay.from_dict(stay.as_dict())
    assert again == stay
    assert again.stay_energy == 3.0
    assert Stay.from_dict({"mode": "partying"}) == Stay()
    assert Stay.from_dict({"mode": "occupied", "since": "yesterday"}) == Stay()
    assert Stay.from_dict({"energy_start": "lots"}) == Stay()
