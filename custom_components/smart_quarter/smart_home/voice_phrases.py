"""What a guest may say to the apartment, and its answers, in German and English (pure).

Sentences use Home Assistant's sentence template syntax ([optional], (a|b), {wildcard}).
They are trigger sentences, registered in both languages at once. Sentences with a `{room}`
are registered once for each room name the gateways give their devices ("Wohnzimmer", "Bad"
...), so a room no apartment has ("im Büro") stays with Home Assistant's built-in intents.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
import re
from typing import Final


class Command(StrEnum):
    """What the guest asked for."""

    BED_UP = "bed_up"
    BED_DOWN = "bed_down"
    HEAD_UP = "head_up"
    HEAD_DOWN = "head_down"
    KITCHEN_UP = "kitchen_up"
    KITCHEN_DOWN = "kitchen_down"
    LIGHTS_ON = "lights_on"
    LIGHTS_OFF = "lights_off"
    WARMER = "warmer"
    COLDER = "colder"
    TEMPERATURE = "temperature"
    NEXT_APPOINTMENT = "next_appointment"
    ROBOT_COME = "robot_come"


_UP_DE = "(hoch|rauf|nach oben|höher)"
_DOWN_DE = "(runter|herunter|nach unten|tiefer)"
_MOVE_DE = "[Fahr[e]|Stell[e]|Mach[e]] [bitte]"
_ROOM_DE = "(im|in der|in dem) {room}"

SENTENCES: Final[dict[Command, list[str]]] = {
    Command.BED_UP: [
        f"{_MOVE_DE} [das] [Pflege]bett {_UP_DE}",
        "(Raise|Lift) the bed",
        "[Move the] bed up",
    ],
    Command.BED_DOWN: [
        f"{_MOVE_DE} [das] [Pflege]bett {_DOWN_DE}",
        "Lower the bed",
        "[Move the] bed down",
    ],
    Command.HEAD_UP: [
        f"{_MOVE_DE} [das] Kopfteil {_UP_DE}",
        "(Raise|Lift) the head [end|section|part]",
    ],
    Command.HEAD_DOWN: [
        f"{_MOVE_DE} [das] Kopfteil {_DOWN_DE}",
        "Lower the head [end|section|part]",
    ],
    Command.KITCHEN_UP: [
        f"{_MOVE_DE} die Küche[nzeile] {_UP_DE}",
        f"Küche[nzeile] {_UP_DE}",
        "(Raise|Lift) the kitchen [counter]",
        "Kitchen [counter] up",
    ],
    Command.KITCHEN_DOWN: [
        f"{_MOVE_DE} die Küche[nzeile] {_DOWN_DE}",
        f"Küche[nzeile] {_DOWN_DE}",
        "Lower the kitchen [counter]",
        "Kitchen [counter] down",
    ],
    Command.LIGHTS_ON: [
        "[Mach[e]|Schalte] [bitte] [das] Licht (an|ein)",
        f"[Mach[e]|Schalte] [bitte] [das] Licht {_ROOM_DE} (an|ein)",
        "Licht (an|ein)",
        "[Turn|Switch] on the light[s]",
        "[Turn|Switch] on the light[s] in the {room}",
        "Light[s] on",
    ],
    Command.LIGHTS_OFF: [
        "[Mach[e]|Schalte] [bitte] [das|alle] Licht[er] aus",
        f"[Mach[e]|Schalte] [bitte] [das] Licht {_ROOM_DE} aus",
        "Licht aus",
        "[Turn|Switch] off the light[s]",
        "[Turn|Switch] off the light[s] in the {room}",
        "Light[s] off",
    ],
    Command.WARMER: [
        "Mach[e] es [bitte] wärmer",
        "Mir ist kalt",
        "[Dreh[e]|Stell[e]] die Heizung (hoch|höher|wärmer)",
        "Make it warmer",
        "I am cold",
        "Turn the heating up",
    ],
    Command.COLDER: [
        "Mach[e] es [bitte] (kälter|kühler)",
        "Mir ist (warm|zu warm|heiß)",
        "[Dreh[e]|Stell[e]] die Heizung (runter|niedriger|kälter)",
        "Make it (colder|cooler)",
        "I am (warm|hot)",
        "Turn the heating down",
    ],
    Command.TEMPERATURE: [
        "Wie (warm|kalt) ist es [hier|bei mir|in der Wohnung]",
        f"Wie (warm|kalt) ist es {_ROOM_DE}",
        "Wie ist die Temperatur [hier|in der Wohnung]",
        f"Wie ist die Temperatur {_ROOM_DE}",
        "Wie viel Grad (sind|haben wir) [es] [hier]",
        "How (warm|cold) is it [here|in the apartment]",
        "How (warm|cold) is it in the {room}",
        "What is the temperature [here|in the apartment]",
        "What is the temperature in the {room}",
    ],
    Command.NEXT_APPOINTMENT: [
        "Wann ist mein nächster Termin",
        "Wann habe ich [meinen nächsten|den nächsten|einen] Termin",
        "Wann ist [der nächste|mein] Arzttermin",
        "Habe ich einen Termin",
        "When is my next appointment",
        "Do I have an appointment",
    ],
    Command.ROBOT_COME: [
        "(Temi|Roboter)[,] komm [bitte] [zu mir|her|hierher]",
        "(Temi|Roboter)[,] [bitte] komm [zu mir|her|hierher]",
        "(Temi|Robot)[,] come [here|to me]",
    ],
}

STEP: Final[dict[Command, tuple[str, float]]] = {
    # What a command moves, and how far (height in %, head part in degrees, heating in °C).
    Command.BED_UP: ("height", 20),
    Command.BED_DOWN: ("height", -20),
    Command.HEAD_UP: ("head", 15),
    Command.HEAD_DOWN: ("head", -15),
    Command.KITCHEN_UP: ("height", 20),
    Command.KITCHEN_DOWN: ("height", -20),
    Command.WARMER: ("target", 1),
    Command.COLDER: ("target", -1),
}

_ANSWERS: Final[dict[str, dict[str, str]]] = {
    "de": {
        "bed_up": "Das Bett fährt hoch.",
        "bed_down": "Das Bett fährt herunter.",
        "head_up": "Das Kopfteil fährt hoch.",
        "head_down": "Das Kopfteil fährt herunter.",
        "kitchen_up": "Die Küchenzeile fährt hoch.",
        "kitchen_down": "Die Küchenzeile fährt herunter.",
        "at_limit": "Weiter geht es nicht.",
        "lights_on": "Das Licht ist an.",
        "lights_off": "Das Licht ist aus.",
        "warmer": "Ich stelle die Heizung auf {target} Grad.",
        "colder": "Ich stelle die Heizung auf {target} Grad.",
        "temperature_room": "{room}: {value} Grad",
        "next_appointment": "Ihr nächster Termin ist {when}, Raum: {room}.",
        "next_appointment_no_room": "Ihr nächster Termin ist {when}.",
        "no_appointment": "Sie haben keinen Termin.",
        "no_device": "Diese Wohnung hat das nicht.",
        "no_room": "Einen Raum {room} kenne ich in dieser Wohnung nicht.",
        "unreachable": (
            "Das Gerät antwortet gerade nicht. Bitte versuchen Sie es gleich noch einmal."
        ),
        "no_apartment": "Ich weiß nicht, in welcher Wohnung Sie sind.",
        "robot_come": "Temi kommt zu Ihnen: {room}.",
        "no_robot": "Zu dieser Wohnung gehört kein Roboter.",
        "robot_offline": "Temi ist gerade nicht erreichbar.",
        "robot_unknown_room": "Temi kennt den Raum {room} noch nicht.",
        "robot_blocked": "Temi kommt nicht zu Ihnen durch: Etwas steht im Weg.",
        "robot_did_not_come": "Temi ist leider nicht zu Ihnen gekommen.",
        "robot_cannot_come": "Temi kann gerade nicht kommen.",
    },
    "en": {
        "bed_up": "The bed is going up.",
        "bed_down": "The bed is going down.",
        "head_up": "The head section is going up.",
        "head_down": "The head section is going down.",
        "kitchen_up": "The kitchen counter is going up.",
        "kitchen_down": "The kitchen counter is going down.",
        "at_limit": "It cannot go any further.",
        "lights_on": "The light is on.",
        "lights_off": "The light is off.",
        "warmer": "I am setting the heating to {target} degrees.",
        "colder": "I am setting the heating to {target} degrees.",
        "temperature_room": "{room}: {value} degrees",
        "next_appointment": "Your next appointment is {when} in {room}.",
        "next_appointment_no_room": "Your next appointment is {when}.",
        "no_appointment": "You have no appointment.",
        "no_device": "This apartment does not have that.",
        "no_room": "I do not know a room {room} in this apartment.",
        "unreachable": "The device is not answering right now. Please try again in a moment.",
        "no_apartment": "I do not know which apartment you are in.",
        "robot_come": "Temi is coming to you: {room}.",
        "no_robot": "There is no robot for this apartment.",
        "robot_offline": "Temi cannot be reached right now.",
        "robot_unknown_room": "Temi does not know the room {room} yet.",
        "robot_blocked": "Temi cannot get through to you: something is in the way.",
        "robot_did_not_come": "Temi did not make it to you, sorry.",
        "robot_cannot_come": "Temi cannot come right now.",
    },
}

_WEEKDAYS = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


ROOM: Final = "{room}"
_SAFE_ROOM = re.compile(r"^[^\W\d_][\w .'-]{0,40}$")


def is_sayable_room(room: str) -> bool:
    """Whether a room name can go into a sentence (letters first, no template characters)."""
    return bool(_SAFE_ROOM.match(room))


def sentences_for(command: Command, room: str | None) -> list[str]:
    """Return a command's sentences without a room, or those for one room."""
    if room is None:
        return [sentence for sentence in SENTENCES[command] if ROOM not in sentence]
    return [sentence.replace(ROOM, room) for sentence in SENTENCES[command] if ROOM in sentence]


