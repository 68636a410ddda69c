"""Spoken calls for help and their answers, German and English (no Home Assistant imports).

Sentences use Home Assistant's sentence template syntax: [optional] words and (a|b)
alternatives. They are trigger sentences: they match in whatever language the voice
assistant runs, so both languages are registered at once.
"""

from __future__ import annotations

CALL_SENTENCES = [
    # German
    "Hilfe",
    "Hilfe bitte",
    "Ich brauche Hilfe",
    "Ruf[e] [bitte] die Pflege",
    "Notruf",
    "Hilfe rufen",
    "Ich bin gestürzt",
    # English
    "Help [me]",
    "I need help",
    "Call the (nurse|care service)",
    "Emergency",
    "I [have] fallen",
]
CANCEL_SENTENCES = [
    "(Notruf|Alarm) abbrechen",
    "Fehlalarm",
    "Cancel [the] (alarm|emergency call)",
    "False alarm",
]

_ANSWERS = {
    "de": {
        "called": "Ich rufe die Pflege. Wenn alles in Ordnung ist, sagen Sie: Fehlalarm.",
        "called_now": "Ich habe die Pflege gerufen.",
        "joined": "Die Pflege ist bereits gerufen.",
        "no_apartment": (
            "Ich weiß nicht, in welcher Wohnung Sie sind. Bitte ziehen Sie die Notrufschnur "
            "oder drücken Sie Ihren Notrufknopf."
        ),
        "cancelled": "Der Notruf ist abgebrochen.",
        "not_cancellable": (
            "Der Notruf ist schon bei der Pflege. Sie kommt, um nach Ihnen zu sehen."
        ),
        "nothing_to_cancel": "Es gibt keinen Notruf zum Abbrechen.",
        "delivered": (
            "Ihr Notruf wurde an die Pflege übermittelt. Ich sage Ihnen Bescheid, sobald ihn "
            "jemand angenommen hat."
        ),
        "acknowledged": "Die Pflege hat Ihren Notruf angenommen und kümmert sich um Sie.",
        "not_taken": (
            "Noch hat niemand Ihren Notruf angenommen. Ich versuche es weiter. Wenn Sie schnell "
            "Hilfe brauchen, wählen Sie die eins eins zwei oder ziehen Sie die Notrufschnur."
        ),
    },
    "en": {
        "called": "I am calling the care service. If you are all right, say: false alarm.",
        "called_now": "I have called the care service.",
        "joined": "The care service has been called already.",
        "no_apartment": (
            "I do not know which apartment you are in. Please pull the emergency cord or "
            "press your emergency button."
        ),
        "cancelled": "The emergency call is cancelled.",
        "not_cancellable": (
            "The call has reached the care service already. They will come to see you."
        ),
        "nothing_to_cancel": "There is no emergency call to cancel.",
        "delivered": (
            "Your call has been passed on to the care service. I will tell you as soon as "
            "someone has answered it."
        ),
        "acknowledged": "The care service has answered your call and is looking after you.",
        "not_taken": (
            "Nobody has answered your call yet. I will keep trying. If you need help quickly, "
            "call one one two or pull the emergency cord."
        ),
    },
}


def answer(language: str, key: str) -> str:
    """Return the spoken answer in German for German speakers, else English."""
    lang = "de" if language.split("-", maxsplit=1)[0] == "de" else "en"
    return _ANSWERS[lang][key]
