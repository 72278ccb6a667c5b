"""The demo website's texts, in our own words (facts only from the seeds, never their sentences).

Each theme: slug, then per language a title, a lead paragraph and a body of
StreamField blocks as (type, value) pairs. Rich text is plain HTML.
"""

from __future__ import annotations

from typing import Any

Body = list[tuple[str, Any]]


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


THEMES: list[dict[str, Any]] = [
    {
        "slug": "sosken-sammen",
        "nb": {
            "title": "Søsken sammen",
            "intro": "Søsken som ikke kan bo hjemme, skal få bo sammen – med mindre det er det beste for dem å bo hver for seg.",
            "body": [
                (
                    "text",
                    _p(
                        "For mange barn er en bror eller søster den eneste som har vært der hele tiden. Når et barn må flytte fra foreldrene sine, er det søsknene som bærer med seg historien, språket og minnene.",
                        "Likevel blir mange søsken i Norge plassert i hvert sitt fosterhjem. Vi driver hjem som er laget for å ta imot flere søsken på en gang, og vi arbeider for at myndighetene skal gjøre det samme til hovedregelen.",
                    ),
                ),
                (
                    "fact_box",
                    {
                        "title": "Slik gjør vi det",
                        "body": _p(
                            "Et søskenhjem har plass til opptil fem barn. De voksne får opplæring i å støtte barn som har opplevd brudd, og i å holde kontakten med familien når det er trygt."
                        ),
                    },
                ),
                (
                    "quote",
                    {
                        "quote": "Det viktigste var at lillebroren min var i rommet ved siden av.",
                        "attribution": "Ungdom, 17 år (navnet er utelatt)",
                    },
                ),
                ("key_figure", {"code": "villages"}),
            ],
        },
        "en": {
            "title": "Siblings together",
            "intro": "Brothers and sisters who cannot live at home should be able to live together – unless living apart is what is best for them.",
            "body": [
                (
                    "text",
                    _p(
                        "For many children a brother or sister is the one person who has always been there. When a child has to move away from their parents, it is the siblings who carry the shared story, language and memories.",
                        "Even so, many siblings in Norway are placed in separate foster homes. We run homes designed to take in several siblings at once, and we work for the authorities to make that the rule.",
                    ),
                ),
                (
                    "fact_box",
                    {
                        "title": "How we do it",
                        "body": _p(
                            "A sibling home has room for up to five children. The adults are trained to support children who have lived through separation, and to keep in touch with the family whenever it is safe."
                        ),
                    },
                ),
                (
                    "quote",
                    {
                        "quote": "What mattered most was that my little brother was in the room next door.",
                        "attribution": "Young person, 17 (name withheld)",
                    },
                ),
                ("key_figure", {"code": "villages"}),
            ],
        },
    },
    {
        "slug": "stabilitet",
        "nb": {
            "title": "Stabil omsorg",
            "intro": "Barn trenger voksne som blir. Hver flytting er et nytt brudd, og vi gjør det vi kan for at barnet skal slippe dem.",
            "body": [
                (
                    "text",
                    _p(
                        "Et barn som flytter mange ganger, må begynne på nytt med skole, venner og voksne hver gang. Det tærer på tilliten til at noen blir værende.",
                        "Vi følger med på hvor lenge barn venter i midlertidige hjem, og hvor ofte de flytter. Målet er at et barn skal få ett hjem det kan bli i så lenge det trenger.",
                    ),
                ),
                (
                    "accordion",
                    {
                        "heading": "Hva gir stabilitet?",
                        "items": [
                            {
                                "title": "Forberedte voksne",
                                "body": _p("Omsorgspersonene får opplæring før barnet kommer og veiledning etterpå."),
                            },
                            {
                                "title": "Få flyttinger",
                                "body": _p("Vi planlegger plasseringer slik at barnet helst bare flytter én gang."),
                            },
                            {
                                "title": "Kontakt med familien",
                                "body": _p("Samvær med foreldre og søsken planlegges ut fra barnets behov."),
                            },
                        ],
                    },
                ),
                ("key_figure", {"code": "programmes"}),
            ],
        },
        "en": {
            "title": "Stable care",
            "intro": "Children need adults who stay. Every move is another break, and we do what we can to spare the child from them.",
            "body": [
                (
                    "text",
                    _p(
                        "A child who moves many times has to start over with school, friends and adults every time. It wears down the trust that anyone will stay.",
                        "We keep track of how long children wait in temporary homes and how often they move. The aim is for a child to have one home they can stay in for as long as they need.",
                    ),
                ),
                (
                    "accordion",
                    {
                        "heading": "What makes care stable?",
                        "items": [
                            {
                                "title": "Prepared adults",
                                "body": _p("Carers are trained before the child arrives and supervised afterwards."),
                            },
                            {
                                "title": "Few moves",
                                "body": _p("We plan placements so that a child ideally moves only once."),
                            },
                            {
                                "title": "Contact with family",
                                "body": _p("Time with parents and siblings is planned around the child's needs."),
                            },
                        ],
                    },
                ),
                ("key_figure", {"code": "programmes"}),
            ],
        },
    },
    {
        "slug": "ettervern",
        "nb": {
            "title": "Ettervern til 25 år",
            "intro": "Å fylle 18 betyr ikke at man klarer seg alene. Ungdom fra barnevernet har rett til ettervern til de fyller 25.",
            "body": [
                (
                    "text",
                    _p(
                        "De fleste unge får hjelp hjemmefra lenge etter at de er myndige: en seng å komme tilbake til, noen som hjelper med den første leiekontrakten. Ungdom som har vokst opp i barnevernet, må ofte klare dette uten.",
                        "Vi følger ungdommene våre videre etter 18 år: med bolig, skole, arbeid og en voksen å ringe. Vi arbeider også for at alle kommuner skal gi ettervern av god kvalitet.",
                    ),
                ),
                (
                    "call_to_action",
                    {
                        "heading": "Vil du vite mer om ettervern?",
                        "text": "Les om hvordan vi samarbeider med kommunene.",
                        "page": None,
                        "url": "/barnekommunen/",
                        "label": "Til barnekommunen",
                    },
                ),
            ],
        },
        "en": {
            "title": "Aftercare to 25",
            "intro": "Turning 18 does not mean managing alone. Young people from child welfare have a right to aftercare until they turn 25.",
            "body": [
                (
                    "text",
                    _p(
                        "Most young people get help from home long after they come of age: a bed to come back to, someone to help with the first tenancy. Young people who grew up in care often have to do this without.",
                        "We stay with our young people after 18: with housing, school, work and an adult to call. We also work for every municipality to offer good aftercare.",
                    ),
                ),
                (
                    "call_to_action",
                    {
                        "heading": "Want to know more about aftercare?",
                        "text": "Read how we work with municipalities.",
                        "page": None,
                        "url": "/en/barnekommunen/",
                        "label": "The child municipality",
                    },
                ),
            ],
        },
    },
    {
        "slug": "barnekommunen",
        "nb": {
            "title": "Barnekommunen",
            "intro": "Kommunene har fått mer ansvar for barnevernet. Vi har tre prinsipper for en kommune som er god for barn å vokse opp i.",
            "body": [
                (
                    "text",
                    _p(
                        "Det er i kommunen barn går i barnehage og skole, får helsehjelp og – når det trengs – hjelp fra barnevernet. Derfor avgjøres mye av et barns oppvekst av hvordan kommunen organiserer tjenestene sine.",
                    ),
                ),
                (
                    "accordion",
                    {
                        "heading": "Tre prinsipper",
                        "items": [
                            {
                                "title": "En trygg oppvekst for alle",
                                "body": _p(
                                    "Tjenestene for barn og unge samarbeider, og barn får den samme hjelpen uansett hvor i kommunen de bor."
                                ),
                            },
                            {
                                "title": "Hjelp tidlig",
                                "body": _p("Familier som strever, får veiledning før problemene vokser seg store."),
                            },
                            {
                                "title": "Barn og unge blir hørt",
                                "body": _p("Barn får si sin mening i saker som gjelder dem, og meningen deres teller."),
                            },
                        ],
                    },
                ),
            ],
        },
        "en": {
            "title": "The child municipality",
            "intro": "Municipalities now carry more of the responsibility for child welfare. We have three principles for a municipality that is good to grow up in.",
            "body": [
                (
                    "text",
                    _p(
                        "It is in the municipality that children go to kindergarten and school, get health care and – when needed – help from child welfare. So much of a childhood is decided by how the municipality organises its services.",
                    ),
                ),
                (
                    "accordion",
                    {
                        "heading": "Three principles",
                        "items": [
                            {
                                "title": "A safe childhood for all",
                                "body": _p(
                                    "Services for children and young people work together, and children get the same help wherever they live."
                                ),
                            },
                            {
                                "title": "Help early",
                                "body": _p("Families who struggle get guidance before problems grow large."),
                            },
                            {
                                "title": "Children are heard",
                                "body": _p(
                                    "Children get to give their view in matters that concern them, and their view counts."
                                ),
                            },
                        ],
                    },
                ),
            ],
        },
    },
    {
        "slug": "barns-rettigheter",
        "nb": {
            "title": "Barns rettigheter",
            "intro": "Alle barn har rett til et trygt hjem, skole og helse. Vi holder myndighetene ansvarlige for at rettighetene blir oppfylt.",
            "body": [
                (
                    "text",
                    _p(
                        "FNs barnekonvensjon og FNs retningslinjer for alternativ omsorg sier hva barn uten foreldreomsorg har krav på. Mange land følger dem ikke fullt ut.",
                        "Vi dokumenterer hva barn faktisk får, og tar det opp med myndigheter i Norge og i landene vi arbeider i. Ingen barn skal miste god omsorg på grunn av alder, kjønn, funksjonsnedsettelse eller helse.",
                    ),
                ),
                (
                    "fact_box",
                    {
                        "title": "Vi arbeider for",
                        "body": "<ul><li>rett hjelp til rett tid</li><li>at søsken ikke skilles uten grunn</li><li>støtte i overgangen til voksenlivet</li><li>at barn blir hørt</li></ul>",
                    },
                ),
            ],
        },
        "en": {
            "title": "Children's rights",
            "intro": "Every child has a right to a safe home, school and health. We hold authorities to account for meeting those rights.",
            "body": [
                (
                    "text",
                    _p(
                        "The UN Convention on the Rights of the Child and the UN Guidelines for the Alternative Care of Children set out what children without parental care are entitled to. Many countries do not fully follow them.",
                        "We document what children actually receive and raise it with authorities in Norway and in the countries where we work. No child should lose good care because of age, gender, disability or health.",
                    ),
                ),
                (
                    "fact_box",
                    {
                        "title": "We work for",
                        "body": "<ul><li>the right help at the right time</li><li>siblings not being separated without reason</li><li>support in the move to adult life</li><li>children being heard</li></ul>",
                    },
                ),
            ],
        },
    },
    {
        "slug": "familiene",
        "nb": {
            "title": "Slik arbeider vi med familier",
            "intro": "Det beste for de fleste barn er å vokse opp i sin egen familie. Vi styrker familier slik at færre barn mister omsorgen de har.",
            "body": [
                (
                    "text",
                    _p(
                        "Vi arbeider med to grupper barn: de som står i fare for å miste omsorgen fra familien sin, og de som allerede har mistet den. For den første gruppen handler arbeidet om å gjøre familien sterk nok til å klare seg.",
                        "Når et barn ikke kan bo hjemme, tilbyr vi omsorg i en familie – i et SOS-hjem, et fosterhjem eller med slekt – tilpasset det enkelte barnet. Vi bygger på det som finnes i lokalsamfunnet.",
                    ),
                ),
                (
                    "quote",
                    {
                        "quote": "Vi skulle ikke ta over familien. Vi skulle hjelpe den til å klare seg selv.",
                        "attribution": "Familieveileder",
                    },
                ),
            ],
        },
        "en": {
            "title": "How we work with families",
            "intro": "For most children the best place to grow up is their own family. We strengthen families so fewer children lose the care they have.",
            "body": [
                (
                    "text",
                    _p(
                        "We work with two groups of children: those at risk of losing the care of their family, and those who have already lost it. For the first group the work is about making the family strong enough to cope.",
                        "When a child cannot live at home, we offer care in a family – an SOS home, a foster home or with relatives – suited to that child. We build on what already exists in the community.",
                    ),
                ),
                (
                    "quote",
                    {
                        "quote": "We were not there to take over the family. We were there to help it manage on its own.",
                        "attribution": "Family support worker",
                    },
                ),
            ],
        },
    },
    {
        "slug": "om-oss",
        "nb": {
            "title": "Om oss",
            "intro": "Barneby gir barn en trygg familie. Arbeidet er lokalt forankret og betales i hovedsak av faste givere.",
            "body": [
                (
                    "text",
                    _p(
                        "Organisasjonen vi er en del av, ble startet i Østerrike i 1949 og har vært i Norge siden 1964. I dag arbeider den for barn og familier i mer enn 130 land.",
                        "Nesten alle som arbeider i programmene, er ansatt lokalt. De kjenner språket, kulturen og barnas situasjon der de bor. Vi har nulltoleranse for korrupsjon, diskriminering og overgrep.",
                    ),
                ),
                ("key_figure", {"code": "countries"}),
                (
                    "call_to_action",
                    {
                        "heading": "Bli fadder",
                        "text": "Et fast månedlig beløp gir et barn en trygg familie over tid.",
                        "page": None,
                        "url": "/bli-fadder/",
                        "label": "Bli fadder",
                    },
                ),
            ],
        },
        "en": {
            "title": "About us",
            "intro": "Barneby gives children a safe family. The work is locally rooted and mostly paid for by regular donors.",
            "body": [
                (
                    "text",
                    _p(
                        "The organisation we belong to was started in Austria in 1949 and has been in Norway since 1964. Today it works for children and families in more than 130 countries.",
                        "Almost everyone working in the programmes is employed locally. They know the language, the culture and the children's situation where they live. We have zero tolerance for corruption, discrimination and abuse.",
                    ),
                ),
                ("key_figure", {"code": "countries"}),
                (
                    "call_to_action",
                    {
                        "heading": "Become a sponsor",
                        "text": "A fixed monthly amount gives a child a safe family over time.",
                        "page": None,
                        "url": "/bli-fadder/",
                        "label": "Become a sponsor",
                    },
                ),
            ],
        },
    },
    {
        "slug": "nytenking",
        "nb": {
            "title": "Nytenking",
            "intro": "Ideen om at barn uten foreldre skulle vokse opp i en familie og ikke på institusjon, var ny en gang. Vi fortsetter å prøve ut nye måter å hjelpe på.",
            "body": [
                (
                    "text",
                    _p(
                        "En stabil familie er fortsatt det viktigste vi kan gi et barn. Men hvordan vi støtter familier og lokalsamfunn, endrer seg med barnas behov.",
                        "Vi prøver ut nye tiltak i liten skala, måler hva de gir, og tar i bruk det som virker. Tallene vi bruker, henter vi fra det samme systemet som de ansatte bruker i det daglige arbeidet.",
                    ),
                ),
            ],
        },
        "en": {
            "title": "Innovation",
            "intro": "The idea that children without parents should grow up in a family rather than an institution was once new. We keep trying new ways to help.",
            "body": [
                (
                    "text",
                    _p(
                        "A stable family is still the most important thing we can give a child. But how we support families and communities changes with children's needs.",
                        "We try new approaches on a small scale, measure what they achieve and adopt what works. The figures we use come from the same system our staff use in their daily work.",
                    ),
                ),
            ],
        },
    },
]

