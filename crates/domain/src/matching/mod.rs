//! Matching Microsoft tenants to the MSP's organizations: certain evidence (a verified domain that
//! is an organization's primary domain), and otherwise suggestions ranked by an explainable score
//! in [0, 1] built from names (normalized, word by word, aliases, initials) and domains (listed
//! domains, website, contacts' addresses, the onmicrosoft.com name).
//!
//! The `Matcher` indexes the organizations once, so each tenant is scored only against the
//! organizations that share a word, a spelling slip of a word, initials or a domain with it.

pub mod normalize;
pub mod score;

use normalize::{NameKey, fold};
use score::{DomainEvidence, NameEvidence, Source, compare, weight};
use std::collections::HashMap;
use std::fmt;

/// What the matcher knows about an organization.
#[derive(Clone, Debug, Default)]
pub struct Organization {
    pub name: String,
    pub aliases: Vec<String>,
    /// Normalized domains, primary first.
    pub domains: Vec<String>,
    /// The website as stored (a URL).
    pub website: Option<String>,
    /// Domains of its contacts' e-mail addresses, with how many contacts use each.
    pub contact_domains: Vec<(String, u32)>,
}

/// What the matcher knows about a tenant.
#[derive(Clone, Debug, Default)]
pub struct Tenant {
    /// Its display name in Entra.
    pub name: String,
    /// Its verified domains, normalized (including the onmicrosoft.com one).
    pub domains: Vec<String>,
}

/// One suggested organization for a tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The organization's position in the list the matcher was built from.
    pub organization: usize,
    /// In [0, 1].
    pub score: f64,
    pub name: Option<NameEvidence>,
    pub domain: Option<DomainEvidence>,
}

impl Suggestion {
    /// Certain evidence: a verified domain of the tenant is the organization's primary domain.
    pub fn is_certain(&self) -> bool {
        matches!(self.domain, Some(DomainEvidence::Primary(_)))
    }
}

impl fmt::Display for Suggestion {
    /// The breakdown in words: "name 0.91: same words after removing 'ltd'; domain 0.90: …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(n) = &self.name {
            parts.push(format!("name {:.2}: {n}", n.score));
        }
        if let Some(d) = &self.domain {
            parts.push(format!("domain {:.2}: {d}", d.score()));
        }
        if parts.is_empty() {
            parts.push("no evidence".to_owned());
        }
        write!(f, "{}", parts.join("; "))
    }
}

/// Suggestions below this score are not shown.
pub const MIN_SCORE: f64 = 0.4;

/// Addresses at these domains say nothing about which company a person works for.
const PUBLIC_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "t-online.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "virgilio.it",
    "mail.ru",
    "yandex.ru",
    "qq.com",
    "163.com",
    "btinternet.com",
    "comcast.net",
    "hotmail.co.uk",
    "yahoo.co.uk",
    "hotmail.fr",
    "wanadoo.fr",
    "bigpond.com",
];

const ONMICROSOFT: &str = ".onmicrosoft.com";

/// The part of a domain that names the company: "contoso" of contoso.co.uk.
fn label(domain: &str) -> Option<String> {
    let key = NameKey::new(domain);
    (key.from_domain && key.compact.chars().count() >= 4).then_some(key.compact)
}

/// The host of a website URL, without "www.".
fn website_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .trim()
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (!host.is_empty()).then_some(host)
}

/// A 64-bit key for index lookups (FNV-1a), so the index holds no strings.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One organization as indexed.
#[derive(Debug)]
struct Entry {
    names: Vec<(NameKey, Source)>,
    /// How much each word of each name tells, filled in once every organization is counted.
    weights: Vec<Vec<f64>>,
    /// Letters of the whole name before legal forms were removed ("contosoltd").
    full_compact: String,
    domains: Vec<String>,
    website: Option<String>,
    contacts: Vec<(String, u32)>,
    labels: Vec<(String, String)>,
}

/// The organizations of a workspace, indexed for suggestions.
#[derive(Debug)]
pub struct Matcher {
    entries: Vec<Entry>,
    /// Words, and words with one letter left out: which organizations use them.
    words: HashMap<u64, Vec<u32>>,
    /// How many organizations use each word.
    frequency: HashMap<u64, u32>,
    /// Whole names closed up, and initials: which organizations have them.
    compacts: HashMap<u64, Vec<u32>>,
    /// Domains (listed, website, contacts') and their labels: which organizations have them.
    domains: HashMap<u64, Vec<u32>>,
    /// The first letters of closed-up names: which organizations begin so, for names written
    /// together ("oakwoodvet").
    beginnings: HashMap<u64, Vec<u32>>,
}

