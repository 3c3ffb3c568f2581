"""What the assistant declines, as patterns over folded text (lower case, no accents, plain apostrophes).

- **Out of scope** (``OUT_OF_SCOPE_RE``): what is not an administrative question — recipes,
  weather, sport results, homework, code, medical diagnosis, jokes, investment tips, votes —
  and what is unsafe or unlawful (hacking, forged papers, fraud) or asks for the assistant's
  secrets. Each pattern is narrow enough to let the administrative questions that share its
  words through ("la recette des finances", "diagnostic immobilier", "faire traduire un acte",
  "déclarer ses cryptomonnaies", "Pass'Sport pour le foot", "mot de passe impots.gouv oublié").
- **A personal legal dispute** (``is_legal_case``): the citizen is in a conflict or a proceeding
  (``DISPUTE_RE``) *and* asks for advice on it — its outcome, who is right, what to say to the
  judge, a defence written for them (``ADVICE_RE``); or asks for legal advice on their own case
  outright (``OWN_CASE_RE``). A plain how-to is never one, even about a lawyer, a court or an
  employer who refuses: "Faut-il un avocat pour divorcer ?", "comment saisir les prud'hommes ?".

Tests: the tables of ``tests/assistant/test_guardrails.py`` (both sides of each line).
"""

from __future__ import annotations

import re


def patterns(*expressions: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{expression})" for expression in expressions))


