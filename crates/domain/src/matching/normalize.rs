//! Company names as the matcher compares them: folded to plain lower-case letters, split into
//! words, with legal forms, leading articles and "and" removed and common abbreviations spelled
//! out, so "The Smith & Sons Plumbing Co., Ltd." and "Smith and Sons Plumbing" compare equal.

use unicode_normalization::UnicodeNormalization;

/// A name as the matcher sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameKey {
    /// The significant words, in the order written.
    pub tokens: Vec<String>,
    /// The words left out (legal forms, articles), as they were folded, for explanations.
    pub removed: Vec<String>,
    /// The significant words joined without spaces.
    pub compact: String,
    /// The name was a domain ("contoso.com"), and the words come from its first label.
    pub from_domain: bool,
}

impl NameKey {
    /// Parses a name (an organization's, an alias, or a tenant's display name).
    pub fn new(name: &str) -> Self {
        let folded = fold(name);
        let trimmed = folded.trim();
        if let Some(label) = domain_label(trimmed) {
            let mut key = Self::from_words(&label.replace(['-', '_'], " "));
            key.from_domain = true;
            return key;
        }
        Self::from_words(trimmed)
    }

    /// The key of a domain's first label ("contosoltd" of contosoltd.onmicrosoft.com).
    pub fn of_label(label: &str) -> Self {
        let mut key = Self::from_words(&fold(label).replace(['-', '_'], " "));
        key.from_domain = true;
        key
    }

    fn from_words(text: &str) -> Self {
        let mut words = words(text);
        let mut removed = Vec::new();
        strip_legal_forms(&mut words, &mut removed);
        strip_articles(&mut words, &mut removed);
        remove_connectors(&mut words);
        let words = join_initials(words);
        let tokens: Vec<String> = words.into_iter().map(|w| canonical(&w)).collect();
        let compact = tokens.concat();
        Self {
            tokens,
            removed,
            compact,
            from_domain: false,
        }
    }

    /// Nothing significant is left (an empty name, or one made only of punctuation).
    pub fn is_empty(&self) -> bool {
        self.compact.is_empty()
    }

    /// The first letters of the words, when there are at least two.
    pub fn initials(&self) -> Option<String> {
        (self.tokens.len() >= 2).then(|| {
            self.tokens
                .iter()
                .filter_map(|t| t.chars().next())
                .collect()
        })
    }
}

/// Lower case, accents and other marks removed, letters without a decomposition spelled in
/// plain letters (ß → ss, ø → o, æ → ae), compatibility forms unified (ﬁ → fi, full-width → ASCII).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            '’' | '‘' | '`' | '´' => out.push('\''),
            '–' | '—' | '‐' | '‑' => out.push('-'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Suffixes of two labels under which companies register (contoso.co.uk).
const SECOND_LEVEL: &[&str] = &[
    "co", "com", "org", "net", "ac", "gov", "ltd", "plc", "or", "ne", "gv", "edu",
];

/// When the whole name is a domain ("contoso.com", "www.smith-plumbing.co.uk"), the label that
/// names the company.
fn domain_label(name: &str) -> Option<String> {
    if name.contains(char::is_whitespace) || !name.contains('.') {
        return None;
    }
    let name = name.strip_prefix("www.").unwrap_or(name);
    if let Some(prefix) = name.strip_suffix(".onmicrosoft.com") {
        return (!prefix.contains('.')).then(|| prefix.to_owned());
    }
    let labels: Vec<&str> = name.split('.').collect();
    let tld = labels.last()?;
    let plausible = labels.len() >= 2
        && (2..=24).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        });
    if !plausible {
        return None;
    }
    let mut end = labels.len() - 1;
    if end >= 2 && SECOND_LEVEL.contains(&labels[end - 1]) {
        end -= 1;
    }
    labels.get(end - 1).map(|l| (*l).to_owned())
}