ARTICLE_LISTS: list[dict[str, Any]] = [
    {
        "slug": "historier",
        "kind": "stories",
        "nb": {"title": "Historier", "intro": "Historier om barn, ungdom og familier. Navn og detaljer er endret."},
        "en": {
            "title": "Stories",
            "intro": "Stories about children, young people and families. Names and details have been changed.",
        },
        "articles": [
            {
                "slug": "tre-sosken-ett-hjem",
                "nb": {
                    "title": "Tre søsken, ett hjem",
                    "intro": "Da mamma ble syk, var det viktigste for Ida at hun fikk bo sammen med brødrene sine.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Ida var tolv da hun og de to småbrødrene hennes måtte flytte. Det fantes ikke ett fosterhjem som kunne ta imot alle tre, så de ble plassert hver for seg i et halvt år.",
                                "I dag bor de sammen i et søskenhjem. – Jeg trenger ikke passe på dem hele tiden lenger, sier Ida. – Nå er det noen voksne som gjør det.",
                            ),
                        )
                    ],
                },
                "en": {
                    "title": "Three siblings, one home",
                    "intro": "When her mother fell ill, what mattered most to Ida was living with her brothers.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Ida was twelve when she and her two little brothers had to move. No single foster home could take all three, so they were split up for six months.",
                                "Today they live together in a sibling home. 'I don't have to look after them all the time any more,' says Ida. 'Now there are adults who do that.'",
                            ),
                        )
                    ],
                },
            },
            {
                "slug": "forste-leilighet",
                "nb": {
                    "title": "Den første leiligheten",
                    "intro": "Amir var 19 da han flyttet for seg selv. Ettervernet gjorde at han ikke sto alene.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Depositum, strømavtale og en seng: Amir hadde ingen foreldre å spørre. Kontaktpersonen hans hjalp med papirene og kom innom den første måneden.",
                                "Nå studerer han til å bli elektriker. – Jeg visste at jeg kunne ringe, sier han. – Det var nok.",
                            ),
                        )
                    ],
                },
                "en": {
                    "title": "The first flat",
                    "intro": "Amir was 19 when he moved out on his own. Aftercare meant he did not stand alone.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Deposit, electricity contract and a bed: Amir had no parents to ask. His contact person helped with the paperwork and dropped by during the first month.",
                                "He is now training to become an electrician. 'I knew I could call,' he says. 'That was enough.'",
                            ),
                        )
                    ],
                },
            },
        ],
    },
    {
        "slug": "nyheter",
        "kind": "news",
        "nb": {"title": "Nyheter", "intro": "Nytt fra arbeidet vårt i Norge og ute."},
        "en": {"title": "News", "intro": "News from our work in Norway and abroad."},
        "articles": [
            {
                "slug": "nye-soskenhjem",
                "nb": {
                    "title": "To nye søskenhjem i år",
                    "intro": "I år åpner vi to nye hjem for søsken som ikke kan bo hjemme.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Hjemmene får plass til til sammen ti barn. De voksne som skal bo der, har fullført opplæringen, og de første barna flytter inn etter sommeren."
                            ),
                        )
                    ],
                },
                "en": {
                    "title": "Two new sibling homes this year",
                    "intro": "This year we open two new homes for siblings who cannot live at home.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Together the homes have room for ten children. The adults who will live there have completed their training, and the first children move in after the summer."
                            ),
                        )
                    ],
                },
            },
            {
                "slug": "nettsted-uten-sporing",
                "nb": {
                    "title": "Et nettsted uten sporing",
                    "intro": "Det nye nettstedet vårt setter ingen informasjonskapsler fra andre og sender ingenting til tredjeparter.",
                    "body": [
                        (
                            "text",
                            _p(
                                "Du kan lese alt uten å godta noe. Vi bruker bare de informasjonskapslene som trengs for at skjemaene skal være trygge, og du kan når som helst endre valget ditt nederst på siden."
                            ),
                        )
                    ],
                },
                "en": {
                    "title": "A website without tracking",
                    "intro": "Our new website sets no cookies from others and sends nothing to third parties.",
                    "body": [
                        (
                            "text",
                            _p(
                                "You can read everything without accepting anything. We only use the cookies needed to keep our forms safe, and you can change your choice at any time at the bottom of the page."
                            ),
                        )
                    ],
                },
            },
        ],
    },
]