OUT_OF_SCOPE_RE = patterns(
    # Cooking (not "la recette des impôts", "les recettes de mon auto-entreprise")
    r"\brecettes? (?:de |du |des |d'|pour )(?!(?:la |l'|les |mon |ma |mes |son |sa |ses |votre |vos |notre |nos "
    r"|leurs? |cette |ces |une? )|(?:finances?|impots?|douanes?|tresor|perception|fiscal|frais|ventes?|activite|"
    r"entreprise))",
    r"\brecettes? (?:de la |de l')(?:pate|tarte|soupe|sauce|pizza|blanquette|quiche|mousse|creme|galette|salade|"
    r"ratatouille|paella|omelette)",
    r"\brecettes? (?:de cuisine|de grand[- ]mere|facile|rapide|simple|vegetarienne|vegane?)\b",
    r"\bingredients?\b",
    r"\b(?:comment |je veux |j'aimerais )?(?:cuisiner|faire cuire|mijoter)\b",
    r"\btemps de cuisson\b",
    r"\bcombien de calories\b",
    # Weather (not weather alerts and natural disasters)
    r"(?<!alerte )(?<!vigilance )\bmeteo\b(?!.{0,60}\b(?:alerte|vigilance|catastrophe|intemperie|sinistre|indemni))",
    r"\bquel temps (?:fera|fait|va)\b",
    # Sport results and bets (not licences, Pass'Sport, certificates)
    r"\b(?:score|resultats?|classement|pronostics?|mercato)\b.{0,40}\b(?:match|ligue|championnat|coupe|football|foot|"
    r"rugby|tennis|psg|om|equipe)\b",
    r"\b(?:match|ligue 1|ligue des champions|coupe du monde|championnat)\b.{0,40}\b(?:score|gagne|perdu|resultat|"
    r"vainqueur)\b",
    r"\bqui a gagne (?:le|la|les) (?:match|coupe|championnat|ligue|tournoi|euro|mondial)\b",
    r"\b(?:meilleur|meilleure|plus grand|plus grande)s? (?:club|equipe|joueur|joueuse)s?\b",
    r"\bparis? sportifs?\b.{0,30}\b(?:gagner|conseil|astuce|pronostic)",
    # Homework and general knowledge
    r"\b(?:fais|faire|fait|redige|ecris|corrige)[- ](?:moi )?(?:mes|mon|ma) (?:devoirs?|exercices?|expose|"
    r"dissertation|redaction|commentaire de texte)\b",
    r"\bmes devoirs\b",
    r"\bdevoirs? (?:de |d')(?:maths|mathematiques|histoire|geo|geographie|francais|anglais|physique|chimie|philo|"
    r"philosophie|svt|espagnol|allemand|sciences)\b",
    r"\bdissertation\b",
    r"\b(?:resous|resoudre|calcule)\b.{0,30}\b(?:equation|integrale|derivee|probleme de maths)\b",
    r"\bequation\b",
    r"\bexercice de (?:maths|mathematiques|physique|chimie|francais|anglais)\b",
    r"\bquelle est la capitale (?:de|du|des)\b",
    r"\bcombien de lunes\b",
    # Code
    r"\b(?:python|javascript|typescript|java|html|php|sql|c\+\+|golang)\b",
    r"\b(?:ecris|ecrire|genere|generer|code|coder|corrige|debogue)[- ](?:moi )?(?:un |une |le |la |mon |ma |"
    r"du )?(?:programme|script|code|fonction|algorithme|requete sql|site web)\b",
    r"\bcode informatique\b",
    # Medical diagnosis and treatment (not sick leave, reimbursement, disability benefits)
    r"\b(?:quel|quels|quelle) (?:medicament|traitement|antibiotique|remede)s? (?:prendre|pour|contre)\b",
    r"\bposologie\b",
    r"\b(?:j'ai|il a|elle a|mon enfant a|mon bebe a) (?:des |les )?symptomes\b",
    r"\bquels sont les symptomes\b",
    r"\b(?:est[- ]ce que c'est|c'est|est[- ]ce|serait[- ]ce) (?:grave|un cancer|une tumeur|contagieux)\b",
    r"\b(?:j'ai|je sens|je ressens) (?:mal|de la fievre|des douleurs)\b.{0,60}\b(?:grave|que faire|prendre|"
    r"c'est quoi|quoi faire)\b",
    r"\bdiagnosti(?:c|que|quer)[- ](?:moi|ma maladie|mes symptomes)\b",
    r"\bquelle maladie (?:j'ai|ai[- ]je)\b",
    r"\b(?:c'est|est[- ]ce|serait[- ]ce) (?:l'|la |le |une |un )?(?:appendicite|grippe|covid|angine|cancer|infection|"
    r"allergie|migraine|depression|diabete|avc|crise cardiaque|gastro|bronchite|otite|cystite)\b",
    # Leisure, chat, opinions
    r"\bblagues?\b",
    r"\braconte[- ](?:moi |nous )?(?:une|un) (?:histoire|conte|blague)\b",
    r"\bmeilleure?s? (?:restaurants?|films?|series?|livres?|jeux?|telephones?|smartphones?|consoles?|recettes?|bars?|"
    r"hotels?)\b",
    r"\bidees? (?:de )?cadeaux?\b",
    r"\bqui va gagner\b",
    r"\b(?:a marque|marque|marquer) (?:le |un |les )?buts?\b",
    r"\bligue des champions\b",
    r"\bhistoire drole\b",
    r"\bpoemes?\b",
    r"\bparoles? (?:de|d'une) chanson\b",
    r"\bchante[- ]moi\b",
    r"\bhoroscope\b",
    r"\bastrolog",
    r"\bsigne astrologique\b",
    r"\bnetflix\b",
    r"\bjeux? video\b",
    r"\b(?:console|jeu) de jeux?\b",
    r"\bfilms? (?:a voir|a regarder)\b",
    r"\bquel film\b",
    r"\bseduire\b",
    r"\bdraguer\b",
    r"\b(?:acheter|investir (?:dans|en)|miser sur) (?:du |des |de la )?(?:bitcoin|crypto\w*|actions?)\b",
    r"\bactions? a acheter\b",
    r"\bpour qui voter\b",
    r"\bquel (?:parti|candidat)\b",
    r"\bque penses?[- ]tu\b",
    r"\bton avis sur\b",
    r"\btradui(?:s|re|t|sez)[- ](?:moi |ce |cette |ces |le |la |les |en )",
    # Unsafe or unlawful
    r"\b(?:comment|aide[- ]moi a|peux[- ]tu|tu peux|je veux|apprends[- ]moi a) (?:pirater|hacker)\b",
    r"\bpirater (?:le|la|les|un|une|son|sa|ses|mon|ma|mes)\b",
    r"\bfabriquer (?:une |un |des )?(?:bombe|arme|explosif)",
    r"\bexplosifs?\b",
    r"\b(?:acheter|vendre|trouver|cultiver|fabriquer|procurer) (?:de la |du |des )?(?:drogue|cannabis|cocaine|"
    r"heroine)\b",
    r"\bfaux papiers\b(?!.{0,40}\b(?:risque|sanction|peine|signaler|victime)\b)",
    r"\b(?:faire|fabriquer|creer|obtenir|acheter|produire|imprimer|trouver|procurer) (?:un |une |des |de )?(?:faux|"
    r"fausses?) ",
    r"\bfalsifi(?:er|e|ez)\b",
    r"\bfrauder\b",
    r"\bcomment (?:tricher|frauder)\b",
    r"\bsans (?:se|me|nous) faire (?:prendre|attraper|pincer)\b",
    r"\b(?:echapper|eviter) (?:aux|les) (?:impots|controles)\b",
    r"\bne pas (?:payer|declarer) (?:mes|les|ses) (?:impots|revenus)\b",
    r"\b(?:travailler|bosser|payer|embaucher|employer|louer) au noir\b(?!.{0,40}\b(?:risque|sanction|signaler|"
    r"denoncer)\b)",
    r"\bblanchi(?:r|ment)\b",
    # Requests for the assistant's secrets or configuration (not a citizen's own forgotten password)
    r"\bmots? de passe (?:de l'admin|de l'administrateur|du site|du serveur|de la base|root)\b",
    r"\b(?:ton|votre|tes|vos) mots? de passe\b",
    r"\bcles? (?:d')?api\b",
    r"\bapi[ _-]?key\b",
    r"\bprompt\b",
    r"\btes (?:instructions|consignes|regles) (?:internes|secretes|systeme)\b",
    r"\b(?:affiche|montre|revele|donne)[- ](?:moi )?(?:tes|les|ton|ta) (?:instructions|consignes|configuration)\b",
    r"\bjailbreak\b",
    r"\bmode (?:developpeur|dan)\b",
)