/// Splits folded text into words: letters and digits, with apostrophes dropped ("o'brien" →
/// "obrien") and dotted abbreviations closed up ("s.a.r.l." → "sarl", "co." → "co").
fn words(text: &str) -> Vec<String> {
    let spaced: String = text
        .chars()
        .map(|c| match c {
            '&' | '+' => ' ',
            c if c.is_alphanumeric() || c == '.' || c == '\'' => c,
            _ => ' ',
        })
        .collect();
    let mut out = Vec::new();
    for chunk in spaced.split_whitespace() {
        let chunk: String = chunk.chars().filter(|c| *c != '\'').collect();
        let parts: Vec<&str> = chunk.split('.').filter(|p| !p.is_empty()).collect();
        let dotted_letters = parts.len() >= 2 && parts.iter().all(|p| p.chars().count() == 1);
        if dotted_letters {
            out.push(parts.concat());
        } else if parts.len() >= 2 && is_domain_tail(parts.last().copied().unwrap_or_default()) {
            // "Contoso.com Inc" names a company after its domain: keep its name.
            out.extend(parts[..parts.len() - 1].iter().map(|p| (*p).to_owned()));
        } else {
            out.extend(parts.into_iter().map(str::to_owned));
        }
    }
    // A bare "&" or "+" between words became a space above; "and" words are removed later.
    out
}

fn is_domain_tail(s: &str) -> bool {
    matches!(
        s,
        "com" | "net" | "org" | "io" | "co" | "de" | "fr" | "nl" | "uk" | "eu" | "biz" | "info"
    )
}

/// Legal forms of many countries, folded and closed up as `words` leaves them.
const LEGAL_FORMS: &[&str] = &[
    // English-speaking countries
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "pty",
    "pte",
    "pvt",
    "lc",
    "pllc",
    "pc",
    "ulc",
    "cic",
    // German-speaking countries
    "gmbh",
    "ag",
    "kg",
    "kgaa",
    "ohg",
    "ug",
    "mbh",
    "ev",
    "gbr",
    // French, Spanish, Italian, Portuguese
    "sarl",
    "sa",
    "sas",
    "sasu",
    "eurl",
    "sci",
    "snc",
    "scs",
    "sl",
    "slu",
    "srl",
    "spa",
    "sapa",
    "sc",
    "scp",
    "lda",
    "ltda",
    "eireli",
    "epp",
    "cia",
    "sau",
    // Dutch, Belgian, Scandinavian, Finnish, Baltic
    "bv",
    "nv",
    "vof",
    "cv",
    "bvba",
    "sprl",
    "ab",
    "as",
    "asa",
    "aps",
    "oy",
    "oyj",
    "ky",
    "hf",
    "ehf",
    "ou",
    "sia",
    "uab",
    // Central and Eastern Europe
    "sro",
    "spzoo",
    "zoo",
    "sp",
    "doo",
    "dd",
    "kft",
    "zrt",
    "nyrt",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ad",
    "eood",
    "ood",
    "tov",
    // Elsewhere
    "kk",
    "yk",
    "bhd",
    "sdn",
    "tbk",
    "pt",
    "jsc",
    "cjsc",
    "saog",
    "wll",
    "fze",
    "fzco",
    "fzllc",
];

/// Legal forms written as several words, as `words` leaves them.
const LEGAL_PHRASES: &[&[&str]] = &[
    &["sp", "z", "oo"],
    &["s", "r", "o"],
    &["kabushiki", "kaisha"],
    &["kabushiki", "gaisha"],
    &["limited", "liability", "company"],
    &["public", "limited", "company"],
    &["private", "limited"],
    &["besloten", "vennootschap"],
    &["naamloze", "vennootschap"],
    &["sdn", "bhd"],
    &["and", "co"],
    &["und", "co"],
    &["et", "cie"],
    &["y", "cia"],
    &["e", "c"],
];

/// Legal forms that often come first ("AB Volvo", "OOO Romashka", "PT Maju").
const LEADING_LEGAL: &[&str] = &[
    "ab", "as", "oy", "pt", "ooo", "oao", "zao", "pao", "tov", "sia", "uab",
];

