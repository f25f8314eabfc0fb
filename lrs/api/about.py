"""About resource: the versions this LRS speaks; the only resource open without credentials."""

from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.common import json_response
from lrs.xapi.versions import SUPPORTED

bp = Blueprint("about", __name__)


@bp.route("/about", methods=["GET"])
def about() -> Response:
    return json_response({"version": list(SUPPORTED), "extensions": {}})
