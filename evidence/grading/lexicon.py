"""The words the direction judge reads: each cue family once, as compiled patterns.

Every pattern here is a reading of study language that holds for any abstract, not a list
tuned to particular studies (docs/grading.md, "Direction"). Families:

  change verbs      something went up or down ("rose", "lowered", "cut", "doubled")
  good / bad        a change that is good or bad for the patient ("improved", "worsened")
  effect            an effect was found ("significant", "effective", "associated with")
  null              no effect was found ("did not", "no significant", "similar", "failed to")
  unmeasured        a negation about method, not a finding ("not assessed", "did not test")
  operational       a negation about the procedure ("no infusion had to be stopped")
  comparator        the other arm ("placebo", "saline", "midazolam", "healthy controls")
  hedge             uncertainty ("may", "suggest", "preliminary")
  qualifier         a finding with a caveat that makes it partial ("limited but", "temporary")
  partial account   a mechanism that is one of several ("not the sole", "one of several")
  non-commitment    no position taken ("competing hypotheses", "remains unknown")
  caution           a precaution ("careful patient selection", "should be avoided")
  harm / harmless   harm found, or none found
  underpowered      a null that could not have detected the effect ("pilot", "trend", "p=0.07")
  blocking          the logic of mechanism studies ("blocking B abolished A")
"""

from __future__ import annotations

import re

__all__ = [
    "UP_VERB", "DOWN_VERB", "UP_NOUN", "DOWN_NOUN", "UP_ADJ", "DOWN_ADJ", "GOOD", "BAD", "BAD_NOUN", "EFFECT", "NULL",
    "UNMEASURED",
    "OPERATIONAL", "COMPARATOR", "HEDGE", "QUALIFIER", "EFFECT_QUALIFIER", "HEDGED_NEGATION", "PARTIAL_ACCOUNT",
    "NON_COMMITMENT", "CAUTION",
    "ADVERSE", "CAUSAL", "HARM", "HARMLESS", "UNDERPOWERED", "BLOCKER", "BLOCKED", "NOT_BLOCKED", "DEPENDENCE_CLAIM",
    "TRANSIENT", "PERSISTENT", "RATHER_THAN", "NOT_ONLY", "DISCARD",
]

_I = re.IGNORECASE


def _words(*stems: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(stems) + r")\b", _I)


# --- change ------------------------------------------------------------------------------

UP_VERB = _words(
    r"increas(?:e|es|ed|ing)", r"r(?:ose|ise|ises|ising|isen)", r"rais(?:e|es|ed|ing)", r"elevat(?:e|es|ed|ing)",
    r"enhanc(?:e|es|ed|ing)", r"boost(?:s|ed|ing)?", r"doubl(?:e|es|ed|ing)", r"tripl(?:e|es|ed|ing)",
    r"upregulat(?:e|es|ed|ing)", r"up-regulat(?:e|es|ed|ing)", r"activat(?:e|es|ed|ing)",
    r"stimulat(?:e|es|ed|ing)", r"augment(?:s|ed|ing)?", r"amplif(?:y|ies|ied|ying)", r"spik(?:e|es|ed)",
    r"surg(?:e|es|ed)", r"grew", r"restor(?:e|es|ed|ing)", r"normali[sz](?:e|es|ed|ing)", r"elevations?",
    r"increases?", r"rises?",
    r"potentiat(?:e|es|ed|ing)", r"facilitat(?:e|es|ed|ing)", r"promot(?:e|es|ed|ing)",
)
DOWN_VERB = _words(
    r"decreas(?:e|es|ed|ing)", r"reduc(?:e|es|ed|ing)", r"lower(?:s|ed|ing)", r"f(?:ell|all|alls|alling|allen)",
    r"drop(?:s|ped|ping)?", r"declin(?:e|es|ed|ing)", r"diminish(?:es|ed|ing)?", r"attenuat(?:e|es|ed|ing)",
    r"suppress(?:es|ed|ing)?", r"inhibit(?:s|ed|ing)?", r"cut(?:s|ting)?", r"halv(?:e|es|ed|ing)",
    r"lessen(?:s|ed|ing)?", r"reliev(?:e|es|ed|ing)", r"alleviat(?:e|es|ed|ing)", r"eas(?:e|es|ed|ing)",
    r"downregulat(?:e|es|ed|ing)", r"down-regulat(?:e|es|ed|ing)", r"silenc(?:e|es|ed|ing)",
    r"deplet(?:e|es|ed|ing)", r"shrank|shrunk|shrink(?:s|ing)?", r"reductions?", r"decreases?", r"declines?",
    r"drops?", r"falls?",
)
# Changes named as things ("mTOR activation"): they count as the intervention's effect only when
# the intervention is their agent ("activation by ketamine", "ketamine ... activation").
UP_NOUN = _words(r"activations?", r"enhancements?", r"stimulations?", r"potentiations?", r"upregulations?")
DOWN_NOUN = _words(r"suppressions?", r"attenuations?", r"downregulations?")
UP_ADJ = _words(r"higher", r"greater", r"elevated", r"increased", r"more", r"larger", r"enhanced")
DOWN_ADJ = _words(r"lower", r"reduced", r"decreased", r"less", r"fewer", r"smaller", r"diminished")