fn is_legal(word: &str) -> bool {
    LEGAL_FORMS.contains(&word)
}

/// Removes legal forms from the end (repeatedly: "GmbH & Co. KG", "Co., Ltd.") and from the start,
/// never the last remaining word.
fn strip_legal_forms(words: &mut Vec<String>, removed: &mut Vec<String>) {
    loop {
        if words.len() <= 1 {
            break;
        }
        if let Some(phrase) = LEGAL_PHRASES.iter().find(|p| {
            words.len() > p.len()
                && words[words.len() - p.len()..]
                    .iter()
                    .zip(p.iter())
                    .all(|(a, b)| a == b)
        }) {
            let at = words.len() - phrase.len();
            removed.push(words.split_off(at).join(" "));
            continue;
        }
        if words.last().is_some_and(|w| is_legal(w)) {
            if let Some(w) = words.pop() {
                removed.push(w);
            }
            continue;
        }
        break;
    }
    if words.len() > 1 && LEADING_LEGAL.contains(&words[0].as_str()) {
        removed.push(words.remove(0));
    }
}

/// Articles that begin many company names.
const ARTICLES: &[&str] = &[
    "the", "die", "der", "das", "la", "le", "les", "el", "los", "las", "il", "lo", "het", "de",
    "een", "a", "an",
];

/// Removes a leading article, unless it is the first of a run of initials ("A B C Plumbing").
fn strip_articles(words: &mut Vec<String>, removed: &mut Vec<String>) {
    if words.len() > 1 && ARTICLES.contains(&words[0].as_str()) && words[1].chars().count() > 1 {
        removed.push(words.remove(0));
    }
}

/// "And" in several languages: it carries nothing once "&" is written as a space.
const CONNECTORS: &[&str] = &["and", "und", "et", "en", "og", "och", "ja", "y", "e", "i"];

fn remove_connectors(words: &mut Vec<String>) {
    let n = words.len();
    let drop: Vec<bool> = (0..n)
        .map(|i| {
            let w = words[i].as_str();
            if !CONNECTORS.contains(&w) || i == 0 || i + 1 == n {
                return false;
            }
            // A one-letter connector only between two real words, so initials stay whole.
            w.chars().count() > 1
                || (words[i - 1].chars().count() > 1 && words[i + 1].chars().count() > 1)
        })
        .collect();
    let mut i = 0;
    words.retain(|_| {
        let keep = !drop[i];
        i += 1;
        keep
    });
}

