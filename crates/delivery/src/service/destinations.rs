//! Where a webhook may point: `https://` to an address on the public internet. An endpoint
//! that resolves to a loopback, private, link-local (the cloud metadata service at
//! 169.254.169.254 among them), carrier-grade NAT, multicast, documentation or otherwise
//! reserved address is refused, so an administration cannot make the platform call into its
//! own network (server-side request forgery).
//!
//! The check runs twice: when the endpoint is registered, and at every delivery **after DNS
//! resolution**, in the resolver the HTTP client connects through ([`GuardedResolver`]), so a
//! name that resolved to a public address at registration and to an internal one later (DNS
//! rebinding) is refused at the moment of connecting, on the very addresses connected to.
//!
//! Development and tests run receivers on loopback: with [`super::Policy::webhooks_allow_private`]
//! (`PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE=true`, on in the test configuration only) any
//! address is accepted and plain `http://` too, to loopback only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why an endpoint was refused (the text is recorded on the event and shown on the console).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("refused: not an https:// address")]
    NotHttps,
    #[error("refused: {0} is not a public internet address")]
    Private(IpAddr),
    #[error("refused: the endpoint's name does not resolve")]
    Unresolved,
    #[error("refused: not a valid address")]
    Malformed,
}

/// True for every address a webhook must not reach.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => v6_forbidden(v6),
    }
}

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    a == 0 // "this network", 0.0.0.0
        || a == 10 // private
        || a == 127 // loopback
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT (and Alibaba's metadata 100.100.100.200)
        || (a == 169 && b == 254) // link-local, the cloud metadata service
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168) // private
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224 // multicast, reserved, broadcast
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = embedded_v4(&ip) {
        return v4_forbidden(v4);
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00 // unique local (AWS's metadata fd00:ec2::254 among them)
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard
        || s[0] == 0 // other reserved ::/16 addresses (IPv4-compatible …)
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or
/// 6to4 (`2002:aabb:ccdd::`) address: it is where the packet really goes.
fn embedded_v4(ip: &Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    let mapped = s[..5] == [0, 0, 0, 0, 0] && s[5] == 0xffff;
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0];
    if mapped || nat64 {
        Some(low(s[6], s[7]))
    } else if s[0] == 0x2002 {
        Some(low(s[1], s[2]))
    } else {
        None
    }
}

/// The scheme and host rules, before any name is resolved: `https` (or, with private
/// addresses allowed, `http` to loopback), and an IP literal not forbidden.
pub fn check_static(url: &url::Url, allow_private: bool) -> Result<(), Refused> {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(Refused::Malformed),
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_private && loopback => {}
        _ => return Err(Refused::NotHttps),
    }
    if allow_private {
        return Ok(());
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    match literal {
        Some(ip) if is_forbidden(ip) => Err(Refused::Private(ip)),
        _ => Ok(()),
    }
}

/// Every address `host` resolves to, refused if any of them is forbidden (unless allowed).
pub async fn resolve_checked(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, Refused> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| Refused::Unresolved)?
        .collect();
    if addrs.is_empty() {
        return Err(Refused::Unresolved);
    }
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| is_forbidden(a.ip())) {
            return Err(Refused::Private(bad.ip()));
        }
    }
    Ok(addrs)
}

/// The whole check of an endpoint's address now: its scheme, its IP literal, or every address
/// its name resolves to.
pub async fn check(url: &url::Url, allow_private: bool) -> Result<(), Refused> {
    check_static(url, allow_private)?;
    if let Some(url::Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        resolve_checked(name, port, allow_private).await?;
    }
    Ok(())
}

/// The resolver the webhook client connects through: it resolves the name and refuses it when
/// any address is forbidden, so the address checked is the address connected to.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs = resolve_checked(name.as_str(), 0, allow_private)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_forbidden_and_public_ones_are_not() {
        for bad in [
            "127.0.0.1",
            "127.5.5.5",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "192.0.0.192",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(is_forbidden(ip(bad)), "{bad}");
        }
        for good in [
            "93.184.215.14",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4017:80b::200e",
            "::ffff:93.184.215.14",
        ] {
            assert!(!is_forbidden(ip(good)), "{good}");
        }
    }

    #[test]
    fn only_https_to_public_literals_outside_development() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(check_static(&u("https://93.184.215.14/h"), false).is_ok());
        assert!(check_static(&u("https://system.sofia.bg/h"), false).is_ok());
        assert_eq!(
            check_static(&u("http://system.sofia.bg/h"), false),
            Err(Refused::NotHttps)
        );
        assert_eq!(
            check_static(&u("http://127.0.0.1:9000/h"), false),
            Err(Refused::NotHttps)
        );
        assert_eq!(
            check_static(&u("https://169.254.169.254/latest/meta-data"), false),
            Err(Refused::Private(ip("169.254.169.254")))
        );
        assert_eq!(
            check_static(&u("https://[::ffff:10.0.0.1]/h"), false),
            Err(Refused::Private(ip("::ffff:10.0.0.1")))
        );
        // The development switch: loopback over plain http, internal addresses over https.
        assert!(check_static(&u("http://127.0.0.1:9000/h"), true).is_ok());
        assert!(check_static(&u("https://10.0.0.1/h"), true).is_ok());
        assert_eq!(
            check_static(&u("http://10.0.0.1/h"), true),
            Err(Refused::NotHttps)
        );
    }

    #[tokio::test]
    async fn a_name_is_checked_on_what_it_resolves_to() {
        let u = url::Url::parse("https://localhost:9/h").unwrap();
        assert!(matches!(check(&u, false).await, Err(Refused::Private(_))));
        assert!(check(&u, true).await.is_ok());
        let refused = reqwest::dns::Resolve::resolve(
            &GuardedResolver {
                allow_private: false,
            },
            "localhost".parse().unwrap(),
        )
        .await;
        assert!(refused.is_err());
    }
}