# The citizen in a conflict or a proceeding.
DISPUTE_RE = patterns(
    r"\bproces\b",
    r"\btribunal\b",
    r"\bjuges?\b",
    r"\bprud'?hom",
    r"\bavocats?\b",
    r"\blitiges?\b",
    r"\bconflit\b",
    r"\bplaintes?\b",
    r"\battaqu",
    r"\bpoursui",
    r"\bassign",
    r"\bmise en demeure\b",
    r"\baudience\b",
    r"\bgarde a vue\b",
    r"\bcondamne",
    r"\ben appel\b",
    r"\bcontest",
    r"\brecours\b",
    r"\bhuissier\b",
    r"\bcommissaire de justice\b",
    r"\b(?:convoquee?s?|convocation|entendue?s?|auditionnee?s?)\b.{0,40}\b(?:police|gendarmerie|commissariat|"
    r"enqueteurs?|brigade)\b",
    r"\bsuspect",
    r"\bmise? en examen\b",
    r"\baccusee?s?\b",
    r"\blicenci",
    r"\bsurendettement\b",
    r"\bexpuls",
    r"\ben justice\b",
    r"\bmon (?:ancien |ex[- ])?(?:employeur|patron|proprietaire|bailleur|locataire|voisin|syndic|assureur|ex|"
    r"conjoint|mari|epoux|banquier)\b",
    r"\bmon ex\b",
    r"\bma (?:banque|mutuelle|proprietaire|voisine|locataire|femme|ex[- ]femme|compagne|assurance)\b",
)

