//! The deterministic tenant generator: realistic, messy directory data from a seed.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use uuid::Uuid;

use crate::catalog;
use crate::model::{
    AssignedLicence, Device, Group, MemberKind, MemberRef, Mfa, OrgContact, ScoreDay, SignIn,
    Subscription, Tenant, Usage, User,
};
use crate::util::{Rng, derived_uuid};

/// Naming and address conventions of one locale.
struct Locale {
    lang: &'static str,
    country: &'static str,
    country_name: &'static str,
    given: &'static [&'static str],
    family: &'static [&'static str],
    cities: &'static [(&'static str, &'static str, &'static str)],
    streets: &'static [&'static str],
    phone_prefix: &'static str,
    mobile_prefix: &'static str,
}

const LOCALES: &[Locale] = &[
    Locale {
        lang: "en-US",
        country: "US",
        country_name: "United States",
        given: &[
            "James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "DeShawn", "Linda",
            "Tyler", "Ashley", "Kevin", "Brittany", "Jose", "Megan", "Brandon", "Kayla",
        ],
        family: &[
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Garcia",
            "Miller",
            "Davis",
            "Rodriguez",
            "Martinez",
            "Hernandez",
            "Lopez",
            "O'Connor",
            "Washington",
            "Nguyen",
            "Kim",
            "Patel",
        ],
        cities: &[
            ("Seattle", "WA", "981"),
            ("Austin", "TX", "787"),
            ("Columbus", "OH", "432"),
            ("Denver", "CO", "802"),
            ("Raleigh", "NC", "276"),
        ],
        streets: &[
            "Main Street",
            "Oak Avenue",
            "Pine Street",
            "Maple Drive",
            "Lakeview Blvd",
        ],
        phone_prefix: "+1 425 555 ",
        mobile_prefix: "+1 206 555 ",
    },
    Locale {
        lang: "en-GB",
        country: "GB",
        country_name: "United Kingdom",
        given: &[
            "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Alfie",
            "Sophie", "Callum", "Niamh", "Rhys", "Siobhan",
        ],
        family: &[
            "Taylor",
            "Jones",
            "Evans",
            "Thomas",
            "Roberts",
            "Walker",
            "Wright",
            "Thompson",
            "Hughes",
            "Edwards",
            "McAllister",
            "Ferguson",
            "Ahmed",
            "Khan",
        ],
        cities: &[
            ("Manchester", "", "M1"),
            ("Leeds", "", "LS1"),
            ("Bristol", "", "BS1"),
            ("Glasgow", "", "G1"),
            ("Cardiff", "", "CF10"),
        ],
        streets: &[
            "High Street",
            "Station Road",
            "Church Lane",
            "Victoria Road",
            "Mill Lane",
        ],
        phone_prefix: "+44 161 496 0",
        mobile_prefix: "+44 7700 900",
    },
    Locale {
        lang: "de-DE",
        country: "DE",
        country_name: "Deutschland",
        given: &[
            "Lukas",
            "Anna",
            "Jürgen",
            "Sabine",
            "Maximilian",
            "Katharina",
            "Jörg",
            "Ursula",
            "Felix",
            "Lea",
            "Björn",
            "Hannelore",
        ],
        family: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schäfer",
            "Groß",
            "Köhler",
            "von Bergen",
        ],
        cities: &[
            ("München", "BY", "80"),
            ("Hamburg", "HH", "20"),
            ("Köln", "NW", "50"),
            ("Düsseldorf", "NW", "40"),
            ("Leipzig", "SN", "04"),
        ],
        streets: &[
            "Hauptstraße",
            "Bahnhofstraße",
            "Gartenweg",
            "Schillerstraße",
            "Lindenallee",
        ],
        phone_prefix: "+49 89 123456",
        mobile_prefix: "+49 151 2345",
    },
    Locale {
        lang: "fr-FR",
        country: "FR",
        country_name: "France",
        given: &[
            "Léa",
            "Hugo",
            "Chloé",
            "Théo",
            "Camille",
            "Mathéo",
            "Zoé",
            "François",
            "Anaïs",
            "Jérôme",
            "Élodie",
            "Gaëlle",
        ],
        family: &[
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Lefèvre",
            "Moreau",
            "Girard",
            "Faure",
            "Mercier",
            "Le Goff",
            "Dupont-Aignan",
        ],
        cities: &[
            ("Lyon", "", "69"),
            ("Toulouse", "", "31"),
            ("Nantes", "", "44"),
            ("Lille", "", "59"),
            ("Bordeaux", "", "33"),
        ],
        streets: &[
            "rue de la République",
            "avenue Jean Jaurès",
            "boulevard Victor Hugo",
            "rue Nationale",
            "place de la Mairie",
        ],
        phone_prefix: "+33 1 44 55 6",
        mobile_prefix: "+33 6 12 34 5",
    },
    Locale {
        lang: "es-ES",
        country: "ES",
        country_name: "España",
        given: &[
            "Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Álvaro", "Paula", "Íñigo", "Nuria",
            "Sergio",
        ],
        family: &[
            "García",
            "Fernández",
            "González",
            "Rodríguez",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez Ruiz",
            "Núñez",
        ],
        cities: &[
            ("Madrid", "M", "28"),
            ("Barcelona", "B", "08"),
            ("Valencia", "V", "46"),
            ("Sevilla", "SE", "41"),
        ],
        streets: &[
            "Calle Mayor",
            "Gran Vía",
            "Calle de Alcalá",
            "Avenida de la Constitución",
        ],
        phone_prefix: "+34 91 123 4",
        mobile_prefix: "+34 612 34 5",
    },
    Locale {
        lang: "nl-NL",
        country: "NL",
        country_name: "Nederland",
        given: &[
            "Daan", "Emma", "Sem", "Julia", "Lieke", "Bram", "Sanne", "Joris", "Femke", "Thijs",
        ],
        family: &[
            "de Jong",
            "Jansen",
            "de Vries",
            "van den Berg",
            "van Dijk",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
        ],
        cities: &[
            ("Amsterdam", "NH", "10"),
            ("Utrecht", "UT", "35"),
            ("Rotterdam", "ZH", "30"),
            ("Eindhoven", "NB", "56"),
        ],
        streets: &["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg"],
        phone_prefix: "+31 20 123 4",
        mobile_prefix: "+31 6 1234 5",
    },
    Locale {
        lang: "pl-PL",
        country: "PL",
        country_name: "Polska",
        given: &[
            "Zofia",
            "Jakub",
            "Małgorzata",
            "Łukasz",
            "Agnieszka",
            "Paweł",
            "Katarzyna",
            "Wojciech",
        ],
        family: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowska",
            "Zieliński",
        ],
        cities: &[
            ("Warszawa", "", "00"),
            ("Kraków", "", "30"),
            ("Gdańsk", "", "80"),
            ("Wrocław", "", "50"),
        ],
        streets: &[
            "ul. Marszałkowska",
            "ul. Długa",
            "ul. Piękna",
            "ul. Floriańska",
        ],
        phone_prefix: "+48 22 123 45 ",
        mobile_prefix: "+48 601 234 5",
    },
    Locale {
        lang: "sv-SE",
        country: "SE",
        country_name: "Sverige",
        given: &[
            "Elsa", "Oskar", "Åsa", "Björn", "Ingrid", "Lars", "Maja", "Göran",
        ],
        family: &[
            "Andersson",
            "Johansson",
            "Karlsson",
            "Nilsson",
            "Eriksson",
            "Larsson",
            "Öberg",
            "Åström",
        ],
        cities: &[
            ("Stockholm", "", "111"),
            ("Göteborg", "", "411"),
            ("Malmö", "", "211"),
        ],
        streets: &["Storgatan", "Drottninggatan", "Kungsgatan"],
        phone_prefix: "+46 8 123 45",
        mobile_prefix: "+46 70 123 4",
    },
    Locale {
        lang: "pt-BR",
        country: "BR",
        country_name: "Brasil",
        given: &[
            "João",
            "Maria",
            "Gabriel",
            "Ana",
            "Luís",
            "Beatriz",
            "Conceição",
            "Thiago",
        ],
        family: &[
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Pereira",
            "Araújo",
            "Gonçalves",
            "Lima",
        ],
        cities: &[
            ("São Paulo", "SP", "01"),
            ("Rio de Janeiro", "RJ", "20"),
            ("Belo Horizonte", "MG", "30"),
        ],
        streets: &["Rua das Flores", "Avenida Paulista", "Rua XV de Novembro"],
        phone_prefix: "+55 11 3456 ",
        mobile_prefix: "+55 11 91234 ",
    },
    Locale {
        lang: "ja-JP",
        country: "JP",
        country_name: "日本",
        given: &["太郎", "花子", "翔太", "美咲", "健一", "陽菜"],
        family: &["佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤"],
        cities: &[
            ("東京都", "", "100"),
            ("大阪市", "", "530"),
            ("横浜市", "", "220"),
        ],
        streets: &["千代田1-1", "中央2-3", "本町4-5"],
        phone_prefix: "+81 3 1234 ",
        mobile_prefix: "+81 90 1234 ",
    },
    Locale {
        lang: "en-IN",
        country: "IN",
        country_name: "India",
        given: &[
            "Aarav", "Priya", "Vihaan", "Ananya", "Rohan", "Sneha", "Arjun", "Kavya",
        ],
        family: &[
            "Sharma",
            "Verma",
            "Iyer",
            "Reddy",
            "Nair",
            "Gupta",
            "Chatterjee",
            "Menon",
        ],
        cities: &[
            ("Bengaluru", "KA", "560"),
            ("Pune", "MH", "411"),
            ("Chennai", "TN", "600"),
        ],
        streets: &["MG Road", "Residency Road", "Park Street"],
        phone_prefix: "+91 80 4123 ",
        mobile_prefix: "+91 98450 ",
    },
    Locale {
        lang: "tr-TR",
        country: "TR",
        country_name: "Türkiye",
        given: &["Ayşe", "Mehmet", "Elif", "Mustafa", "Zeynep", "İbrahim"],
        family: &["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk"],
        cities: &[
            ("İstanbul", "", "34"),
            ("Ankara", "", "06"),
            ("İzmir", "", "35"),
        ],
        streets: &["Atatürk Caddesi", "İstiklal Caddesi", "Cumhuriyet Sokak"],
        phone_prefix: "+90 212 123 45 ",
        mobile_prefix: "+90 532 123 45 ",
    },
];

