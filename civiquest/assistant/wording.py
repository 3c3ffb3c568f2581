"""Words and tokens shared by the detection of names and addresses (``names``, ``addresses``).

A token is a word (with its inner apostrophes and hyphens: "j'habite", "Jean-Baptiste",
"N'Diaye"), a number, or one punctuation character; ``Token.glued`` says whether only spaces
separate it from the previous one (a name or a street name never runs across punctuation or a
line break).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civiquest.core.text import fold

TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*['’]?|\d+|\S")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    # Only spaces or tabs between this token and the previous one.
    glued: bool

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()

    @property
    def capitalised(self) -> bool:
        return self.is_word and self.text[0].isupper()


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    previous_end = 0
    for match in TOKEN_RE.finditer(text):
        gap = text[previous_end : match.start()]
        tokens.append(Token(match.start(), match.end(), match.group(), glued=bool(tokens) and "\n" not in gap))
        previous_end = match.end()
    return tokens


# Elided function words: "j'ai", "c'est", "qu'il" (but "N'Diaye", "D'Angelo" are names).
ELISION_RE = re.compile(r"^(?:[jcmnstldJCMNSTLD]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’][a-zàâçéèêëîïôûùüÿœ]")

# Function words, frequent verbs and the other words that never are, nor continue, a name.
STOP_WORDS = frozenset(
    fold(word)
    for word in """
    a à ai aie as au aussi aux avant avec avoir avons avez ayant b bah bcp beaucoup bien bientot bjr bonjour
    bonsoir c ca car ce cela celle celui cependant ces cet cette chaque chez ci comme comment contre cordialement
    d dans de deja demain depuis des desole dire dis dit doit dois doivent donc dont du elle elles en encore entre
    es est et etc ete etre eu eux faire fais fait faut g hier ici il ils j jai je jusqu l la le les leur leurs
    lui m ma madame mademoiselle mais me meme merci mes moi mon monsieur n ne ni non nos notre nous o oui ou ou
    par parce pas peu peut peuvent peux plus pour pourquoi pourrais pourrait puis puisque qu quand que quel quelle
    quelles quels qui quoi s sa salut sans se ses si slt son sont sous suis sur svp t ta te tes toi ton tous tout
    toute toutes tres trop tu un une vais vas veut veulent veux via voici voila vont vos votre vous vs y
    an ans mois jour jours semaine semaines annee annees heure heures
    né nee nes nees ne
    habite habites habitons habitez habitent habiter vit vis vivons vivent vivre reside residons loge logeons
    demeure travaille travaillons cherche cherchons demande demandons souhaite souhaitons voudrais voudrait
    voudrions aimerais aimerait arrive arrivent part partons pars perdu perdue perdus vole volee recu recue
    ai eu avait avais aura aurai serai sera etait etais voulais voulait pouvez pouvons devez devons savoir sais
    sait connais connait attends attend decede decedee mort morte malade handicape handicapee enceinte
    agee age veuve veuf celibataire mariee marie divorce divorcee separe separee pacse pacsee
    aussi alors donc ensuite apres avant toujours jamais encore deja maintenant aujourd'hui
    ici la-bas voila cela ceci rien tout personne quelqu'un chacun est-ce qu'est-ce coucou cc allo
    m mr mme mlle melle mmes monsieur madame mademoiselle dr docteur maitre pr
    numero num tel telephone portable fixe mail email courriel adresse contact dossier demande attestation
    formulaire cerfa compte code fiscal avis acte extrait livret famille enfant enfants fils fille
    """.split()
    # "marié" folds to a first name
    if word != "marie"
)

# Words that look like names but name an administration, a document or a programme.
ADMINISTRATIVE_WORDS = frozenset(
    """
    caf cpam cnav carsat msa urssaf ameli mdph apa apl als alf rsa aah aeeh paje cmu css puma ass are
    ants anah crous cnaf dgfip sip sie impots impot tresor public finances prefecture sous-prefecture mairie
    pole emploi france travail services service public publique vitale carte grise identite passeport permis cni titre
    sejour ofii ofpra cada insee urssaf rsi cesu pass culture sport navigo ratp sncf edf engie la poste poste
    republique francaise etat gouvernement ministere tribunal justice police gendarmerie consulat ambassade
    ehpad crous ccas cmp pmi ase cpf cse cdi cdd smic vae sns snu jdc pacs nir iban rib
    """.split()
)

# A name just after one of these words names a place, not a person ("lycée Victor Hugo").
PLACE_WORDS = frozenset(
    """
    rue avenue av bd boulevard allee chemin impasse place quai route cours square passage lotissement
    residence cite sentier voie faubourg hameau lieu-dit chaussee esplanade promenade parvis villa montee
    lycee college ecole universite faculte fac hopital clinique centre stade salle gymnase piscine
    mediatheque bibliotheque musee fondation association societe entreprise sarl sas eurl cabinet pharmacie
    maison institut etablissement ehpad creche gare aeroport station metro parc pont port eglise mosquee
    paroisse saint sainte st ste prix promotion groupe hotel boutique magasin restaurant
    """.split()
)

# Words that continue a name or a street name without being one ("Ben Salah", "rue de la Gare").
PARTICLES = frozenset(
    "de du des la le les d l van von der den ben bin ibn el al da dos das di del della mac ter ten".split()
)


def is_stop(token: Token) -> bool:
    """A function word or frequent verb: it never is, nor continues, a name."""
    folded = token.folded
    return folded in STOP_WORDS or folded in ADMINISTRATIVE_WORDS or bool(ELISION_RE.match(token.text))
