"""The one status rule: from the probability of meeting a target (and its pace) to a status.

Reports (:mod:`forecast.verdict`) and the explorer call :func:`status`; they differ only in
the probability they require (the reports use :data:`ON_TRACK_P`, the explorer the user's
slider), and the rule says so in its statement.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Probability of meeting the target at or above which a target is "on track" in the reports.
ON_TRACK_P = 0.5
#: The probability of meeting each target that a plan must give by default (``forecast plan --p``,
#: the annual run's costed plan), and the explorer's default required probability.
REQUIRED_P = 0.8
#: Needing more than this multiple of the observed pace makes a target "off track".
OFF_TRACK_MULTIPLE = 3.0
#: Every status code, best first.
STATUSES: tuple[str, ...] = ("achieved", "on_track", "acceleration_needed", "off_track", "insufficient_data")


@dataclass(frozen=True)
class Status:
    """A status and the rule that gave it.

    Attributes
    ----------
    code : str
        One of :data:`STATUSES`.
    rule_vi, rule_en : str
        The rule in one sentence, with the probability required.
    """

    code: str
    rule_vi: str
    rule_en: str

    def rule(self, lang: str = "vi") -> str:
        """The rule's statement in ``lang`` (``vi`` or ``en``)."""
        return self.rule_vi if lang == "vi" else self.rule_en


def _pct(p: float, lang: str) -> str:
    text = f"{100 * p:.1f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def rule_statement(p_required: float = ON_TRACK_P, lang: str = "vi") -> str:
    """The status rule in one sentence (``vi`` or ``en``) for a required probability."""
    mult = f"{OFF_TRACK_MULTIPLE:g}"
    if lang == "vi":
        return (f"«Đúng tiến độ» khi xác suất đạt chỉ tiêu từ {_pct(p_required, 'vi')} trở lên; nếu không, «Cần "
                f"tăng tốc» khi đang tiến đúng hướng và tốc độ cần thiết không quá {mult} lần tốc độ đã đạt; còn lại là "
                "«Chậm tiến độ».")
    return (f"On track when the probability of meeting the target is at least {_pct(p_required, 'en')}; otherwise "
            f"acceleration needed when moving the right way and the pace required is at most {mult} times the "
            "observed pace; otherwise off track.")


def status_code(p_meet: float | None, *, achieved: bool = False, observed_pace: float | None = None,
                acceleration: float | None = None, p_required: float = ON_TRACK_P) -> str:
    """The status code alone (see :func:`status`)."""
    if achieved:
        return "achieved"
    if p_meet is not None and p_meet >= p_required:
        return "on_track"
    moving = observed_pace is not None and observed_pace > 0
    if moving and (acceleration is None or acceleration <= OFF_TRACK_MULTIPLE):
        return "acceleration_needed"
    return "off_track"


def status(p_meet: float | None, *, achieved: bool = False, observed_pace: float | None = None,
           acceleration: float | None = None, p_required: float = ON_TRACK_P) -> Status:
    """The status of a target.

    Parameters
    ----------
    p_meet : float or None
        Probability of meeting the target (None: not computed).
    achieved : bool
        The latest observed value already meets the target.
    observed_pace : float or None
        Observed pace (pp a year, counts a year for T11); positive = moving the right way.
    acceleration : float or None
        Required pace over observed pace (None when not defined, e.g. T11).
    p_required : float
        The probability at or above which the target is on track (reports: :data:`ON_TRACK_P`).

    Returns
    -------
    Status
        ``achieved``; else ``on_track`` when ``p_meet`` ≥ ``p_required``; else
        ``acceleration_needed`` when moving the right way at no more than
        :data:`OFF_TRACK_MULTIPLE` times the observed pace; else ``off_track``; with the
        rule's statement in Vietnamese and English.
    """
    code = status_code(p_meet, achieved=achieved, observed_pace=observed_pace, acceleration=acceleration,
                       p_required=p_required)
    return Status(code, rule_statement(p_required, "vi"), rule_statement(p_required, "en"))


__all__ = ["OFF_TRACK_MULTIPLE", "ON_TRACK_P", "STATUSES", "Status", "rule_statement", "status", "status_code"]
