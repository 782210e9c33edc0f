//! How alike two names are, and what domains say about a tenant and an organization: each score
//! in [0, 1] with the reason behind it, in words a reviewer can check.

use super::normalize::NameKey;
use std::fmt;

/// How a name comparison found its best agreement.
#[derive(Clone, Debug, PartialEq)]
pub enum NameMatch {
    /// The same significant words in the same order; the words left out of either name.
    Same { removed: Vec<String> },
    /// The same words in another order.
    Reordered,
    /// The same letters, spaced or hyphenated differently ("Smith-Jones" / "SmithJones").
    SameLetters,
    /// One name is the initials of the other.
    Initials { short: String },
    /// Some words in common (exactly or spelled nearly alike).
    Words {
        shared: Vec<String>,
        near: Vec<(String, String)>,
    },
    /// Spelled nearly alike as a whole.
    Spelling,
}

/// Which of an organization's names agreed with the tenant's.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Name,
    Alias(String),
}

/// A name comparison: its score, what agreed, and with which of the organization's names.
#[derive(Clone, Debug, PartialEq)]
pub struct NameEvidence {
    pub score: f64,
    pub how: NameMatch,
    pub source: Source,
    /// The tenant's name was its domain ("contoso.com"), compared by its label.
    pub tenant_from_domain: bool,
}

/// What domains say about a tenant and an organization.
#[derive(Clone, Debug, PartialEq)]
pub enum DomainEvidence {
    /// A verified tenant domain is the organization's primary domain (certain evidence).
    Primary(String),
    /// A verified tenant domain is another domain of the organization.
    Listed(String),
    /// A verified tenant domain is the host of the organization's website.
    Website(String),
    /// Contacts of the organization have addresses at a verified tenant domain.
    Contacts { domain: String, contacts: u32 },
    /// The tenant's onmicrosoft.com name spells the organization's name or domain.
    OnMicrosoft { tenant_domain: String, org: String },
    /// A tenant domain and an organization domain share their name under different endings.
    SameLabel {
        tenant_domain: String,
        org_domain: String,
    },
}

impl DomainEvidence {
    /// How strongly this evidence points at the organization.
    pub fn score(&self) -> f64 {
        match self {
            DomainEvidence::Primary(_) => 1.0,
            DomainEvidence::Listed(_) => 0.95,
            DomainEvidence::Website(_) => 0.9,
            DomainEvidence::Contacts { contacts, .. } => {
                if *contacts >= 3 {
                    0.85
                } else {
                    0.75
                }
            }
            DomainEvidence::OnMicrosoft { .. } => 0.7,
            DomainEvidence::SameLabel { .. } => 0.6,
        }
    }
}

impl fmt::Display for DomainEvidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainEvidence::Primary(d) => {
                write!(f, "{d} is the primary domain of this organization")
            }
            DomainEvidence::Listed(d) => write!(f, "{d} is a domain of this organization"),
            DomainEvidence::Website(d) => write!(f, "{d} is the website of this organization"),
            DomainEvidence::Contacts { domain, contacts } => {
                let whom = if *contacts == 1 {
                    "1 contact"
                } else {
                    "contacts"
                };
                if *contacts == 1 {
                    write!(f, "{whom} of this organization has an address at {domain}")
                } else {
                    write!(
                        f,
                        "{contacts} {whom} of this organization have addresses at {domain}"
                    )
                }
            }
            DomainEvidence::OnMicrosoft { tenant_domain, org } => {
                write!(f, "the tenant's {tenant_domain} spells {org}")
            }
            DomainEvidence::SameLabel {
                tenant_domain,
                org_domain,
            } => {
                write!(f, "{tenant_domain} and {org_domain} share their name")
            }
        }
    }
}

/// Quotes a list of words for a sentence: 'a', 'b' and 'c'.
fn quoted(words: &[String]) -> String {
    let q: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} and {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

impl fmt::Display for NameEvidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.how {
            NameMatch::Same { removed } if removed.is_empty() => write!(f, "same words")?,
            NameMatch::Same { removed } => {
                write!(f, "same words after removing {}", quoted(removed))?
            }
            NameMatch::Reordered => write!(f, "same words in another order")?,
            NameMatch::SameLetters => write!(f, "same letters, spaced differently")?,
            NameMatch::Initials { short } => {
                write!(f, "'{short}' are the initials of the other name")?
            }
            NameMatch::Words { shared, near } => {
                let mut parts = Vec::new();
                if !shared.is_empty() {
                    parts.push(format!("shares {}", quoted(shared)));
                }
                for (a, b) in near {
                    if a.starts_with(b.as_str()) {
                        parts.push(format!("'{b}' is short for '{a}'"));
                    } else if b.starts_with(a.as_str()) {
                        parts.push(format!("'{a}' is short for '{b}'"));
                    } else {
                        parts.push(format!("'{a}' is spelled like '{b}'"));
                    }
                }
                write!(f, "{}", parts.join("; "))?;
            }
            NameMatch::Spelling => write!(f, "spelled nearly alike")?,
        }
        if let Source::Alias(alias) = &self.source {
            write!(f, " (alias \"{alias}\")")?;
        }
        if self.tenant_from_domain {
            write!(f, " (the tenant is named after its domain)")?;
        }
        Ok(())
    }
}

