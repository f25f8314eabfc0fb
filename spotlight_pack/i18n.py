"""Interface strings of the packaged player, one table per course language.

Learners see these on every page, so they are written for the audience (Mexican Spanish uses
"usted", as the courses do) and kept here rather than in templates or JavaScript: the renderer puts
them into the HTML and into the course data JSON that the runtime reads. Placeholders in braces
(``{n}``) are filled in by the runtime.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_ES: dict[str, str] = {
    "skip": "Saltar al contenido",
    "menu": "Menú",
    "menuLabel": "Contenido del curso",
    "moduleQuiz": "Autoevaluación",
    "assessment": "Evaluación final",
    "visited": "visitada",
    "progress": "{n} % completado",
    "position": "Página {n} de {total}",
    "previous": "Anterior",
    "next": "Siguiente",
    "exit": "Salir",
    "noteTitle": "Antes de empezar",
    "start": "Comenzar",
    "check": "Comprobar respuestas",
    "submit": "Enviar evaluación",
    "retry": "Intentar de nuevo",
    "correct": "Correcto",
    "incorrect": "Incorrecto",
    "chooseOne": "Elija una respuesta.",
    "chooseAll": "Elija todas las respuestas correctas.",
    "answerAll": "Responda todas las preguntas antes de continuar ({n} sin responder).",
    "quizResult": "Respondió bien {n} de {total} preguntas.",
    "scoreResult": "Su calificación: {n} de 100. Se necesita {mastery} para aprobar.",
    "passed": "Aprobó la evaluación.",
    "failed": "Aún no aprueba.",
    "best": "Su mejor calificación: {n} de 100.",
    "loading": "Cargando…",
    "typeAnswer": "Escriba su respuesta.",
    "writeAnswer": "Responda con sus propias palabras. Esta pregunta no se califica.",
    "typeNumber": "Escriba un número.",
    "matchEach": "Elija en cada lista el elemento que corresponde.",
    "putInOrder": "Ordene los elementos con los botones Subir y Bajar.",
    "yourAnswer": "Su respuesta",
    "rubric": "Qué debe cubrir una buena respuesta",
    "yourNumber": "Su respuesta (un número)",
    "choose": "Elija…",
    "moveUp": "Subir",
    "moveDown": "Bajar",
    "moved": "«{text}» quedó en el lugar {n} de {total}.",
    "notANumber": "Escriba solo un número, por ejemplo 12 o 3.5.",
    "checkOne": "Comprobar esta respuesta",
    "correctAnswer": "Respuesta correcta: {answer}",
    "correctOption": "(respuesta correcta)",
    "notScored": "Respuesta guardada. Esta pregunta no se califica.",
    "answersSaved": "Sus respuestas quedaron guardadas.",
    "attemptOf": "Intento {n} de {max}.",
    "attemptN": "Intento {n}.",
    "attemptsLeft": "Le quedan {n} intentos.",
    "attemptLeftOne": "Le queda 1 intento.",
    "noAttemptsLeft": "Ya no le quedan intentos: este resultado es definitivo.",
    "gate": "La evaluación se abre cuando haya visto todas las páginas del curso (le faltan {n}).",
    "closed": "Su avance quedó guardado. Ya puede cerrar esta ventana.",
    "newTab": "(se abre en una pestaña nueva)",
    "studyTitle": "Tiempo de estudio estimado",
    "studyTotal": "En total, unas {time}.",
    "studyHow": (
        "Calculado a partir del contenido: el texto a unas {rate} palabras por minuto, más un tiempo fijo"
        " por figura y por pregunta. Cada persona avanza a su propio ritmo."
    ),
    "studyPart": "Parte del curso",
    "studyMinutes": "Minutos",
    "studyTotalLabel": "Total",
    "hour": "{n} hora",
    "hours": "{n} horas",
    "minute": "{n} minuto",
    "minutes": "{n} minutos",
    "hoursAndMinutes": "{hours} y {minutes}",
    "noscript": (
        "Este curso necesita JavaScript. Actívelo en su navegador o abra el curso desde su plataforma."
    ),
}

_EN: dict[str, str] = {
    "skip": "Skip to content",
    "menu": "Menu",
    "menuLabel": "Course contents",
    "moduleQuiz": "Self-check",
    "assessment": "Final assessment",
    "visited": "visited",
    "progress": "{n}% complete",
    "position": "Page {n} of {total}",
    "previous": "Previous",
    "next": "Next",
    "exit": "Exit",
    "noteTitle": "Before you start",
    "start": "Start",
    "check": "Check answers",
    "submit": "Submit assessment",
    "retry": "Try again",
    "correct": "Correct",
    "incorrect": "Incorrect",
    "chooseOne": "Choose one answer.",
    "chooseAll": "Choose every correct answer.",
    "answerAll": "Answer every question before you go on ({n} unanswered).",
    "quizResult": "You answered {n} of {total} questions correctly.",
    "scoreResult": "Your score: {n} out of 100. You need {mastery} to pass.",
    "passed": "You passed the assessment.",
    "failed": "Not passed.",
    "best": "Your best score: {n} out of 100.",
    "loading": "Loading…",
    "typeAnswer": "Type your answer.",
    "writeAnswer": "Answer in your own words. This question is not scored.",
    "typeNumber": "Type a number.",
    "matchEach": "In each list, choose the item that goes with it.",
    "putInOrder": "Put the items in order with the Up and Down buttons.",
    "yourAnswer": "Your answer",
    "rubric": "What a good answer covers",
    "yourNumber": "Your answer (a number)",
    "choose": "Choose…",
    "moveUp": "Up",
    "moveDown": "Down",
    "moved": "“{text}” is now number {n} of {total}.",
    "notANumber": "Type only a number, for example 12 or 3.5.",
    "checkOne": "Check this answer",
    "correctAnswer": "Correct answer: {answer}",
    "correctOption": "(correct answer)",
    "notScored": "Answer saved. This question is not scored.",
    "answersSaved": "Your answers are saved.",
    "attemptOf": "Attempt {n} of {max}.",
    "attemptN": "Attempt {n}.",
    "attemptsLeft": "You have {n} attempts left.",
    "attemptLeftOne": "You have 1 attempt left.",
    "noAttemptsLeft": "No attempts left: this result is final.",
    "gate": "The assessment opens once you have seen every page of the course ({n} still to see).",
    "closed": "Your progress is saved. You can close this window now.",
    "newTab": "(opens in a new tab)",
    "studyTitle": "Estimated study time",
    "studyTotal": "About {time} in all.",
    "studyHow": (
        "Computed from the content: the text at about {rate} words per minute, plus a fixed allowance per"
        " figure and per question. Everyone moves at their own pace."
    ),
    "studyPart": "Part of the course",
    "studyMinutes": "Minutes",
    "studyTotalLabel": "Total",
    "hour": "{n} hour",
    "hours": "{n} hours",
    "minute": "{n} minute",
    "minutes": "{n} minutes",
    "hoursAndMinutes": "{hours} and {minutes}",
    "noscript": (
        "This course needs JavaScript. Turn it on in your browser or open the course from your platform."
    ),
}

_TABLES: dict[str, Mapping[str, str]] = {"es": MappingProxyType(_ES), "en": MappingProxyType(_EN)}

LANGUAGES: tuple[str, ...] = tuple(sorted(_TABLES))


def ui_strings(lang: str) -> Mapping[str, str]:
    """The player's interface strings for a course language; an unknown language is a build error."""
    try:
        return _TABLES[lang]
    except KeyError:
        have = ", ".join(LANGUAGES)
        raise ValueError(f"no interface strings for language '{lang}' (have: {have}): see i18n.py") from None