/// Runs of one-letter words are initials written with spaces or dots: "A B C" → "abc".
fn join_initials(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut run = String::new();
    for w in words {
        if w.chars().count() == 1 && w.chars().all(char::is_alphabetic) {
            run.push_str(&w);
        } else {
            if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
            out.push(w);
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// Abbreviations spelled one way, and plural and singular made one ("Services" = "Svcs" = "Service").
fn canonical(word: &str) -> String {
    let w = match word {
        "intl" | "int'l" | "internat" | "international" => "international",
        "svc" | "svcs" | "serv" | "services" | "service" => "service",
        "sys" | "systems" | "system" => "system",
        "tech" | "techn" | "technology" | "technologies" => "technology",
        "sol" | "solutions" | "solution" => "solution",
        "mfg" | "manufacturing" => "manufacturing",
        "bros" | "brothers" => "brothers",
        "assoc" | "assocs" | "associates" | "association" => "associates",
        "natl" | "national" => "national",
        "grp" | "group" => "group",
        "mgmt" | "mgt" | "management" => "management",
        "consulting" | "consultants" | "consultancy" | "consultant" => "consulting",
        "univ" | "university" => "university",
        "hosp" | "hospital" => "hospital",
        "lab" | "labs" | "laboratory" | "laboratories" => "laboratory",
        "ind" | "inds" | "industries" | "industry" => "industries",
        "dept" | "department" => "department",
        "ctr" | "cntr" | "center" | "centre" => "center",
        "st" | "saint" => "saint",
        "mt" | "mount" => "mount",
        "dr" | "doctor" => "doctor",
        "ent" | "enterprises" | "enterprise" => "enterprises",
        "hldgs" | "hldg" | "holdings" | "holding" => "holdings",
        "partners" | "partner" | "ptnrs" => "partners",
        "medical" | "med" => "medical",
        "dental" | "dent" => "dental",
        "fin" | "financial" => "financial",
        "ins" | "insurance" => "insurance",
        "elec" | "electric" | "electrical" => "electric",
        "eng" | "engg" | "engineering" => "engineering",
        "constr" | "construction" => "construction",
        "dist" | "distribution" | "distributors" => "distribution",
        _ => word,
    };
    w.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Vec<String> {
        NameKey::new(s).tokens
    }

    #[test]
    fn legal_forms_in_many_spellings_are_removed() {
        for name in [
            "Contoso Ltd.",
            "CONTOSO LIMITED",
            "Contoso",
            "Contoso GmbH",
            "Contoso GmbH & Co. KG",
            "Contoso S.A.R.L.",
            "Contoso S.A.",
            "Contoso Pty Ltd",
            "Contoso Co., Ltd.",
            "Contoso Sp. z o.o.",
            "Contoso s.r.o.",
            "AB Contoso",
            "Contoso B.V.",
            "Contoso Inc",
            "The Contoso Corporation",
            "Contoso Kabushiki Kaisha",
            "Contoso Oy",
        ] {
            assert_eq!(key(name), ["contoso"], "{name}");
        }
        assert_eq!(NameKey::new("Contoso Ltd.").removed, ["ltd"]);
    }

    #[test]
    fn and_ampersand_and_their_translations_compare_equal() {
        let expected = ["smith", "sons", "plumbing"];
        for name in [
            "Smith & Sons Plumbing",
            "Smith and Sons Plumbing LLC",
            "SMITH + SONS PLUMBING, INC.",
        ] {
            assert_eq!(key(name), expected, "{name}");
        }
        assert_eq!(key("Müller und Söhne"), ["muller", "sohne"]);
        assert_eq!(key("Dupont et Fils SARL"), ["dupont", "fils"]);
    }

    #[test]
    fn accents_and_special_letters_fold_to_plain_letters() {
        assert_eq!(key("Ærø Straße Café"), ["aero", "strasse", "cafe"]);
        assert_eq!(key("Łódź Żywiec"), ["lodz", "zywiec"]);
        assert_eq!(key("ＣＯＮＴＯＳＯ"), ["contoso"]);
        assert_eq!(key("L’Oréal"), ["loreal"]);
    }

    #[test]
    fn a_name_that_is_a_domain_becomes_its_label() {
        let k = NameKey::new("contoso.com");
        assert!(k.from_domain);
        assert_eq!(k.tokens, ["contoso"]);
        assert_eq!(key("www.smith-plumbing.co.uk"), ["smith", "plumbing"]);
        assert_eq!(key("Contoso.com Inc."), ["contoso"]);
    }

    #[test]
    fn initials_written_with_dots_or_spaces_are_one_word() {
        assert_eq!(key("I.B.M."), ["ibm"]);
        assert_eq!(key("A B C Plumbing"), ["abc", "plumbing"]);
        assert_eq!(key("A&E Heating"), ["ae", "heating"]);
        assert_eq!(
            NameKey::new("International Business Machines")
                .initials()
                .as_deref(),
            Some("ibm")
        );
    }

    #[test]
    fn abbreviations_and_plurals_are_spelled_one_way() {
        assert_eq!(key("Acme Intl Svcs"), key("ACME International Services"));
        assert_eq!(key("Northwind Tech"), key("Northwind Technologies"));
    }

    #[test]
    fn a_name_made_only_of_a_legal_form_keeps_it() {
        assert_eq!(key("Limited"), ["limited"]);
        assert!(NameKey::new(" -- ").is_empty());
    }
}