ROOM_COMMANDS: Final = tuple(
    command for command, sentences in SENTENCES.items() if any(ROOM in s for s in sentences)
)


def language_of(language: str) -> str:
    """Return "de" for German speakers, else "en"."""
    return "de" if language.split("-", maxsplit=1)[0] == "de" else "en"


def answer(language: str, key: str, **values: str) -> str:
    """Return a spoken answer with its values filled in."""
    return _ANSWERS[language_of(language)][key].format(**values)


def number(language: str, value: float) -> str:
    """Say a temperature: one decimal at most, a German decimal comma."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if language_of(language) == "de" else text


def temperatures(language: str, readings: list[tuple[str, float]]) -> str:
    """Say the rooms' temperatures ("Wohnzimmer: 21 Grad, Schlafzimmer: 20,5 Grad.")."""
    lang = language_of(language)
    parts = [
        _ANSWERS[lang]["temperature_room"].format(room=room, value=number(lang, value))
        for room, value in readings
    ]
    return ", ".join(parts) + "."


def when(language: str, start: datetime, today: datetime) -> str:
    """Say when a (local) time is: today / tomorrow, or its weekday and date, and the hour."""
    lang = language_of(language)
    days = (start.date() - today.date()).days
    clock = f"{start:%H:%M}"
    if lang == "de":
        if days == 0:
            return f"heute um {clock} Uhr"
        if days == 1:
            return f"morgen um {clock} Uhr"
        day = f"{_WEEKDAYS['de'][start.weekday()]}, {start.day}. {_MONTHS['de'][start.month - 1]}"
        return f"am {day} um {clock} Uhr"
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    day = f"{_WEEKDAYS['en'][start.weekday()]}, {_MONTHS['en'][start.month - 1]} {start.day}"
    return f"on {day} at {clock}"