const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "Sales",
        &[
            "Account Executive",
            "Sales Manager",
            "Business Development Rep",
            "Inside Sales Specialist",
            "VP Sales",
        ],
    ),
    (
        "Finance",
        &[
            "Accountant",
            "Financial Controller",
            "Accounts Payable Clerk",
            "CFO",
            "Payroll Specialist",
        ],
    ),
    (
        "Operations",
        &[
            "Operations Manager",
            "Logistics Coordinator",
            "Warehouse Lead",
            "COO",
        ],
    ),
    (
        "IT",
        &[
            "IT Support Technician",
            "Systems Administrator",
            "IT Manager",
            "Helpdesk Analyst",
        ],
    ),
    (
        "Human Resources",
        &[
            "HR Generalist",
            "Recruiter",
            "HR Director",
            "People Partner",
        ],
    ),
    (
        "Marketing",
        &[
            "Marketing Manager",
            "Content Writer",
            "Graphic Designer",
            "Social Media Coordinator",
        ],
    ),
    (
        "Engineering",
        &[
            "Software Engineer",
            "Senior Engineer",
            "QA Engineer",
            "Engineering Manager",
            "Site Engineer",
        ],
    ),
    (
        "Customer Service",
        &["Customer Service Rep", "Support Team Lead", "Receptionist"],
    ),
    (
        "Legal",
        &["Legal Counsel", "Paralegal", "Compliance Officer"],
    ),
    (
        "Management",
        &[
            "CEO",
            "Managing Director",
            "Office Manager",
            "Executive Assistant",
        ],
    ),
];

