use super::*;
use proptest::prelude::*;

fn org(name: &str, domains: &[&str]) -> Organization {
    Organization {
        name: name.into(),
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        ..Organization::default()
    }
}

fn tenant(name: &str, domains: &[&str]) -> Tenant {
    Tenant {
        name: name.into(),
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
    }
}

fn top(m: &Matcher, t: &Tenant) -> Option<usize> {
    m.suggest(t, 5).first().map(|s| s.organization)
}

#[test]
fn the_same_name_under_another_legal_form_ranks_first_with_its_reason() {
    let orgs = [
        org("Contoso Pharma", &[]),
        org("Contoso Ltd.", &["contoso.com"]),
        org("Fabrikam", &[]),
    ];
    let m = Matcher::new(&orgs);
    let s = m.suggest(&tenant("CONTOSO LIMITED", &["contoso.onmicrosoft.com"]), 5);
    assert_eq!(s[0].organization, 1);
    assert_eq!(s[0].score, 1.0);
    assert!(!s[0].is_certain());
    let words = s[0].to_string();
    assert!(
        words.starts_with("name 1.00: same words after removing 'limited' and 'ltd'"),
        "{words}"
    );
    assert!(words.contains("contoso.onmicrosoft.com spells"), "{words}");
    assert!(
        s.iter().all(|x| x.organization != 2),
        "Fabrikam shares nothing"
    );
    assert!(
        s.len() >= 2 && s[1].organization == 0 && s[1].score < 0.9,
        "{s:?}"
    );
}

#[test]
fn a_verified_domain_that_is_the_primary_domain_is_certain() {
    let orgs = [org(
        "Something Else Entirely",
        &["tailspintoys.com", "tailspin.de"],
    )];
    let m = Matcher::new(&orgs);
    let s = m.suggest(&tenant("TT Tenant", &["tailspintoys.com"]), 5);
    assert!(s[0].is_certain());
    assert_eq!(s[0].score, 1.0);
    // A secondary domain is strong evidence, but not certain.
    let s = m.suggest(&tenant("TT Tenant", &["tailspin.de"]), 5);
    assert!(!s[0].is_certain());
    assert!(s[0].score >= 0.95 && s[0].score < 1.0);
    assert_eq!(
        s[0].to_string(),
        "domain 0.95: tailspin.de is a domain of this organization"
    );
}

#[test]
fn the_website_and_contacts_addresses_are_domain_evidence() {
    let mut a = org("Summit Accounting", &[]);
    a.website = Some("https://www.summitcpa.com/about".into());
    let mut b = org("Peak Partners", &[]);
    b.contact_domains = vec![("peakpartners.com".into(), 12), ("gmail.com".into(), 40)];
    let m = Matcher::new(&[a, b]);
    let s = m.suggest(&tenant("Default Directory", &["summitcpa.com"]), 5);
    assert_eq!(s[0].organization, 0);
    assert_eq!(
        s[0].to_string(),
        "domain 0.90: summitcpa.com is the website of this organization"
    );
    let s = m.suggest(&tenant("Default Directory", &["peakpartners.com"]), 5);
    assert_eq!(s[0].organization, 1);
    assert!(
        s[0].to_string()
            .contains("12 contacts of this organization have addresses at peakpartners.com")
    );
    // Addresses at public mail services say nothing.
    assert!(
        m.suggest(&tenant("Default Directory", &["gmail.com"]), 5)
            .is_empty()
    );
}

#[test]
fn a_tenant_named_after_its_domain_is_compared_by_that_name() {
    let orgs = [org("Northwind Traders", &[]), org("Northwind Health", &[])];
    let m = Matcher::new(&orgs);
    let s = m.suggest(&tenant("northwindtraders.com", &[]), 5);
    assert_eq!(s[0].organization, 0);
    assert!(
        s[0].to_string()
            .contains("the tenant is named after its domain")
    );
}

#[test]
fn aliases_initials_and_typos_find_the_organization() {
    let mut a = org("Bäckerei Müller GmbH", &[]);
    a.aliases = vec!["Mueller Baeckerei".into()];
    let orgs = [
        a,
        org("International Business Machines", &[]),
        org("Fabrikam Dental", &[]),
        org("Smile Dental", &[]),
    ];
    let m = Matcher::new(&orgs);
    let alias = m.suggest(&tenant("Mueller Baeckerei", &[]), 5);
    assert_eq!(alias[0].organization, 0);
    assert!(alias[0].to_string().contains("alias \"Mueller Baeckerei\""));
    assert_eq!(top(&m, &tenant("IBM", &[])), Some(1));
    assert_eq!(top(&m, &tenant("Fabrikm Dental", &[])), Some(2));
}

