//! The official Java client as the other side of the data-structure cross-checks:
//! `it.hz.StructureClient`, one of the kit's own programs (a [`JavaProgram`] compiled against the
//! member jar, which contains the Java client, `com.hazelcast.client.HazelcastClient`).
//!
//! [`JavaStructureClient::start`] runs it as a [`JavaSession`] against a cluster's loopback
//! addresses and waits until it is connected; each method then sends one command line and reads
//! the answer. The commands and the value notation are described in
//! `java/it/hz/StructureClient.java`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::error::TestkitError;
use crate::fetch;
use crate::java_program::JavaProgram;
use crate::java_session::JavaSession;

/// How long starting the program (a JVM and a client connecting) and one command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// A value as the Java client sees it: the Java class and its value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum JavaValue {
    /// `java.lang.String`.
    Str(String),
    /// `java.lang.Long`.
    Long(i64),
    /// `java.lang.Integer`.
    Int(i32),
    /// `java.lang.Double`.
    Double(f64),
    /// Any other class (its name), or `null`.
    Other(String),
}

impl JavaValue {
    /// The `<kind> <text>` notation of the program.
    fn encode(&self) -> (char, String) {
        match self {
            JavaValue::Str(s) => {
                let mut text = String::with_capacity(1 + 2 * s.len());
                text.push('h');
                for b in s.as_bytes() {
                    let _ = write!(text, "{b:02x}");
                }
                ('s', text)
            }
            JavaValue::Long(v) => ('l', v.to_string()),
            JavaValue::Int(v) => ('i', v.to_string()),
            JavaValue::Double(v) => ('d', format!("{v:?}")),
            JavaValue::Other(name) => ('x', name.clone()),
        }
    }

    /// Parses `<kind> <text>`.
    fn decode(kind: &str, text: &str) -> Option<JavaValue> {
        Some(match kind {
            "s" => {
                let hex = text.strip_prefix('h')?;
                if hex.len() % 2 != 0 {
                    return None;
                }
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()?;
                JavaValue::Str(String::from_utf8(bytes).ok()?)
            }
            "l" => JavaValue::Long(text.parse().ok()?),
            "i" => JavaValue::Int(text.parse().ok()?),
            "d" => JavaValue::Double(text.parse().ok()?),
            "x" => JavaValue::Other(text.to_owned()),
            _ => return None,
        })
    }
}

/// A topic message as the Java client's own listener received it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JavaMessage {
    /// The message.
    pub value: JavaValue,
    /// `Message.getPublishTime()`, milliseconds since the Unix epoch.
    pub publish_time_millis: i64,
    /// The publishing member's UUID (`None` if the Java client did not know the member).
    pub member: Option<String>,
}

/// A running official Java client, connected to a test cluster and driven command by command.
///
/// Every command waits at most 120 s for its answer (`queue_poll` that plus its poll timeout).
/// Dropping it asks the program to shut its client down (and kills it if it does not exit
/// within 10 s). The program also exits when the test process dies.
#[derive(Debug)]
pub struct JavaStructureClient {
    session: JavaSession,
}

impl JavaStructureClient {
    /// Compiles the program against the member jar of the default version (once per source and
    /// jar), starts it against `members` of the cluster `cluster_name` and waits until its
    /// client is connected.
    pub fn start(cluster_name: &str, members: &[SocketAddr]) -> Result<Self, TestkitError> {
        Self::start_with_version(&fetch::default_version(), cluster_name, members)
    }

    /// The same, with the Java client of the member jar of `version`.
    pub fn start_with_version(
        version: &str,
        cluster_name: &str,
        members: &[SocketAddr],
    ) -> Result<Self, TestkitError> {
        let program = JavaProgram::kit("Java structure client", "StructureClient", version)?;
        let mut args = vec![cluster_name.to_owned()];
        args.extend(members.iter().map(ToString::to_string));
        let session = program.start(&args, COMMAND_TIMEOUT)?;
        Ok(JavaStructureClient { session })
    }

    /// The Java client's UUID (as members report it).
    pub fn uuid(&self) -> &str {
        self.session.ready()
    }

