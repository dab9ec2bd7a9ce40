//! The address a request came from, for limits per client. Behind a load balancer every request
//! arrives from the balancer, which names the real client in `X-Forwarded-For`; anyone else can
//! write that header too. So the header is believed only when the peer is one of the configured
//! trusted proxies (`PORTICO_TRUSTED_PROXIES`), and then only up to the right-most hop that is not
//! itself a trusted proxy: everything left of it was written by the client and proves nothing.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
pub use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address as far as this node can tell (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// What limits count by: the address itself for IPv4, its /64 network for IPv6 (one
    /// subscriber usually holds a whole /64, so single IPv6 addresses cost nothing to change).
    pub fn limit_key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| {
                AppError::Internal(
                    "the server was started without peer addresses (ConnectInfo)".into(),
                )
            })?;
        Ok(ClientAddr(client_addr(
            peer,
            &parts.headers,
            &app.config.trusted_proxies,
        )))
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// One hop of `X-Forwarded-For`: an address, possibly with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The client address of a request from `peer` with these headers.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return peer;
    }
    // Several headers are one list, in order.
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            // A hop that is not an address: nobody trusted wrote it; stop at the proxy before it.
            None => break,
            Some(ip) => {
                client = ip;
                if !is_trusted(ip, trusted) {
                    break;
                }
            }
        }
    }
    client
}

/// Parses `PORTICO_TRUSTED_PROXIES`: comma-separated addresses and CIDR networks.
pub fn parse_trusted_proxies(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR network"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let trusted = parse_trusted_proxies("10.0.0.0/8").unwrap();
        let h = headers(&["203.0.113.9"]);
        assert_eq!(
            client_addr(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(client_addr(ip("198.51.100.1"), &h, &[]), ip("198.51.100.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = parse_trusted_proxies("10.0.0.0/8, 192.0.2.7").unwrap();
        // The client forged the first entry; the balancer appended the real one.
        let h = headers(&["1.1.1.1, 203.0.113.9", "192.0.2.7"]);
        assert_eq!(client_addr(ip("10.1.2.3"), &h, &trusted), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(
            client_addr(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        // Garbage stops the walk at the last trusted hop.
        let h = headers(&["203.0.113.9, not-an-ip"]);
        assert_eq!(client_addr(ip("10.1.2.3"), &h, &trusted), ip("10.1.2.3"));
        // Ports and IPv4-mapped IPv6 are read as the plain address.
        let h = headers(&["203.0.113.9:4711"]);
        assert_eq!(
            client_addr(ip("::ffff:10.1.2.3"), &h, &trusted),
            ip("203.0.113.9")
        );
        let h = headers(&["[2001:db8::1]:443"]);
        assert_eq!(client_addr(ip("10.1.2.3"), &h, &trusted), ip("2001:db8::1"));
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        assert_eq!(
            ClientAddr(ip("2001:db8:1:2:3:4:5:6")).limit_key(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(ClientAddr(ip("192.0.2.1")).limit_key(), "192.0.2.1");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        assert_eq!(parse_trusted_proxies("").unwrap(), vec![]);
        assert_eq!(
            parse_trusted_proxies("127.0.0.1, 10.0.0.0/8,::1")
                .unwrap()
                .len(),
            3
        );
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("proxy.local").is_err());
    }
}
