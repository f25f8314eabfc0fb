"""The words of reports and of the dashboard in English and Spanish (es-MX, the analysts').

Messages are keyed by their English text; :data:`SPANISH` gives each one's Spanish. A test checks
that every message the templates and formats use has its translation. Titles of courses, pages
and questions come from the content itself (activity definitions), not from here.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("es", "en")
LANGUAGE_NAMES = {"es": "Español", "en": "English"}
DEFAULT = "en"

SPANISH: dict[str, str] = {
    # page frame
    "Spotlight LRS · Analytics": "Spotlight LRS · Analítica",
    "Skip to content": "Saltar al contenido",
    "Dashboard": "Tablero",
    "All courses": "Todos los cursos",
    "Language": "Idioma",
    "Courses": "Cursos",
    "Report": "Informe",
    "Spotlight LRS report": "Informe de Spotlight LRS",
    "by {by}": "por {by}",
    "{n} statements analysed": "{n} declaraciones analizadas",
    "learners' identities are not shown": "no se muestran las identidades de las personas participantes",
    "Rules: docs/analytics.md.": "Reglas: docs/analytics.md.",
    "No statements yet.": "Aún no hay declaraciones.",
    "No statements matched.": "Ninguna declaración coincide.",
    "Course IRI": "IRI del curso",
    # filters
    "Filters": "Filtros",
    "Activity from": "Actividad desde",
    "Activity to": "Actividad hasta",
    "any": "cualquiera",
    "Apply": "Aplicar",
    "Clear filters": "Quitar filtros",
    "Compare by": "Comparar por",
    "modules only": "solo módulos",
    "Show": "Mostrar",
    "Filtered: {filters}.": "Filtrado: {filters}.",
    "The roster has {n} learners; {selected} match the filters.":
        "La lista tiene {n} personas; {selected} cumplen los filtros.",
    "No roster imported: enrolment figures need one (spotlight-lrs roster import).":
        "No se ha importado una lista: las cifras de inscripción la necesitan (spotlight-lrs roster import).",
    # attributes
    "cohort": "generación",
    "state": "estado",
    "municipality": "municipio",
    "institution": "institución",
    "role": "función",
    "module": "módulo",
    "course": "curso",
    # headings of figures
    "launched": "iniciaron",
    "completed": "completaron",
    "passed": "aprobaron",
    "failed": "reprobaron",
    "completion": "finalización",
    "pass rate": "tasa de aprobación",
    "median score": "calificación mediana",
    "median time": "tiempo mediano",
    "median attempts": "intentos (mediana)",
    "Whole course": "Curso completo",
    "(not in roster)": "(fuera de la lista)",
    "(blank)": "(vacío)",
    "(course)": "(curso)",
    # enrolment
    "Enrolled learners": "Personas inscritas",
    "Enrolled learners by course": "Personas inscritas por curso",
    "Enrolled learners by {label}": "Personas inscritas por {label}",
    "enrolled": "inscritas",
    "not started": "sin iniciar",
    "in progress": "en curso",
    "started": "iniciaron",
    "completed or passed": "completaron o aprobaron",
    "launched, not enrolled": "iniciaron sin estar inscritas",
    "Status of enrolled learners": "Situación de las personas inscritas",
    "Status of enrolled learners by {label}": "Situación de las personas inscritas por {label}",
    "Each enrolled learner is counted once, in the furthest status reached: not started (no activity), in "
    "progress, completed (not passed), passed.":
        "Cada persona inscrita se cuenta una vez, en la situación más avanzada que alcanzó: sin iniciar (sin "
        "actividad), en curso, completó (sin aprobar), aprobó.",
    # rates
    "Completion and pass rates by course": "Tasas de finalización y aprobación por curso",
    "Completion and pass rates by {label}": "Tasas de finalización y aprobación por {label}",
    "Learners per course": "Personas por curso",
    "Learners by {label}": "Personas por {label}",
    "completion rate": "tasa de finalización",
    "A module is completed when all its pages were seen. Modules have pass figures only when the content sends "
    "passed/failed for them; otherwise their score is the share correct of first answers to their self-check.":
        "Un módulo se completa al ver todas sus páginas. Los módulos tienen cifras de aprobación solo si el "
        "contenido envía passed/failed para ellos; si no, su calificación es la proporción de primeras respuestas "
        "correctas de su autoevaluación.",
    # scores and funnel
    "Score distribution": "Distribución de calificaciones",
    "Distribution of learners' best scores": "Distribución de las mejores calificaciones",
    "Learners by best score (median {median})": "Personas por mejor calificación (mediana {median})",
    "Score": "Calificación",
    "Learners": "Personas",
    "Drop-off funnel": "Embudo de abandono",
    "Share of learners reaching each page": "Proporción de personas que llegan a cada página",
    "Learners reaching each page, in median visit order":
        "Personas que llegan a cada página, en orden mediano de visita",
    "Page": "Página",
    "Module": "Módulo",
    "Share": "Proporción",
    "reached": "llegaron",
    # items
    "Item analysis": "Análisis de reactivos",
    "Each learner's first answer to each question of the scored assessment.":
        "La primera respuesta de cada persona a cada pregunta de la evaluación calificada.",
    "Difficulty (share correct) per question": "Dificultad (proporción de aciertos) por pregunta",
    "share correct": "proporción de aciertos",
    "Questions: difficulty, discrimination and flags": "Preguntas: dificultad, discriminación y alertas",
    "Question": "Pregunta",
    "Type": "Tipo",
    "Answers": "Respuestas",
    "Share correct": "Aciertos",
    "Point-biserial": "Punto biserial",
    "Upper − lower 27%": "Superior − inferior 27%",
    "Flags": "Alertas",
    "Key": "Clave",
    "no key (survey)": "sin clave (encuesta)",
    "too easy": "demasiado fácil",
    "too hard": "demasiado difícil",
    "negative discrimination": "discriminación negativa",
    "Answers to “{question}”": "Respuestas a «{question}»",
    "Choice": "Opción",
    "Chosen by": "Elegida por",
    "key": "clave",
    "Combinations chosen": "Combinaciones elegidas",
    "Combination": "Combinación",
    "Answer": "Respuesta",
    "Given by": "Dada por",
    "Spellings": "Variantes",
    "{n} other answers": "{n} respuestas más",
    "Point of the scale": "Punto de la escala",
    "Median position {median} of {points}; mean {mean}.": "Posición mediana {median} de {points}; media {mean}.",
    "Orders given": "Órdenes dados",
    "Order": "Orden",
    "Position of each item": "Posición de cada elemento",
    "Item": "Elemento",
    "Position {n}": "Posición {n}",
    "Pairs made": "Parejas formadas",
    "Source": "Origen",
    "Target": "Destino",
    "Made by": "Formada por",
    "Numbers given": "Números dados",
    "Value": "Valor",
    "{numbers} numbers, {unreadable} unreadable; median {median}, quartiles {q1}–{q3}, range {low}–{high}; "
    "{in_key} in the key ({key}).":
        "{numbers} números, {unreadable} ilegibles; mediana {median}, cuartiles {q1}–{q3}, rango {low}–{high}; "
        "{in_key} dentro de la clave ({key}).",
    "Open answers ({n}), for a tutor to read": "Respuestas abiertas ({n}), para lectura de la tutoría",
    "When": "Cuándo",
    "Learner": "Persona",
    "Responses per step": "Respuestas por paso",
    "Step": "Paso",
    "True": "Verdadero",
    "False": "Falso",
    "choice": "opción múltiple",
    "true-false": "verdadero/falso",
    "fill-in": "respuesta corta",
    "long-fill-in": "respuesta abierta",
    "numeric": "numérica",
    "matching": "relacionar",
    "sequencing": "ordenar",
    "likert": "escala Likert",
    "performance": "desempeño",
    "other": "otra",
    # learners
    "Learners and module progress": "Personas y avance por módulo",
    "Show the learners of this course": "Ver las personas de este curso",
    "This list shows learners' identities: share it only with those who may see them.":
        "Esta lista muestra identidades: compártala solo con quien pueda verlas.",
    "Status": "Situación",
    "Not finished module": "Sin terminar el módulo",
    "Name or identifier contains": "Nombre o identificador contiene",
    "Learners (shown on request)": "Personas (mostradas a petición)",
    "{shown} of {total} learners": "{shown} de {total} personas",
    "Name": "Nombre",
    "Last activity": "Última actividad",
    "pages {seen}/{total}": "páginas {seen}/{total}",
    "self-check done": "autoevaluación hecha",
    "self-check {done}/{total}": "autoevaluación {done}/{total}",
    "done": "terminado",
    "yes": "sí",
    "no": "no",
    "Back to the course": "Volver al curso",
    "Scroll sideways to see every column.": "Desplace hacia el lado para ver todas las columnas.",
    # page blocks: video and audio
    "Video and audio": "Video y audio",
    "Video and audio: learners who started and finished": "Video y audio: personas que lo iniciaron y terminaron",
    "Learners who started and finished each video or audio":
        "Personas que iniciaron y terminaron cada video o audio",
    "Media": "Recurso",
    "video": "video",
    "audio": "audio",
    "finished": "terminaron",
    "started, of learners who launched": "iniciaron, de quienes entraron al curso",
    "finished, of those who started": "terminaron, de quienes iniciaron",
    "median progress": "avance mediano",
    "Started: any statement of the xAPI Video Profile on the media; finished: its completed statement (95% of it "
    "played at least once).":
        "Iniciaron: cualquier declaración del perfil xAPI de video sobre el recurso; terminaron: su declaración "
        "completed (95% reproducido al menos una vez).",
    # page blocks: scenarios
    "Scenarios": "Escenarios",
    "{started} learners started, {reached} reached an ending; {walks} walks ({abandoned} abandoned)":
        "{started} personas iniciaron, {reached} llegaron a un final; {walks} recorridos ({abandoned} abandonados)",
    "Walks that reached each ending": "Recorridos que llegaron a cada final",
    "Endings of “{scenario}”": "Finales de «{scenario}»",
    "Paths taken in “{scenario}”": "Caminos seguidos en «{scenario}»",
    "Ending": "Final",
    "Outcome": "Resultado",
    "Path": "Camino",
    "walks": "recorridos",
    "learners": "personas",
    "first walk": "primer recorrido",
    "{n} walks on other paths": "{n} recorridos por otros caminos",
    "reached an ending": "llegaron a un final",
    "good": "bueno",
    "acceptable": "aceptable",
    "harmful": "dañino",
    "A walk runs from the first scene to an ending; a restart begins a new one. First walk: learners whose first "
    "ending was this one.":
        "Un recorrido va de la primera escena a un final; reiniciar empieza otro. Primer recorrido: personas cuyo "
        "primer final fue este.",
    # open answers for tutors
    "Open answers for tutors": "Respuestas abiertas para la tutoría",
    "Open answers": "Respuestas abiertas",
    "Open answers of {group}": "Respuestas abiertas de {group}",
    "No open answers yet.": "Aún no hay respuestas abiertas.",
    "{shown} of {total} answers": "{shown} de {total} respuestas",
    "Group by": "Agrupar por",
    "Rubric": "Rúbrica",
    "Times sent": "Veces enviada",
    "sent {n} times": "enviada {n} veces",
    "(empty)": "(vacía)",
}


def translator(lang: str) -> Callable[[str], str]:
    """``t(message)``: the message in ``lang`` (English when there is no translation)."""
    if language(lang) == "es":
        return lambda message: SPANISH.get(message, message)
    return lambda message: message


def language(value: str | None) -> str:
    """One of LANGUAGES for a tag such as ``es-MX`` (DEFAULT for anything else)."""
    primary = (value or "").strip().lower().split("-")[0].split("_")[0]
    return primary if primary in LANGUAGES else DEFAULT


def negotiate(accept_language: str | None) -> str:
    """The best of LANGUAGES for an ``Accept-Language`` header (RFC 9110 weights), else DEFAULT."""
    best, best_weight = DEFAULT, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        # Equal weights: the first listed wins (later positions lose by a hair).
        score = weight - position * 1e-6
        if primary in LANGUAGES and weight > 0 and score > best_weight:
            best, best_weight = primary, score
    return best