const COMPANY_STEMS: &[(&str, &str)] = &[
    ("Alder & Finch", "Accountancy"),
    ("Brightwater", "Dental Group"),
    ("Copperleaf", "Logistics"),
    ("Duneside", "Veterinary Practice"),
    ("Elmstead", "Property Management"),
    ("Fairhaven", "Legal Services"),
    ("Greystone", "Engineering"),
    ("Harrowgate", "Builders Merchants"),
    ("Ironbridge", "Manufacturing"),
    ("Juniper Lane", "Care Homes"),
    ("Kestrel", "Architects"),
    ("Lindqvist", "Transport"),
    ("Marchetti", "Food Imports"),
    ("Northgate", "Medical Centre"),
    ("Oakridge", "Insurance Brokers"),
    ("Pennant", "Marine Supplies"),
    ("Quarry Hill", "Hotels"),
    ("Rivermead", "Schools Trust"),
    ("Saltmarsh", "Brewing Co"),
    ("Thornbury", "Financial Planning"),
    ("Upland", "Agricultural Supplies"),
    ("Vantage", "Recruitment"),
    ("Westbrook", "Dental Laboratory"),
    ("Yardley", "Print & Design"),
    ("Zephyr", "Travel"),
    ("Bäckström", "Bygg"),
    ("Hoffmann", "Steuerberatung"),
    ("Moreau", "Cabinet d'Avocats"),
];

const SUFFIXES: &[(&str, &str)] = &[
    ("Ltd", "GB"),
    ("Ltd.", "GB"),
    ("Limited", "GB"),
    ("LLC", "US"),
    ("Inc.", "US"),
    ("Inc", "US"),
    ("GmbH", "DE"),
    ("B.V.", "NL"),
    ("S.A.", "ES"),
    ("SARL", "FR"),
    ("AB", "SE"),
    ("Pty Ltd", "AU"),
    ("", "GB"),
];

/// A generated company name with its slug and domain.
pub(crate) struct Company {
    pub display_name: String,
    pub slug: String,
    pub domain: String,
    pub country: &'static str,
}

/// A real-looking company name in one of its messy spellings.
pub(crate) fn company(rng: &mut Rng) -> Company {
    let (stem, trade) = *rng.pick(COMPANY_STEMS);
    let (suffix, country) = *rng.pick(SUFFIXES);
    let full = if suffix.is_empty() {
        format!("{stem} {trade}")
    } else {
        format!("{stem} {trade} {suffix}")
    };
    let display_name = match rng.below(9) {
        0 => full.to_uppercase(),
        1 => full.to_lowercase(),
        2 => format!("{full} (UK)"),
        3 => format!("{full} - Head Office"),
        4 => full.replace('&', "and"),
        5 => format!("{full} "),
        6 => full.replace(' ', "  "),
        7 => format!("{stem} {suffix}").trim().to_owned(),
        _ => full,
    };
    let slug: String = ascii_fold(stem)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    let tld = match country {
        "GB" => ".co.uk",
        "DE" => ".de",
        "NL" => ".nl",
        "ES" => ".es",
        "FR" => ".fr",
        "SE" => ".se",
        "AU" => ".com.au",
        _ => ".com",
    };
    let domain = format!("{slug}{}{tld}", if rng.chance(0.4) { "-group" } else { "" });
    Company {
        display_name,
        slug,
        domain,
        country,
    }
}