CAMPAIGN: dict[str, Any] = {
    "slug": "ingen-barn-alene",
    "nb": {
        "title": "Ingen barn alene",
        "intro": "Hver måned venter barn på et hjem der søsknene kan bo sammen. Et fast beløp gjør det mulig.",
        "cta": "Bli fadder",
        "body": [
            (
                "text",
                _p(
                    "Som fadder gir du et fast beløp hver måned. Pengene går til omsorg, skole og helse for barna i programmet du velger – og til å styrke familiene rundt dem."
                ),
            )
        ],
    },
    "en": {
        "title": "No child alone",
        "intro": "Every month children wait for a home where siblings can live together. A fixed amount makes it possible.",
        "cta": "Become a sponsor",
        "body": [
            (
                "text",
                _p(
                    "As a sponsor you give a fixed amount each month. The money goes to care, school and health for the children in the programme you choose – and to strengthening the families around them."
                ),
            )
        ],
    },
}

INFO_PAGES: list[dict[str, Any]] = [
    {
        "slug": "personvern",
        "kind": "privacy",
        "nb": {
            "title": "Personvernerklæring",
            "intro": "Hvilke opplysninger vi behandler når du bruker nettstedet, hvorfor, og hvilke rettigheter du har.",
            "body": [
                (
                    "text",
                    _p(
                        "Nettstedet behandler ingen personopplysninger når du bare leser. Vi bruker ingen analyseverktøy, og ingen innhold eller skript hentes fra andre.",
                        "Når du fyller ut et skjema – for eksempel for å bli fadder, melde deg på nyhetsbrevet eller si fra om en bekymring – lagres det du skriver i vårt eget system. Hva vi bruker det til, og hvor lenge vi tar vare på det, står ved hvert skjema.",
                    ),
                ),
                (
                    "accordion",
                    {
                        "heading": "Dine rettigheter",
                        "items": [
                            {
                                "title": "Innsyn",
                                "body": _p("Du kan be om å få vite hvilke opplysninger vi har om deg."),
                            },
                            {
                                "title": "Retting og sletting",
                                "body": _p(
                                    "Du kan be oss rette feil og slette opplysninger vi ikke trenger å ta vare på. Opplysninger vi må oppbevare etter regnskapsloven, slettes når fristen er ute."
                                ),
                            },
                            {
                                "title": "Klage",
                                "body": _p(
                                    "Du kan klage til Datatilsynet hvis du mener vi behandler opplysninger om deg i strid med reglene."
                                ),
                            },
                        ],
                    },
                ),
            ],
        },
        "en": {
            "title": "Privacy statement",
            "intro": "What information we process when you use the website, why, and what rights you have.",
            "body": [
                (
                    "text",
                    _p(
                        "The website processes no personal data while you only read. We use no analytics, and no content or script is loaded from anyone else.",
                        "When you fill in a form – for example to become a sponsor, sign up for the newsletter or report a concern – what you write is stored in our own system. What we use it for, and how long we keep it, is stated by each form.",
                    ),
                ),
                (
                    "accordion",
                    {
                        "heading": "Your rights",
                        "items": [
                            {"title": "Access", "body": _p("You can ask what information we hold about you.")},
                            {
                                "title": "Correction and erasure",
                                "body": _p(
                                    "You can ask us to correct errors and delete information we do not need to keep. Information we must keep under the Accounting Act is deleted when that period ends."
                                ),
                            },
                            {
                                "title": "Complaints",
                                "body": _p(
                                    "You can complain to the Norwegian Data Protection Authority if you believe we process your data in breach of the rules."
                                ),
                            },
                        ],
                    },
                ),
            ],
        },
    },
    {
        "slug": "tilgjengelighet",
        "kind": "accessibility",
        "nb": {
            "title": "Tilgjengelighetserklæring",
            "intro": "Nettstedet skal kunne brukes av alle, også med skjermleser, forstørrelse eller bare tastatur.",
            "body": [
                (
                    "text",
                    _p(
                        "Vi har som mål å oppfylle WCAG 2.1 på nivå AA. Sidene testes automatisk med axe-core på mobil og datamaskin, på norsk og engelsk, hver gang koden endres.",
                        "Alle bilder har tekstalternativ, skjemaene fungerer uten JavaScript, og du kan hoppe rett til hovedinnholdet.",
                        "Finner du noe som ikke fungerer for deg? Si fra, så retter vi det. Du kan også klage til Digitaliseringsdirektoratet (Uu-tilsynet).",
                    ),
                ),
            ],
        },
        "en": {
            "title": "Accessibility statement",
            "intro": "The website should work for everyone, including with a screen reader, magnification or keyboard only.",
            "body": [
                (
                    "text",
                    _p(
                        "We aim to meet WCAG 2.1 at level AA. Pages are tested automatically with axe-core on mobile and desktop, in Norwegian and English, whenever the code changes.",
                        "Every image has a text alternative, the forms work without JavaScript, and you can skip straight to the main content.",
                        "Found something that does not work for you? Let us know and we will fix it. You can also complain to the Norwegian Digitalisation Agency (Uu-tilsynet).",
                    ),
                ),
            ],
        },
    },
]