#[test]
fn a_rare_shared_word_outweighs_a_common_one() {
    let mut orgs = vec![org("Fabrikam Dental", &[])];
    for n in ["Smile", "Bright", "Family", "Harbor", "Lakeside"] {
        orgs.push(org(&format!("{n} Dental"), &[]));
    }
    let m = Matcher::new(&orgs);
    let s = m.suggest(&tenant("Fabrikam Dental Group", &[]), 5);
    assert_eq!(s[0].organization, 0);
    assert!(
        s.iter().skip(1).all(|x| x.score < s[0].score - 0.3),
        "{s:?}"
    );
}

#[test]
fn nothing_is_suggested_without_evidence() {
    let m = Matcher::new(&[org("Contoso", &["contoso.com"])]);
    assert!(
        m.suggest(&tenant("Fabrikam", &["fabrikam.onmicrosoft.com"]), 5)
            .is_empty()
    );
    assert!(
        Matcher::new(&[])
            .suggest(&tenant("Fabrikam", &[]), 5)
            .is_empty()
    );
}

fn load(text: &str) -> Vec<(String, Vec<String>)> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap_or_default();
            let name = r.get(0).unwrap_or_default().to_owned();
            let domains = r
                .get(1)
                .unwrap_or_default()
                .split(';')
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect();
            (name, domains)
        })
        .collect()
}

#[test]
fn the_labelled_set_is_matched_at_least_97_percent_right_at_the_top_and_never_certain_wrongly() {
    let orgs: Vec<Organization> = load(include_str!("../../testdata/matching/organizations.csv"))
        .into_iter()
        .map(|(name, domains)| Organization {
            name,
            domains,
            ..Organization::default()
        })
        .collect();
    let tenants = load(include_str!("../../testdata/matching/tenants.csv"));
    let labels: Vec<Option<usize>> =
        csv::Reader::from_reader(include_str!("../../testdata/matching/labels.csv").as_bytes())
            .records()
            .map(|r| r.ok().and_then(|r| r.get(1).and_then(|v| v.parse().ok())))
            .collect();
    assert_eq!(labels.len(), tenants.len());
    let m = Matcher::new(&orgs);
    let (mut right, mut known, mut wrong) = (0, 0, Vec::new());
    for ((name, domains), label) in tenants.iter().zip(&labels) {
        let s = m.suggest(
            &tenant(
                name,
                &domains.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
            5,
        );
        for x in &s {
            assert!(
                !x.is_certain() || Some(x.organization) == *label,
                "{name}: certain but wrong"
            );
        }
        if let Some(l) = label {
            known += 1;
            if s.first().map(|x| x.organization) == Some(*l) {
                right += 1;
            } else {
                wrong.push((
                    name.clone(),
                    s.first().map(|x| orgs[x.organization].name.clone()),
                ));
            }
        }
    }
    eprintln!("labelled set: {right}/{known} right at the top; wrong: {wrong:?}");
    assert!(known > 100);
    assert!(
        right * 100 >= known * 97,
        "{right}/{known} right at the top; wrong: {wrong:?}"
    );
}

proptest! {
    #[test]
    fn every_score_is_between_0_and_1(
        a in "[A-Za-zÀ-ÿ&.,' -]{0,40}",
        b in "[A-Za-zÀ-ÿ&.,' -]{0,40}",
        d in "[a-z]{1,10}\\.(com|de|co\\.uk)",
    ) {
        let m = Matcher::new(&[org(&b, &[&d]), org(&a, &[])]);
        for s in m.suggest(&tenant(&a, &[&d, "x.onmicrosoft.com"]), 5) {
            prop_assert!((0.0..=1.0).contains(&s.score), "{}", s.score);
        }
        for i in 0..2 {
            if let Some(s) = m.score(&tenant(&a, &[]), i) {
                prop_assert!((0.0..=1.0).contains(&s.score));
            }
        }
    }

    #[test]
    fn an_organization_with_the_same_normalized_name_ranks_first(
        words in proptest::collection::vec("[A-Z][a-z]{2,9}", 1..4),
        legal in proptest::sample::select(vec!["", " Ltd", " GmbH", " Inc.", " S.A.R.L.", " Pty Ltd", " B.V."]),
        others in proptest::collection::vec("[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9})?", 0..8),
    ) {
        let name = words.join(" ");
        let mut orgs: Vec<Organization> = others.iter().map(|o| org(o, &[])).collect();
        orgs.push(org(&format!("{name}{legal}"), &[]));
        let m = Matcher::new(&orgs);
        let target = orgs.len() - 1;
        let s = m.suggest(&tenant(&name.to_uppercase(), &[]), 5);
        prop_assert!(!s.is_empty());
        let same_key = |o: &Organization| NameKey::new(&o.name).tokens == NameKey::new(&name).tokens;
        prop_assert!(same_key(&orgs[s[0].organization]), "{:?} ranked first for {name}", orgs[s[0].organization].name);
        prop_assert!(s.iter().any(|x| x.organization == target) || s.len() == 5);
    }
}
