//! `roster-bench match`: the tenant ↔ organization matcher.
//!
//! Without files, generates `--organizations` organizations (default 20,000) and `--tenants`
//! tenants (default 5,000; most are variants of an organization's name: another legal form, a
//! slip of spelling, other case, words reordered, initials) and times indexing plus the top five
//! suggestions for every tenant. Prints `match_seconds` and how often the generated answer ranked
//! first.
//!
//! With `--tenants FILE --organizations FILE --out FILE`, runs the same matcher on given lists
//! (CSV with the header `name,domains`; `domains` holds zero or more `;`-separated domains, the
//! first an organization's primary) and writes each tenant's top five suggestions as CSV with the
//! header `tenant_row,rank,organization_row,score` (rows counted from 0 after the header). With
//! `--labels FILE` (header `tenant_row,organization_row`; an empty organization means none is
//! right) it also prints top-1 and top-5 accuracy, the same with the tenants' domains left out,
//! and how many certain (automatic) matches were wrong.

use anyhow::{Context, bail};
use roster_domain::matching::{Matcher, Organization, Suggestion, Tenant};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tenants: a CSV file, or how many to generate.
    #[arg(long)]
    tenants: Option<String>,
    /// Organizations: a CSV file, or how many to generate.
    #[arg(long)]
    organizations: Option<String>,
    /// Where to write the suggestions (with files).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The right organization of each tenant (with files).
    #[arg(long)]
    labels: Option<PathBuf>,
}

fn read_list(path: &str) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {path}"))?;
    let headers = reader.headers()?.clone();
    if headers.get(0) != Some("name") || headers.get(1) != Some("domains") {
        bail!("{path}: the header row must be name,domains");
    }
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{path}: row {row}"))?;
        let name = record.get(0).unwrap_or_default().to_owned();
        let domains = record
            .get(1)
            .unwrap_or_default()
            .split(';')
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        out.push((name, domains));
    }
    Ok(out)
}

fn organizations(list: &[(String, Vec<String>)]) -> Vec<Organization> {
    list.iter()
        .map(|(name, domains)| Organization {
            name: name.clone(),
            domains: domains.clone(),
            ..Organization::default()
        })
        .collect()
}

fn tenants(list: &[(String, Vec<String>)]) -> Vec<Tenant> {
    list.iter()
        .map(|(name, domains)| Tenant {
            name: name.clone(),
            domains: domains.clone(),
        })
        .collect()
}

fn suggest_all(m: &Matcher, tenants: &[Tenant]) -> Vec<Vec<Suggestion>> {
    m.suggest_all(tenants, 5)
}