HOME: dict[str, Any] = {
    "nb": {
        "title": "Barneby",
        "intro": "Vi gir barn en trygg familie, holder søsken sammen og følger ungdom til de står på egne bein.",
        "body": [
            ("key_figure", {"code": "children_in_care"}),
            (
                "call_to_action",
                {
                    "heading": "Bli fadder",
                    "text": "Et fast beløp hver måned gir barn en trygg oppvekst.",
                    "page": None,
                    "url": "/ingen-barn-alene/",
                    "label": "Slik blir du fadder",
                },
            ),
        ],
    },
    "en": {
        "title": "Barneby",
        "intro": "We give children a safe family, keep siblings together and stay with young people until they stand on their own feet.",
        "body": [
            ("key_figure", {"code": "children_in_care"}),
            (
                "call_to_action",
                {
                    "heading": "Become a sponsor",
                    "text": "A fixed amount each month gives children a safe childhood.",
                    "page": None,
                    "url": "/en/ingen-barn-alene/",
                    "label": "How to become a sponsor",
                },
            ),
        ],
    },
}


KEY_FIGURES_PAGE: dict[str, Any] = {
    "slug": "nokkeltall",
    "nb": {
        "title": "Nøkkeltall",
        "intro": "Hvor mange barnebyer og programmer har vi, og hvor mange barn, unge og familier får hjelp? Her er tallene, rett fra registrene våre.",
        "body": [
            (
                "text",
                _p(
                    "Hvert tall har en definisjon som forteller nøyaktig hva som er talt, og hvor tallet kommer fra. Tallene oppdateres av seg selv når registrene endres.",
                ),
            ),
        ],
    },
    "en": {
        "title": "Key figures",
        "intro": "How many villages and programmes do we run, and how many children, young people and families do we reach? Here are the figures, straight from our registers.",
        "body": [
            (
                "text",
                _p(
                    "Each figure comes with a definition saying exactly what was counted and where the number comes from. The figures update themselves when the registers change.",
                ),
            ),
        ],
    },
}