# Good or bad for the patient, whatever the direction of the number.
GOOD = _words(
    r"improv(?:e|es|ed|ing|ement|ements)", r"benefi(?:t|ts|cial|ted)", r"effective(?:ly|ness)?",
    r"efficac(?:y|ious)", r"relief", r"reliev(?:e|es|ed|ing)", r"alleviat(?:e|es|ed|ing)", r"remission",
    r"remitt?(?:ed|ers?)", r"(?<!dose-)(?<!dose )(?<!non-)(?<!non)respon(?:se|ses|ded|ders?|ding)", r"recover(?:y|ed)",
    r"antidepressant effects?", r"anxiolytic", r"analgesi[ac]", r"therapeutic effects?", r"gains?",
    r"better", r"superior(?:ity)?", r"favou?rable", r"helpful", r"useful", r"promising",
)
# A change for the worse in the outcome itself.
BAD = _words(
    r"worsen(?:s|ed|ing)?", r"worse", r"exacerbat(?:e|es|ed|ing|ion|ions)", r"impaired", r"impairs", r"damaged",
    r"harmed", r"provok(?:e|es|ed|ing)", r"provocation", r"precipitat(?:e|es|ed|ing)",
    r"deteriorat(?:e|es|ed|ing|ion)", r"relapsed", r"return of",
)
# Harms named as things: the outcome of a harm claim; for a benefit claim they count only when
# something raised them ("increased damage"), not when they are the topic ("severity of injury").
BAD_NOUN = _words(
    r"impairments?", r"deficits?", r"damage", r"injur(?:y|ies)", r"harms?", r"harmful", r"relapses?",
    r"(?<!dose-)(?<!time-)(?<!use-)dependence", r"addict(?:ion|ive|ed)", r"misuse", r"abuse", r"craving",
)
# Adverse events: what a harm claim is about, and beside the point for a benefit claim.
ADVERSE = _words(
    r"adverse (?:events?|effects?|reactions?)", r"side[- ]effects?", r"toxic(?:ity)?", r"hypertensi(?:on|ve)",
    r"tachycardi[ac]", r"dissociat(?:ion|ive)", r"psychotomimetic", r"psychedelic", r"hallucinat(?:ions?|ed|ing)",
    r"nausea", r"vomiting", r"dizziness", r"headaches?", r"sedation", r"lesions?", r"ulcerat(?:ion|ive|ed)",
    r"delusion(?:s|al)?", r"psychotic symptoms", r"blood[- ]pressure (?:rises|peaks|increases)",
)
# Causes: an effect for any claim; a harm when a harm claim's outcome is what was caused.
CAUSAL = _words(r"induc(?:e|es|ed|ing)", r"trigger(?:s|ed|ing)?", r"caus(?:e|es|ed|ing)", r"produc(?:e|es|ed|ing)",
                r"lead(?:s)? to", r"led to", r"result(?:s|ed)? in", r"elicit(?:s|ed|ing)?")