/// Top-1 and top-5 accuracy over the tenants with a right answer, and wrong certain matches.
fn accuracy(results: &[Vec<Suggestion>], labels: &[Option<usize>]) -> (usize, usize, usize, usize) {
    let (mut known, mut top1, mut top5, mut wrong_certain) = (0, 0, 0, 0);
    for (s, label) in results.iter().zip(labels) {
        wrong_certain += s
            .iter()
            .filter(|x| x.is_certain() && Some(x.organization) != *label)
            .count();
        if let Some(l) = label {
            known += 1;
            top1 += usize::from(s.first().map(|x| x.organization) == Some(*l));
            top5 += usize::from(s.iter().any(|x| x.organization == *l));
        }
    }
    (known, top1, top5, wrong_certain)
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time at its edges"
)]
fn with_files(args: &Args, tenants_path: &str, orgs_path: &str) -> anyhow::Result<()> {
    let out_path = args
        .out
        .clone()
        .context("--out FILE is needed with --tenants FILE")?;
    let orgs = organizations(&read_list(orgs_path)?);
    let tenant_list = tenants(&read_list(tenants_path)?);
    let started = Instant::now();
    let m = Matcher::new(&orgs);
    let results = suggest_all(&m, &tenant_list);
    let seconds = started.elapsed().as_secs_f64();
    let mut w = csv::Writer::from_path(&out_path)
        .with_context(|| format!("writing {}", out_path.display()))?;
    w.write_record(["tenant_row", "rank", "organization_row", "score"])?;
    for (row, s) in results.iter().enumerate() {
        for (rank, x) in s.iter().enumerate() {
            w.write_record([
                row.to_string(),
                (rank + 1).to_string(),
                x.organization.to_string(),
                format!("{:.4}", x.score),
            ])?;
        }
    }
    w.flush()?;
    println!("tenants: {}", tenant_list.len());
    println!("organizations: {}", orgs.len());
    println!("match_seconds: {seconds:.3} s");
    let mut summary = format!(
        "matched {} tenants against {} organizations in {seconds:.3} s",
        tenant_list.len(),
        orgs.len()
    );
    if let Some(path) = &args.labels {
        let mut reader =
            csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
        let mut labels = vec![None; tenant_list.len()];
        for record in reader.records() {
            let record = record?;
            let row: usize = record
                .get(0)
                .unwrap_or_default()
                .parse()
                .context("tenant_row")?;
            let org = record.get(1).unwrap_or_default().trim();
            if let Some(slot) = labels.get_mut(row) {
                *slot = if org.is_empty() {
                    None
                } else {
                    Some(org.parse().context("organization_row")?)
                };
            }
        }
        let (known, top1, top5, wrong_certain) = accuracy(&results, &labels);
        let names_only: Vec<Tenant> = tenant_list
            .iter()
            .map(|t| Tenant {
                name: t.name.clone(),
                domains: Vec::new(),
            })
            .collect();
        let (_, n1, n5, _) = accuracy(&suggest_all(&m, &names_only), &labels);
        println!("labelled_tenants: {known}");
        println!("top1_accuracy: {:.1} %", percent(top1, known));
        println!("top5_accuracy: {:.1} %", percent(top5, known));
        println!("names_only_top1_accuracy: {:.1} %", percent(n1, known));
        println!("names_only_top5_accuracy: {:.1} %", percent(n5, known));
        println!("false_certain_matches: {wrong_certain}");
        summary.push_str(&format!(
            "; top-1 {:.1} %, top-5 {:.1} % ({:.1} % / {:.1} % by names alone), {wrong_certain} false certain matches",
            percent(top1, known),
            percent(top5, known),
            percent(n1, known),
            percent(n5, known)
        ));
    }
    println!("{summary}");
    Ok(())
}

const WORDS: [&str; 48] = [
    "Alder",
    "Birch",
    "Cedar",
    "Delta",
    "Echo",
    "Falcon",
    "Garnet",
    "Harbor",
    "Indigo",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Prairie",
    "Quarry",
    "Raven",
    "Sierra",
    "Timber",
    "Union",
    "Vertex",
    "Willow",
    "Yarrow",
    "Zenith",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Dune",
    "Ember",
    "Fern",
    "Glacier",
    "Heron",
    "Iris",
    "Jade",
    "Kestrel",
    "Linden",
    "Maple",
    "Northgate",
    "Oakridge",
    "Pioneer",
    "Redwood",
    "Silverline",
    "Thistle",
    "Upland",
    "Valley",
    "Westbrook",
    "Yellowstone",
];
const TRADES: [&str; 24] = [
    "Plumbing",
    "Dental",
    "Logistics",
    "Accounting",
    "Law",
    "Electric",
    "Roofing",
    "Consulting",
    "Bakery",
    "Realty",
    "Engineering",
    "Medical",
    "Insurance",
    "Construction",
    "Marketing",
    "Veterinary",
    "Pharmacy",
    "Architects",
    "Landscaping",
    "Transport",
    "Bauunternehmen",
    "Boulangerie",
    "Transporten",
    "Zahnarztpraxis",
];
const LEGAL: [&str; 14] = [
    "",
    "",
    "",
    " LLC",
    " Inc.",
    " Ltd",
    " GmbH",
    " B.V.",
    " SARL",
    " AB",
    " Pty Ltd",
    " S.A.",
    " Sp. z o.o.",
    " Oy",
];

