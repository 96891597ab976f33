//! [`SslProtocol`], the value of `ssl_protocol`.

use std::borrow::Cow;
use std::fmt;

/// The TLS protocol version to allow (`ssl_protocol`).
///
/// As in the Python client, setting it allows exactly that version; leaving it unset (the
/// default) allows TLS 1.2 and TLS 1.3. Older versions are not supported (rustls implements only
/// these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SslProtocol {
    /// TLS 1.2 only (`"TLSv1_2"`).
    TlsV1_2,
    /// TLS 1.3 only (`"TLSv1_3"`).
    TlsV1_3,
}

impl SslProtocol {
    /// The name used in configuration files (`TLSv1_2`, `TLSv1_3`).
    pub fn name(self) -> &'static str {
        match self {
            SslProtocol::TlsV1_2 => "TLSv1_2",
            SslProtocol::TlsV1_3 => "TLSv1_3",
        }
    }

    /// A name (`TLSv1_3`, `tls1.3`, …) or the Python client's `SSLProtocol` number (0 SSLv2,
    /// 1 SSLv3, 2 TLSv1, 3 TLSv1_1, 4 TLSv1_2, 5 TLSv1_3).
    pub(crate) fn parse(s: &str) -> Result<Self, Cow<'static, str>> {
        if let Ok(n) = s.trim().parse::<i64>() {
            return match n {
                4 => Ok(SslProtocol::TlsV1_2),
                5 => Ok(SslProtocol::TlsV1_3),
                0..=3 => Err(Cow::Owned(format!(
                    "not supported: the Python client's {} (only TLSv1_2 = 4 and TLSv1_3 = 5 are; older protocols are insecure)",
                    ["SSLv2", "SSLv3", "TLSv1", "TLSv1_1"][n.clamp(0, 3) as usize]
                ))),
                _ => Err(Cow::Borrowed(
                    "expected TLSv1_2 or TLSv1_3 (or the Python client's numbers 4 and 5)",
                )),
            };
        }
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, '.' | '_' | ' ' | '-'))
            .collect::<String>()
            .to_ascii_lowercase()
            .replace("tlsv", "tls");
        match norm.as_str() {
            "tls12" => Ok(SslProtocol::TlsV1_2),
            "tls13" => Ok(SslProtocol::TlsV1_3),
            "ssl2" | "sslv2" | "ssl3" | "sslv3" | "tls1" | "tls10" | "tls11" => Err(Cow::Borrowed(
                "not supported: only TLSv1_2 and TLSv1_3 are (older protocols are insecure)",
            )),
            _ => Err(Cow::Borrowed("expected TLSv1_2 or TLSv1_3")),
        }
    }
}

impl fmt::Display for SslProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