EFFECT = re.compile(
    r"\bsignificant(?:ly)?\b|\beffective(?:ly)?\b|\befficacious|\bassociated with|\bassociation (?:between|of|with)|"
    r"\blinked to|\bcorrelat\w+ with|\bpredict(?:s|ed|ive|or)\b|\bsuperior|\bbeneficial|\bbenefit|\bresult(?:s|ed)? in|"
    r"\blead(?:s)? to|\bled to\b|\bproduc(?:e|es|ed|ing)\b|\bshow(?:s|ed|n)? (?:that|a|an)|\bdemonstrat\w+|"
    r"\bconfirm\w*|\bsupport(?:s|ed|ing)?\b|\bodds ratio|\bOR\s*[=:]?\s*\d|\bhazard ratio|\brisk ratio|"
    r"\bRR\s*[=:]?\s*\d|"
    r"\beffect size|\bd\s*=\s*0?\.\d|\bNNT\b|\bmore (?:likely|often|common|frequent)(?:ly)?|"
    r"\bless (?:likely|often|common|frequent)(?:ly)?|\bdose[- ](?:dependent|related)(?:ly)?|\brapid(?:ly)?\b|"
    r"\bwithin (?:\d+|one|two|a few|hours|minutes|days)\b|\bdose[- ]response\b|\bbeat\b|\boutperform\w*|"
    r"\bideal\b|\bsuccess(?:ful(?:ly)?)?\b|\baccurate(?:ly)?\b|\bfeasible\b|\bapplicable\b|\breliable\b|\bvalid\b|"
    r"\bappropriate(?:ly)?\b|\brecommended\b|\bshould be (?:considered|used|offered)\b|\bcan be used\b|\bimportant\b|"
    r"\bplays? a (?:key |major |central )?role\b|\brisk factor\b|\bindependent(?:ly)? (?:predict\w*|associated|risk)\b|"
    r"\bexplain\w*\b|\bcontribut\w+\b|\bvaluable\b|\bgood\b|\bexcellent\b|\bhigh (?:success|accuracy|sensitivity|"
    r"specificity)\b|\bpredictor\b",
    _I,
)

# --- no effect ---------------------------------------------------------------------------

