"""The little world around the story: names, services, appointment slots, Wi-Fi words and the
customers' comments. Texture only: nothing here decides who the story is about."""

from __future__ import annotations

# Appointment slots (hour, minute); + up to 15 min, 40-95 min long: a partner's jobs never overlap.
SLOTS = [(8, 10), (10, 10), (12, 10), (14, 10), (16, 10), (18, 5)]
SERVICES = [
    "Heizungswartung",
    "Elektroinstallation",
    "Sanitaer-Reparatur",
    "Geraetemontage",
    "Lampenmontage",
    "Waschmaschinenanschluss",
    "Rauchmelder-Check",
    "Moebelmontage",
]
FIRST = [
    "Jonas",
    "Lena",
    "Mehmet",
    "Anna",
    "Lukas",
    "Sophie",
    "Piotr",
    "Marie",
    "Felix",
    "Elif",
    "Tobias",
    "Katrin",
    "Ahmad",
    "Julia",
    "Stefan",
    "Nora",
    "Daniel",
    "Olena",
    "Paul",
    "Sarah",
    "Martin",
    "Hanna",
    "Yusuf",
    "Laura",
    "Florian",
    "Mia",
    "Andrzej",
    "Clara",
    "Kevin",
    "Ines",
]
LAST = [
    "Weber",
    "Schulz",
    "Yilmaz",
    "Fischer",
    "Wagner",
    "Becker",
    "Nowak",
    "Hoffmann",
    "Koch",
    "Kaya",
    "Richter",
    "Klein",
    "Haddad",
    "Wolf",
    "Schroeder",
    "Neumann",
    "Schwarz",
    "Kovalenko",
    "Zimmermann",
    "Braun",
    "Krueger",
    "Hartmann",
    "Demir",
    "Lange",
    "Schmitt",
    "Werner",
    "Kowalski",
    "Krause",
    "Meier",
    "Lehmann",
]
WIFI_WORDS = [
    "Auwald",
    "Pleisse",
    "Connewitz",
    "Lindenau",
    "Gohlis",
    "Plagwitz",
    "Reudnitz",
    "Moeckern",
    "Schleussig",
    "Stoetteritz",
    "Eutritzsch",
    "Anger",
]
COMMENTS = {
    5: [
        "Super schnell und sauber gearbeitet!",
        "Sehr freundlich, gerne wieder.",
        "Puenktlich und kompetent.",
        "Alles bestens erklaert.",
    ],
    4: ["Gute Arbeit, kam etwas spaeter.", "Ordentlich erledigt.", "Passt, danke."],
    3: ["Hat geklappt, aber wenig Kommunikation.", "Musste zweimal nachfragen."],
    2: ["Unordentlich hinterlassen.", "Deutlich zu spaet, keine Info."],
    1: ["Problem nicht geloest.", "Sehr unfreundlich."],
}


# Halle's six partners.
H_NAMES = [
    ("Ronja", "Vogel"),
    ("Emre", "Aydin"),
    ("Sven", "Kuehn"),
    ("Tamara", "Pohl"),
    ("Bartek", "Mazur"),
    ("Greta", "Seidel"),
]


def comment(draw_value: float, stars: int) -> str | None:
    """About a third of the ratings carry a comment that fits their stars."""
    if draw_value >= 0.35:
        return None
    options = COMMENTS[stars]
    return options[int(draw_value / 0.35 * len(options)) % len(options)]