    /// Offers `items` to the queue `name` (`IQueue.offer`, in order); returns how many were
    /// accepted. All items must be of one kind.
    pub fn queue_offer(&mut self, name: &str, items: &[JavaValue]) -> Result<usize, TestkitError> {
        let line = format!("queue-offer {name} {}", values(items));
        let answer = self.command(&line)?;
        single(&answer, "OFFERED ")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| self.failure(&line, &answer.join("\n")))
    }

    /// Polls the queue `name` until `max` items were taken or a poll waited `timeout` in vain.
    pub fn queue_poll(
        &mut self,
        name: &str,
        max: usize,
        timeout: Duration,
    ) -> Result<Vec<JavaValue>, TestkitError> {
        let line = format!("queue-poll {name} {max} {}", timeout.as_millis());
        let answer = self
            .session
            .request_by(&line, Instant::now() + COMMAND_TIMEOUT + timeout)?;
        self.parse(&line, &answer, |l| {
            let mut w = l.splitn(3, ' ');
            match (w.next(), w.next(), w.next()) {
                (Some("ITEM"), Some(kind), Some(text)) => JavaValue::decode(kind, text),
                _ => None,
            }
        })
    }

    /// Publishes `items` to the topic `name` (`ITopic.publish`, in order) and returns them as the
    /// Java client's own listener (added before the first publish) received them.
    pub fn topic_publish(
        &mut self,
        name: &str,
        items: &[JavaValue],
    ) -> Result<Vec<JavaMessage>, TestkitError> {
        let line = format!("topic-publish {name} {}", values(items));
        let answer = self.command(&line)?;
        self.parse(&line, &answer, |l| {
            let w: Vec<&str> = l.split(' ').collect();
            match w.as_slice() {
                ["MSG", kind, text, time, member] => Some(JavaMessage {
                    value: JavaValue::decode(kind, text)?,
                    publish_time_millis: time.parse().ok()?,
                    member: (*member != "null").then(|| (*member).to_owned()),
                }),
                _ => None,
            }
        })
    }

    /// Takes `count` ids from the flake id generator `name`, from `threads` threads at once.
    pub fn flake_ids(&mut self, name: &str, count: usize, threads: usize) -> Result<Vec<i64>, TestkitError> {
        let line = format!("flake {name} {count} {threads}");
        let answer = self.command(&line)?;
        self.parse(&line, &answer, |l| l.strip_prefix("ID ")?.parse().ok())
    }

    /// Parses every answer line with `parse`; the first line it rejects is the error.
    fn parse<T>(
        &self,
        line: &str,
        answer: &[String],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, TestkitError> {
        let mut parsed = Vec::with_capacity(answer.len());
        for l in answer {
            match parse(l) {
                Some(v) => parsed.push(v),
                None => return Err(self.failure(line, l)),
            }
        }
        Ok(parsed)
    }

    /// `PNCounter.addAndGet(delta)` on the counter `name`.
    pub fn pn_add(&mut self, name: &str, delta: i64) -> Result<i64, TestkitError> {
        self.pn(&format!("pn-add {name} {delta}"))
    }

    /// `PNCounter.get()` on the counter `name`.
    pub fn pn_get(&mut self, name: &str) -> Result<i64, TestkitError> {
        self.pn(&format!("pn-get {name}"))
    }

    fn pn(&mut self, line: &str) -> Result<i64, TestkitError> {
        let answer = self.command(line)?;
        single(&answer, "VALUE ")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| self.failure(line, &answer.join("\n")))
    }

    /// Sends one command line and returns the answer's lines.
    fn command(&mut self, line: &str) -> Result<Vec<String>, TestkitError> {
        self.session.request(line)
    }

    /// An answer of `line` that is not what the command answers.
    fn failure(&self, line: &str, answer: &str) -> TestkitError {
        TestkitError::JavaProgramFailed {
            what: format!("Java structure client `{line}`"),
            status: "running".to_owned(),
            output: format!("unexpected answer {answer:?}"),
        }
    }
}

/// The value of a one-line answer `<prefix><value>`.
fn single<'a>(answer: &'a [String], prefix: &str) -> Option<&'a str> {
    match answer {
        [one] => one.strip_prefix(prefix),
        _ => None,
    }
}

/// `<kind> <value> <value>…` of items of one kind (`s` when empty).
fn values(items: &[JavaValue]) -> String {
    let kind = items.first().map_or('s', |i| i.encode().0);
    let mut line = kind.to_string();
    for item in items {
        line.push(' ');
        line.push_str(&item.encode().1);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_the_notation() {
        for v in [
            JavaValue::Str(String::new()),
            JavaValue::Str("grüße, 世界 ✓ with spaces".to_owned()),
            JavaValue::Long(i64::MIN),
            JavaValue::Int(-7),
            JavaValue::Double(0.1),
        ] {
            let (kind, text) = v.encode();
            assert!(!text.contains(' ') && !text.is_empty(), "{text:?}");
            assert_eq!(JavaValue::decode(&kind.to_string(), &text), Some(v));
        }
        assert_eq!(JavaValue::decode("s", "hzz"), None);
        assert_eq!(JavaValue::decode("s", "h0"), None);
        assert_eq!(JavaValue::decode("q", "1"), None);
    }
}