NULL = re.compile(
    r"\bno (?:statistically |clinically )?significant\b|\bnot (?:statistically |clinically )?significant(?:ly)?\b|"
    r"\bnon-?significant(?:ly)?\b|\bdid not\b|\bdoes not\b|\bdo not\b|\bwas not\b|\bwere not\b|\bis not\b|\bare not\b|"
    r"\bhas not\b|\bhave not\b|\bhad not\b|\bcould not\b|\bcannot\b|\bfailed to\b|\bfail(?:s)? to\b|\bunable to\b|"
    r"\bnot (?:be |been )?(?:associated|related|linked|correlated|effective|superior|beneficial|different|"
    r"improved|reduced|increased|changed|affected|shown|found|seen|observed|confirmed|supported)\b|"
    r"\bno (?:clear |meaningful |relevant |consistent |overall |apparent |detectable |further |added |lasting |"
    r"persistent |major |serious |significant )?(?:difference|differences|association|effect|effects|benefit|"
    r"advantage|impact|improvement|reduction|increase|change|changes|evidence|influence|link|relation|"
    r"superiority|excess|worsening|impairment|deficit|deficits|harm|cases?)\b|"
    r"\black of (?:effect|benefit|association|efficacy|evidence|difference)\b|\bineffective\b|\bunchanged\b|"
    r"\bunaffected\b|\bsimilar\b(?!\s+(?:size|age|design|number|characteristics|baseline|population|groups?|in size|"
    r"demographics))|\bcomparable\b(?!\s+(?:groups?|populations?|baseline|characteristics))|\bequivalent (?:to|"
    r"in|between|efficacy)\b|"
    r"\bequally\b|\bas (?:safe|effective|good) as\b|\bnon-?inferior\w*|\bneither\b|\bnor\b|"
    r"\bnone of\b|\bnot\b|\bno\b|n't\b|\bwithout (?:any |a |significant |clinically )?(?:effect|change|difference|"
    r"improvement|benefit|response|reduction|increase)\b|\babsence of\b|\babsent\b|\bnegative (?:trial|study|result)|"
    r"\binsufficient (?:evidence )?to (?:show|support|conclude|determine|establish|demonstrate)\b|"
    r"\b(?:evidence|data) (?:is|are|was|were|remain) insufficient\b|\bnot enough evidence\b|"
    r"\bnon-?replications?\b|\bfail(?:ed|ure)s? to replicate\b|\bdid not replicate\b|\bnot replicated\b|"
    # evaluative negatives: the finding is that it does not work, hold or matter
    # ("poor survival", "poor prognosis" are outcomes a study reports, not verdicts on it)
    r"\bpoor(?:ly)?\b(?!\s+(?:overall )?(?:survival|prognosis|outcomes?|health|sleep|quality of life))|"
    r"\binsufficient\b|\binadequate(?:ly)?\b|\bdisappointing\b|\bunreliable\b|\binaccurate\b|"
    r"\binappropriate\b|\blimited (?:value|role|use|utility|benefit|effect|usefulness|impact)\b|\btrivial\b|"
    r"\bnegligible\b|\bonly a minority\b|\brarely\b|\bquestionable\b|\bweak(?:ly)? (?:associated|correlated|"
    r"predict\w*)|"
    r"\bunnecessary\b|\bnot (?:justified|warranted)\b|\bno need\b|\bremains? (?:low|poor|high)\b|\bunlikely\b|"
    r"\block of (?:understanding|knowledge|agreement|association|correlation)\b|\bno (?:better|worse) than\b|"
    r"\b(?:occurred|be due|been due|explained)(?: merely| purely| simply)? (?:by|to) chance\b|"
    r"\blittle (?:evidence|support|benefit|effect|impact|difference|value)\b|\bcasts? doubt\b|"
    r"\b(?:minor|limited|little|no|questionable) (?:clinical |practical )?(?:importance|relevance|significance|"
    r"value)\b|"
    r"\bweak(?:ly)? (?:effect|association|evidence|correlation|relationship|link)\b",
    _I,
)
# A negation about method: what was not measured is not a null finding.
UNMEASURED = re.compile(
    r"\b(?:not|never|rarely|scarcely|seldom|un)(?:\s+been)?\s*(?:assessed|measured|examined|tested|studied|"
    r"reported|evaluated|investigated|recorded|captured|addressed|explored)\b|"
    r"\b(?:did|does|do) not (?:assess|measure|examine|test|study|report|evaluate|investigate|address|record)\b|"
    r"\bwithout (?:testing|measuring|assessing|invoking|examining)\b|\bwas not (?:designed|powered) to\b|"
    r"\bremains? to be (?:tested|established|determined|shown)\b",
    _I,
)
# A negation about the procedure, not the outcome: "no infusion had to be stopped".
# A negation about how firm the conclusion is, not a finding: "while not providing conclusive evidence".
HEDGED_NEGATION = re.compile(
    r"\bnot (?:provid\w+|giv\w+|offer\w*)? ?(?:conclusive|definitive|firm|strong|causal)(?: evidence| proof|"
    r" conclusions?)?\b|"
    r"\bno (?:firm|definitive|causal) (?:conclusions?|inference)s?\b(?: can| could)?(?: be)?(?: drawn| made)?|"
    r"\bcannot be (?:drawn|concluded|established|excluded|ruled out)\b|\bcould not (?:be )?(?:ruled out|excluded)\b|"
    r"\bnot (?:yet )?(?:fully )?(?:understood|established|known|clear)\b",
    _I,
)
OPERATIONAL = re.compile(
    r"\bno (?:control|comparison|placebo|comparator) (?:group|arm|condition)\b|\bwithout (?:a )?(?:control|"
    r"comparison|placebo) (?:group|arm)\b|\bnot (?:randomi[sz]ed|blinded|controlled)\b|"
    r"\b(?:patients|participants|subjects|those|people|controls) (?:who (?:were|did) )?not (?:given|receiving|receive|"
    r"treated|exposed)\b[^,;.]*|"
    r"\bno (?:\w+ ){0,2}(?:had|needed|required) to be\b|\bno (?:need|needed|requirement)\b|"
    r"\bnot (?:needed|required|necessary)\b|\bwithout (?:the )?need\b|\bnot a (?:typical|representative)\b|"
    r"\bno (?:\w+ )?(?:withdrawals?|discontinuations?|dropouts?)\b",
    _I,
)
COMPARATOR = _words(
    r"placebo", r"saline", r"sham", r"midazolam", r"controls?", r"control (?:group|arm|condition|subjects)",
    r"healthy (?:controls|volunteers|subjects|participants)", r"comparators?", r"usual care", r"waitlist",
    r"vehicle", r"the other arm", r"active control", r"standard (?:care|treatment)", r"non-?users",
)