/// Replaces accented Latin letters by their plain forms (for mail addresses).
#[must_use]
pub fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let r: &str = match c {
            'á' | 'à' | 'â' | 'ã' | 'å' => "a",
            'ä' | 'æ' => "ae",
            'Á' | 'À' | 'Â' | 'Ã' | 'Å' => "A",
            'Ä' => "Ae",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'É' | 'È' | 'Ê' => "E",
            'í' | 'ì' | 'î' | 'ï' | 'ı' => "i",
            'Í' | 'İ' => "I",
            'ó' | 'ò' | 'ô' | 'õ' => "o",
            'ö' | 'ø' => "oe",
            'Ó' | 'Ô' => "O",
            'Ö' | 'Ø' => "Oe",
            'ú' | 'ù' | 'û' => "u",
            'ü' => "ue",
            'Ú' => "U",
            'Ü' => "Ue",
            'ñ' | 'ń' => "n",
            'Ñ' => "N",
            'ç' | 'č' | 'ć' => "c",
            'Ç' => "C",
            'ß' => "ss",
            'ł' => "l",
            'Ł' => "L",
            'ś' | 'š' | 'ş' => "s",
            'Ś' | 'Š' | 'Ş' => "S",
            'ż' | 'ź' | 'ž' => "z",
            'Ż' => "Z",
            'ğ' => "g",
            'ę' => "e",
            'ą' => "a",
            '\'' => "",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(r);
    }
    out
}

const DAY: i64 = 86_400;
const SERVICE_ACCOUNTS: &[&str] = &[
    "svc-backup",
    "Scanner - Reception",
    "Boardroom 2.14",
    "noreply",
    "Accounts Inbox",
    "sync-service",
    "Teams Room - Main Office",
    "admin",
    "Break Glass Account",
];
const PERSONAL_DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.co.uk",
    "web.de",
    "hotmail.fr",
    "icloud.com",
];
const GUEST_ORGS: &[&str] = &[
    "partnerfirm.com",
    "consultancy.co.uk",
    "auditors.de",
    "agency.io",
    "supplier.nl",
];
const UNKNOWN_SKU_PART: &str = "PREVIEW_ADDON_TRIAL";

