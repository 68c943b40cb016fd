"""The default questionnaire of the yearly process evaluation (issue 13), as plain data.

Every team member of a school (the four kernpartners and the IB-er) answers it once per school year. The
items are built from the source documents in the shared seeds; each item names its source in ``source``.

Sections, in the order the form shows them:

- ``ingredienten``: the "ingredients of good collaboration" of seed 000 (Utrecht PO interviews): fixed
  kernpartners, knowing each other, short lines, bundled expertise close to the school, partners who know
  how education works and vice versa, the kernpartneroverleg, clear roles and expectations, learning
  together, a quick link between buurtteam and Spoor030/KOOS; plus the shared vision of action line 1.
- ``kernpartner``: seed 000's profile of the ideal kernpartner: regularly at school, easy to reach,
  proactive, an equal partner, a critical friend with complementary expertise, colouring outside the lines
  where needed; plus the preventive role of JGZ (action line 3), asked of JGZ only.
- ``knelpunten``: what seed 000's interviews found lacking: quality depends on individual people, new
  professionals do not know the approach, "wie doet wat?", collective questions are rarely discussed.
- ``grenzen``: seed 002 (school leaders on collaboration): the four learning mechanisms of boundary
  crossing (identificatie, coördinatie, reflectie, transformatie) and the two success factors of
  interprofessional work it names (motivation of the professionals, being complementary).
- ``pijlers``: the pillars of seed 003 (the wijkgericht pilot of SPPOH, The Hague) where they fit a role:
  school and adviser (asked of the passend-onderwijs adviser), schools in the wijk (asked of the IB-er),
  ketenpartners in the wijk (everyone), preventing thuiszitters (asked of the leerplichtambtenaar); plus
  the social base of action line 5 of seed 000.
- ``overleg``: the KPO's own form, from seed 000 ("1 keer per jaar KPO is te weinig") and the meeting
  checklist of seed 004 ("hoe vaak evalueren we de vorm van het overleg?", action-bound agreements).
- ``open``: open questions; their answers pass the privacy guard, and each text asks not to name pupils.

Statements are scored from 1 (helemaal oneens) to 5 (helemaal eens), or "weet niet"; every statement is
worded so that a higher score is better. ``roles`` empty means every role answers the item; otherwise
only the listed role values (``partners.models.Role``) do. ``action_line`` is the action line (1-5) of
seed 000 the item clearly belongs to, else None. ``Item.key`` is stable across questionnaire versions:
change a text freely, but give an item with a new meaning a new key.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TITLE = "Procesevaluatie kernpartneraanpak"

STATEMENT = "statement"
OPEN = "open"
KINDS = (STATEMENT, OPEN)

# The answer scale of a statement; "weet niet" is stored as no score.
SCALE = (
    (1, "Helemaal oneens"),
    (2, "Oneens"),
    (3, "Niet eens, niet oneens"),
    (4, "Eens"),
    (5, "Helemaal eens"),
)
DONT_KNOW = "Weet niet"

# Role values as in partners.models.Role (kept as plain strings so this module needs no app registry;
# the tests check them against Role).
IB = "ib"
BUURTTEAM = "buurtteam"
JGZ = "jgz"
PASSEND_ONDERWIJS = "passend_onderwijs"
LEERPLICHT = "leerplicht"

SECTIONS: tuple[tuple[str, str], ...] = (
    ("ingredienten", "Ingrediënten van goede samenwerking"),
    ("kernpartner", "De ideale kernpartner"),
    ("knelpunten", "Wat nog niet goed gaat"),
    ("grenzen", "Samenwerken over grenzen heen"),
    ("pijlers", "Wijkgericht samenwerken"),
    ("overleg", "Het kernpartneroverleg zelf"),
    ("open", "Open vragen"),
)

NO_PUPIL_NAMES = "Noem geen namen van leerlingen."


@dataclass(frozen=True, slots=True)
class Item:
    """One question of the questionnaire."""

    key: str
    section: str
    kind: str
    text: str
    roles: tuple[str, ...] = ()
    action_line: int | None = None
    source: str = ""

    def asked_of(self, role: str) -> bool:
        return not self.roles or role in self.roles


def _statement(
    key: str,
    section: str,
    text: str,
    *,
    roles: tuple[str, ...] = (),
    action_line: int | None = None,
    source: str = "",
) -> Item:
    return Item(key, section, STATEMENT, text, roles=roles, action_line=action_line, source=source)


def _open(key: str, question: str, source: str) -> Item:
    return Item(key=key, section="open", kind=OPEN, text=f"{question} {NO_PUPIL_NAMES}", source=source)


DEFAULT_ITEMS: tuple[Item, ...] = (
    # Ingredients of good collaboration (seed 000).
    _statement(
        "vaste_kernpartners",
        "ingredienten",
        "Onze school heeft vaste kernpartners die aan de school verbonden zijn.",
        source="seed 000: ingrediënten, vaste kernpartners",
    ),
    _statement(
        "elkaar_kennen",
        "ingredienten",
        "In ons kernpartnerteam kennen we elkaar goed.",
        source="seed 000: ingrediënten, elkaar goed kennen",
    ),
    _statement(
        "korte_lijnen",
        "ingredienten",
        "Tussen school en kernpartners zijn de lijnen kort.",
        source="seed 000: ingrediënten, korte lijnen",
    ),
    _statement(
        "expertise_dichtbij",
        "ingredienten",
        "De expertise van de kernpartners is gebundeld en dichtbij de school beschikbaar.",
        source="seed 000: ingrediënten, gebundelde expertise dichtbij de school",
    ),
    _statement(
        "elkaars_werk_kennen",
        "ingredienten",
        "De kernpartners weten hoe onderwijs werkt, en de school weet hoe de kernpartners werken.",
        source="seed 000: ingrediënten, partners die weten hoe onderwijs werkt (en vice versa)",
    ),
    _statement(
        "kpo_meerwaarde",
        "ingredienten",
        "Het kernpartneroverleg (KPO) is van waarde voor mijn werk.",
        source="seed 000: ingrediënten, kernpartneroverleg",
    ),
    _statement(
        "rollen_helder",
        "ingredienten",
        "Rollen en verwachtingen in ons kernpartnerteam zijn helder.",
        source="seed 000: ingrediënten, rollen en verwachtingen helder",
    ),
    _statement(
        "samen_leren",
        "ingredienten",
        "We nemen tijd om samen met en van elkaar te leren.",
        action_line=3,
        source="seed 000: ingrediënten, samen leren; actielijn 3, tijd voor leren en ontmoeten",
    ),
    _statement(
        "schakel_bt_spoor",
        "ingredienten",
        "Het buurtteam schakelt goed en snel met Spoor030/KOOS als dat nodig is.",
        source="seed 000: ingrediënten, goede en snelle schakel van BT en Spoor030/KOOS",
    ),
    _statement(
        "gezamenlijke_visie",
        "ingredienten",
        "We delen een visie op het doel en de werkwijze van de kernpartneraanpak.",
        action_line=1,
        source="seed 000: actielijn 1, gezamenlijke visie en werkwijze",
    ),
    # The ideal kernpartner (seed 000).
    _statement(
        "regelmatig_op_school",
        "kernpartner",
        "De kernpartners zijn regelmatig op school.",
        source="seed 000: ideale kernpartner, regelmatig op school",
    ),
    _statement(
        "laagdrempelig_bereikbaar",
        "kernpartner",
        "De kernpartners zijn laagdrempelig en goed bereikbaar.",
        source="seed 000: ideale kernpartner, laagdrempelig en goed bereikbaar",
    ),
    _statement(
        "proactief",
        "kernpartner",
        "De kernpartners zijn proactief: ze komen zelf in actie als ze iets signaleren.",
        source="seed 000: ideale kernpartner, proactief",
    ),
    _statement(
        "gelijkwaardig",
        "kernpartner",
        "School en kernpartners werken samen als gelijkwaardige partners.",
        source="seed 000: ideale kernpartner, gelijkwaardige partner",
    ),
    _statement(
        "kritische_vriend",
        "kernpartner",
        "De kernpartners zijn een kritische vriend en brengen expertise mee die de school aanvult.",
        source="seed 000: ideale kernpartner, kritische vriend met aanvullende expertise",
    ),
    _statement(
        "buiten_de_lijntjes",
        "kernpartner",
        "Waar nodig kleuren we samen buiten de lijntjes om tot een oplossing te komen.",
        source="seed 000: ideale kernpartner, kleurt waar nodig buiten de lijntjes",
    ),
    _statement(
        "jgz_preventieve_rol",
        "kernpartner",
        "Ik kan mijn preventieve rol als JGZ op deze school goed invullen.",
        roles=(JGZ,),
        action_line=3,
        source="seed 000: actielijn 3, versterken van de preventieve rol van de JGZ",
    ),
    # What is still lacking (seed 000, interview outcomes).
    _statement(
        "niet_persoonsafhankelijk",
        "knelpunten",
        "De kwaliteit van onze samenwerking hangt niet af van één persoon.",
        source="seed 000: niveau KPA vaak persoonsafhankelijk; seed 004: portefeuilles",
    ),
    _statement(
        "kennis_aanpak",
        "knelpunten",
        "Iedereen in ons team, ook wie nieuw is, kent de werkwijze van de kernpartneraanpak.",
        action_line=2,
        source="seed 000: nieuwe professionals onvoldoende op de hoogte; actielijn 2, kennispeil KPA",
    ),
    _statement(
        "wie_doet_wat",
        "knelpunten",
        "Het is voor mij duidelijk wie wat doet in de ondersteuning rond onze school.",
        source="seed 000: veranderd jeugdhulplandschap, wie doet wat?",
    ),
    _statement(
        "collectieve_vragen",
        "knelpunten",
        "We zien en bespreken ook collectieve vragen van de school, niet alleen casussen.",
        action_line=3,
        source="seed 000: collectieve vragen bespreken gebeurt nog weinig; actielijn 3, verdieping KPO",
    ),
    # Boundary crossing: four learning mechanisms and success factors (seed 002).
    _statement(
        "identificatie",
        "grenzen",
        "We weten van elkaar welke expertise, doelen en belangen ieder meebrengt.",
        source="seed 002: boundary crossing, identificatie",
    ),
    _statement(
        "coordinatie",
        "grenzen",
        "Vaste overlegmomenten en werkroutines maken onze samenwerking makkelijk.",
        source="seed 002: boundary crossing, coördinatie",
    ),
    _statement(
        "reflectie",
        "grenzen",
        "We wisselen perspectieven uit en verplaatsen ons in de werkcontext van de ander.",
        source="seed 002: boundary crossing, reflectie",
    ),
    _statement(
        "transformatie",
        "grenzen",
        "Op de grens van onze beroepen ontwikkelen we samen nieuwe rollen en werkwijzen.",
        source="seed 002: boundary crossing, transformatie",
    ),
    _statement(
        "motivatie",
        "grenzen",
        "Ik steek graag tijd en energie in deze samenwerking, omdat we samen meer bereiken.",
        source="seed 002: succesfactor, motivatie van de professionals",
    ),
    _statement(
        "complementair",
        "grenzen",
        "We vullen elkaars expertise aan en hebben elkaar nodig om vragen op te lossen.",
        source="seed 002: succesfactor, complementair zijn",
    ),
    # District-based collaboration: the pillars of seed 003, where they fit a role.
    _statement(
        "adviseur_schoolontwikkeling",
        "pijlers",
        "Als adviseur ben ik betrokken bij casuïstiek én bij bredere thema's in de schoolontwikkeling.",
        roles=(PASSEND_ONDERWIJS,),
        source="seed 003: pijler 1, samenwerking school en adviseur",
    ),
    _statement(
        "ib_netwerk_wijk",
        "pijlers",
        "Ik deel expertise met intern begeleiders van andere scholen in de wijk, ook van andere besturen.",
        roles=(IB,),
        action_line=4,
        source="seed 003: pijler 2, samenwerking tussen scholen in de wijk; seed 000: actielijn 4",
    ),
    _statement(
        "ketenpartners_wijk",
        "pijlers",
        "We werken als school en kernpartners samen met andere scholen en ketenpartners in de wijk.",
        action_line=4,
        source="seed 003: pijler 3, samenwerking met ketenpartners in de wijk; seed 000: actielijn 4",
    ),
    _statement(
        "sociale_basis",
        "pijlers",
        "We zijn verbonden met partners uit de sociale basis in de wijk, zoals brede school en sport.",
        action_line=5,
        source="seed 000: actielijn 5, verbinding met partners uit de sociale basis",
    ),
    _statement(
        "leerplicht_tijdig",
        "pijlers",
        "Ik word als leerplichtambtenaar tijdig betrokken als een leerling dreigt thuis te komen zitten.",
        roles=(LEERPLICHT,),
        source="seed 003: pijler 4, voorkomen van thuiszitters (leerplicht eerder betrekken)",
    ),
    # The KPO's own form (seed 000, seed 004).
    _statement(
        "kpo_frequentie",
        "overleg",
        "We komen vaak genoeg bij elkaar om in het KPO ook de diepte in te gaan.",
        action_line=3,
        source="seed 000: 1 keer per jaar KPO is te weinig voor verdieping; seed 004: frequentie",
    ),
    _statement(
        "kpo_afspraken",
        "overleg",
        "Afspraken uit het KPO hebben een eigenaar en worden nagekomen.",
        source="seed 004: verwachtingen koppelen aan actiegerichte afspraken",
    ),
    _statement(
        "kpo_vorm_evalueren",
        "overleg",
        "We evalueren regelmatig de vorm van ons overleg.",
        source="seed 004: hoe vaak evalueren we de vorm van het overleg?",
    ),
    # Open questions; answers go through the privacy guard.
    _open("open_gaat_goed", "Wat gaat goed in jullie samenwerking?", "seed 000: wat werkt goed?"),
    _open(
        "open_kan_beter",
        "Wat kan beter in jullie samenwerking?",
        "seed 000: uitkomsten interviews; seed 004: evalueer regelmatig",
    ),
    _open(
        "open_wens_volgend_jaar",
        "Wat is jouw concrete wens voor het volgende schooljaar?",
        "seed 004: periodiek evalueren en bijstellen",
    ),
    _open(
        "open_collectieve_vraag",
        "Welke collectieve vraag van de school wil je volgend schooljaar in het KPO bespreken?",
        "seed 000: collectieve vragen zien en bespreken",
    ),
)


def items_for_role(role: str) -> tuple[Item, ...]:
    """The items asked of ``role`` (a partners.models.Role value), in questionnaire order."""
    return tuple(item for item in DEFAULT_ITEMS if item.asked_of(role))