# --- how firmly ------------------------------------------------------------------------------

HEDGE = re.compile(
    r"\bmay\b|\bmight\b|\bcould\b|\bpossibl[ey]\b|\bperhaps\b|\bunclear\b|\buncertain\w*|\binconclusive\b|"
    r"\bcontroversial\b|\bconflicting\b|\bsuggest(?:s|ed|ing|ive)?\b|\bappears?\b|\bseems?\b|\blikely\b|"
    r"\bpreliminary\b|\bpilot\b|\bfurther (?:studies|research|trials|work|investigation|evaluation)\b|"
    r"\b(?:larger|future|additional|more|well-designed) (?:\w+ )?(?:studies|trials|research)\b|\bwarrant\w*\b|"
    r"\bthought to\b|\bproposed\b|\bhypothes\w+\b|\bspeculat\w+\b|\bpotential(?:ly)?\b",
    _I,
)
# A finding with a caveat that makes it partial: a qualified yes. Two kinds: the effect is smaller,
# shorter or narrower than a plain yes ("modest", "temporary", "only after"), or the evidence for it
# is weak ("heterogeneous", "selective reporting"); only the second qualifies a harm.
EFFECT_QUALIFIER = re.compile(
    r"\blimited but\b|\bpromising but\b|\bmodest\b|\bsmall (?:but|effect)\b|"
    r"\b(?:temporary|short[- ]lived|fleeting|not sustained|not maintained)\b|\bbest[- ]case\b|\boversimplif\w+\b|"
    r"\boverstat\w+\b|\bonly (?:in|after|at|among|for|when|with)\b|\bbut (?:only|not)\b|\bat the cost of\b|"
    r"\bsmall\b(?= (?:pain |effect|improvement|benefit|reduction|change))",
    _I,
)
QUALIFIER = re.compile(
    r"\bheterogene\w+\b|\bsmall,? (?:often )?uncontrolled\b|\brests? (?:mostly |largely |mainly )?on\b|"
    r"\b(?:low|very[- ]low)[- ](?:quality|certainty)\b|\bhigh risk of bias\b|\binconsisten\w+\b|"
    r"\bmixed (?:results|evidence|findings)\b|"
    r"\bstrength varies\b|\bvar(?:y|ies|ied) (?:by|with|between|across)\b|\bselective(?:ly)? report\w*\b|"
    r"\bscarcely assessed\b|\bunknown long[- ]term\b|\blimited but\b",
    _I,
)
PARTIAL_ACCOUNT = re.compile(
    r"\bnot (?:a |the )?(?:complete|full|whole|sole|only|universal|single|exclusive|established sole)\b|"
    r"\bone of (?:several|many|multiple|a number of)\b|\bbeyond\b|\bin addition to\b|\bamong (?:several|other)\b|"
    r"\bseveral (?:\w+ ){0,2}(?:pathways|mechanisms|hypotheses|targets)\b|\bcomplementary\b|\bnon-?exclusive\b|"
    r"\bother (?:mechanisms|pathways|targets) (?:also )?(?:matter|contribute)\b",
    _I,
)
NON_COMMITMENT = re.compile(
    r"\bcompeting (?:\w+ )?(?:hypothes\w+|theories|explanations|models)\b|\bdebate[ds]?\b|\bremains? (?:unknown|"
    r"unclear|"
    r"uncertain|elusive|to be determined)\b|\b(?:is|are) (?:unknown|unclear|not known|not understood)\b|"
    r"\bmechanism (?:is |remains )?(?:unknown|unclear)\b|\bdid not test\b|\bwithout invoking\b|\bperspective\b|"
    r"\bnot (?:yet )?(?:clear|known|established)\b|\bcall(?:s)? (?:the )?\w+ (?:mechanism )?unknown\b",
    _I,
)
CAUTION = re.compile(
    r"\bcaution\w*\b|\bcareful(?:ly)? (?:patient )?(?:selection|select\w*|monitor\w*|screen\w*)\b|"
    r"\bshould (?:be avoided|not be (?:used|given|administered))\b|\bavoid\w*\b|\bcontraindicat\w+\b|"
    r"\bexclud\w+ (?:patients|people|those|individuals)\b|\bscreen(?:ed|ing)? for\b|\bnot (?:be )?recommended\b",
    _I,
)