WHERE_WE_WORK_PAGE: dict[str, Any] = {
    "slug": "hvor-vi-jobber",
    "nb": {
        "title": "Hvor vi jobber",
        "intro": "Barnebyer, nabolagsfamilier, skoler og helsesentre i mange land. Velg en verdensdel eller et land for å se stedene.",
        "body": [],
    },
    "en": {
        "title": "Where we work",
        "intro": "Villages, families in the neighbourhood, schools and health centres in many countries. Choose a continent or a country to see the places.",
        "body": [],
    },
}

PARTNER_PAGE: dict[str, Any] = {
    "slug": "bli-partner",
    "nb": {
        "title": "Bli en partner",
        "intro": "Bedrifter kan gjøre mye for barn som ikke kan bo hos foreldrene sine: med penger, med kompetanse og med ansatte som engasjerer seg.",
        "body": [
            (
                "text",
                _p(
                    "Et partnerskap kan være en fast årlig støtte til én barneby, et felles prosjekt for ungdom på vei ut i arbeidslivet, eller en innsamling blant de ansatte. Vi finner ut av det sammen.",
                    "Alle partnere får en fast kontaktperson hos oss og en årlig rapport om hva støtten har gått til.",
                ),
            ),
        ],
    },
    "en": {
        "title": "Become a partner",
        "intro": "Companies can do a great deal for children who cannot live with their parents: with money, with know-how and with staff who get involved.",
        "body": [
            (
                "text",
                _p(
                    "A partnership can be a fixed yearly contribution to one village, a joint project for young people on their way into work, or a collection among the staff. We work it out together.",
                    "Every partner gets a named contact person with us and a yearly report on what the support went to.",
                ),
            ),
        ],
    },
}