/// How much a word tells: rare words more than common ones, from how many organizations use it.
pub(crate) fn weight(organizations: usize, with_word: u32) -> f64 {
    let n = organizations as f64 + 1.0;
    (1.0 + n / (f64::from(with_word) + 0.5)).ln()
}

/// Edit distance with adjacent transpositions (optimal string alignment), giving up above `max`.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() && a.len() < SHORT && b.len() < SHORT {
        return osa(a.as_bytes(), b.as_bytes(), max);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    osa(&a, &b, max)
}

/// Words shorter than this are compared without allocating.
const SHORT: usize = 64;

fn osa<T: PartialEq>(a: &[T], b: &[T], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    if w <= SHORT + 1 {
        let mut rows = [[0usize; SHORT + 1]; 3];
        let [p2, p, c] = &mut rows;
        osa_in(a, b, max, &mut p2[..w], &mut p[..w], &mut c[..w])
    } else {
        let mut rows = vec![0usize; 3 * w];
        let (p2, rest) = rows.split_at_mut(w);
        let (p, c) = rest.split_at_mut(w);
        osa_in(a, b, max, p2, p, c)
    }
}

fn osa_in<'r, T: PartialEq>(
    a: &[T],
    b: &[T],
    max: usize,
    mut prev2: &'r mut [usize],
    mut prev: &'r mut [usize],
    mut cur: &'r mut [usize],
) -> Option<usize> {
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// Characters in a word, counted cheaply for ASCII.
fn length(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// How well one word is matched by another: exactly, by a slip of spelling, or as an abbreviation.
fn word_agreement(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (length(a), length(b));
    let max = match la.min(lb) {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    if max > 0 && la.abs_diff(lb) <= max && edit_distance(a, b, max).is_some() {
        return 0.85;
    }
    let (short, long) = if la <= lb { (a, b) } else { (b, a) };
    if la.min(lb) >= 3 && long.starts_with(short) {
        return 0.6;
    }
    0.0
}

/// How well one word stands for a run of two to four adjacent words: written together (0.95),
/// as their initials (0.8), or as their beginnings run together (0.7). The best run, if any.
fn run_agreement(word: &str, others: &[String]) -> Option<(f64, std::ops::Range<usize>)> {
    let mut best: Option<(f64, std::ops::Range<usize>)> = None;
    for start in 0..others.len() {
        for end in (start + 2)..=(start + 4).min(others.len()) {
            let run = &others[start..end];
            let joined = run.iter().map(String::len).sum::<usize>() == word.len()
                && run
                    .iter()
                    .try_fold(word, |rest, w| rest.strip_prefix(w.as_str()))
                    .is_some();
            let q = if joined {
                0.95
            } else if word.len() == run.len()
                && run.iter().filter_map(|w| w.chars().next()).eq(word.chars())
            {
                0.8
            } else if prefixes_spell(word, run) {
                0.7
            } else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|(b, r)| q > *b || (q == *b && end - start > r.len()))
            {
                best = Some((q, start..end));
            }
        }
    }
    best
}

/// Credits the words of `from` that stand for runs of words of `to`, and those runs.
fn runs(from: &NameKey, q_from: &mut [f64], to: &NameKey, q_to: &mut [f64]) {
    for (i, t) in from.tokens.iter().enumerate() {
        if q_from[i] >= 1.0 {
            continue;
        }
        if let Some((q, run)) = run_agreement(t, &to.tokens)
            && q > q_from[i]
        {
            q_from[i] = q;
            for j in run {
                q_to[j] = q_to[j].max(q);
            }
        }
    }
}

/// `word` is the beginnings of every word of `run`, in order ("oakwoodvet": "oakwood", "veterinary").
fn prefixes_spell(word: &str, run: &[String]) -> bool {
    fn go(rest: &str, run: &[String]) -> bool {
        match run.split_first() {
            None => rest.is_empty(),
            Some((first, tail)) => (1..=first.len().min(rest.len()))
                .rev()
                .filter(|n| rest.is_char_boundary(*n) && first.is_char_boundary(*n))
                .any(|n| first[..n] == rest[..n] && go(&rest[n..], tail)),
        }
    }
    run.first().is_some_and(|f| f.len() >= 2 && word.len() >= 4) && go(word, run)
}

/// Compares two names; `wa` and `wb` say how much each of their words tells.
pub fn compare(a: &NameKey, wa: &[f64], b: &NameKey, wb: &[f64]) -> Option<(f64, NameMatch)> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a.tokens == b.tokens {
        let mut removed: Vec<String> = a.removed.iter().chain(&b.removed).cloned().collect();
        removed.dedup();
        return Some((1.0, NameMatch::Same { removed }));
    }
    if a.tokens.len() == b.tokens.len() && a.compact.len() == b.compact.len() {
        let mut sa: Vec<&String> = a.tokens.iter().collect();
        let mut sb: Vec<&String> = b.tokens.iter().collect();
        sa.sort();
        sb.sort();
        if sa == sb {
            return Some((0.97, NameMatch::Reordered));
        }
    }
    if a.compact == b.compact {
        return Some((0.95, NameMatch::SameLetters));
    }
    for (short, long) in [(a, b), (b, a)] {
        if short.tokens.len() == 1
            && short.compact.chars().count() >= 2
            && long.initials().as_deref() == Some(short.compact.as_str())
        {
            return Some((
                0.8,
                NameMatch::Initials {
                    short: short.compact.clone(),
                },
            ));
        }
    }
    // Words in common, each weighted by how much it tells; a word may also stand for several
    // adjacent words of the other name ("RedRock" / "Red Rock", "oakwoodvet" / "Oakwood Veterinary").
    let mut shared = Vec::new();
    let mut near = Vec::new();
    let mut qa = vec![0.0f64; a.tokens.len()];
    let mut qb = vec![0.0f64; b.tokens.len()];
    for (i, t) in a.tokens.iter().enumerate() {
        let mut best: (f64, Option<&String>) = (0.0, None);
        for (j, u) in b.tokens.iter().enumerate() {
            let q = word_agreement(t, u);
            qb[j] = qb[j].max(q);
            if q > best.0 {
                best = (q, Some(u));
            }
        }
        qa[i] = best.0;
        match best {
            (q, Some(_)) if q >= 1.0 => shared.push(t.clone()),
            (q, Some(u)) if q > 0.0 => near.push((t.clone(), u.clone())),
            _ => {}
        }
    }
    runs(a, &mut qa, b, &mut qb);
    runs(b, &mut qb, a, &mut qa);
    let weigh = |q: &[f64], w: &[f64]| -> (f64, f64) {
        q.iter().enumerate().fold((0.0, 0.0), |(m, t), (i, q)| {
            let w = w.get(i).copied().unwrap_or(1.0);
            (m + q * w, t + w)
        })
    };
    let (ma, ta) = weigh(&qa, wa);
    let (mb, tb) = weigh(&qb, wb);
    let (matched, total) = (ma + mb, ta + tb);
    let words = if total > 0.0 { matched / total } else { 0.0 };
    let spelling = if words >= 0.9 {
        0.0
    } else {
        let (la, lb) = (length(&a.compact), length(&b.compact));
        let longest = la.max(lb);
        let max = longest / 5;
        match edit_distance(&a.compact, &b.compact, max) {
            Some(d) if longest >= 5 => 0.95 * (1.0 - d as f64 / longest as f64),
            _ => 0.0,
        }
    };
    let (score, how) = if spelling > words {
        (spelling, NameMatch::Spelling)
    } else {
        (words, NameMatch::Words { shared, near })
    };
    (score > 0.0).then_some((score.min(0.94), how))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(a: &str, b: &str) -> f64 {
        compare(&NameKey::new(a), &[], &NameKey::new(b), &[]).map_or(0.0, |(s, _)| s)
    }

    #[test]
    fn variants_of_one_name_score_as_equal() {
        assert_eq!(score("Contoso Ltd.", "CONTOSO LIMITED"), 1.0);
        assert_eq!(score("Contoso Ltd.", "Contoso"), 1.0);
        assert_eq!(
            score("Smith & Sons Plumbing", "Smith and Sons Plumbing LLC"),
            1.0
        );
        assert_eq!(
            score("Café Müller GmbH", "Cafe Mueller"),
            score("Cafe Muller", "Cafe Mueller")
        );
    }

    #[test]
    fn the_explanation_names_what_was_removed() {
        let (_, how) = compare(
            &NameKey::new("Contoso Ltd."),
            &[],
            &NameKey::new("Contoso"),
            &[],
        )
        .unwrap_or((0.0, NameMatch::Spelling));
        let e = NameEvidence {
            score: 1.0,
            how,
            source: Source::Name,
            tenant_from_domain: false,
        };
        assert_eq!(e.to_string(), "same words after removing 'ltd'");
    }

    #[test]
    fn a_word_can_stand_for_several_words_of_the_other_name() {
        assert!(
            score("RedRock Dental", "Red Rock Dental Studio")
                > score("RedRock Dental", "Red River Dental")
        );
        assert!(score("oakwoodvet", "Oakwood Veterinary Clinic") > 0.5);
    }

    #[test]
    fn order_spacing_initials_and_typos_score_below_equal_and_above_strangers() {
        let reordered = score("Plumbing Smith", "Smith Plumbing");
        let letters = score("Smith-Jones", "SmithJones");
        let initials = score("IBM", "International Business Machines");
        let typo = score("Contosso", "Contoso");
        let stranger = score("Contoso", "Fabrikam");
        for s in [reordered, letters, initials, typo] {
            assert!(s < 1.0 && s > 0.5, "{s}");
        }
        assert_eq!(stranger, 0.0);
    }

    #[test]
    fn edit_distance_counts_transpositions_once_and_gives_up_early() {
        assert_eq!(edit_distance("contoso", "contsoo", 2), Some(1));
        assert_eq!(edit_distance("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
        assert_eq!(edit_distance("", "abc", 3), Some(3));
    }
}
