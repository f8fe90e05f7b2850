"""The words the claim chooser reads: what makes a sentence a checkable claim, and what rules it out.

Each cue is one compiled pattern, defined once here and named in the reasons the chooser gives.
They are written for the genre (clinic and wellness pages about a therapy), not for one article:
advice is the imperative and "you should", marketing is the publisher's "we" and its offer,
an anecdote is what patients "report" or "tell us".
"""

from __future__ import annotations

import re

__all__ = [
    "ADVICE", "ANAPHOR", "ANECDOTE", "CONTRAINDICATION", "DEFINITION", "EFFECT", "EFFICACY", "EPIDEMIOLOGY",
    "EVIDENCE", "EXCLUSIVE", "HEDGE", "INCREASE", "DECREASE", "CAUSE", "MARKETING", "MECHANISM", "META",
    "NO_EFFECT", "NUMBER", "VAGUE", "HEALTH_WORDS", "PHARMACOLOGY", "RESEARCH_STATE", "SAFETY", "COMPARISON",
    "STUDY_DESIGN",
    "LEAD_IN", "INTENSIFIER",
]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# -- what makes a claim ------------------------------------------------------------------------
INCREASE = _words(
    r"\b(increas(?:e|es|ed|ing)|rais(?:e|es|ed|ing)|boost(?:s|ed|ing)?|elevat(?:e|es|ed|ing)|enhanc(?:e|es|ed|ing)"
    r"|promot(?:e|es|ed|ing)|stimulat(?:e|es|ed|ing)|improv(?:e|es|ed|ing|ements?)|strengthen(?:s|ed|ing)?"
    r"|speed(?:s|ed)?|accelerat(?:e|es|ed)|rise|rises|higher|more|spike|surge|restor(?:e|es|ed|ing))\b"
)
DECREASE = _words(
    r"\b(decreas(?:e|es|ed|ing)|reduc(?:e|es|ed|ing|tion)|lower(?:s|ed|ing)?|inhibit(?:s|ed|ing)?"
    r"|reliev(?:e|es|ed|ing)|relief|alleviat(?:e|es|ed|ing)|eas(?:e|es|ed|ing)|shorten(?:s|ed|ing)?"
    r"|slow(?:s|ed|ing)?|les+en(?:s|ed)?|fewer|drop(?:s|ped)?|prevent(?:s|ed|ing)?|suppress(?:es|ed)?)\b"
)
CAUSE = _words(
    r"\b(caus(?:e|es|ed|ing)|lead(?:s|ing)? to|led to|result(?:s|ed)? in|trigger(?:s|ed|ing)?|induc(?:e|es|ed|ing)"
    r"|damag(?:e|es|ed|ing)|impair(?:s|ed|ing|ment)?|worsen(?:s|ed|ing)?|provok(?:e|es|ed)"
    r"|(?:associated|linked|correlated) (?:with|to))\b"
)
EFFECT = _words(
    r"\b(activat(?:e|es|ed|ing|ion)|block(?:s|ed|ing|ade)?|bind(?:s)?|treat(?:s|ed|ing)?|cure(?:s|d)?|heal(?:s|ed|ing)?"
    r"|repair(?:s|ed)?|protect(?:s|ed|ing)?|neutraliz(?:e|es|ed)|kill(?:s|ed)?|burn(?:s|ed)?|constrict(?:s|ed)?"
    r"|dilat(?:e|es|ed)|lighten(?:s|ed)?|correct(?:s|ed)?|bypass(?:es|ed)?|absorb(?:s|ed)?|interact(?:s)? with"
    r"|fight(?:s)?|detoxif\w*|flush(?:es)?|regulat(?:e|es|ed)|modulat(?:e|es|ed)|shift(?:s|ed)?|reach(?:es)?"
    r"|stop(?:s|ped)?|recover\w*|work(?:s)? by|carr(?:y|ies)|take(?:s)? up|produc(?:e|es|ed)|form(?:s|ed)?"
    r"|revers(?:e|es|ed)|influenc(?:e|es|ed)|communicat(?:e|es) with|act(?:s)? on)\b"
)
EFFICACY = _words(
    r"\b(effective|efficacy|effectiveness|benefit(?:s|ial)?|therapeutic|first-line|standard treatment"
    r"|antidepressant|analgesic|anxiolytic|antioxidant|anti-?(?:depressive|inflammatory|anxiety|viral|bacterial"
    r"|microbial|tumou?r|cancer)|life-saving|helps?)\b"
)
SAFETY = _words(
    r"\b(side[- ]effects?|adverse|risks?|safe|safety|unsafe|harm(?:ful|less)?|dangerous|toxic\w*|contraindicat\w*"
    r"|overload|addict\w*|dependence|damage|painless|pain[- ]free|well[- ]tolerated)\b"
)
NO_EFFECT = _words(
    r"\b(not (?:considered )?harmful|harmless|(?:is|are) (?:generally |usually |very )?safe\b|no (?:serious )?"
    r"side[- ]effects|does not cause|do not cause|resolves?|short-lived|reversible|revers(?:es|ed)|not addictive"
    r"|mild|painless|pain[- ]free|well[- ]tolerated)\b"
)
EVIDENCE = _words(
    r"\b((?:studies|study|research|trials?|evidence|researchers|scientists|experts|data)\s+(?:\w+\s+)?"
    r"(?:has|have|had)?\s*(?:(?:did|does|do) not )?(?:shown|show|shows|found|finds|suggest\w*|demonstrat\w*|indicat\w*"
    r"|believe|confirm\w*)"
    r"|has been (?:found|shown)|have been (?:found|shown)|according to|evidence to (?:suggest|support)"
    r"|there(?: is|'s|’s| are) (?:some |good |strong |growing |little |no )?evidence)\b"
)
EPIDEMIOLOGY = _words(
    r"(\d+(?:\.\d+)?\s?%\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}(?:patients|people|adults|children|americans|women|men"
    r"|users|individuals|population|cases)|\baffect(?:s|ing)?\s+(?:up to\s+)?(?:millions|\d|one|two|half)"
    r"|\bmillions of\b|\b(?:one|two)[- ](?:third|quarter)s?\b|\bhalf of\b|\b\d+\s+in\s+\d+\b"
    r"|\bcommon\s+(?:mental\s+)?(?:illness|condition|disorder|disease|problem|health conditions)"
    r"|\bprevalen\w*|\bincidence\b|\bdo not (?:respond|get enough)\b"
    r"|\b(?:is|are|it's|it’s|it is) (?:a |an )?(?:very |relatively |extremely )?(?:rare|uncommon|common)\b"
    r"|\b(?:many|most) (?:patients|people|adults|children|women|men) (?:with|who have)\b)"
)
NUMBER = _words(
    r"(\d+(?:\.\d+)?\s?%|\bper ?cent\b|\b\d+(?:\.\d+)?\s?(?:times|-fold|fold)\b|\bup to \w+ (?:times|in \d+)"
    r"|\b\d+(?:\s?[-–]\s?\d+)?\s*(?:minutes|hours|days|weeks|months|years|mg|grams?)\b)"
)
MECHANISM = _words(
    r"\b(receptors?|pathways?|neurotransmitters?|signal\w*|synap\w*|plasticity|neurons?|mechanisms?|levels? of"
    r"|release|antioxidant|free radicals|blood vessels|plasma|hormones?|metabolism|sensitivity|stem cells"
    r"|white blood cells|immune system|markers? of|concentrations?|tissue|cells?)\b"
)
PHARMACOLOGY = _words(
    r"\b(antagonist|agonist|anesthetic|anaesthetic|administered|infused|dose|doses|route|half-life"
    r"|bioavailab\w*|absorb\w*|plasma concentrations?|by mouth|orally|intravenous(?:ly)? delivery)\b"
)
COMPARISON = _words(r"\b(unlike|compared (?:with|to)|(?:more|less|fewer|faster|slower|higher|lower|better|worse)"
                    r"(?:\s+\w+){0,3}\s+than)\b")

