//! The official Java client as the other side of the data-structure cross-checks:
//! `it.hz.StructureClient`, a small program compiled against the member jar (which contains the
//! Java client, `com.hazelcast.client.HazelcastClient`) into the jar cache on first use, like the
//! kit's other Java helpers.
//!
//! [`JavaStructureClient::start`] runs it against a cluster's loopback addresses and waits until
//! it is connected; each method then sends one command line and reads the answer (lines ending
//! with `END`, or one `ERR <class>: <message>` line). The commands and the value notation are
//! described in `java/it/hz/StructureClient.java`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::TestkitError;
use crate::fetch::{self, tail_lines};
use crate::javac;

/// The program's Java source (project-owned test scaffolding).
const SOURCE: &str = include_str!("../java/it/hz/StructureClient.java");
/// The program's main class.
const CLASS: &str = "it.hz.StructureClient";
/// How much of the program's stderr is kept for error reports.
const STDERR_KEEP: usize = 64 * 1024;

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
/// Dropping it asks the program to shut its client down (and kills it if it does not exit
/// within 10 s). The program also exits when the test process dies (its stdin closes).
#[derive(Debug)]
pub struct JavaStructureClient {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: Arc<Mutex<String>>,
    uuid: String,
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
        let java = fetch::require_java()?;
        let jar = fetch::ensure_member_jar(version)?;
        let classes = javac::ensure_classes(
            "structure-client",
            &[javac::JavaSource {
                path: "it/hz/StructureClient.java",
                text: SOURCE,
            }],
            Some(&jar),
            &[],
        )?;
        let class_path: OsString = std::env::join_paths([jar, classes])
            .map_err(|e| TestkitError::InvalidConfig(format!("class path: {e}")))?;
        Self::spawn(java, &class_path, cluster_name, members)
    }

    fn spawn(
        java: PathBuf,
        class_path: &OsString,
        cluster_name: &str,
        members: &[SocketAddr],
    ) -> Result<Self, TestkitError> {
        let mut child = Command::new(&java)
            .args([
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
            ])
            .arg(class_path)
            .arg(CLASS)
            .arg(cluster_name)
            .args(members.iter().map(ToString::to_string))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| TestkitError::io(format!("running {}", java.display()), e))?;
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let keep = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut kept = keep.lock().unwrap_or_else(PoisonError::into_inner);
                    kept.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if kept.len() > STDERR_KEEP {
                        let cut = kept.len() - STDERR_KEEP / 2;
                        let cut = (cut..kept.len()).find(|&i| kept.is_char_boundary(i)).unwrap_or(0);
                        kept.drain(..cut);
                    }
                }
            });
        }
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take().map(BufReader::new) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(TestkitError::InvalidConfig(
                "the Java client's stdout is not piped".to_owned(),
            ));
        };
        let mut client = JavaStructureClient {
            child,
            stdin,
            stdout,
            stderr,
            uuid: String::new(),
        };
        let first = client.read_line("starting the Java client")?;
        match first.strip_prefix("READY ") {
            Some(uuid) => client.uuid = uuid.to_owned(),
            None => return Err(client.failure("starting the Java client", &first)),
        }
        Ok(client)
    }

    /// The Java client's UUID (as members report it).
    pub fn uuid(&self) -> &str {
        &self.uuid
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
        let answer = self.command(&line)?;
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
        &mut self,
        line: &str,
        answer: &[String],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, TestkitError> {
        let mut parsed = Vec::with_capacity(answer.len());
        for l in answer {
            match parse(l) {
                Some(v) => parsed.push(v),
                None => return Err(self.failure(line, &format!("unexpected answer line {l:?}"))),
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

    /// Sends one command line and returns the answer's lines (without `END`).
    fn command(&mut self, line: &str) -> Result<Vec<String>, TestkitError> {
        let sent = match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush()),
            None => Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe)),
        };
        if let Err(e) = sent {
            return Err(self.failure(line, &format!("could not send the command: {e}")));
        }
        let mut answer = Vec::new();
        loop {
            let l = self.read_line(line)?;
            if l == "END" {
                return Ok(answer);
            }
            if l.starts_with("ERR ") {
                return Err(self.failure(line, &l));
            }
            answer.push(l);
        }
    }

    fn read_line(&mut self, what: &str) -> Result<String, TestkitError> {
        let mut l = String::new();
        match self.stdout.read_line(&mut l) {
            Ok(0) => Err(self.failure(what, "the program exited")),
            Ok(_) => Ok(l.trim_end_matches(['\r', '\n']).to_owned()),
            Err(e) => Err(TestkitError::io(
                format!("reading the Java client's answer to `{what}`"),
                e,
            )),
        }
    }

    /// A failure of `what`, with `detail` and the tail of the program's stderr.
    fn failure(&mut self, what: &str, detail: &str) -> TestkitError {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => status.to_string(),
            _ => "running".to_owned(),
        };
        let stderr = self.stderr.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let mut shown: String = what.chars().take(200).collect();
        if what.len() > shown.len() {
            shown.push('…');
        }
        TestkitError::JavaProgramFailed {
            what: format!("Java structure client `{shown}`"),
            status,
            output: format!("{detail}\n{}", tail_lines(&stderr, 40)),
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

impl Drop for JavaStructureClient {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"quit\n");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(_) => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
