"""Find English words in Vietnamese text (a test helper).

A word written with Vietnamese letters (ă â đ ê ô ơ ư or a tone mark) is Vietnamese. A word
of plain ASCII letters is Vietnamese only if it has the shape of a Vietnamese syllable:
an optional initial consonant (b, c, ch, d, g, gh, gi, h, k, kh, l, m, n, ng, ngh, nh, p,
ph, qu, r, s, t, th, tr, v, x), a vowel group, an optional final (c, ch, m, n, ng, nh,
p, t, or a closing vowel). Almost every English word of four letters or more breaks that
shape ("model", "default", "forecast", "break", "series", "share"); the short English
words that fit it and never occur in these reports as Vietnamese are listed in
:data:`ENGLISH_SYLLABLES`. Single letters and subscripted symbols (``n``, ``v_t``), words with digits (codes such as ``T01``) and the
proper names, units and ISO codes of :data:`ALLOWED` are not English prose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x"
_VOWELS = ("uye|uya|ieu|yeu|uoi|uou|oai|oay|oeo|uay|ia|ie|ye|ua|uo|oa|oe|uy|ue|ai|ao|au|ay|eo|eu|iu|oi|ui|ou|"
           "a|e|i|o|u|y")
_FINAL = "ng|nh|ch|c|m|n|p|t|i|y|o|u"
_SYLLABLE = re.compile(rf"(?:{_ONSET})?(?:{_VOWELS})(?:{_FINAL})?")

#: English words with the shape of a Vietnamese syllable, which Vietnamese reports here never use.
ENGLISH_SYLLABLES = {"the", "on", "by", "at", "no", "be", "he", "we", "me", "go", "it"}

#: Proper names, abbreviations, units and ISO codes a Vietnamese report may contain.
ALLOWED = {
    "ESCAP", "UNSD", "Eurostat", "UNECE", "SDG", "Open", "Statistics", "Canada", "Okabe", "Ito", "CAGR", "ETS",
    "logit", "cividis", "KH", "UBND", "NQ", "TW", "ND", "CP", "JSON", "CSV", "PNG", "SVG", "HTML", "PDF",
    "ISO", "Excel", "UTF", "OLS", "GLM", "IRLS", "AutoETS", "Kish", "Holt", "Bayes", "Pearson", "Gaussian",
    "Lạng", "Sơn", "VND", "mm", "pp", "Internet", "NUTS", "WDI", "Brier", "CRPS", "Nowotarski", "Weron",
    "ODI", "METHODS", "Poisson", "copula", "conformal", "CR", "RoG", "Ad", "WX", "cov", "log", "Gauss", "Theta",
}


def is_english(word: str) -> bool:
    """Whether a word of a Vietnamese text is English (see the module notes)."""
    if len(word) == 1 or "_" in word or any(ch.isdigit() for ch in word) or word in ALLOWED or not word.isascii():
        return False
    low = word.lower()
    if low in ENGLISH_SYLLABLES:
        return True
    return _SYLLABLE.fullmatch(low) is None


def english_words(text: str) -> list[str]:
    """The English words of ``text``, in order (duplicates kept)."""
    return [w for w in re.findall(r"\w+", text) if is_english(w)]


class _Text(HTMLParser):
    """Visible text and the alt / title / aria-label texts of a page.

    Styles, scripts and ``<code>`` (identifiers of the code, file names and commands in the
    method notes: names, not prose) are left out.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "code"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("alt", "title", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag in ("style", "script", "code"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html_text: str) -> str:
    """What a reader sees (and a screen reader says) on an HTML page."""
    parser = _Text()
    parser.feed(html_text)
    return " ".join(parser.parts)