/// A small deterministic generator (xorshift), so every run measures the same lists.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

/// A tenant's version of an organization's name.
fn variant(rng: &mut Rng, base: &str) -> String {
    match rng.next() % 5 {
        0 => base.to_uppercase(),
        1 => format!("{base}{}", rng.pick(&LEGAL)),
        2 => {
            // A slip: one letter dropped from the longest word.
            let mut words: Vec<String> = base.split(' ').map(str::to_owned).collect();
            if let Some(w) = words.iter_mut().max_by_key(|w| w.len()) {
                let at = 1 + (rng.next() as usize % (w.len() - 2));
                w.remove(at);
            }
            words.join(" ")
        }
        3 => {
            let mut words: Vec<&str> = base.split(' ').collect();
            words.reverse();
            words.join(" ")
        }
        _ => format!("The {base}"),
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time at its edges"
)]
fn generated(args: &Args) -> anyhow::Result<()> {
    let n_orgs: usize = args
        .organizations
        .as_deref()
        .unwrap_or("20000")
        .parse()
        .context("--organizations")?;
    let n_tenants: usize = args
        .tenants
        .as_deref()
        .unwrap_or("5000")
        .parse()
        .context("--tenants")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bases = Vec::with_capacity(n_orgs);
    let mut seen = std::collections::HashSet::new();
    while bases.len() < n_orgs {
        let words = 1 + rng.next() % 2;
        let mut name = (0..words)
            .map(|_| rng.pick(&WORDS))
            .collect::<Vec<_>>()
            .join(" ");
        name.push(' ');
        name.push_str(rng.pick(&TRADES));
        // A number keeps names apart the way towns and founders' names do in real lists.
        let name = format!(
            "{name} {}",
            rng.pick(&WORDS).to_lowercase() + &(rng.next() % 997).to_string()
        );
        if seen.insert(name.to_lowercase()) {
            bases.push(name);
        }
    }
    let orgs: Vec<Organization> = bases
        .iter()
        .map(|b| Organization {
            name: format!("{b}{}", rng.pick(&LEGAL)),
            ..Organization::default()
        })
        .collect();
    let mut labels = Vec::with_capacity(n_tenants);
    let tenants: Vec<Tenant> = (0..n_tenants)
        .map(|i| {
            let at = (rng.next() as usize) % n_orgs;
            labels.push(Some(at));
            Tenant {
                name: variant(&mut rng, &bases[at]),
                domains: vec![format!("tenant{i}.onmicrosoft.com")],
            }
        })
        .collect();
    let started = Instant::now();
    let m = Matcher::new(&orgs);
    let indexed = started.elapsed().as_secs_f64();
    let results = suggest_all(&m, &tenants);
    let seconds = started.elapsed().as_secs_f64();
    let (known, top1, top5, _) = accuracy(&results, &labels);
    println!("tenants: {n_tenants}");
    println!("organizations: {n_orgs}");
    println!("index_seconds: {indexed:.3} s");
    println!("match_seconds: {seconds:.3} s");
    println!("generated_top1_accuracy: {:.1} %", percent(top1, known));
    println!("generated_top5_accuracy: {:.1} %", percent(top5, known));
    println!(
        "suggested for {n_tenants} tenants against {n_orgs} organizations in {seconds:.3} s (target 1 s); top-1 {:.1} %",
        percent(top1, known)
    );
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let is_file = |s: &Option<String>| s.as_deref().is_some_and(|v| v.parse::<usize>().is_err());
    match (&args.tenants, &args.organizations) {
        (Some(t), Some(o)) if is_file(&args.tenants) && is_file(&args.organizations) => {
            with_files(&args, &t.clone(), &o.clone())
        }
        _ if is_file(&args.tenants) || is_file(&args.organizations) => {
            bail!("give both --tenants FILE and --organizations FILE, or neither")
        }
        _ => generated(&args),
    }
}