/// How many letters `beginnings` keeps.
const BEGINNING: usize = 5;

fn beginning(s: &str) -> Option<&str> {
    s.char_indices().nth(BEGINNING).map(|(at, _)| &s[..at])
}

/// A word's variants with one letter left out, for finding slips of spelling.
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    (0..n).filter(move |_| n >= 5).map(move |i| {
        chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| *c)
            .collect()
    })
}

/// Words this common are not used to find candidates (unless nothing rarer is there).
const COMMON: u32 = 500;

/// How many of the organizations sharing words with a tenant are scored in full.
const SHORTLIST: usize = 40;

impl Matcher {
    /// Indexes the organizations.
    pub fn new(organizations: &[Organization]) -> Self {
        let mut m = Matcher {
            entries: Vec::with_capacity(organizations.len()),
            words: HashMap::new(),
            frequency: HashMap::new(),
            compacts: HashMap::new(),
            domains: HashMap::new(),
            beginnings: HashMap::new(),
        };
        for (i, org) in organizations.iter().enumerate() {
            let at = u32::try_from(i).unwrap_or(u32::MAX);
            let mut names = vec![(NameKey::new(&org.name), Source::Name)];
            names.extend(
                org.aliases
                    .iter()
                    .filter(|a| !a.trim().is_empty())
                    .map(|a| (NameKey::new(a), Source::Alias(a.trim().to_owned()))),
            );
            let full_compact: String = fold(&org.name)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            let website = org.website.as_deref().and_then(website_host);
            let contacts: Vec<(String, u32)> = org
                .contact_domains
                .iter()
                .filter(|(d, n)| *n > 0 && !PUBLIC_MAIL.contains(&d.as_str()))
                .cloned()
                .collect();
            let mut labels = Vec::new();
            for d in org.domains.iter().chain(website.iter()) {
                if let Some(l) = label(d) {
                    labels.push((l, d.clone()));
                }
            }
            let mut seen_words: Vec<u64> = Vec::new();
            for (key, _) in &names {
                for t in &key.tokens {
                    let h = hash(t);
                    if !seen_words.contains(&h) {
                        seen_words.push(h);
                        *m.frequency.entry(h).or_default() += 1;
                        m.words.entry(h).or_default().push(at);
                    }
                    for d in deletions(t) {
                        let h = hash(&d);
                        if !seen_words.contains(&h) {
                            seen_words.push(h);
                            m.words.entry(h).or_default().push(at);
                        }
                    }
                }
                push_unique(&mut m.compacts, hash(&key.compact), at);
                if let Some(b) = beginning(&key.compact) {
                    push_unique(&mut m.beginnings, hash(b), at);
                }
                if let Some(initials) = key.initials() {
                    push_unique(&mut m.compacts, hash(&initials), at);
                }
            }
            push_unique(&mut m.compacts, hash(&full_compact), at);
            for d in org
                .domains
                .iter()
                .chain(website.iter())
                .chain(contacts.iter().map(|(d, _)| d))
            {
                push_unique(&mut m.domains, hash(d), at);
            }
            for (l, _) in &labels {
                push_unique(&mut m.domains, hash(l), at);
            }
            m.entries.push(Entry {
                weights: Vec::new(),
                names,
                full_compact,
                domains: org.domains.clone(),
                website,
                contacts,
                labels,
            });
        }
        let weights: Vec<Vec<Vec<f64>>> = m
            .entries
            .iter()
            .map(|e| e.names.iter().map(|(k, _)| m.weights_of(k)).collect())
            .collect();
        for (e, w) in m.entries.iter_mut().zip(weights) {
            e.weights = w;
        }
        m
    }

    fn weights_of(&self, key: &NameKey) -> Vec<f64> {
        key.tokens.iter().map(|t| self.weight_of(t)).collect()
    }

