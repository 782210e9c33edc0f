//! The client's address behind reverse proxies.
//!
//! Roster sees the TCP peer. When that peer is one of the proxies named in
//! `ROSTER_TRUSTED_PROXIES`, the address the proxy reports (`Forwarded: for=…`, else
//! `X-Forwarded-For`) is used instead: the chain is read from the right, skipping every trusted
//! proxy, and the first address that is not one is the client. A peer that is not trusted is the
//! client, whatever headers it sends, so nobody can choose the address their sign-in attempts are
//! counted against.

use http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The networks whose forwarding headers are believed. Empty: none are.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma- or space-separated list of addresses and CIDR networks
    /// (`10.0.0.0/8, 192.168.1.5, fd00::/8`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for part in text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
        {
            let net = match part.parse::<IpNet>() {
                Ok(net) => net.trunc(),
                Err(_) => match part.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => {
                        return Err(format!(
                            "{part:?} is not an address or network such as 10.0.0.0/8, 192.168.1.5 or fd00::/8"
                        ));
                    }
                },
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The networks, as written in the configuration's canonical form.
    pub fn networks(&self) -> impl Iterator<Item = &IpNet> {
        self.0.iter()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = unmap(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request that arrived from `peer` with `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = unmap(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => client = *ip,
                Some(ip) => return *ip,
                // An obfuscated or unreadable hop: stop at the last proxy we trust.
                None => return client,
            }
        }
        client
    }
}

/// IPv4 addresses carried in IPv6 (`::ffff:10.0.0.1`) compare as IPv4.
fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The addresses a request passed through, first (the client) to last, from the `Forwarded`
/// header if any, else `X-Forwarded-For`. `None` marks a hop that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| forwarded_node(v.trim()))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| forwarded_node(hop.trim()))
        .collect()
}

/// One node of a forwarding header: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`,
/// `2001:db8::1`. Names such as `unknown` or `_hidden` are not addresses.
fn forwarded_node(text: &str) -> Option<IpAddr> {
    let text = text.trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(unmap(ip));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, _) = rest.split_once(']')?;
        return inside.parse::<IpAddr>().ok().map(unmap);
    }
    let (host, port) = text.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header value"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(none.client_ip(ip("10.0.0.2"), &h), ip("10.0.0.2"));
    }

    #[test]
    fn a_trusted_proxy_reports_the_client_and_untrusted_peers_are_ignored() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").expect("valid");
        let h = headers(&[("x-forwarded-for", "198.51.100.7, 203.0.113.9, 10.1.2.3")]);
        // The rightmost address that is not a trusted proxy is the client; what the client
        // itself wrote to the left of it does not count.
        assert_eq!(t.client_ip(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        assert_eq!(t.client_ip(ip("192.168.1.5"), &h), ip("203.0.113.9"));
        assert_eq!(t.client_ip(ip("192.168.1.6"), &h), ip("192.168.1.6"));
        assert_eq!(
            t.client_ip(ip("::ffff:10.0.0.2"), &h),
            ip("203.0.113.9"),
            "IPv4-mapped peers are matched as IPv4"
        );
    }

    #[test]
    fn the_forwarded_header_wins_and_its_forms_are_read() {
        let t = TrustedProxies::parse("10.0.0.0/8 fd00::/8").expect("valid");
        let h = headers(&[
            (
                "forwarded",
                r#"for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711""#,
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(t.client_ip(ip("fd00::1"), &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "for=192.0.2.60:8080;by=10.0.0.1")]);
        assert_eq!(t.client_ip(ip("10.9.9.9"), &h), ip("192.0.2.60"));
        // A hidden hop stops the walk at the last trusted proxy.
        let h = headers(&[("forwarded", "for=192.0.2.60, for=_hidden")]);
        assert_eq!(t.client_ip(ip("10.9.9.9"), &h), ip("10.9.9.9"));
    }

    #[test]
    fn a_trusted_proxy_without_headers_is_the_client() {
        let t = TrustedProxies::parse("127.0.0.1").expect("valid");
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let e = TrustedProxies::parse("10.0.0.0/8, ten.0.0.1").expect_err("invalid");
        assert!(e.contains("\"ten.0.0.1\""), "{e}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("").expect("empty is fine").is_empty());
    }
}