/// Fills a tenant with `users` generated users and everything that hangs off them.
pub(crate) fn populate(tenant: &mut Tenant, users: u32, seed: u64, entra_p1: bool, now: Timestamp) {
    let mut rng = Rng::derive(seed, "users");
    let now_s = now.as_second();
    let primary = rng.index(LOCALES.len());
    let hybrid = rng.chance(0.3);
    let domain = tenant.default_domain().to_owned();
    let initial = tenant.initial_domain().to_owned();
    let company_name = tenant.display_name.trim().to_owned();

    // The licence mix of this tenant.
    let main_skus: Vec<&'static str> = if entra_p1 {
        if users > 300 {
            vec!["SPE_E3", "SPB", "O365_BUSINESS_ESSENTIALS"]
        } else {
            vec![
                "SPB",
                "SPB",
                "O365_BUSINESS_PREMIUM",
                "O365_BUSINESS_ESSENTIALS",
            ]
        }
    } else {
        vec![
            "O365_BUSINESS_PREMIUM",
            "O365_BUSINESS_ESSENTIALS",
            "O365_BUSINESS_ESSENTIALS",
            "EXCHANGESTANDARD",
        ]
    };
    // A SKU id is the same in every tenant that buys it, including one no catalogue knows.
    let unknown_sku = derived_uuid(0, "unknown-sku");
    let free = ["FLOW_FREE", "POWER_BI_STANDARD"];

    let mut upns: HashSet<String> = HashSet::with_capacity(users as usize);
    // Next number to try per address stem, so common names do not rescan 2, 3, 4...
    let mut suffixes: HashMap<String, u32> = HashMap::new();
    let mut version = tenant.version;
    for i in 0..users {
        let loc = if rng.chance(0.75) {
            &LOCALES[primary]
        } else {
            rng.pick(LOCALES)
        };
        let roll = rng.unit();
        let is_service = i > 0 && roll < 0.015;
        let guest = !is_service && i > 0 && roll < 0.075;
        let given = *rng.pick(loc.given);
        let family = *rng.pick(loc.family);
        let id = rng.uuid();
        let (display_name, given_name, surname, local) = if is_service {
            let n = *rng.pick(SERVICE_ACCOUNTS);
            let local: String = ascii_fold(n)
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
                .collect::<String>()
                .split('.')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(".");
            (n.to_owned(), None, None, local)
        } else {
            let latin = loc.lang != "ja-JP";
            let display = match (latin, rng.below(10)) {
                (false, _) => format!("{family} {given}"),
                (true, 0) => format!("{family}, {given}"),
                (true, 1) => format!("{given} {family} ({})", rng.pick(DEPARTMENTS).0),
                _ => format!("{given} {family}"),
            };
            let local = if latin {
                let g = ascii_fold(given).to_lowercase().replace(' ', "");
                let f = ascii_fold(family).to_lowercase().replace(' ', "");
                match rng.below(4) {
                    0 => format!("{}{f}", g.chars().next().unwrap_or('x')),
                    1 => g.clone(),
                    _ => format!("{g}.{f}"),
                }
            } else {
                format!("user{}", rng.below(100_000))
            };
            (
                display,
                Some(given.to_owned()),
                Some(family.to_owned()),
                local,
            )
        };
        let mut local = local;
        if local.is_empty() {
            local = format!("user{i}");
        }
        let mut upn;
        let mail: Option<String>;
        let mut proxies: Vec<Box<str>> = Vec::new();
        let mut other_mails: Vec<Box<str>> = Vec::new();
        if guest {
            let ext_domain = if rng.chance(0.5) {
                *rng.pick(PERSONAL_DOMAINS)
            } else {
                *rng.pick(GUEST_ORGS)
            };
            let ext = format!("{local}@{ext_domain}");
            upn = format!("{}#EXT#@{initial}", ext.replace('@', "_"));
            let stem = upn.clone();
            while upns.contains(&upn) {
                let n = suffixes.entry(stem.clone()).or_insert(1);
                *n += 1;
                upn = format!("{local}{n}_{ext_domain}#EXT#@{initial}");
            }
            mail = Some(ext.clone());
            proxies.push(format!("SMTP:{ext}").into());
            other_mails.push(ext.into());
        } else {
            upn = format!("{local}@{domain}");
            let stem = upn.clone();
            while upns.contains(&upn) {
                let n = suffixes.entry(stem.clone()).or_insert(1);
                *n += 1;
                upn = format!("{local}{n}@{domain}");
            }
            let has_mailbox = !is_service || rng.chance(0.5);
            mail = if has_mailbox && rng.chance(0.97) {
                Some(upn.clone())
            } else {
                None
            };
            if let Some(m) = &mail {
                proxies.push(format!("SMTP:{m}").into());
                let alias_local = m.split('@').next().unwrap_or("x");
                proxies.push(format!("smtp:{alias_local}@{initial}").into());
                if rng.chance(0.25) {
                    proxies
                        .push(format!("smtp:{}@{domain}", ascii_fold(given).to_lowercase()).into());
                }
                if rng.chance(0.1) {
                    proxies.push(format!("SIP:{m}").into());
                }
                if rng.chance(0.05) {
                    proxies.push(format!("X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={}", id.simple()).into());
                }
            } else if rng.chance(0.3) {
                // A mail-less account that still has a stale alias.
                proxies.push(format!("smtp:{local}@{initial}").into());
            }
            if rng.chance(0.08) {
                other_mails.push(
                    format!("{local}{}@{}", rng.below(99), rng.pick(PERSONAL_DOMAINS)).into(),
                );
            }
        }
        upns.insert(upn.clone());

        let (dept, titles) = *rng.pick(DEPARTMENTS);
        let has_title = !is_service && !guest && rng.chance(0.85);
        let job_title = has_title.then(|| *rng.pick(titles));
        let department = (!is_service && !guest && rng.chance(0.8)).then_some(dept);
        let (city, state, postal_prefix) = *rng.pick(loc.cities);
        let has_address = !guest && !is_service && rng.chance(0.6);
        let street =
            has_address.then(|| format!("{} {}", rng.range(1, 240), rng.pick(loc.streets)));
        let postal = has_address.then(|| format!("{postal_prefix}{:03}", rng.below(1000)));
        let business_phone = (!guest && !is_service && rng.chance(0.7))
            .then(|| format!("{}{:03}", loc.phone_prefix, rng.below(1000)));
        let mobile = (!guest && !is_service && rng.chance(0.55))
            .then(|| format!("{}{:03}", loc.mobile_prefix, rng.below(1000)));

        let disabled = !guest && rng.chance(if is_service { 0.3 } else { 0.05 });
        let mut licences = Vec::new();
        if !guest && !is_service && rng.chance(if disabled { 0.4 } else { 0.92 }) {
            let part = *rng.pick(&main_skus);
            if let Some(d) = catalog::sku_by_part(part) {
                let disabled_plans: Box<[Uuid]> = if rng.chance(0.05) {
                    d.plans.first().map(|p| p.id).into_iter().collect()
                } else {
                    Box::new([])
                };
                licences.push(AssignedLicence {
                    sku_id: d.sku_id,
                    disabled_plans,
                });
            }
            if rng.chance(0.15)
                && let Some(d) = catalog::sku_by_part(free[rng.index(free.len())])
            {
                licences.push(AssignedLicence {
                    sku_id: d.sku_id,
                    disabled_plans: Box::new([]),
                });
            }
            if rng.chance(0.03) {
                licences.push(AssignedLicence {
                    sku_id: unknown_sku,
                    disabled_plans: Box::new([]),
                });
            }
        }

        let created =
            (!rng.chance(0.02)).then(|| now_s - rng.range(30, 6 * 365) * DAY - rng.range(0, DAY));
        let password_changed = created.unwrap_or(now_s - 8 * 365 * DAY) + rng.range(0, 300) * DAY;
        let password_changed = password_changed.min(now_s - DAY);
        let active = !disabled && rng.chance(0.88);
        let sign_in = if active {
            let last = now_s - rng.range(0, 40) * DAY - rng.range(0, DAY);
            SignIn {
                interactive: Some(last),
                non_interactive: rng
                    .chance(0.75)
                    .then(|| now_s - rng.range(0, 5) * DAY - rng.range(0, DAY)),
                successful: rng.chance(0.8).then_some(last),
            }
        } else if rng.chance(0.5) {
            SignIn {
                interactive: Some(now_s - rng.range(90, 900) * DAY),
                non_interactive: None,
                successful: None,
            }
        } else {
            SignIn::default()
        };
        let mfa_roll = rng.unit();
        let methods: u16 = if guest || mfa_roll < 0.18 {
            0
        } else if mfa_roll < 0.25 {
            1 << 3 // email only: SSPR, not MFA
        } else if mfa_roll < 0.7 {
            1 | (1 << 1)
        } else if mfa_roll < 0.9 {
            1 << 2
        } else {
            1 | (1 << 2) | (1 << 5)
        };
        let mfa = Mfa {
            methods,
            mfa_allowed: methods != 0 && rng.chance(0.95),
            sspr_registered: methods != 0,
            preferred: if methods & 1 != 0 {
                1
            } else if methods & (1 << 2) != 0 {
                3
            } else {
                0
            },
            is_admin: i == 0 || (rng.chance(0.01) && !guest),
            updated: now_s - rng.range(1, 400) * DAY,
        };
        let has_mailbox = mail.is_some() && !guest;
        let day = |r: &mut Rng, max: i64| i32::try_from((now_s - r.range(0, max) * DAY) / DAY).ok();
        let usage = Usage {
            items: if has_mailbox {
                u32::try_from(rng.range(0, 90_000)).unwrap_or(0)
            } else {
                0
            },
            storage_bytes: if has_mailbox {
                u64::try_from(rng.range(1_000_000, 48_000_000_000)).unwrap_or(0)
            } else {
                0
            },
            deleted_items: if has_mailbox {
                u32::try_from(rng.range(0, 5_000)).unwrap_or(0)
            } else {
                0
            },
            deleted_bytes: if has_mailbox {
                u64::try_from(rng.range(0, 900_000_000)).unwrap_or(0)
            } else {
                0
            },
            exchange_day: (has_mailbox && active).then(|| day(&mut rng, 20)).flatten(),
            onedrive_day: (active && rng.chance(0.6))
                .then(|| day(&mut rng, 25))
                .flatten(),
            sharepoint_day: (active && rng.chance(0.5))
                .then(|| day(&mut rng, 25))
                .flatten(),
            teams_day: (active && rng.chance(0.8))
                .then(|| day(&mut rng, 10))
                .flatten(),
            has_archive: has_mailbox && rng.chance(0.1),
        };

        let s = &mut tenant.strings;
        version += 1;
        let user = User {
            id,
            display_name: display_name.into(),
            given_name: given_name.map(Into::into),
            surname: surname.map(Into::into),
            upn: upn.into(),
            mail: mail.map(Into::into),
            mobile_phone: mobile.map(Into::into),
            business_phone: business_phone.map(Into::into),
            street_address: street.map(Into::into),
            postal_code: postal.map(Into::into),
            job_title: s.intern(job_title),
            department: s.intern(department),
            company_name: s.intern((!guest && rng.chance(0.3)).then_some(company_name.as_str())),
            city: s.intern(has_address.then_some(city)),
            state: s.intern((has_address && !state.is_empty()).then_some(state)),
            country: s.intern(has_address.then_some(loc.country_name)),
            office_location: s.intern((!guest && rng.chance(0.5)).then_some(city)),
            preferred_language: s.intern((!guest && rng.chance(0.6)).then_some(loc.lang)),
            usage_location: s.intern((!licences.is_empty()).then_some(loc.country)),
            proxy_addresses: proxies.into(),
            other_mails: other_mails.into(),
            account_enabled: !disabled,
            guest,
            on_premises_sync: if hybrid && !guest && !is_service {
                Some(true)
            } else if hybrid && rng.chance(0.1) {
                Some(false)
            } else {
                None
            },
            licences: licences.into(),
            created,
            password_changed,
            sign_in,
            mfa,
            usage,
            version,
        };
        tenant.users.insert(user.id, user);
    }
    tenant.version = version;

    // Subscriptions: every SKU in use, with some spare seats.
    let mut used: Vec<Uuid> = Vec::new();
    for u in tenant.users.values() {
        for l in u.licences.iter() {
            if !used.contains(&l.sku_id) {
                used.push(l.sku_id);
            }
        }
    }
    for part in main_skus.iter().chain(free.iter()) {
        if let Some(d) = catalog::sku_by_part(part)
            && !used.contains(&d.sku_id)
        {
            used.push(d.sku_id);
        }
    }
    used.sort();
    for sku_id in used {
        let consumed = tenant.consumed_units(&sku_id);
        let (part, free_sku) = if sku_id == unknown_sku {
            (UNKNOWN_SKU_PART.to_owned(), false)
        } else {
            catalog::sku_by_id(&sku_id).map_or(("UNKNOWN".to_owned(), false), |d| {
                (d.part_number.to_owned(), d.free)
            })
        };
        let enabled = if free_sku {
            10_000
        } else {
            consumed + u32::try_from(rng.range(0, 5)).unwrap_or(0)
        };
        let warning = rng.chance(0.05);
        tenant.subscriptions.push(Subscription {
            sku_id,
            part_number: part,
            capability_status: if warning {
                "Warning".to_owned()
            } else {
                "Enabled".to_owned()
            },
            enabled: if warning { 0 } else { enabled },
            suspended: 0,
            warning: if warning { enabled } else { 0 },
            subscription_id: derived_uuid(seed, &format!("subscription/{sku_id}")),
        });
    }
    // Make sure the P1 choice holds even for an empty tenant.
    if entra_p1
        && !tenant.has_premium()
        && let Some(d) = catalog::sku_by_part("AAD_PREMIUM")
    {
        tenant.subscriptions.push(Subscription {
            sku_id: d.sku_id,
            part_number: d.part_number.to_owned(),
            capability_status: "Enabled".to_owned(),
            enabled: 5,
            suspended: 0,
            warning: 0,
            subscription_id: derived_uuid(seed, "subscription/p1"),
        });
    }

    generate_groups(tenant, seed, &mut rng, now_s);
    if tenant.has_intune() {
        generate_devices(tenant, &mut rng, now_s);
    }
    generate_scores(tenant, &mut rng, now_s);
}

