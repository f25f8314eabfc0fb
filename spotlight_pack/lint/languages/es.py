"""Spanish (es, es-MX …)."""

from __future__ import annotations

import re

from ..language import LanguageProfile, phrases, register

_OPTIONS = r"(?:(?:opciones|respuestas|alternativas|incisos|afirmaciones|acciones|medidas) )?"

_STOP_WORDS = """a al algo algun alguna algunas alguno algunos ante antes aquel aquella aquellas aquello aquellos
            aqui asi aun bajo cada como con contra cual cuales cualquier cuando cuanto cuanta de del desde
            donde dos durante e el ella ellas ello ellos en entre era eran es esa esas ese eso esos esta estaba
            estan estar estas este esto estos fue fueron ha han hace hacer hacia hasta hay la las le les lo los
            mas me mi mis misma mismo mucho muy nada ni no nos nuestra nuestro o otra otras otro otros para
            pero poco por porque puede pueden que quien quienes se sea sean segun ser si sido siempre sin
            sino sobre solo son su sus tambien tan tanto te tiene tienen toda todas todo todos tu un una
            unas uno unos y ya usted ustedes debe deben deberia hay sus mediante tras cuya cuyo
            siguiente siguientes opcion opciones respuesta respuestas correcta correctas correcto correctos
            incorrecta afirmacion afirmaciones enunciado seleccione elija marque indique corresponda
            correspondan caso"""

PROFILE = register(
    LanguageProfile(
        code="es",
        stop_words=frozenset(_STOP_WORDS.split()),
        stemmer="spanish",
        all_of_the_above=phrases(
            rf"tod[oa]s (?:l[oa]s )?{_OPTIONS}(?:anteriores|previas|de arriba)",
            r"todo lo anterior",
            rf"(?:l[oa]s )?(?:dos|tres|cuatro|cinco) {_OPTIONS}anteriores",
        ),
        none_of_the_above=phrases(
            rf"ningun[oa] de (?:l[oa]s )?{_OPTIONS}(?:anteriores|previas|de arriba)",
            r"nada de lo anterior",
            r"ningun[oa] de (?:estas|estos|ellas|ellos)",
        ),
        negative_words=re.compile(
            r"\b(?:no|nunca|jam[aá]s|excepto|salvo|excepci[oó]n|(?:la|el|lo|las|los) menos|ningun[oa]?|ningún"
            r"|falsa|falso|incorrecta|incorrecto)\b",
            re.IGNORECASE,
        ),
        subordinators=frozenset({"si", "cuando", "aunque", "porque", "mientras", "pues", "pese", "aun"}),
        right_openers=re.compile(
            r"^(?:correct[oa]s?|exact[oa]|muy bien|bien hecho|asi es|en efecto|acertad[oa]|excelente)\b"
        ),
        wrong_openers=re.compile(
            r"^(?:incorrect[oa]s?|equivocad[oa]|erroneo|error\b|no es correct[oa]|no es (?:asi|cierto)|lo siento)"
        ),
        yes_no_openers=(re.compile(r"^si\s*[.,;:!]"), re.compile(r"^no\s*[.,;:!—–-]")),
    )
)