    /// How many organizations are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No organizations are indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn weight_of(&self, word: &str) -> f64 {
        let n = self.frequency.get(&hash(word)).copied().unwrap_or(0).max(1);
        weight(self.entries.len(), n)
    }

    /// The organizations worth scoring for a tenant: every one sharing a closed-up name,
    /// initials or a domain with it, and of those sharing words, the `SHORTLIST` sharing the most
    /// telling ones.
    fn candidates(&self, tenant: &TenantKeys) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut add = |list: Option<&Vec<u32>>| {
            if let Some(list) = list {
                out.extend_from_slice(list);
            }
        };
        for key in [&tenant.name.compact]
            .into_iter()
            .chain(tenant.name.initials().as_ref())
        {
            add(self.compacts.get(&hash(key)));
        }
        for d in &tenant.domains {
            add(self.domains.get(&hash(d)));
        }
        for l in tenant
            .labels
            .iter()
            .chain(tenant.onmicrosoft.iter().map(|(l, _)| l))
        {
            add(self.domains.get(&hash(l)));
            add(self.compacts.get(&hash(l)));
        }
        let mut by_rarity: Vec<(&str, u32)> = tenant
            .name
            .tokens
            .iter()
            .map(|t| {
                (
                    t.as_str(),
                    self.frequency.get(&hash(t)).copied().unwrap_or(0),
                )
            })
            .collect();
        by_rarity.sort_by_key(|(_, n)| *n);
        let mut shared: HashMap<u32, f64> = HashMap::new();
        for (i, (t, n)) in by_rarity.iter().enumerate() {
            if i > 0 && *n > COMMON {
                continue;
            }
            let w = self.weight_of(t);
            let mut credit = |list: Option<&Vec<u32>>, share: f64| {
                for at in list.into_iter().flatten() {
                    let e = shared.entry(*at).or_default();
                    *e = e.max(0.0) + w * share;
                }
            };
            credit(self.words.get(&hash(t)), 1.0);
            for d in deletions(t) {
                credit(self.words.get(&hash(&d)), 0.5);
            }
        }
        if let Some(list) =
            beginning(&tenant.name.compact).and_then(|b| self.beginnings.get(&hash(b)))
        {
            for at in list {
                *shared.entry(*at).or_default() += 0.5;
            }
        }
        let mut ranked: Vec<(u32, f64)> = shared.into_iter().collect();
        if ranked.len() > SHORTLIST {
            ranked
                .select_nth_unstable_by(SHORTLIST, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(SHORTLIST);
        }
        out.extend(ranked.into_iter().map(|(at, _)| at));
        out.sort_unstable();
        out.dedup();
        out
    }

    fn name_evidence(&self, tenant: &TenantKeys, entry: &Entry) -> Option<NameEvidence> {
        let mut best: Option<NameEvidence> = None;
        for ((key, source), weights) in entry.names.iter().zip(&entry.weights) {
            let Some((mut s, how)) = compare(&tenant.name, &tenant.weights, key, weights) else {
                continue;
            };
            if matches!(source, Source::Alias(_)) {
                // An alias agreeing as well as the name ranks just below it.
                s *= 0.98;
            }
            if best.as_ref().is_none_or(|b| s > b.score) {
                best = Some(NameEvidence {
                    score: s,
                    how,
                    source: source.clone(),
                    tenant_from_domain: tenant.name.from_domain,
                });
            }
        }
        best
    }

    fn domain_evidence(tenant: &TenantKeys, entry: &Entry) -> Option<DomainEvidence> {
        let mut found: Vec<DomainEvidence> = Vec::new();
        for d in &tenant.domains {
            if entry.domains.first() == Some(d) {
                found.push(DomainEvidence::Primary(d.clone()));
            } else if entry.domains.contains(d) {
                found.push(DomainEvidence::Listed(d.clone()));
            }
            if entry.website.as_ref() == Some(d) {
                found.push(DomainEvidence::Website(d.clone()));
            }
            if let Some((_, n)) = entry.contacts.iter().find(|(c, _)| c == d) {
                found.push(DomainEvidence::Contacts {
                    domain: d.clone(),
                    contacts: *n,
                });
            }
        }
        for (l, tenant_domain) in &tenant.onmicrosoft {
            let spells_name =
                entry.names.iter().any(|(k, _)| k.compact == *l) || entry.full_compact == *l;
            if spells_name {
                found.push(DomainEvidence::OnMicrosoft {
                    tenant_domain: tenant_domain.clone(),
                    org: "this organization's name".to_owned(),
                });
            } else if let Some((_, d)) = entry.labels.iter().find(|(el, _)| el == l) {
                found.push(DomainEvidence::OnMicrosoft {
                    tenant_domain: tenant_domain.clone(),
                    org: d.clone(),
                });
            }
        }
        for (l, tenant_domain) in tenant.labels.iter().zip(&tenant.labelled) {
            if let Some((_, d)) = entry
                .labels
                .iter()
                .find(|(el, d)| el == l && d != tenant_domain)
            {
                found.push(DomainEvidence::SameLabel {
                    tenant_domain: tenant_domain.clone(),
                    org_domain: d.clone(),
                });
            }
        }
        found
            .into_iter()
            .max_by(|a, b| a.score().total_cmp(&b.score()))
    }

    fn keys(&self, tenant: &Tenant) -> TenantKeys {
        let mut keys = TenantKeys::new(tenant);
        keys.weights = self.weights_of(&keys.name);
        keys
    }

    fn score_entry(&self, tenant: &TenantKeys, at: usize) -> Option<Suggestion> {
        let entry = self.entries.get(at)?;
        let name = self.name_evidence(tenant, entry);
        let domain = Self::domain_evidence(tenant, entry);
        let n = name.as_ref().map_or(0.0, |e| e.score);
        let d = domain.as_ref().map_or(0.0, DomainEvidence::score);
        let (hi, lo) = if n >= d { (n, d) } else { (d, n) };
        // The stronger evidence, raised part of the way to 1 by the weaker.
        let score = (hi + 0.5 * lo * (1.0 - hi)).clamp(0.0, 1.0);
        Some(Suggestion {
            organization: at,
            score,
            name,
            domain,
        })
    }

    /// The score of one organization for a tenant, whether or not it would be suggested.
    pub fn score(&self, tenant: &Tenant, organization: usize) -> Option<Suggestion> {
        self.score_entry(&self.keys(tenant), organization)
    }

    /// The best organizations for a tenant, best first, at most `limit`, none below `MIN_SCORE`.
    /// Ties go to the better name, then to the organization listed first.
    pub fn suggest(&self, tenant: &Tenant, limit: usize) -> Vec<Suggestion> {
        let keys = self.keys(tenant);
        let mut out: Vec<Suggestion> = self
            .candidates(&keys)
            .into_iter()
            .filter_map(|at| self.score_entry(&keys, at as usize))
            .filter(|s| s.score >= MIN_SCORE)
            .collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| {
                    let (na, nb) = (
                        a.name.as_ref().map_or(0.0, |e| e.score),
                        b.name.as_ref().map_or(0.0, |e| e.score),
                    );
                    nb.total_cmp(&na)
                })
                .then_with(|| a.organization.cmp(&b.organization))
        });
        out.truncate(limit);
        out
    }
}