# -- how it is asserted ------------------------------------------------------------------------
HEDGE = _words(
    r"\b(may|might|could|is thought|are thought|believed?|suggest\w*|potential(?:ly)?|possibl[ey]|some evidence"
    r"|concerns?|appears? to|likely|promising)\b"
)
CONTRAINDICATION = _words(r"\b(contraindicat\w*|should not|must not|should never|should avoid|not recommended"
                          r"|is not safe for|are not safe for|not be (?:used|given|taken))\b")
EXCLUSIVE = _words(r"\b(works? by|only way|solely|the sole)\b")

# -- what rules a sentence out -----------------------------------------------------------------
MARKETING = _words(
    r"(\b(?:we|our|us|ours)\b|\bbook (?:your|a|an|now|online)|\bschedul\w+ (?:a|your)|\bcall (?:us|today|now)"
    r"|\bcontact (?:us|our)|\bsign up|\bsubscribe|\bwalk in\b|\bfree (?:consultation|trial|session)|\bweek free"
    r"|\bmembership|\bpackage\b|\d+\s?% off|\bsaves? you|\bconsultation today|\bvisit (?:us|our)"
    r"|\bready to\b|\bfirst[- ]timers?\b|\bUSD\b|\$\s?\d|\bmarket\b|\bbillion dollars?\b|\bprices?\b)"
)
ADVICE = _words(
    r"(^(?:always|never|start|drink|eat|wear|take|try|make sure|remember|avoid|ask|talk|consult|discuss|breathe"
    r"|keep|leave|be sure|don't|do not|tell|stay|build|bring|contact|check)\b|\bif you\b|\byou should\b"
    r"|\bit is important to\b|\bshould (?:be|also|only|always|ask|tell|discuss|consult|talk|drink|eat)\b"
    r"|\bbe aware\b|\bneeds? to be (?:done|checked|assessed|tested)|\bmake sure\b)"
)
ANECDOTE = _words(
    r"(\b(?:I|I'm|I've|my|me)\b|\breports? (?:feeling|that|experienc\w*)|\bhave reported\b|\btell us\b"
    r"|\b(?:clients|patients|customers) (?:say|tell|love|rave)|\btestimonial|\bsays our\b|\bhappy client"
    r"|\bmany (?:of our )?(?:patients|clients|people) (?:report|have found|have reported|tell|say|love|find)"
    r"|\bcalls her\b|\bcalls his\b)"
)
RESEARCH_STATE = _words(
    r"(more research is needed|further (?:research|studies) (?:is|are) needed|(?:is|are|remains?) (?:still )?"
    r"(?:unclear|unknown|not (?:fully|yet|well|entirely) (?:understood|known))|still (?:exploring|being studied)"
    r"|research is ongoing|the evidence is (?:weak|limited|mixed)|has only been used for|need(?:s|ed)? (?:more|further)"
    r" (?:research|study|studies)|the science behind it|(?:big |open |key )?questions (?:surrounding|about|over|remain)"
    r"|(?:need|needs|have|has) to be (?:confirmed|replicated)|(?:awaits?|needs?) confirmation"
    r"|there(?: is|'s|’s| are) (?:no|little) data|no data (?:on|about|yet))"
)
# Praise without a checkable content: "has shown great promise", "a promising new option".
# "That may sound unsafe, but ...": how a thing sounds to the reader is rhetoric, not a finding.
VAGUE = _words(r"\b(shown (?:great |much |real )?promise|holds? (?:great )?promise|(?:is|as) a promising"
               r"|promising (?:new |alternative )?(?:therapy|treatment|option|results)|has emerged as"
               r"|(?:a|an)(?: wide| whole| broad)? (?:host|number|range|variety|list|array|assortment|plethora"
               r"|multitude) of (?:potential |health |physiological )?(?:benefits|advantages|responses|effects)"
               r"|(?:may|might|can|could|does) (?:sound|seem) (?:\w+ )?(?:freaky|scary|strange|odd|unsafe|dangerous"
               r"|weird|extreme|crazy|counterintuitive))\b")
