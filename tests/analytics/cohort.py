"""The generated cohort of the analytics tests: lrs.analytics.cohort (also behind ``spotlight-lrs demo``)."""

from lrs.analytics.cohort import *  # noqa: F403
from lrs.analytics.cohort import _assessment_correct, _response  # noqa: F401