impl Matcher {
    /// `suggest` for many tenants, spread over the machine's cores.
    pub fn suggest_all(&self, tenants: &[Tenant], limit: usize) -> Vec<Vec<Suggestion>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        if threads <= 1 || tenants.len() < 64 {
            return tenants.iter().map(|t| self.suggest(t, limit)).collect();
        }
        let chunk = tenants.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = tenants
                .chunks(chunk)
                .map(|part| {
                    let n = part.len();
                    let h = scope.spawn(move || {
                        part.iter()
                            .map(|t| self.suggest(t, limit))
                            .collect::<Vec<_>>()
                    });
                    (n, h)
                })
                .collect();
            // A chunk that failed yields no suggestions for its own tenants, and every other
            // tenant's suggestions stay in their place.
            handles
                .into_iter()
                .flat_map(|(n, h)| h.join().unwrap_or_else(|_| vec![Vec::new(); n]))
                .collect()
        })
    }
}

fn push_unique(map: &mut HashMap<u64, Vec<u32>>, key: u64, at: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&at) {
        list.push(at);
    }
}

/// A tenant as the matcher compares it.
struct TenantKeys {
    name: NameKey,
    /// How much each word of the name tells.
    weights: Vec<f64>,
    /// Verified domains other than onmicrosoft.com ones.
    domains: Vec<String>,
    /// Labels of those domains, and the domains they came from.
    labels: Vec<String>,
    labelled: Vec<String>,
    /// The names of its onmicrosoft.com domains ("contoso" of contoso.onmicrosoft.com).
    onmicrosoft: Vec<(String, String)>,
}

impl TenantKeys {
    fn new(t: &Tenant) -> Self {
        let mut domains = Vec::new();
        let mut labels = Vec::new();
        let mut labelled = Vec::new();
        let mut onmicrosoft = Vec::new();
        for d in &t.domains {
            let d = d.trim().to_ascii_lowercase();
            if let Some(prefix) = d.strip_suffix(ONMICROSOFT) {
                let key = NameKey::of_label(prefix);
                if key.compact.chars().count() >= 3 {
                    onmicrosoft.push((key.compact, d.clone()));
                }
            } else {
                if let Some(l) = label(&d) {
                    labels.push(l);
                    labelled.push(d.clone());
                }
                domains.push(d);
            }
        }
        let mut name = NameKey::new(&t.name);
        if name.is_empty() {
            // A tenant without a usable name is known by its first domain's name.
            if let Some(d) = t.domains.first() {
                name = NameKey::new(d);
            }
        }
        Self {
            name,
            weights: Vec::new(),
            domains,
            labels,
            labelled,
            onmicrosoft,
        }
    }
}

#[cfg(test)]
mod tests;