META = _words(r"(\bin this (?:article|post|guide|blog)|\bas mentioned (?:earlier|above)|\bin conclusion\b"
              r"|\bread on\b|\blearn more\b|\bwelcome to\b|^for more (?:on|about|information|details)\b)")
# How a study was run, not what it found: who was recruited, how they were assigned, followed, asked,
# what was measured; a clause with only this is a decoy in news of a trial (a result cue keeps it).
STUDY_DESIGN = _words(
    r"\b(randomly (?:assigned|allocated|divided)|randomi[sz]ed (?:to|into)|recruited|enrolled"
    r"|were (?:followed|tracked|monitored) (?:for|over|up)|(?:were|was) asked (?:about|to|whether|how)"
    r"|(?:looked at|examined|investigated|assessed|measured) (?:whether|how|the|some|their|participants)"
    r"|(?:half|one group|the other group|the others|the rest|the control group) (?:took|received|got|were given)"
    r"|(?:each|every|a) session lasting|sessions? lasting)\b"
)
# "X is a gas that ...", "X means breathing ...": a definition unless something else makes it a claim.
DEFINITION = _words(
    r"^(?:[\w’'()\-]+\s+){1,8}?(?:is|are|means|refers to|involves|consists of|contains|describes)\s+"
    r"(?:(?:a|an|the)\s|involved in|made up of|composed of|known as|defined as|breathing|the delivery"
    r"|(?:\w+\s+){0,2}(?:compounds?|substances?|molecules?|gas|gases|nutrients?|proteins?|minerals?|chemicals?"
    r"|procedures?)\b)"
)
# Words that make a sentence about health even when no MeSH heading is named in it.
HEALTH_WORDS = _words(r"\b(patients?|symptoms?|treatments?|therap(?:y|ies)|illness|clinical|medical|medication"
                      r"|side[- ]effects?|dose|doses|infusions?|injections?|drugs?|supplements?|medicines?)\b")
# "the condition" and "the benefits" point back to the disorder or the effect just named.
ANAPHOR = _words(r"^(?:it|they|this|these|that|the drug|the treatment|the therapy|this therapy|this treatment"
                 r"|the procedure|(?:the|this) (?:condition|disease|disorder|illness)|the (?:benefits?|effects?))\b")

# -- for the neutral statement -----------------------------------------------------------------
LEAD_IN = _words(
    r"^(?:however|overall|in addition(?=\s*,)|additionally|also|moreover|furthermore|in fact|importantly|in most cases"
    r"|in rare cases|recent(?:ly)?|so|thus|therefore|as a result|for example|notably|indeed)\s*,?\s+"
    r"|^(?:recent\s+)?(?:studies|research|evidence|trials?)\s+(?:\w+\s+)?(?:has|have)\s+(?:also\s+)?"
    r"(?:shown|found|suggested|demonstrated)\s+that\s+|^there is (?:also )?some evidence to suggest that\s+"
    r"|^(?:some\s+)?researchers believe that\s+|^(?:however,\s+)?there are some concerns that\s+"
)
INTENSIFIER = _words(r"\b(significantly|highly|powerful|dramatically|greatly|far|very|sharp)\s+")