fn generate_groups(tenant: &mut Tenant, seed: u64, rng: &mut Rng, now_s: i64) {
    let domain = tenant.default_domain().to_owned();
    let make = |name: &str, unified: bool, members: Vec<MemberRef>, rng: &mut Rng| {
        let nickname: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        Group {
            id: derived_uuid(seed, &format!("group/{name}")),
            display_name: name.to_owned(),
            description: rng.chance(0.6).then(|| format!("{name} team")),
            mail: unified.then(|| format!("{}@{domain}", nickname.to_lowercase())),
            mail_nickname: nickname,
            unified,
            visibility: unified
                .then(|| if rng.chance(0.7) { "Private" } else { "Public" }.to_owned()),
            created: now_s - rng.range(30, 2000) * DAY,
            members,
        }
    };
    let mut top_members = Vec::new();
    let mut groups = Vec::new();
    for (dept, _) in DEPARTMENTS {
        let dept_users: Vec<MemberRef> = tenant
            .users
            .values()
            .filter(|u| tenant.strings.get(u.department) == Some(dept))
            .map(|u| MemberRef {
                kind: MemberKind::User,
                id: u.id,
            })
            .collect();
        if dept_users.is_empty() {
            continue;
        }
        // Split a third of the department off into a nested sub-team (second level).
        let split = dept_users.len() / 3;
        let mut dept_group = make(dept, rng.chance(0.5), dept_users[split..].to_vec(), rng);
        if split > 0 {
            let sub = make(
                &format!("{dept} - Regional"),
                false,
                dept_users[..split].to_vec(),
                rng,
            );
            dept_group.members.push(MemberRef {
                kind: MemberKind::Group,
                id: sub.id,
            });
            groups.push(sub);
        }
        top_members.push(MemberRef {
            kind: MemberKind::Group,
            id: dept_group.id,
        });
        groups.push(dept_group);
    }
    // Everyone without a department sits directly in the top group.
    top_members.extend(
        tenant
            .users
            .values()
            .filter(|u| !u.guest && u.department == crate::model::Sym::NONE)
            .map(|u| MemberRef {
                kind: MemberKind::User,
                id: u.id,
            }),
    );
    let all = make("All Company", true, top_members, rng);
    groups.push(all);
    let guests: Vec<MemberRef> = tenant
        .users
        .values()
        .filter(|u| u.guest)
        .map(|u| MemberRef {
            kind: MemberKind::User,
            id: u.id,
        })
        .collect();
    if !guests.is_empty() {
        groups.push(make("External Collaborators", false, guests, rng));
    }
    // A mixed group: a few users, a device, an organisational contact.
    let contact = OrgContact {
        id: derived_uuid(seed, "contact/0"),
        display_name: "Outsourced Payroll Desk".to_owned(),
        mail: Some("payroll@payroll-bureau.example".to_owned()),
    };
    let mut mixed: Vec<MemberRef> = tenant
        .users
        .values()
        .filter(|u| !u.guest)
        .take(3)
        .map(|u| MemberRef {
            kind: MemberKind::User,
            id: u.id,
        })
        .collect();
    mixed.push(MemberRef {
        kind: MemberKind::OrgContact,
        id: contact.id,
    });
    mixed.push(MemberRef {
        kind: MemberKind::Device,
        id: derived_uuid(seed, "device/kiosk"),
    });
    tenant.contacts.push(contact);
    groups.push(make("Device Compliance Pilot", false, mixed, rng));
    for g in groups {
        tenant.groups.insert(g.id, g);
    }
}

