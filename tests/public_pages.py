"""Every public page type, at its English address; the Thai one is "/th" + the same.

The language, HTML validity and accessibility tests walk the same list.
"""

ARTICLE = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"
PAGES = {
    "home": "/",
    "article list": "/articles/",
    "article list of a condition": "/articles/?condition=osteoporosis",
    "article": ARTICLE,
    "conditions": "/conditions/",
    "condition": "/conditions/osteopenia/",
    "condition with a T-score result": "/conditions/osteopenia/?t_score=-1.8",
    "condition with a T-score error": "/conditions/osteoporosis/?t_score=abc",
    "condition with a T-score beyond the scale": "/conditions/osteoporosis/?t_score=-6",
    "treatments": "/treatments/",
    "treatment": "/treatments/uc-msc-therapy/",
    "treatment with steps": "/treatments/msc-therapy/",
    "search": "/search/?q=bone",
    "search without results": "/search/?q=zebra",
    "form": "/consultation/?condition=osteoporosis",
    "thanks": "/consultation/thanks/",
    "privacy": "/privacy/",
    "team": "/team/",
    "clinician": "/team/somchai-jaidee/",
}
LANGUAGE_PREFIXES = {"en": "", "th": "/th"}
