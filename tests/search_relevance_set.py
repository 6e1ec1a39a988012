"""The relevance set of the German search (docs/search.md, "Relevance"):
documents written in the words of Thüringen's authorities — budgets, statutes,
council minutes, contracts, expert opinions, environmental data, building
plans — and the queries citizens type, each with the documents it should find.

Some documents are near misses on purpose (a "Bauzeitenplan" that mentions the
"Haushalt", the "Haushaltsgeräte" of the bulky-waste collection): a search
that splits compounds without ranking would put them first.
"""
from __future__ import annotations

# key: (title, description, documents' text)
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    "hh2025": ("Haushaltsplan 2025 der Stadt Rudolstadt", "Ergebnishaushalt und Finanzhaushalt mit Stellenplan.",
               "Der Stadtrat hat den Haushaltsplan für das Haushaltsjahr 2025 beschlossen. Die Gesamtbeträge "
               "der ordentlichen Erträge und Aufwendungen sind ausgeglichen."),
    "hh-entwurf": ("Entwurf der Haushaltssatzung 2026", "Öffentliche Auslegung des Haushaltsplanentwurfs.",
                   "Der Haushaltsplanentwurf liegt vom 3. bis 17. November im Bürgerbüro zur Einsicht aus. "
                   "Einwohner können Einwendungen schriftlich erheben."),
    "nachtrag": ("1. Nachtragshaushalt 2024", "Änderungen der Ansätze im Finanzhaushalt.",
                 "Mit dem Nachtragshaushaltsplan werden Mehrausgaben für die Schülerbeförderung gedeckt."),
    "kita-beitrag": ("Satzung über die Elternbeiträge in Kindertageseinrichtungen",
                     "Beitragssätze für Krippe und Kindergarten ab 1. August.",
                     "Für die Betreuung in der Kita wird ein monatlicher Beitrag erhoben. Der Beitrag für "
                     "Geschwisterkinder ermäßigt sich um die Hälfte."),
    "kita-bedarf": ("Kita-Bedarfsplanung 2025", "Plätze je Kita und Ortsteil.",
                    "In den Kitas der Stadt stehen 1.240 Plätze zur Verfügung; 85 Plätze fehlen im Ortsteil Cumbach."),
    "strassenausbau": ("Satzung über die Erhebung von Straßenausbaubeiträgen (aufgehoben)",
                       "Die Straßenausbaubeitragssatzung wurde durch Beschluss aufgehoben.",
                       "Beiträge für den Ausbau von Gemeindestraßen werden nicht mehr erhoben."),
    "abwasser": ("Gebührensatzung zur Abwasserbeseitigungssatzung",
                 "Gebühren für Schmutzwasser und Niederschlagswasser.",
                 "Die Gebühr für die Einleitung von Schmutzwasser beträgt 3,12 Euro je Kubikmeter."),
    "friedhof": ("Friedhofsgebührensatzung", "Gebühren für Grabstätten und Bestattungen.",
                 "Für die Überlassung einer Urnengrabstätte wird eine Gebühr von 450 Euro erhoben."),
    "hauptsatzung": ("Hauptsatzung der Gemeinde Ilmtal", "Ortsrecht: Organe, Ortsteile, öffentliche Bekanntmachungen.",
                     "Öffentliche Bekanntmachungen der Gemeinde erfolgen im Amtsblatt."),
    "stadtrat-protokoll": ("Niederschrift der 12. Sitzung des Stadtrates", "Öffentlicher Teil, Beschlüsse zu TOP 1 bis 9.",
                           "Der Stadtrat beschließt die Vergabe der Bauleistungen für die Sanierung der Grundschule "
                           "am Markt. Abstimmung: 18 Ja-Stimmen, 2 Enthaltungen."),
    "kreistag-beschluss": ("Beschlüsse des Kreistages vom 14. März 2024", "Beschlussvorlagen und Abstimmungsergebnisse.",
                           "Der Kreistag beschließt den Nahverkehrsplan des Landkreises für die Jahre 2024 bis 2028."),
    "bauausschuss": ("Protokoll des Bau- und Umweltausschusses", "Sitzung vom 5. Juni 2024.",
                     "Der Ausschuss empfiehlt dem Gemeinderat die Zustimmung zum Bauantrag für ein Mehrfamilienhaus."),
    "vertrag-abfall": ("Vertrag über die Abfallentsorgung (Restmüll und Bioabfall)",
                       "Wesentliche Vertragsinhalte: Laufzeit, Leistungen, Entgelt.",
                       "Vertragspartner ist die Entsorgungsgesellschaft Saale mbH. Die Laufzeit beträgt fünf Jahre."),
    "konzession-strom": ("Konzessionsvertrag Stromnetz", "Wegenutzungsvertrag mit dem Netzbetreiber.",
                         "Der Netzbetreiber zahlt die Konzessionsabgabe. Der Vertrag endet am 31.12.2043."),
    "vertrag-schulbus": ("Verkehrsvertrag Schülerverkehr", "Beförderung von Schülerinnen und Schülern im Linienverkehr.",
                         "Der Auftragnehmer stellt die Schülerbeförderung an allen Schultagen sicher."),
    "gutachten-bruecke": ("Gutachten zum Zustand der Saalebrücke", "Brückenprüfung nach DIN 1076.",
                          "Der Gutachter stellt Schäden an den Lagern fest. Eine Sanierung der Brücke wird empfohlen."),
    "gutachten-verkehr": ("Verkehrsgutachten Ortsumgehung", "Prognose der Verkehrsbelastung 2035.",
                          "Die Verkehrszählung ergab 12.400 Kraftfahrzeuge pro Tag in der Ortsdurchfahrt."),
    "studie-wohnen": ("Wohnungsmarktstudie Landkreis Gotha", "Bedarf an Mietwohnungen bis 2035.",
                      "Die Studie empfiehlt den Bau barrierefreier Wohnungen in den Grundzentren."),
    "laerm": ("Lärmaktionsplan Stufe 4", "Lärmkartierung der Hauptverkehrsstraßen.",
              "An 14 Straßenabschnitten überschreitet der Straßenlärm nachts 55 dB(A)."),
    "luft": ("Luftqualität 2023: Messwerte Stickstoffdioxid", "Jahresmittelwerte der Messstationen.",
             "Der Jahresmittelwert für Stickstoffdioxid lag an der Messstation Erfurt-Krämpferstraße bei 28 µg/m³."),
    "hochwasser": ("Hochwasserrisikomanagementplan Werra", "Überschwemmungsgebiete und Maßnahmen.",
                   "Bei einem hundertjährlichen Hochwasser werden 240 Gebäude überflutet."),
    "trinkwasser": ("Trinkwasseranalyse Wasserwerk Ohra", "Untersuchungsergebnisse nach Trinkwasserverordnung.",
                    "Nitrat: 8 mg/l. Alle Grenzwerte werden eingehalten."),
    "bplan-nord": ("Bebauungsplan Nr. 27 „Wohngebiet Am Nordhang“", "Satzungsbeschluss und Begründung.",
                   "Festgesetzt wird ein allgemeines Wohngebiet mit einer Grundflächenzahl von 0,4."),
    "fnp": ("Flächennutzungsplan der Verwaltungsgemeinschaft", "2. Änderung, Planzeichnung und Umweltbericht.",
            "Die Änderung betrifft Flächen für Photovoltaik-Freiflächenanlagen."),
    "baugenehmigung": ("Bauanträge und Baugenehmigungen 2024", "Statistik der unteren Bauaufsichtsbehörde.",
                       "Im Jahr 2024 wurden 312 Baugenehmigungen erteilt."),
    "stellenplan": ("Stellenplan 2025", "Stellen der Kernverwaltung nach Entgeltgruppen.",
                    "Die Zahl der Planstellen steigt um 4,5 Vollzeitäquivalente."),
    "organigramm": ("Organigramm der Kreisverwaltung", "Dezernate, Ämter und Sachgebiete.",
                    "Das Ordnungsamt gehört zum Dezernat II."),
    "zuwendung-verein": ("Zuwendungen an Vereine 2024", "Förderung von Sport- und Kulturvereinen.",
                         "Der Sportverein erhielt eine Zuwendung von 5.000 Euro für die Sanierung des Vereinsheims."),
    "sponsoring": ("Sponsoringbericht des Landes", "Sponsoringleistungen über 1.000 Euro.",
                   "Die Landesregierung erhielt Sachspenden für das Schulfest."),
    "beteiligung": ("Beteiligungsbericht 2023", "Unternehmen mit städtischer Beteiligung.",
                    "Die Stadtwerke GmbH erzielte einen Jahresüberschuss von 2,1 Mio. Euro."),
    "schloss": ("Sanierung Schloß Heidecksburg: Kostenschätzung", "Dach, Fassade und Festsaal.",
                "Die Gesamtkosten der Sanierung werden auf 14 Mio. Euro geschätzt."),
    "strasse-sperrung": ("Vollsperrung der Bahnhofstraße", "Umleitung während der Kanalbauarbeiten.",
                         "Die Straße ist vom 2. bis 30. Mai gesperrt."),
    "verordnung-hund": ("Gefahrenabwehrverordnung über das Halten von Hunden", "Leinenpflicht in Grünanlagen.",
                        "Hunde sind in öffentlichen Grünanlagen an der Leine zu führen."),
    "richtlinie-foerder": ("Richtlinie zur Förderung des Ehrenamts", "Verwaltungsvorschrift des Ministeriums.",
                           "Gefördert werden Aufwandsentschädigungen für ehrenamtlich Tätige."),
    "ifg-antwort": ("Antwort auf Informationsantrag: Kosten der Ortsumgehung", "Auskunft nach ThürTG.",
                    "Die Baukosten der Ortsumgehung betragen bisher 23,4 Mio. Euro."),
    "taetigkeit": ("Tätigkeitsbericht des Landesbeauftragten für den Datenschutz", "Berichtszeitraum 2023.",
                   "Die Zahl der Beschwerden stieg um zwölf Prozent."),
    "schulnetz": ("Schulnetzplan des Landkreises 2024–2029", "Schulstandorte und Schülerzahlen.",
                  "Die Regelschule in Kahla bleibt als Standort erhalten."),
    "grundsteuer": ("Hebesatzsatzung Grundsteuer und Gewerbesteuer", "Hebesätze ab 2025.",
                    "Der Hebesatz für die Grundsteuer B beträgt 450 Prozent."),
    "feuerwehr": ("Feuerwehrbedarfsplan", "Ausrüstung und Standorte der Freiwilligen Feuerwehren.",
                  "Für die Ortsteilfeuerwehr wird ein neues Löschfahrzeug beschafft."),
    "radverkehr": ("Radverkehrskonzept 2030", "Netz der Radwege im Stadtgebiet.",
                   "Geplant sind 42 Kilometer neue Radwege entlang der Kreisstraßen."),
    # near misses
    "bauzeitenplan": ("Bauzeitenplan Kläranlage", "Termine der Bauabschnitte.",
                      "Der Plan sieht die Fertigstellung vor; die Mittel stehen im Haushalt 2027 bereit."),
    "haushaltsgeraete": ("Abholung von Haushaltsgeräten", "Sperrmüll und Elektrogeräte auf Anmeldung.",
                         "Haushaltsgeräte werden nach Anmeldung beim Abfallwirtschaftsbetrieb abgeholt."),
    "verkehrszaehlung": ("Verkehrszählung 2023", "Kraftfahrzeuge je Tag an den Zählstellen.",
                         "An der Zählstelle Bahnhofstraße wurden 8.100 Fahrzeuge gezählt."),
    "kita-speiseplan": ("Speiseplan der Schulküche", "Mittagessen für Schulen und Horte.",
                        "Der Plan für die Mittagsversorgung der Schüler gilt ab Montag."),
}