fn generate_devices(tenant: &mut Tenant, rng: &mut Rng, now_s: i64) {
    const KINDS: &[(&str, &str, &str, &[&str])] = &[
        (
            "Windows",
            "Dell Inc.",
            "Latitude 5440",
            &["10.0.22631.4169", "10.0.19045.5011", "10.0.26100.2033"],
        ),
        (
            "Windows",
            "LENOVO",
            "ThinkPad T14 Gen 4",
            &["10.0.22631.4169", "10.0.26100.2033"],
        ),
        ("Windows", "HP", "EliteBook 840 G10", &["10.0.22621.3880"]),
        ("iOS", "Apple", "iPhone 15", &["17.6.1", "18.1"]),
        ("Android", "samsung", "SM-S921B", &["14", "15"]),
        (
            "macOS",
            "Apple",
            "MacBook Air (M2, 2022)",
            &["14.6.1", "15.1"],
        ),
    ];
    const STATES: &[&str] = &[
        "compliant",
        "compliant",
        "compliant",
        "noncompliant",
        "inGracePeriod",
        "unknown",
        "conflict",
        "error",
    ];
    let mut devices = Vec::new();
    for u in tenant.users.values() {
        if u.guest || !u.account_enabled || u.licences.is_empty() || !rng.chance(0.7) {
            continue;
        }
        let count = if rng.chance(0.3) { 2 } else { 1 };
        for _ in 0..count {
            let (os, maker, model, versions) = *rng.pick(KINDS);
            let serial = format!("{:08X}", rng.next_u64() & 0xFFFF_FFFF);
            let enrolled = now_s - rng.range(10, 1200) * DAY;
            let total = *rng.pick(&[128_u64, 256, 512]) * 1_000_000_000;
            devices.push(Device {
                id: rng.uuid(),
                azure_ad_device_id: rng.uuid(),
                user_id: u.id,
                device_name: match os {
                    "Windows" => format!("DESKTOP-{}", &serial[..7]),
                    "iOS" => format!("{}'s iPhone", u.given_name.as_deref().unwrap_or("User")),
                    "Android" => format!(
                        "{}_Android_{}",
                        u.given_name.as_deref().unwrap_or("User"),
                        &serial[..4]
                    ),
                    _ => format!(
                        "{}'s MacBook Air",
                        u.given_name.as_deref().unwrap_or("User")
                    ),
                },
                operating_system: os,
                os_version: (*rng.pick(versions)).to_owned(),
                compliance_state: STATES[rng.index(STATES.len())],
                owner_type: if os == "Android" && rng.chance(0.5) {
                    "personal"
                } else {
                    "company"
                },
                manufacturer: maker,
                model,
                serial_number: serial,
                is_encrypted: rng.chance(0.85),
                enrolled,
                last_sync: now_s - rng.range(0, 30) * DAY - rng.range(0, DAY),
                total_storage: total,
                free_storage: total / 100 * u64::try_from(rng.range(5, 80)).unwrap_or(10),
            });
        }
    }
    tenant.devices = devices;
}

