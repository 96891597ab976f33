//! [`JavaSession`]: a running [`JavaProgram`](crate::JavaProgram) driven command line by command
//! line, with a deadline on every answer.
//!
//! The line protocol: the program's first stdout line is `READY` or `READY <text>`; then it
//! answers every command line on its stdin with zero or more lines followed by `END`, or with a
//! single `ERR <text>` line; `quit` (or the end of stdin) makes it exit. The kit's Java client
//! programs speak it through `java/it/hz/CommandLoop.java`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::TestkitError;
use crate::fetch::tail_lines;
use crate::java_program::{wait_for_exit, wait_until};

/// How much of the program's stderr is kept for error reports.
const STDERR_KEEP: usize = 64 * 1024;
/// The longest answer line accepted (longer output ends the session with an error).
const MAX_LINE: usize = 1024 * 1024;
/// How long dropping a session waits for the program to exit after `quit` before killing it.
const QUIT_GRACE: Duration = Duration::from_secs(10);

/// A running Java program driven by command lines, started with
/// [`JavaProgram::start`](crate::JavaProgram::start). Its first stdout line is `READY` or
/// `READY <text>`; it answers every command line with zero or more lines followed by `END`, or
/// with a single `ERR <text>` line; `quit` (or the end of stdin) makes it exit.
///
/// Every answer is awaited with a deadline; a program that misses it is killed. Dropping the
/// session sends `quit`, waits up to 10 s and then kills the program. The program also dies with
/// the test process (parent-death signal), and its stdin closes then.
#[derive(Debug)]
pub struct JavaSession {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Result<String, String>>,
    stderr: Arc<Mutex<String>>,
    ready: String,
    timeout: Duration,
}

impl JavaSession {
    /// Takes over a spawned program and waits up to `timeout` for its `READY` line; `timeout`
    /// also becomes the session's default answer timeout.
    pub(crate) fn begin(name: String, mut child: Child, timeout: Duration) -> Result<Self, TestkitError> {
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(pipe) = child.stderr.take() {
            let keep = stderr.clone();
            std::thread::spawn(move || keep_tail(pipe, &keep));
        }
        let (tx, lines) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            std::thread::spawn(move || read_lines(pipe, &tx));
        }
        let stdin = child.stdin.take();
        let mut session = JavaSession {
            name,
            child,
            stdin,
            lines,
            stderr,
            ready: String::new(),
            timeout,
        };
        let deadline = Instant::now() + timeout;
        let first = session.next_line("start", deadline)?;
        match first.strip_prefix("READY") {
            Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                rest.trim_start().clone_into(&mut session.ready);
                Ok(session)
            }
            _ => Err(session.exited_or("start", &format!("expected READY, got {first:?}"))),
        }
    }

    /// The text of the program's `READY` line after the word (for the Java client programs, the
    /// client's UUID).
    pub fn ready(&self) -> &str {
        &self.ready
    }

    /// The default time [`request`](Self::request) waits for an answer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets the default time [`request`](Self::request) waits for an answer.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends `command` and returns its answer lines (without `END`), waiting at most the
    /// session's [`timeout`](Self::timeout).
    ///
    /// Errors: [`TestkitError::JavaCommandFailed`] when the program answers `ERR`;
    /// [`TestkitError::JavaProgramTimeout`] when no complete answer came in time (the program
    /// is killed, as the protocol is out of step); [`TestkitError::JavaProgramFailed`] when the
    /// program exited or its output broke off; [`TestkitError::InvalidConfig`] for a command
    /// holding a line break. Failures carry the tail of the program's stderr.
    pub fn request(&mut self, command: &str) -> Result<Vec<String>, TestkitError> {
        self.request_by(command, Instant::now() + self.timeout)
    }

    /// [`request`](Self::request), waiting for the answer until `deadline`.
    pub fn request_by(&mut self, command: &str, deadline: Instant) -> Result<Vec<String>, TestkitError> {
        if command.contains(['\n', '\r']) {
            return Err(TestkitError::InvalidConfig(format!(
                "a command to {} holds a line break: {command:?}",
                self.name
            )));
        }
        let sent = match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(command.as_bytes())
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush()),
            None => Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe)),
        };
        if let Err(e) = sent {
            return Err(self.exited_or(command, &format!("could not send the command: {e}")));
        }
        let mut answer = Vec::new();
        loop {
            let line = self.next_line(command, deadline)?;
            if line == "END" {
                return Ok(answer);
            }
            if let Some(error) = line.strip_prefix("ERR ") {
                return Err(TestkitError::JavaCommandFailed {
                    what: self.name.clone(),
                    command: shorten(command),
                    answer: error.to_owned(),
                });
            }
            answer.push(line);
        }
    }

    /// The next stdout line, by `deadline`; past it the program is killed.
    fn next_line(&mut self, what: &str, deadline: Instant) -> Result<String, TestkitError> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(Ok(line)) => Ok(line),
            Ok(Err(reason)) => Err(self.exited_or(what, &reason)),
            Err(RecvTimeoutError::Disconnected) => Err(self.exited_or(what, "its output ended")),
            Err(RecvTimeoutError::Timeout) => {
                self.stdin = None;
                let _ = self.child.kill();
                let _ = self.child.wait();
                Err(TestkitError::JavaProgramTimeout {
                    what: format!("{} `{}`", self.name, shorten(what)),
                    waited: left,
                    output: self.stderr_tail(),
                })
            }
        }
    }

    /// A failure of `what`: the program's exit status (or `running`), `detail` and its stderr.
    fn exited_or(&mut self, what: &str, detail: &str) -> TestkitError {
        // The output ending usually means the program is exiting; give it a moment to say how.
        let status = match wait_for_exit(&mut self.child, Instant::now() + Duration::from_secs(2)) {
            Ok(Some(status)) => status.to_string(),
            _ => "running".to_owned(),
        };
        TestkitError::JavaProgramFailed {
            what: format!("{} `{}`", self.name, shorten(what)),
            status,
            output: format!("{detail}\n{}", self.stderr_tail()),
        }
    }

    fn stderr_tail(&self) -> String {
        tail_lines(&self.stderr.lock().unwrap_or_else(PoisonError::into_inner), 40)
    }
}