# (query, the documents it should find)
QUERIES: list[tuple[str, set[str]]] = [
    ("Haushalt Plan", {"hh2025", "hh-entwurf", "nachtrag"}),
    ("Haushaltsplan", {"hh2025", "hh-entwurf", "nachtrag"}),
    ("Haushaltsplanentwurf", {"hh-entwurf"}),
    ("Haushaltssatzung 2026", {"hh-entwurf"}),
    ("Nachtragshaushalt", {"nachtrag"}),
    ("Kitas", {"kita-beitrag", "kita-bedarf"}),
    ("Kita Beiträge", {"kita-beitrag"}),
    ("Elternbeitrag", {"kita-beitrag"}),
    ("Beiträge Straßenausbau", {"strassenausbau"}),
    ("Strassenausbaubeitrag", {"strassenausbau"}),
    ("Abwassergebühr", {"abwasser"}),
    ("Gebühren Friedhof", {"friedhof"}),
    ("Hauptsatzung", {"hauptsatzung"}),
    ("Bekanntmachung Amtsblatt", {"hauptsatzung"}),
    ("Stadtratssitzung Niederschrift", {"stadtrat-protokoll"}),
    ("Sanierung Grundschule", {"stadtrat-protokoll"}),
    ("Kreistagsbeschluss", {"kreistag-beschluss"}),
    ("Nahverkehrsplan", {"kreistag-beschluss"}),
    ("Bauausschuss Protokoll", {"bauausschuss"}),
    ("Abfallentsorgungsvertrag", {"vertrag-abfall"}),
    ("Restmüll", {"vertrag-abfall"}),
    ("Konzessionsverträge", {"konzession-strom"}),
    ("Stromnetz Vertrag", {"konzession-strom"}),
    ("Schülerbeförderung", {"vertrag-schulbus", "nachtrag"}),
    ("Schuelerverkehr", {"vertrag-schulbus"}),
    ("Brückengutachten", {"gutachten-bruecke"}),
    ("Bruecke Sanierung", {"gutachten-bruecke"}),
    ("Verkehrsgutachten", {"gutachten-verkehr"}),
    ("Gutachten", {"gutachten-bruecke", "gutachten-verkehr"}),
    ("Wohnungsmarkt", {"studie-wohnen"}),
    ("Laerm Strassen", {"laerm"}),
    ("Straßenlärm", {"laerm"}),
    ("Stickstoffdioxid Messstation", {"luft"}),
    ("Luftqualitaet", {"luft"}),
    ("Hochwasserrisiko", {"hochwasser"}),
    ("Überschwemmungsgebiet", {"hochwasser"}),
    ("Trinkwasser Nitrat", {"trinkwasser"}),
    ("Bebauungspläne", {"bplan-nord"}),
    ("Wohngebiet Nordhang", {"bplan-nord"}),
    ("Flächennutzungsplanänderung", {"fnp"}),
    ("Baugenehmigungen", {"baugenehmigung"}),
    ("Stellenpläne", {"stellenplan", "hh2025"}),
    ("Organigramm Kreisverwaltung", {"organigramm"}),
    ("Zuwendung Sportverein", {"zuwendung-verein"}),
    ("Sponsoring", {"sponsoring"}),
    ("Beteiligungsberichte", {"beteiligung"}),
    ("Schloss Heidecksburg", {"schloss"}),
    ("Bahnhofstrasse Sperrung", {"strasse-sperrung"}),
    ("Hunde Leinenpflicht", {"verordnung-hund"}),
    ("Ehrenamtsförderung", {"richtlinie-foerder"}),
    ("Kosten Ortsumgehung", {"ifg-antwort"}),
    ("Datenschutz Tätigkeitsbericht", {"taetigkeit"}),
    ("Schulnetzplan", {"schulnetz"}),
    ("Grundsteuerhebesatz", {"grundsteuer"}),
    ("Feuerwehrfahrzeug", {"feuerwehr"}),
    ("Radwege", {"radverkehr"}),
    ("Umleitung", {"strasse-sperrung"}),
]


def precision_at(ranked: list[str], relevant: set[str], k: int) -> float:
    """Share of relevant documents among the first `k` results (among all
    results when there are fewer; 0 for none): extra results that are not
    relevant lower it."""
    top = ranked[:k]
    return sum(1 for key in top if key in relevant) / len(top) if top else 0.0


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    """Share of the relevant documents found among the first `k` results."""
    return len(relevant & set(ranked[:k])) / len(relevant)


def index_with_fulltext(package_id: str, text: str, timeout: float = 120) -> None:
    """Index the dataset again with `text` as its documents' full text, as the
    full-text plugin's before_dataset_index does once extraction has run.

    First waits until the stack's quality worker has scored the new dataset:
    it indexes the dataset again from the tables, which do not hold this text
    (it goes straight into the index), and would drop it."""
    from ckan import logic

    from conftest import wait_until_scored

    wait_until_scored([package_id], timeout)

    default, custom = logic.package_show_default_and_custom_schemas(
        {"ignore_auth": True, "use_cache": False, "validate": False}, package_id)
    # the scheming fields (a publication's document type, dates) are top-level
    # keys only in the custom schema's dict, as when CKAN indexes a dataset
    logic.index_update_package_dicts(({**default, **custom, "fulltext": text}, custom))
