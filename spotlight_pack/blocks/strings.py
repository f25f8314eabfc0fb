"""Interface strings of the blocks, per course language (a language without a table gets English).

They are written into the page's HTML when the page is read, so a block's player module never
carries text of its own.
"""

from __future__ import annotations

_ES = {
    "transcript": "Transcripción",
    "showTranscript": "Mostrar transcripción",
    "hideTranscript": "Ocultar transcripción",
    "noMedia": "Su navegador no puede reproducir este archivo.",
    "download": "Descargar",
    "reflectionSaved": "Su texto se guardó con su avance.",
    "reflectionNotSaved": (
        "Su texto es demasiado largo para que la plataforma lo guarde: acórtelo o cópielo en otro lugar."
    ),
    "reflectionCount": "{n} de {max} caracteres",
    "reflectionSend": "Enviar a mi tutora o tutor",
    "reflectionSent": "Enviado.",
    "reflectionLabel": "Su respuesta",
    "scenarioRestart": "Volver a empezar",
    "scenarioPath": "Su recorrido",
    "scenarioEnding": "Final",
    "outcome-good": "Buen desenlace",
    "outcome-acceptable": "Desenlace aceptable",
    "outcome-harmful": "Desenlace dañino",
    "scenarioChoices": "¿Qué hace?",
    "tabsLabel": "Pestañas",
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
    "odt": "OpenDocument",
    "csv": "CSV",
}

_EN = {
    "transcript": "Transcript",
    "showTranscript": "Show transcript",
    "hideTranscript": "Hide transcript",
    "noMedia": "Your browser cannot play this file.",
    "download": "Download",
    "reflectionSaved": "Your text was saved with your progress.",
    "reflectionNotSaved": "Your text is too long for the platform to save: shorten it or copy it elsewhere.",
    "reflectionCount": "{n} of {max} characters",
    "reflectionSend": "Send to my tutor",
    "reflectionSent": "Sent.",
    "reflectionLabel": "Your answer",
    "scenarioRestart": "Start again",
    "scenarioPath": "Your path",
    "scenarioEnding": "Ending",
    "outcome-good": "Good outcome",
    "outcome-acceptable": "Acceptable outcome",
    "outcome-harmful": "Harmful outcome",
    "scenarioChoices": "What do you do?",
    "tabsLabel": "Tabs",
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
    "odt": "OpenDocument",
    "csv": "CSV",
}

_TABLES = {"es": _ES, "en": _EN}


def block_strings(lang: str) -> dict[str, str]:
    return _TABLES.get(lang, _EN)