impl Drop for JavaSession {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"quit\n");
        }
        let _ = wait_until(&mut self.child, Instant::now() + QUIT_GRACE);
    }
}

/// At most 200 characters of a command, for error messages.
fn shorten(command: &str) -> String {
    let mut shown: String = command.chars().take(200).collect();
    if shown.len() < command.len() {
        shown.push('…');
    }
    shown
}

/// Sends every stdout line (without its line break) until the end, an error, or a line longer
/// than [`MAX_LINE`].
fn read_lines(pipe: impl Read, tx: &mpsc::Sender<Result<String, String>>) {
    let mut reader = BufReader::new(pipe);
    loop {
        let mut bytes = Vec::new();
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut bytes);
        let line = match read {
            Ok(0) => return,
            Ok(_) if bytes.last() == Some(&b'\n') || bytes.len() <= MAX_LINE => {
                let text = String::from_utf8_lossy(&bytes);
                Ok(text.trim_end_matches(['\r', '\n']).to_owned())
            }
            Ok(_) => Err(format!("an output line longer than {MAX_LINE} bytes")),
            Err(e) => Err(format!("reading its output: {e}")),
        };
        let stop = line.is_err();
        if tx.send(line).is_err() || stop {
            return;
        }
    }
}

/// Keeps the last [`STDERR_KEEP`] bytes (about) of `pipe` in `keep`.
fn keep_tail(mut pipe: impl Read, keep: &Mutex<String>) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{JavaProgram, fetch};

    /// A program speaking the protocol without a cluster: `echo <words>` answers each word on
    /// its own line, `fail` answers `ERR`, `sleep` never answers, `exit` exits with status 4.
    const LINES: &str = r#"package it.hz;
public final class Lines {
    public static void main(String[] args) throws Exception {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, "UTF-8"));
        System.out.println("READY " + args[0]);
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "quit": return;
                case "echo":
                    for (int i = 1; i < w.length; i++) System.out.println(w[i]);
                    System.out.println("END");
                    break;
                case "fail": System.out.println("ERR java.lang.IllegalStateException: no"); break;
                case "sleep": Thread.sleep(120_000); break;
                default: System.err.println("exiting on " + w[0]); System.exit(4);
            }
            System.out.flush();
        }
    }
}
"#;

    fn start() -> JavaSession {
        JavaProgram::compile(
            "java-session-test",
            &[("it/hz/Lines.java", LINES)],
            "it.hz.Lines",
            &fetch::default_version(),
        )
        .expect("compiles against the member jar")
        .start(["hello"], Duration::from_secs(120))
        .expect("starts and says READY")
    }

    #[test]
    fn commands_are_answered_line_by_line_and_err_is_typed() {
        let mut session = start();
        assert_eq!(session.ready(), "hello");
        assert_eq!(session.request("echo a b c").unwrap(), ["a", "b", "c"]);
        assert_eq!(session.request("echo").unwrap(), Vec::<String>::new());
        match session.request("fail") {
            Err(TestkitError::JavaCommandFailed {
                what,
                command,
                answer,
            }) => {
                assert_eq!(what, "java-session-test");
                assert_eq!(command, "fail");
                assert_eq!(answer, "java.lang.IllegalStateException: no");
            }
            other => panic!("{other:?}"),
        }
        // Still in step after an ERR.
        assert_eq!(session.request("echo d").unwrap(), ["d"]);
        assert!(matches!(
            session.request("echo x\necho y"),
            Err(TestkitError::InvalidConfig(_))
        ));
    }

    #[test]
    fn an_exiting_program_is_a_failure_with_its_stderr() {
        let mut session = start();
        match session.request("bye") {
            Err(TestkitError::JavaProgramFailed { status, output, .. }) => {
                assert!(status.contains('4'), "{status}");
                assert!(output.contains("exiting on bye"), "{output}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            session.request("echo a"),
            Err(TestkitError::JavaProgramFailed { .. })
        ));
    }

    #[test]
    fn a_missed_deadline_kills_the_program() {
        let mut session = start();
        session.set_timeout(Duration::from_secs(2));
        let started = Instant::now();
        match session.request("sleep") {
            Err(TestkitError::JavaProgramTimeout { what, .. }) => assert!(what.contains("sleep"), "{what}"),
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
        assert!(
            session.child.try_wait().expect("wait").is_some(),
            "killed after the deadline"
        );
    }
}