# --- harm ------------------------------------------------------------------------------------

HARM = re.compile(
    r"\bunsafe\b|\bharmful\b|\btoxic\w*\b|\bincreased risk\b|\bhigher risk\b|\brisk of\b|\bodds of\b|"
    r"\bserious adverse\b|\bsevere\b|\bpersist\w*\b|\blasting\b|\bprolonged\b|\bchronic\b|\birreversible\b|"
    r"\b(?:adverse|side) (?:events?|effects?) (?:were|was) (?:more|common|frequent)\b|\bcommon\b|\bfrequent(?:ly)?\b",
    _I,
)
HARMLESS = re.compile(
    r"\bsafe(?:ly)?\b|\bwell[- ]tolerated\b|\btolerab\w+\b|\bno (?:serious |major |significant |persistent |lasting )?"
    r"(?:adverse|side effects|complications|harm|toxicity|increased risk|impairment|deficits?)\b|"
    r"\bwithout (?:\w+ )?(?:complications|adverse|side effects|harm|sequelae)\b|\bmild\b|\bresolv\w+\b|"
    r"\btransient\b|\bshort[- ]lived\b|\breturned to (?:baseline|normal)\b|\bself-limit\w+\b|\bbrief\b",
    _I,
)
# Claims that something is transient or lasting: what each reading says about duration.
TRANSIENT = re.compile(
    r"\btransient\w*\b|\bshort[- ]lived\b|\bbrief\b|\btemporary\b|\bresolv\w+\b|\breturned to (?:baseline|normal)\b|"
    r"\bwore off\b|\bfaded\b|\bwaned\b|\bdissipat\w+\b|\bsubsided\b|\bno longer\b|\brelaps\w+\b|\bnot sustained\b|"
    r"\bwithin (?:\d+|a few|several) (?:minutes|hours?)\b|\bno persistent\b|\bno lasting\b",
    _I,
)
PERSISTENT = re.compile(
    r"\bpersist\w*\b|\bsustain\w*\b|\blasting\b|\blong[- ]lasting\b|\bdurable\b|\bmaintain\w*\b|\bremained\b|"
    r"\bprolonged\b|\blong[- ]term\b|\bstill (?:present|evident|significant)\b|\bat follow[- ]up\b",
    _I,
)