fn generate_scores(tenant: &mut Tenant, rng: &mut Rng, now_s: i64) {
    const CONTROLS: &[(&str, &str)] = &[
        ("Identity", "AdminMFAV2"),
        ("Identity", "MFARegistrationV2"),
        ("Identity", "BlockLegacyAuthentication"),
        ("Data", "DLPEnabled"),
        ("Apps", "mdo_safeattachments"),
        ("Device", "IntuneCompliance"),
    ];
    let max = f64::from(u32::try_from(rng.range(180, 720)).unwrap_or(300));
    let mut score = (max * (0.25 + rng.unit() * 0.5)).round();
    let licensed = u32::try_from(
        tenant
            .users
            .values()
            .filter(|u| !u.licences.is_empty())
            .count(),
    )
    .unwrap_or(0);
    let active = u32::try_from(
        tenant
            .users
            .values()
            .filter(|u| u.sign_in.interactive.is_some())
            .count(),
    )
    .unwrap_or(0);
    let today = now_s - now_s.rem_euclid(DAY);
    let mut days = Vec::with_capacity(90);
    for d in 0..90 {
        let controls = CONTROLS
            .iter()
            .map(|(cat, name)| (*cat, *name, (rng.unit() * 30.0).round()))
            .collect();
        days.push(ScoreDay {
            created: today - d * DAY + 3 * 3600,
            current: score,
            max,
            active_users: active,
            licensed_users: licensed,
            controls,
        });
        // Walking back in time: the score was usually a little lower.
        score = (score - (rng.unit() * 6.0 - 1.5).round()).clamp(0.0, max);
    }
    tenant.scores = days;
}
