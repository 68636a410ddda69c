"""Opening hours and closures as technicians write them."""

from __future__ import annotations

from datetime import date, time

import pytest

from custom_components.smart_quarter.booking.opening_hours import (
    ScheduleError,
    parse_closures,
    parse_opening_hours,
)


def test_weekdays_ranges_and_german_names() -> None:
    hours = parse_opening_hours("Mo-Fr 08:00-12:00, 13:00-16:30; Sa 09:00-12:00")
    assert hours.on(date(2026, 11, 23)) == ((time(8), time(12)), (time(13), time(16, 30)))
    assert hours.on(date(2026, 11, 28)) == ((time(9), time(12)),)
    assert hours.on(date(2026, 11, 29)) == ()
    assert str(hours) == (
        "Mo 08:00-12:00, 13:00-16:30; Di 08:00-12:00, 13:00-16:30; Mi 08:00-12:00, 13:00-16:30; "
        "Do 08:00-12:00, 13:00-16:30; Fr 08:00-12:00, 13:00-16:30; Sa 09:00-12:00"
    )
    # German names, a weekend wrap, midnight as 24:00; the text reads back as it was meant.
    german = parse_opening_hours("Di,Do 14:00-18:00; Sa-So 10:00-24:00")
    assert german.on(date(2026, 11, 24)) == ((time(14), time(18)),)
    assert german.on(date(2026, 11, 29))[0][1] == time.max
    assert parse_opening_hours(str(hours)) == hours


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "opening_hours_empty"),
        ("Mo-Fr", "opening_hours_invalid"),
        ("Xy 08:00-12:00", "opening_hours_invalid"),
        ("Mo 12:00-08:00", "opening_hours_invalid"),
        ("Mo 08:00-25:00", "opening_hours_invalid"),
        ("Mo 8-12", "opening_hours_invalid"),
        ("Mo 08:00-12:00, 11:00-13:00", "opening_hours_overlap"),
        ("Mo-Fr 08:00-12:00; Mo 09:00-10:00", "opening_hours_overlap"),
    ],
)
def test_refused_opening_hours(text: str, key: str) -> None:
    with pytest.raises(ScheduleError) as err:
        parse_opening_hours(text)
    assert err.value.key == key


def test_closures() -> None:
    closed = parse_closures("2026-12-24; 2026-12-31..2027-01-02")
    assert closed == {date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)}
    assert parse_closures("  ") == frozenset()
    for broken in ("24.12.2026", "2027-01-02..2026-12-31", "2026-01-01..2028-01-01"):
        with pytest.raises(ScheduleError) as err:
            parse_closures(broken)
        assert err.value.key == "closures_invalid"