# --- power, mechanisms, scope ----------------------------------------------------------------

UNDERPOWERED = re.compile(
    r"\bpilot\b|\bsmall (?:sample|study|trial|number)\b|\bunderpowered\b|\binsufficient(?:ly)? power\w*\b|"
    r"\b(?:a |non-?significant |numerical )trend\b|\btrend(?:ed|ing)? (?:toward|towards|to)\b|"
    r"\bp\s*[=<]\s*0?\.0[5-9]\d*\b|\bp\s*=\s*0?\.1\d*\b|\bwide confidence\b|\btrial sequential\b|"
    r"\bmarginal(?:ly)?\b|\bnumerically\b|\bproof[- ]of[- ]concept\b",
    _I,
)
BLOCKER = _words(
    r"block(?:ing|ade|er|ers)?", r"inhibit(?:ing|ion|or|ors)", r"antagoni[sz](?:ing|ist|ists|ism)",
    r"rapamycin", r"knock(?:ing)? ?(?:out|down)", r"knockout", r"deletion", r"pretreatment", r"pre-treatment",
    r"silencing", r"genetic (?:deletion|inactivation)",
)
BLOCKED = _words(
    r"abolish(?:ed|es)?", r"prevent(?:ed|s)?", r"blocked", r"eliminat(?:ed|es)", r"abrogat(?:ed|es)",
    r"attenuat(?:ed|es)", r"reversed", r"occlud(?:ed|es)", r"requir(?:ed|es)", r"necessary", r"depend(?:s|ed|ent)",
)
NOT_BLOCKED = re.compile(
    r"\b(?:did|does) not (?:block|prevent|abolish|attenuate|reverse|alter)\b|\bfailed to (?:block|prevent)\b|"
    r"\bindependent of\b|\bprolong(?:ed|s)\b|\bnot (?:required|necessary|needed)\b|\bstill (?:produced|occurred)\b",
    _I,
)
DEPENDENCE_CLAIM = re.compile(
    r"\bdepend(?:s|ent)? on\b|\bmediated by\b|\bdue to\b|\brequires?\b|\bunderl(?:ie|ies|ying)\b|\bexplains?\b|"
    r"\bthrough (?:the )?activation\b|\bvia\b|\bworks by\b|\bthrough\b",
    _I,
)

# Spans that never count as findings: "rather than lowering it", "(not enhanced)", "not only".
RATHER_THAN = re.compile(
    r"\b(?:rather than|instead of|as opposed to|counter(?:ing|s)? (?:claims|reports|suggestions|the view)|contrary to "
    r"(?:claims|reports|suggestions|the view)|refut(?:ing|es) (?:claims|reports|suggestions))\b[^,;.]*|"
    r"\((?:not|and not|rather than) [^)]*\)|\b\w+-induced\b", _I)
NOT_ONLY = re.compile(r"\bnot only\b|\bno doubt\b|\bnot uncommon\b|\bnot unusual\b|\bnot negligible\b|"
                      r"\bnot insignificant\b|\bnone the less\b|\bnonetheless\b|\bno less than\b|"
                      r"\bnot ?withstanding\b", _I)
# Phrases that look like cues but are units or names: "diazepam-equivalent", "not-for-profit".
DISCARD = re.compile(r"\b\w+-equivalents?\b|\bequivalent dose\b|\bnon-?profit\b|\bno\.\s*\d|\bno longer\b|"
                     r"\b(?:poorly|well|moderately) differentiated\b|\bnot (?:a )?(?:new|novel)\b|"
                     r"\b(?:aimed at|designed to|geared to|intended to|in order to|so as to|with the aim of) \w+", _I)