# Advice on that dispute: its outcome, who is right, what to say, a defence.
ADVICE_RE = patterns(
    r"\b(?:je|j') ?(?:vais |peux |pourrais )?(?:gagner|gagnerai|perdre|perdrai)\b",
    r"\bvais[- ]je (?:gagner|perdre|obtenir|avoir gain)\b",
    r"\b(?:mes|des|une) chances?\b",
    r"\b(?:ai[- ]je|j'ai|aurais[- ]je) (?:raison|tort)\b",
    r"\bqui a raison\b",
    r"\ba[- ]t[- ](?:il|elle) raison\b",
    r"\b(?:me )?donner raison\b",
    r"\b(?:suis[- ]je|est[- ]il|est[- ]elle|je suis|il est|elle est) dans (?:mon|son) (?:bon )?droit\b",
    r"\b(?:va|vont)[- ]t[- ](?:il|elle|ils|elles) (?:me|m')\b",
    r"\b(?:que|quoi) (?:dois[- ]je|je dois|faut[- ]il|vais[- ]je|puis[- ]je) (?:repondre|dire|ecrire|plaider|"
    r"declarer)\b",
    r"\b(?:repondre|dire|ecrire|declarer) (?:au |a la |a l'|aux )(?:juge|tribunal|polic|gendarm|enqueteur|avocat|"
    r"huissier)",
    r"\bcomment me defendre\b",
    r"\bcomment (?:gagner|l'emporter)\b",
    r"\b(?:que|quoi) (?:dois[- ]je|je dois|faut[- ]il|vais[- ]je|puis[- ]je) (?:lui |leur )(?:repondre|dire|ecrire|"
    r"expliquer)\b",
    r"\b(?:va|vont|sera|seront)[- ](?:t[- ](?:il|elle|ils|elles) )?(?:etre )?(?:accepte|refuse|rejete|condamne|"
    r"acquitte|annule)e?s?\b",
    r"\b(?:mon|ma|mes) [\w' -]{3,30}(?:est|sont)[- ](?:il|elle|ils|elles) (?:abusi(?:f|ve)s?|legale?s?|illegale?s?|"
    r"valables?|justifiee?s?)\b",
    r"\bme defendre\b",
    r"\b(?:preparer|rediger|ecrire) ma defense\b",
    r"\bquelle (?:strategie|defense)\b",
    r"\b(?:redige|ecris|rediger|ecrire|redigez|ecrivez)[- ](?:moi )?(?:ma|mes|une|la|mon|un) (?:lettre|courrier|"
    r"recours|memoire|plainte|conclusions|defense|"
    r"lettre au juge|requete|assignation)\b",
    r"\b(?:dans|pour) mon cas\b",
    r"\bma situation (?:personnelle|precise|particuliere)\b",
    r"\bqu'?est[- ]ce que je risque\b",
    r"\bque risque[- ]?t?[- ]?je\b",
    r"\bje risque quoi\b",
    r"\bcombien (?:je vais|vais[- ]je) (?:prendre|ecoper|devoir payer)\b",
    r"\bvaut[- ]il mieux\b",
    # "Should I sue?": deciding for them what to do in their dispute.
    r"\b(?:je|j') ?(?:porte plainte|attaque|l'attaque|les attaque|poursuis|vais au tribunal)\s*\?",
    r"\b(?:dois[- ]je|devrais[- ]je|faut[- ]il que je|est[- ]ce que je (?:dois|devrais)) (?:porter plainte|l'attaquer|"
    r"les attaquer|attaquer|poursuivre|aller (?:au tribunal|aux prud'?hommes|en justice))\b",
    r"\b(?:ca vaut|vaut[- ]il) (?:le coup|la peine)\b",
)

# Legal advice on one's own case, asked outright.
OWN_CASE_RE = patterns(
    r"\b(?:conseils?|avis) juridiques? (?:sur|pour|concernant|a propos de) (?:mon|ma|mes)\b",
    r"\b(?:donne|donnez)[- ](?:moi )?(?:un )?(?:conseil|avis) juridique\b",
    r"\b(?:gagner|perdre) (?:mon|ce) proces\b",
    r"\bmes chances (?:de gagner|au tribunal|aux prud'?hommes|devant le juge)\b",
    r"\b(?:quelles?|mes|les) chances? (?:j'ai |ai[- ]je |que j'ai )?de gagner\b",
    # Writing one's own dispute for them ("écris à ma place la lettre pour contester…").
    r"\b(?:ecris|redige|ecrivez|redigez)\b.{0,40}\b(?:lettre|courrier|recours|reclamation)\b.{0,40}\bcontester\b",
    # Judging one's own conduct in a dispute ("ai-je raison de refuser de payer mon loyer ?").
    r"\b(?:ai[- ]je|aurais[- ]je|est[- ]ce que j'ai) (?:raison|tort) de (?:refuser|ne pas|arreter|garder|retenir)\b",
)


def is_out_of_scope(folded: str) -> bool:
    return bool(OUT_OF_SCOPE_RE.search(folded))


def is_legal_case(folded: str) -> bool:
    """A request about a personal legal dispute: a dispute and advice on it, or advice on one's own case."""
    return bool(OWN_CASE_RE.search(folded) or (DISPUTE_RE.search(folded) and ADVICE_RE.search(folded)))
