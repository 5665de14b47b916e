"""French territories by name: departments and the regions they belong to, and the commune
named in an address.

Rows keep territories as codes (department ``59``, commune INSEE ``59350``) and the region
as its name. People read names: "Lille (Nord)", not "59350". The 101 departments and 18
regions are fixed by law (last changed in 2016) and bundled here; the commune's name is the
one its address gives after the postcode ("…, 59000 Lille"), since the ~35,000 communes are
not worth a bundled table for a label.
"""

from __future__ import annotations

import re

# region name → {department code: department name}
REGIONS: dict[str, dict[str, str]] = {
    "Auvergne-Rhône-Alpes": {
        "01": "Ain", "03": "Allier", "07": "Ardèche", "15": "Cantal", "26": "Drôme", "38": "Isère",
        "42": "Loire", "43": "Haute-Loire", "63": "Puy-de-Dôme", "69": "Rhône", "73": "Savoie",
        "74": "Haute-Savoie"},
    "Bourgogne-Franche-Comté": {
        "21": "Côte-d'Or", "25": "Doubs", "39": "Jura", "58": "Nièvre", "70": "Haute-Saône",
        "71": "Saône-et-Loire", "89": "Yonne", "90": "Territoire de Belfort"},
    "Bretagne": {"22": "Côtes-d'Armor", "29": "Finistère", "35": "Ille-et-Vilaine", "56": "Morbihan"},
    "Centre-Val de Loire": {
        "18": "Cher", "28": "Eure-et-Loir", "36": "Indre", "37": "Indre-et-Loire", "41": "Loir-et-Cher",
        "45": "Loiret"},
    "Corse": {"2A": "Corse-du-Sud", "2B": "Haute-Corse"},
    "Grand Est": {
        "08": "Ardennes", "10": "Aube", "51": "Marne", "52": "Haute-Marne", "54": "Meurthe-et-Moselle",
        "55": "Meuse", "57": "Moselle", "67": "Bas-Rhin", "68": "Haut-Rhin", "88": "Vosges"},
    "Hauts-de-France": {"02": "Aisne", "59": "Nord", "60": "Oise", "62": "Pas-de-Calais", "80": "Somme"},
    "Île-de-France": {
        "75": "Paris", "77": "Seine-et-Marne", "78": "Yvelines", "91": "Essonne", "92": "Hauts-de-Seine",
        "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise"},
    "Normandie": {"14": "Calvados", "27": "Eure", "50": "Manche", "61": "Orne", "76": "Seine-Maritime"},
    "Nouvelle-Aquitaine": {
        "16": "Charente", "17": "Charente-Maritime", "19": "Corrèze", "23": "Creuse", "24": "Dordogne",
        "33": "Gironde", "40": "Landes", "47": "Lot-et-Garonne", "64": "Pyrénées-Atlantiques",
        "79": "Deux-Sèvres", "86": "Vienne", "87": "Haute-Vienne"},
    "Occitanie": {
        "09": "Ariège", "11": "Aude", "12": "Aveyron", "30": "Gard", "31": "Haute-Garonne", "32": "Gers",
        "34": "Hérault", "46": "Lot", "48": "Lozère", "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales",
        "81": "Tarn", "82": "Tarn-et-Garonne"},
    "Pays de la Loire": {
        "44": "Loire-Atlantique", "49": "Maine-et-Loire", "53": "Mayenne", "72": "Sarthe", "85": "Vendée"},
    "Provence-Alpes-Côte d'Azur": {
        "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes", "06": "Alpes-Maritimes",
        "13": "Bouches-du-Rhône", "83": "Var", "84": "Vaucluse"},
    "Guadeloupe": {"971": "Guadeloupe"},
    "Martinique": {"972": "Martinique"},
    "Guyane": {"973": "Guyane"},
    "La Réunion": {"974": "La Réunion"},
    "Mayotte": {"976": "Mayotte"},
}

DEPARTMENTS: dict[str, tuple[str, str]] = {
    code: (name, region) for region, departments in REGIONS.items() for code, name in departments.items()
}

# "…, 59000 Lille", "59100 Roubaix Cedex 2": the postcode, then the commune's name.
_POSTCODE_LINE = re.compile(r"(?:^|[\s,])\d{5}\s+([^\d,][^,]*?)(?:\s+cedex\b.*)?\s*$", re.IGNORECASE)


def department_name(code: str) -> str:
    """"Nord" for "59"; an unknown code is given back as it is."""
    return DEPARTMENTS[code][0] if code in DEPARTMENTS else code


def region_of(department: str) -> str:
    """The region a department belongs to, or "" when the code is unknown."""
    return DEPARTMENTS[department][1] if department in DEPARTMENTS else ""


def departments_of(regions: set[str]) -> set[str]:
    """The department codes of these regions (names as in :data:`REGIONS`)."""
    return {code for region in regions for code in REGIONS.get(region, {})}


def commune_from_address(address: str) -> str:
    """The commune an address names after its postcode, or ""."""
    match = _POSTCODE_LINE.search(address.strip())
    return match.group(1).strip() if match else ""
